"""A subclass that skips the ASR model's `__init__` and calls the abstract base's by name; its own
projection is not initialized either."""
import torch

from .abs_model import AbsTaskModel
from .asr_model import ASRModel


class SLUModel(ASRModel):
    def __init__(self, vocab_size=10, encoder_dim=8, transcript_dim=6):
        AbsTaskModel.__init__(self)
        self.vocab_size = vocab_size
        self.transcript_projection = torch.nn.Linear(transcript_dim, encoder_dim)  # expect: INI001
