"""espnet2's conditional norms (ncsnpp_utils/normalization.py): an embedding whose scale and shift
columns are written section by section initializes the whole weight; one built without either keeps N(0, 1).
A padding row zeroed alone does not count."""
import torch.nn as nn


class ConditionalNorm(nn.Module):
    def __init__(self, num_features, num_classes, bias=True):
        super().__init__()
        self.bn = nn.BatchNorm2d(num_features, affine=False)
        if bias:
            self.embed = nn.Embedding(num_classes, num_features * 2)
            self.embed.weight.data[:, :num_features].uniform_()
            self.embed.weight.data[:, num_features:].zero_()
        else:
            self.embed = nn.Embedding(num_classes, num_features)
            self.embed.weight.data.uniform_()


class ConditionalNoShift(nn.Module):
    def __init__(self, num_features, num_classes):
        super().__init__()
        self.embed = nn.Embedding(num_classes, num_features)  # expect: INI006


class Tokens(nn.Module):
    def __init__(self, vocab, d, pad=0):
        super().__init__()
        self.embed = nn.Embedding(vocab, d, padding_idx=pad)  # expect: INI006
        self.embed.weight.data[pad] = 0
