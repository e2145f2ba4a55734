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
from init_lint.analysis.walk import children, walk

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


def reach(statement: cst.CSTNode, call: cst.Call, analysis: FileAnalysis, appended_ok: bool,
          cache: Optional[dict] = None) -> Optional[Reach]:
    """The path from right after `statement` to the layer `call` builds, or None.

    `appended_ok`: the analysis knows the receiver of `X.append(layer)` is a list or module container.
    `cache` (one per file) keeps what is computed per statement and per container, so that a
    statement building thousands of layers is walked once, not once per layer.
    """
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    cache = {} if cache is None else cache
    parents = cache.get(("parents", id(statement)))
    if parents is None:
        parents = cache[("parents", id(statement))] = _parents(statement)
    chain = set()
    node: Optional[cst.CSTNode] = call
    while node is not None:
        chain.add(id(node))
        node = parents.get(id(node))
    finder = _Finder(call, analysis, chain, cache)
    for index, small in enumerate(statement.body):
        if id(small) not in chain:
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
    def __init__(self, call: cst.Call, analysis: FileAnalysis, chain: set, cache: dict) -> None:
        self.call = call
        self.analysis = analysis
        self.code = analysis.module.code_for_node
        #: ids of the call and of every node around it up to the statement
        self.chain = chain
        self.cache = cache

    def holds(self, node: cst.CSTNode) -> bool:
        return id(node) in self.chain

    def text(self, node: cst.CSTNode) -> str:
        key = ("text", id(node))
        if key not in self.cache:
            self.cache[key] = " ".join(self.code(node).split())
        return self.cache[key]

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
                if self.holds(inner_value.value):
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
            return self.items(node, [(e.value, isinstance(e, cst.StarredElement)) for e in node.elements], expr)
        if isinstance(node, (cst.ListComp, cst.GeneratorExp)):
            if node.elt is self.call:
                return Reach(expr, loop=True)
            raise _Unreachable
        if not isinstance(node, cst.Call):
            raise _Unreachable
        if isinstance(node.func, cst.Attribute) and self.holds(node.func.value):
            method = node.func.attr.value
            if method in _SAME_MODULE or method in _CONVERTED:
                found = self.path(node.func.value, expr)
                if found is not None and method in _CONVERTED:
                    return Reach(found.expr, found.loop, converted=True)
                return found
            raise _Unreachable
        key = ("container", id(node))
        if key not in self.cache:  # once per container call, not once per layer in it
            kind = self.torch_container(node.func)
            plain = all(a.keyword is None and a.star != "**" for a in node.args)
            self.cache[key] = (kind, [(a.value, a.star == "*") for a in node.args]) if kind and plain else None
        if self.cache[key] is None:
            raise _Unreachable
        kind, args = self.cache[key]
        if kind == "Sequential":
            if len(args) == 1 and not args[0][1] and self.is_ordered_dict(args[0][0]):
                return self.pairs(args[0][0].args[0].value, expr, by_index=True)
            return self.items(node, args, expr)
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

    def items(self, owner: Optional[cst.CSTNode], items: list, expr: str) -> Optional[Reach]:
        """Positional items, some `*unpacked`: the layer's index, counted from the end when needed."""
        key = ("items", id(owner))
        info = self.cache.get(key) if owner is not None else None
        if info is None:
            info = _ItemsInfo(items)
            if owner is not None:
                self.cache[key] = info
        position = next((info.position[i] for i in self.chain if i in info.position), None)
        if position is None:
            raise _Unreachable
        value, star = items[position]
        if star and isinstance(value, (cst.List, cst.Tuple)):
            inner = [(e.value, isinstance(e, cst.StarredElement)) for e in value.elements]
            return self.items(None, items[:position] + inner + items[position + 1:], expr)
        unknown_before = info.unknown[position] > 0
        unknown_after = info.unknown[-1] - info.unknown[position + 1] > 0
        before = info.known[position]
        after = info.known[-1] - info.known[position + 1]
        if star:
            if unknown_before or unknown_after or not (
                    isinstance(value, (cst.ListComp, cst.GeneratorExp)) and value.elt is self.call):
                raise _Unreachable
            sliced = f"{expr}[{before or ''}:{-after if after else ''}]" if before or after else expr
            return Reach(sliced, loop=True)
        if not unknown_before:
            return self.path(value, f"{expr}[{before}]")
        if not unknown_after:
            return self.path(value, f"{expr}[{-(after + 1)}]")
        raise _Unreachable

    def pairs(self, node: cst.BaseExpression, expr: str, by_index: bool) -> Optional[Reach]:
        """`[('a', layer), ...]` given to OrderedDict or ModuleDict: distinct string keys, one pair each."""
        if not isinstance(node, (cst.List, cst.Tuple)):
            raise _Unreachable
        entries = self.keyed(node, lambda: [
            (_string(e.value.elements[0].value), e.value.elements[1].value)
            if not isinstance(e, cst.StarredElement) and isinstance(e.value, cst.Tuple) and len(e.value.elements) == 2
            else (None, None) for e in node.elements])
        index, key, value = self.entry(entries)
        return self.path(value, f"{expr}[{index}]" if by_index else f"{expr}[{key!r}]")

    def dict_display(self, node: cst.Dict, expr: str) -> Optional[Reach]:
        entries = self.keyed(node, lambda: [
            (_string(e.key), e.value) if isinstance(e, cst.DictElement) else (None, None) for e in node.elements])
        _, key, value = self.entry(entries)
        return self.path(value, f"{expr}[{key!r}]")

    def keyed(self, node: cst.CSTNode, read) -> dict:
        """id(value) -> (index, key) for a display whose keys are distinct strings (computed once per display)."""
        key = ("keyed", id(node))
        entries = self.cache.get(key)
        if entries is None:
            pairs = read()
            keys = [k for k, _ in pairs]
            valid = None not in keys and len(set(keys)) == len(keys)
            entries = self.cache[key] = {id(v): (i, k, v) for i, (k, v) in enumerate(pairs)} if valid else {}
        return entries

    def entry(self, entries: dict) -> tuple:
        found = next((entries[i] for i in self.chain if i in entries), None)
        if found is None:
            raise _Unreachable
        return found

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


class _ItemsInfo:
    """Per container: each item's index, and running counts of the items before it (known sizes, and
    `*unpacked` items of unknown length)."""

    def __init__(self, items: list) -> None:
        self.position = {id(value): index for index, (value, _) in enumerate(items)}
        self.known = [0]
        self.unknown = [0]
        for value, star in items:
            size = _known_size(value) if star else 1
            self.known.append(self.known[-1] + (size or 0))
            self.unknown.append(self.unknown[-1] + (size is None))


def _parents(statement: cst.CSTNode) -> dict:
    parents: dict = {}
    for node in walk(statement):
        for child in children(node):
            parents[id(child)] = node
    return parents


def _rebinds(small: cst.BaseSmallStatement, expr: str, module: cst.Module) -> bool:
    """A later small statement of the same line assigns the path's root (`a = L(); a = M()`)."""
    root = expr.split(".")[0].split("[")[0]
    targets = []
    if isinstance(small, cst.Assign):
        targets = [t.target for t in small.targets]
    elif isinstance(small, (cst.AnnAssign, cst.AugAssign, cst.Del)):
        targets = [small.target]
    elif isinstance(small, cst.Expr):
        # `...; self.net.append(x)` may change what the path reaches
        return root in module.code_for_node(small)
    elif not isinstance(small, cst.Pass):
        return True
    for target in targets:
        text = module.code_for_node(target).strip()
        if text == root or expr.startswith(text) or text.startswith(expr):
            return True
    return False
