"""Whether a recipe can be inserted after the statement that builds a layer without reordering draws.

The recipe runs after the whole statement.  That keeps every random draw in its place only if
nothing after the layer's constructor, within the same statement, draws random numbers too (an
`nn.Embedding` in the same `Sequential`, a call the analysis cannot see into), unless it is
another layer whose draws the fix also moves.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from init_lint.analysis import FileAnalysis
from init_lint.analysis.interpreter import BUILTIN_PURE, CONTAINERS, NON_DRAWING_MODULES
from init_lint.analysis.values import LayerSite
from init_lint.analysis.walk import walk as _walk
from init_lint.catalogue import LAYERS, lookup_torch_class


def insert_problem(site: LayerSite, analysis: FileAnalysis, fixed_calls: set) -> Optional[str]:
    """Why no recipe can follow this layer's statement, or None when it can."""
    if site.statement is None or site.address is None:
        return "the layer is not reachable by name right after the statement that builds it"
    if site.address.loop and not _comprehension_builds_only(site):
        return "the comprehension builds more than the layer itself"
    calls = _calls_in_order(site.statement)
    try:
        start = next(i for i, call in enumerate(calls) if call is site.call)
    except StopIteration:
        return "the constructor is not part of the statement"
    inside = _descendants(site.call)
    for call in calls[start + 1:]:
        if id(call) in inside or id(call) in fixed_calls:
            continue
        if not _draws_nothing(call, analysis):
            return (f"`{analysis.module.code_for_node(call.func).strip()}(...)` may draw random numbers after the "
                    f"layer in the same statement; split the statement to fix it")
    return None


def _draws_nothing(call: cst.Call, analysis: FileAnalysis) -> bool:
    qualified = analysis.imports.qualify(call.func)
    if qualified is None:
        return isinstance(call.func, cst.Name) and call.func.value in BUILTIN_PURE
    tail = qualified.rsplit(".", 1)[-1]
    if qualified.startswith("torch.nn.") and (tail in NON_DRAWING_MODULES or tail in CONTAINERS):
        return True
    if lookup_torch_class(qualified) in LAYERS:
        return False
    return qualified in ("collections.OrderedDict", "math.sqrt", "math.prod") or qualified.startswith("builtins.")


def _comprehension_builds_only(site: LayerSite) -> bool:
    for node in _walk(site.statement):
        if isinstance(node, (cst.ListComp, cst.GeneratorExp)) and node.elt is site.call:
            return True
    return False


def _calls_in_order(node: cst.CSTNode) -> list:
    return [n for n in _walk(node) if isinstance(n, cst.Call)]


def _descendants(node: cst.CSTNode) -> set:
    return {id(n) for n in _walk(node)}


