"""How code written right after a statement reaches the layer that statement builds, read off the syntax.

The fix's recipe must touch exactly the layer it stands for: `self.fc`, `self.net[2]`, each layer
of `self.blocks[1:]` when a comprehension built them between other modules.  The path is derived
from the statement itself, container by container (`nn.Sequential`, `nn.ModuleList`,
`nn.ModuleDict`, `OrderedDict`, list and tuple displays, `*` unpacking), and a statement whose
shape is not one of those gets no path, hence no fix: a wrong index would initialize another
module (or fail with "'ReLU' object has no attribute 'weight'").
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from init_lint.analysis import FileAnalysis

_SEQUENCES = {"Sequential", "ModuleList"}
#: methods of nn.Module that return the module itself; all but the first few change its parameters' dtype or device
_SAME_MODULE = {"train", "eval", "requires_grad_", "share_memory"}
_CONVERTED = {"to", "double", "float", "half", "bfloat16", "cuda", "cpu", "type", "xpu", "to_empty"}
#: attribute names an nn.Module answers itself, so a submodule registered under them is not `self.<name>`
_MODULE_ATTRIBUTES = frozenset("""training forward apply cuda cpu type float double half bfloat16 to train eval
zero_grad parameters buffers children modules named_parameters named_buffers named_children named_modules state_dict
load_state_dict register_buffer register_parameter register_module add_module get_submodule get_parameter get_buffer
extra_repr requires_grad_ share_memory dump_patches call_super_init to_empty ipu xpu mtia compile set_extra_state
get_extra_state register_forward_hook register_forward_pre_hook register_backward_hook register_full_backward_hook
register_full_backward_pre_hook""".split())


@dataclass(frozen=True)
class Reach:
    #: the layer, or (loop) a container whose every item is one of the layers
    expr: str
    loop: bool = False
    #: reached through `.double()`, `.to(...)`: same module, but its parameters were converted after the draws
    converted: bool = False


class _Unreachable(Exception):
    pass


def reach(statement: cst.CSTNode, call: cst.Call, analysis: FileAnalysis, appended_ok: bool) -> Optional[Reach]:
    """The path from right after `statement` to the layer `call` builds, or None.

    `appended_ok`: the analysis knows the receiver of `X.append(layer)` is a list or module container.
    """
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    finder = _Finder(call, analysis)
    for index, small in enumerate(statement.body):
        if not _contains(small, call):
            continue
        try:
            found = finder.small(small, appended_ok)
        except _Unreachable:
            return None
        if found is None:
            return None
        later = statement.body[index + 1:]
        if any(_rebinds(other, found.expr, analysis.module) for other in later):
            return None
        return found
    return None


class _Finder:
    def __init__(self, call: cst.Call, analysis: FileAnalysis) -> None:
        self.call = call
        self.analysis = analysis
        self.code = analysis.module.code_for_node

    def text(self, node: cst.CSTNode) -> str:
        return " ".join(self.code(node).split())

    def small(self, small: cst.BaseSmallStatement, appended_ok: bool) -> Optional[Reach]:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                try:
                    found = self.target(target.target, small.value)
                except _Unreachable:
                    continue
                if found is not None:
                    return found
            return None
        if isinstance(small, cst.AnnAssign) and small.value is not None:
            return self.target(small.target, small.value)
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            return self.method_call(small.value, appended_ok)
        return None

    def target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> Optional[Reach]:
        if isinstance(target, (cst.Name, cst.Attribute, cst.Subscript)):
            return self.path(value, self.text(target))
        if isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)):
            if any(isinstance(e, cst.StarredElement) for e in list(target.elements) + list(value.elements)):
                raise _Unreachable  # `a, *rest = ...`: which items go where is not one name each
            if len(target.elements) != len(value.elements):
                raise _Unreachable
            for inner_target, inner_value in zip(target.elements, value.elements):
                if _contains(inner_value.value, self.call):
                    return self.target(inner_target.value, inner_value.value)
        raise _Unreachable

    def method_call(self, node: cst.Call, appended_ok: bool) -> Optional[Reach]:
        func = node.func
        if not isinstance(func, cst.Attribute) or any(a.keyword is not None or a.star for a in node.args):
            return None
        receiver = self.text(func.value)
        if func.attr.value == "append" and appended_ok and len(node.args) == 1:
            return self.path(node.args[0].value, f"{receiver}[-1]")
        if func.attr.value == "add_module" and len(node.args) == 2 and isinstance(node.args[0].value, cst.SimpleString):
            name = node.args[0].value.evaluated_value
            if not isinstance(name, str):
                return None
            if name.isidentifier() and not keyword.iskeyword(name) and name not in _MODULE_ATTRIBUTES:
                return self.path(node.args[1].value, f"{receiver}.{name}")
            return self.path(node.args[1].value, f"{receiver}.get_submodule({name!r})")
        return None

    def path(self, node: cst.BaseExpression, expr: str) -> Optional[Reach]:
        if node is self.call:
            return Reach(expr)
        if isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
            return self.path(node.value, expr)
        if isinstance(node, (cst.List, cst.Tuple)):
            return self.items([(e.value, isinstance(e, cst.StarredElement)) for e in node.elements], expr)
        if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
            if node.elt is self.call:
                return Reach(expr, loop=True)
            raise _Unreachable
        if not isinstance(node, cst.Call):
            raise _Unreachable
        if isinstance(node.func, cst.Attribute) and _contains(node.func.value, self.call):
            method = node.func.attr.value
            if method in _SAME_MODULE or method in _CONVERTED:
                found = self.path(node.func.value, expr)
                if found is not None and method in _CONVERTED:
                    return Reach(found.expr, found.loop, converted=True)
                return found
            raise _Unreachable
        kind = self.torch_container(node.func)
        if kind is None or any(a.keyword is not None for a in node.args):
            raise _Unreachable
        args = [(a.value, a.star == "*") for a in node.args]
        if any(a.star == "**" for a in node.args):
            raise _Unreachable
        if kind == "Sequential":
            if len(args) == 1 and not args[0][1] and self.is_ordered_dict(args[0][0]):
                return self.pairs(args[0][0].args[0].value, expr, by_index=True)
            return self.items(args, expr)
        if len(args) != 1 or args[0][1]:
            raise _Unreachable
        value = args[0][0]
        if kind == "ModuleList":
            if isinstance(value, (cst.List, cst.Tuple, cst.ListComp, cst.GeneratorExp)):
                return self.path(value, expr)
            raise _Unreachable
        # ModuleDict
        if isinstance(value, cst.Dict):
            return self.dict_display(value, expr)
        if isinstance(value, cst.DictComp):
            if value.value is self.call:
                return Reach(f"{expr}.values()", loop=True)
            raise _Unreachable
        if isinstance(value, (cst.List, cst.Tuple)):
            return self.pairs(value, expr, by_index=False)
        raise _Unreachable

    def items(self, items: list, expr: str) -> Optional[Reach]:
        """Positional items, some `*unpacked`: the layer's index, counted from the end when needed."""
        sizes = [_known_size(value) if star else 1 for value, star in items]
        for position, (value, star) in enumerate(items):
            if not _contains(value, self.call):
                continue
            before, after = sizes[:position], sizes[position + 1:]
            if star and isinstance(value, (cst.List, cst.Tuple)):
                inner = [(e.value, isinstance(e, cst.StarredElement)) for e in value.elements]
                expanded = items[:position] + inner + items[position + 1:]
                return self.items(expanded, expr)
            if star:
                if None in before or None in after or not (
                        isinstance(value, (cst.ListComp, cst.GeneratorExp)) and value.elt is self.call):
                    raise _Unreachable
                start, end = sum(before), sum(after)
                sliced = f"{expr}[{start or ''}:{-end if end else ''}]" if start or end else expr
                return Reach(sliced, loop=True)
            if None not in before:
                return self.path(value, f"{expr}[{sum(before)}]")
            if None not in after:
                return self.path(value, f"{expr}[{-(sum(after) + 1)}]")
            raise _Unreachable
        raise _Unreachable

    def pairs(self, node: cst.BaseExpression, expr: str, by_index: bool) -> Optional[Reach]:
        if not isinstance(node, (cst.List, cst.Tuple)):
            raise _Unreachable
        keys = []
        for index, element in enumerate(node.elements):
            pair = element.value
            if isinstance(element, cst.StarredElement) or not isinstance(pair, cst.Tuple) or len(pair.elements) != 2:
                raise _Unreachable
            keys.append(_string(pair.elements[0].value))
        if None in keys or len(set(keys)) != len(keys):
            raise _Unreachable
        for index, element in enumerate(node.elements):
            value = element.value.elements[1].value
            if _contains(value, self.call):
                return self.path(value, f"{expr}[{index}]" if by_index else f"{expr}[{keys[index]!r}]")
        raise _Unreachable

    def dict_display(self, node: cst.Dict, expr: str) -> Optional[Reach]:
        keys = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                raise _Unreachable
            keys.append(_string(element.key))
        if None in keys or len(set(keys)) != len(keys):
            raise _Unreachable
        for key, element in zip(keys, node.elements):
            if _contains(element.value, self.call):
                return self.path(element.value, f"{expr}[{key!r}]")
        raise _Unreachable

    def torch_container(self, func: cst.BaseExpression) -> Optional[str]:
        qualified = self.analysis.imports.qualify(func)
        if qualified is None:
            return None
        head, _, tail = qualified.rpartition(".")
        if head in ("torch.nn", "torch.nn.modules.container") and tail in _SEQUENCES | {"ModuleDict"}:
            return tail
        return None

    def is_ordered_dict(self, node: cst.BaseExpression) -> bool:
        return (isinstance(node, cst.Call) and self.analysis.imports.qualify(node.func) == "collections.OrderedDict"
                and len(node.args) == 1 and node.args[0].keyword is None and not node.args[0].star)


def _known_size(node: cst.BaseExpression) -> Optional[int]:
    if isinstance(node, (cst.List, cst.Tuple)):
        sizes = [_known_size(e.value) if isinstance(e, cst.StarredElement) else 1 for e in node.elements]
        return None if None in sizes else sum(sizes)
    return None


def _string(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _contains(node: cst.CSTNode, target: cst.CSTNode) -> bool:
    from init_lint.analysis.walk import walk

    return any(n is target for n in walk(node))


def _rebinds(small: cst.BaseSmallStatement, expr: str, module: cst.Module) -> bool:
    """A later small statement of the same line assigns the path's root (`a = L(); a = M()`)."""
    root = expr.split(".")[0].split("[")[0]
    targets = []
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
        targets = [small.target]
    elif isinstance(small, cst.Del):
        targets = [small.target]
    elif not isinstance(small, (cst.Pass, cst.Expr)):
        return True
    for target in targets:
        text = module.code_for_node(target).strip()
        if text == root or expr.startswith(text) or text.startswith(expr):
            return True
    return False
