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
        assert not structure(one, two), (style, structure(one, two), text)
        for key in one:
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


def structure(one: dict, two: dict) -> str:
    """How two models' parameters differ other than by value ('' when they do not)."""
    if one.keys() != two.keys():
        return f"parameters {sorted(one.keys() ^ two.keys())[:4]}"
    for key, value in one.items():
        other = two[key]
        for what in ("shape", "dtype", "device"):
            if getattr(value, what) != getattr(other, what):
                return f"{key}: {what} {getattr(value, what)} -> {getattr(other, what)}"
    return ""


def audit(source: str, build: Callable, seed: int = 1234, with_torch: bool = True) -> dict:
    """Every promise checked, none asserted: problem kind -> detail (empty when the fixes are right).

    Kinds: crash (check or fix raised), parse, idempotent, left (a fixable finding stayed, not
    refused), build (a fixed model does not build where the original does), structure (a fixed model's
    parameters differ from the original's in name, shape, dtype or device: every style, a module left
    on the meta device included), bitwise (skip-init values or the random stream differ), fixed (how
    many fixes were applied; not a problem).
    """
    problems: dict = {}
    results = {}
    try:
        for style in STYLES:
            for unsafe in (False, True):
                result = fix_source(source, "gen.py", style=style, unsafe=unsafe)
                results[style, unsafe] = result
                try:
                    ast.parse(result.source)
                except SyntaxError as error:
                    problems["parse"] = f"{style} unsafe={unsafe}: {error}"
                    continue
                if result.source != source:
                    again = fix_source(result.source, "gen.py", style=style, unsafe=unsafe)
                    if again.source != result.source:
                        problems["idempotent"] = f"{style} unsafe={unsafe}"
                # `remaining` is the check of the fixed source
                left = [f for f in result.remaining if f.fix == SAFE or (unsafe and f.fix is not None)]
                if len(left) > len(result.refused):
                    problems["left"] = f"{style} unsafe={unsafe}: {[f.message for f in left]}"
    except Exception as error:  # a crash of the tool itself
        problems["crash"] = f"{type(error).__name__}: {error}"
        return problems
    problems_fixed = sum(len(r.fixed) for r in results.values())
    if not with_torch or problems.keys() & {"parse"}:
        return {**problems, "fixed": problems_fixed} if problems_fixed else problems
    import torch

    try:
        original_module = load(source)
        torch.manual_seed(seed)
        original = build(original_module)
    except Exception:  # the original itself does not build: nothing to compare
        return {**problems, "fixed": problems_fixed} if problems_fixed else problems
    for (style, unsafe), result in results.items():
        if result.source == source:
            continue
        try:
            fixed_module = load(result.source)
            torch.manual_seed(seed)
            model = build(fixed_module)
        except Exception as error:
            problems["build"] = f"{style} unsafe={unsafe}: {type(error).__name__}: {error}"
            continue
        one, two = dict(original.named_parameters()), dict(model.named_parameters())
        different = structure(one, two)
        if different:
            problems["structure"] = f"{style} unsafe={unsafe}: {different}"
            continue
        if style != "skip-init" or unsafe:
            continue
        if any(not torch.equal(one[k], two[k]) for k in one):
            problems["bitwise"] = "skip-init parameters differ"
            continue
        torch.manual_seed(seed)
        build(original_module)
        tail = torch.rand(4)
        torch.manual_seed(seed)
        build(fixed_module)
        if not torch.equal(tail, torch.rand(4)):
            problems["bitwise"] = "skip-init moved the random stream"
    if problems_fixed:
        problems["fixed"] = problems_fixed
    return problems
