"""init-lint: find and fix implicit, constant and mis-scaled layer initialization in PyTorch code."""

__version__ = "0.4.1"
