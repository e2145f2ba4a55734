"""adaLN-zero: a model-level apply initializes every Linear with xavier, then the adaptive-LayerNorm modulation Linears and the final projection are zeroed so every block starts as the identity (DiT-style; REALWORLD.md lists adaLN-zero among intentional zero fills). The zeroed layers are last projections: strict only."""
import torch
from torch import nn


def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


class DiTBlock(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.norm = nn.LayerNorm(dim, elementwise_affine=False)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 4), nn.GELU(), nn.Linear(dim * 4, dim))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 3 * dim))

    def forward(self, x, c):
        shift, scale, gate = self.adaLN_modulation(c).chunk(3, dim=1)
        return x + gate.unsqueeze(1) * self.mlp(modulate(self.norm(x), shift, scale))


class FinalLayer(nn.Module):
    def __init__(self, dim=16, out=4):
        super().__init__()
        self.norm = nn.LayerNorm(dim, elementwise_affine=False)
        self.linear = nn.Linear(dim, out)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(self.norm(x), shift, scale))


class TinyDiT(nn.Module):
    def __init__(self, dim=16, depth=2):
        super().__init__()
        self.t_embed = nn.Sequential(nn.Linear(1, dim), nn.SiLU(), nn.Linear(dim, dim))
        self.blocks = nn.ModuleList([DiTBlock(dim) for _ in range(depth)])
        self.final = FinalLayer(dim)
        self.initialize_weights()

    def initialize_weights(self):
        def _basic_init(module):
            if isinstance(module, nn.Linear):
                torch.nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.constant_(module.bias, 0)

        self.apply(_basic_init)
        for block in self.blocks:
            nn.init.constant_(block.adaLN_modulation[-1].weight, 0)  # expect-strict: INI003
            nn.init.constant_(block.adaLN_modulation[-1].bias, 0)
        nn.init.constant_(self.final.adaLN_modulation[-1].weight, 0)  # expect-strict: INI003
        nn.init.constant_(self.final.adaLN_modulation[-1].bias, 0)
        nn.init.constant_(self.final.linear.weight, 0)  # expect-strict: INI003
        nn.init.constant_(self.final.linear.bias, 0)

    def forward(self, x, t):
        c = self.t_embed(t)
        for block in self.blocks:
            x = block(x, c)
        return self.final(x, c)
