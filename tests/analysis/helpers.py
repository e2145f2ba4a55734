"""Small helpers for the analysis unit tests: analyze a snippet, find its layer sites."""

from __future__ import annotations

import textwrap

import libcst as cst

from init_lint.analysis import FileAnalysis, analyze
from init_lint.analysis.values import LayerSite


def analyzed(source: str) -> FileAnalysis:
    """The analysis of a dedented snippet (`import torch.nn as nn` is added when missing)."""
    text = textwrap.dedent(source)
    if "import" not in text:
        text = "import torch.nn as nn\n" + text
    return analyze(cst.parse_module(text), text=text)


def site(analysis: FileAnalysis, address: str) -> LayerSite:
    """The one layer site the fixer reaches as `address` (`self.fc`)."""
    found = [s for s in analysis.facts.sites if s.address is not None and s.address.expr == address]
    assert len(found) == 1, [s.address for s in analysis.facts.sites]
    return found[0]


def cover(analysis: FileAnalysis, address: str) -> dict:
    """{param: int(level)} of the layer at `address`."""
    return {param: int(level) for param, level in site(analysis, address).cover.items()}
