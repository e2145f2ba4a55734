"""A ViT that no code of the library initializes: its users build it and train from the default."""
import torch.nn as nn


class Attention(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.qkv = nn.Linear(dim, dim * 3, bias=False)  # expect: INI001
        self.out = nn.Linear(dim, dim)  # expect: INI001


class ViT(nn.Module):
    def __init__(self, dim=8, num_classes=10):
        super().__init__()
        self.attn = Attention(dim)
        self.head = nn.Linear(dim, num_classes)  # expect: INI001
