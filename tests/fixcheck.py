"""Shared by the fixer's tests: fix a source in both styles and hold the result to the fixer's promises.

A fix is never wrong: it parses, fixing again changes nothing, no fixable finding is left that was
not refused, and (with torch) the model builds from both fixed styles, the skip-init one with
parameters bitwise those of the original under one seed.
"""

from __future__ import annotations

import ast
import itertools
import types
from typing import Callable, Optional

from init_lint.api import check_source, fix_source
from init_lint.diagnostics import SAFE

STYLES = ("explicit", "skip-init")
_counter = itertools.count()


def load(source, name: Optional[str] = None) -> types.ModuleType:
    name = name or f"_fixcheck_{next(_counter)}"
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def fixed_sources(source: str, unsafe: bool = False, path: str = "case.py") -> dict:
    """style -> fixed source, after checking that it parses, is a fixed point and leaves nothing fixable."""
    out = {}
    for style in STYLES:
        result = fix_source(source, path, style=style, unsafe=unsafe)
        try:
            ast.parse(result.source)
        except SyntaxError as error:  # pragma: no cover - reported with the source
            raise AssertionError(f"{style}: the fix does not parse: {error}\n{result.source}") from None
        again = fix_source(result.source, path, style=style, unsafe=unsafe)
        assert again.source == result.source, (style, "not idempotent", result.source, again.source)
        left = [f for f in check_source(result.source, path) if f.fix == SAFE or (unsafe and f.fix is not None)]
        assert len(left) <= len(result.refused), (style, [f.message for f in left], result.source)
        out[style] = result.source
    return out


def assert_builds(source: str, fixed: dict, build: Callable, seed: int = 1234) -> None:
    """The fixed models build in both styles; the skip-init one equals the original bit for bit."""
    import torch

    torch.manual_seed(seed)
    original = build(load(source))
    for style, text in fixed.items():
        torch.manual_seed(seed)
        model = build(load(text))  # must build
        one, two = dict(original.named_parameters()), dict(model.named_parameters())
        assert one.keys() == two.keys(), (style, text)
        for key in one:
            assert one[key].shape == two[key].shape and one[key].dtype == two[key].dtype, (style, key, text)
            if style == "skip-init":
                assert torch.equal(one[key], two[key]), (style, key, text)
        if style == "skip-init":
            # and the random stream is left where the original left it
            torch.manual_seed(seed)
            build(load(source))
            tail = torch.rand(4)
            torch.manual_seed(seed)
            build(load(text))
            assert torch.equal(tail, torch.rand(4)), (style, "stream moved", text)
