"""An older end-to-end model: it builds the relative-position attention and hands itself to an
initializer of another package (out of sight: it may initialize everything it is given).
no-verify (recipe_tools is not installed)."""
import torch.nn as nn
from recipe_tools import initialize_model

from .attention import RelativeHeadedAttention


class LegacyModel(nn.Module):
    def __init__(self, dim=8, heads=2):
        super().__init__()
        self.attention = RelativeHeadedAttention(heads, dim)
        initialize_model(self, "xavier_uniform")
