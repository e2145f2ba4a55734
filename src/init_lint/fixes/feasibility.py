"""Whether a recipe can be inserted after the statement that builds a layer: a sure path to the layer
(`fixes.address`), and no reordering of random draws.

The recipe runs after the whole statement.  That keeps every random draw in its place only if
nothing after the layer's constructor, within the same statement, draws random numbers too (an
`nn.Embedding` in the same `Sequential`, a call the analysis cannot see into), unless it is
another layer whose draws the fix also moves.
"""

from __future__ import annotations

from typing import Optional

import libcst as cst

from init_lint.analysis import FileAnalysis
from init_lint.analysis.models import BUILTIN_PURE
from init_lint.catalogue import CONTAINERS, NON_DRAWING_MODULES
from init_lint.analysis.values import LayerSite
from init_lint.analysis.walk import walk as _walk
from init_lint.catalogue import LAYERS, lookup_torch_class
from init_lint.fixes.address import reach

UNREACHABLE = ("the statement's shape does not say which of its items is the layer (a starred target, a "
               "reordering call, a conditional): no path to it would be sure")


def insert_problem(site: LayerSite, analysis: FileAnalysis, fixed_calls: set,
                   cache: Optional[dict] = None) -> Optional[str]:
    """Why no recipe can follow this layer's statement, or None when it can.

    `cache` (one per check of a file) keeps each statement's calls, so a statement that builds
    hundreds of layers is walked once.
    """
    if site.statement is None:
        return "the layer is not reachable by name right after the statement that builds it"
    cache = {} if cache is None else cache
    if reach(site.statement, site.call, analysis, appended_ok=site.address is not None, cache=cache) is None:
        return UNREACHABLE
    entry = cache.get(id(site.statement))
    if entry is None:
        calls = [n for n in _walk(site.statement) if isinstance(n, cst.Call)]
        position = {id(call): index for index, call in enumerate(calls)}
        # a layer whose fix moves its draws after the statement: fixable and reachable by a sure path
        appended = site.address is not None
        moved = {id(call) for call in calls if id(call) in fixed_calls and
                 reach(site.statement, call, analysis, appended_ok=appended, cache=cache) is not None}
        drawing = [index for index, call in enumerate(calls)
                   if id(call) not in moved and not _draws_nothing(call, analysis)]
        entry = cache[id(site.statement)] = (calls, position, drawing)
    calls, position, drawing = entry
    start = position.get(id(site.call))
    if start is None:
        return "the constructor is not part of the statement"
    # Calls inside the constructor's arguments run before it; they follow it in this (preorder) list.
    end = start + sum(1 for node in _walk(site.call) if isinstance(node, cst.Call))
    later = [index for index in drawing if index >= end]
    if later:
        call = calls[later[0]]
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
