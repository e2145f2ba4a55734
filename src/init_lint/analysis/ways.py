"""Ways of building a class: the call sites of the file, or its default arguments.

A condition of `__init__` the analysis cannot decide from the code alone (`if init_type ==
'explicit':`) is often decided by how the class is built: `Net('custom')` in `main()`, or the
default of `init_weights=True` that no caller overrides.  A way is one call site (or, with no
call site, the defaults); the interpreter evaluates an undecided condition once per way.

A class only has ways when every use of its name in the file is a plain call (no `*args`,
`**kwargs`, no subclass, no `block_cls = Net` reference that could build it with other
arguments); otherwise its parameters stay unknown.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Optional

import libcst as cst
from libcst.metadata import PositionProvider

from init_lint.analysis.values import UNKNOWN
from init_lint.analysis.walk import children
from init_lint.positions import locate


@dataclass(frozen=True)
class Way:
    """One way of building a class: where (None for "with its defaults") and each parameter's value."""

    label: Optional[str]
    values: dict


def literal(node: Optional[cst.BaseExpression], module: cst.Module, constants: dict) -> object:
    """A literal's value, a module constant's (`MODE = 'fast'`), or UNKNOWN."""
    if node is None:
        return UNKNOWN
    if isinstance(node, cst.Name) and node.value in constants and node.value not in ("True", "False", "None"):
        node = constants[node.value]
    try:
        return ast.literal_eval(module.code_for_node(node).strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return UNKNOWN


def construction_ways(module: cst.Module, classes, constants: dict, text: Optional[str] = None) -> dict:
    """Class name -> its ways of being built in this file (absent: unknown arguments).  `text`: the
    module's source, when the caller has it (call sites' lines then cost a parse of their statements only)."""
    inits = {}
    for info in classes.modules():
        init = info.methods.get("__init__")
        if init is not None:
            inits[info.name] = init
    if not inits:
        return {}
    subclassed = {base for info in classes.classes.values() for base in info.local_bases()}
    calls: dict = {name: [] for name in inits}
    open_ended: set = set(subclassed)
    for node, parent, grandparent in _uses(module, calls):
        if isinstance(parent, cst.ClassDef) and parent.name is node:
            continue
        if isinstance(parent, cst.Call) and parent.func is node:
            if any(a.star for a in parent.args):
                open_ended.add(node.value)
            else:
                calls[node.value].append(parent)
            continue
        if isinstance(parent, cst.Arg) and isinstance(grandparent, cst.Call) \
                and isinstance(grandparent.func, cst.Name) and grandparent.func.value in ("super", "isinstance"):
            continue
        if isinstance(parent, (cst.Attribute,)) and parent.value is not node:
            continue
        open_ended.add(node.value)
    ways: dict = {}
    lines = _lines_of([call for name in inits if name not in open_ended for call in calls[name]], module, text)
    for name, init in inits.items():
        if name in open_ended:
            continue
        params = [p for p in init.params.params][1:] if init.params.params else []
        kwonly = list(init.params.kwonly_params)
        if init.params.star_kwarg is not None or isinstance(init.params.star_arg, cst.Param):
            continue
        defaults = {p.name.value: literal(p.default, module, constants) for p in params + kwonly}
        if not calls[name]:
            ways[name] = [Way(None, defaults)]
            continue
        found = []
        for call in calls[name]:
            values = dict(defaults)
            for i, arg in enumerate(call.args):
                if arg.keyword is not None:
                    values[arg.keyword.value] = literal(arg.value, module, constants)
                elif i < len(params):
                    values[params[i].name.value] = literal(arg.value, module, constants)
            code = " ".join(module.code_for_node(call).split())
            if len(code) > 40:
                code = code[:37] + "..."
            line = lines.get(id(call))
            found.append(Way(f"{code} at line {line}" if line else code, values))
        ways[name] = found
    return ways


def _uses(module: cst.Module, names: dict) -> list:
    """(name node, its parent, the parent's parent) for every `Name` of the module spelling one of
    `names`, in the order of a preorder walk (`walk.children`: libcst's own `children` runs a visitor
    per node, which cost more than the rest of this module), with a stack (a 3000-term sum must not
    exhaust the recursion limit)."""
    found: list = []
    pending: list = [(module, None)]
    name_type = cst.Name
    while pending:
        node, parent = pending.pop()
        for child in children(node):
            if child.__class__ is name_type:
                if child.value in names:
                    found.append((child, node, parent))
            else:
                pending.append((child, node))
    return found


def _lines_of(calls: list, module: cst.Module, text: Optional[str] = None) -> dict:
    """id(call) -> its line, for the few call sites that name a way (none when positions fail)."""
    if not calls:
        return {}
    try:
        if text is not None:
            return {key: where.start.line for key, where in locate(module, text, calls).items()}
        positions = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    except RecursionError:
        return {}
    return {id(call): positions[call].start.line for call in calls if call in positions}
