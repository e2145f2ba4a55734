from .mlp import Mlp
from .conv import ConvBlock
