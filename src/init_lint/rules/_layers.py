"""What rules need to know about layer sites: names for messages, fan_in, hidden layers, dispatch targets."""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from init_lint.analysis import FileAnalysis
from init_lint.analysis.facts import InitCall
from init_lint.analysis.values import ContainerValue, LayerSite, LayerValue, Member, ModuleInstance, Product, Symbol
from init_lint.catalogue import BIAS, CONV_TRANSPOSE, LAYERS, WEIGHT, ParamSpec, fan_in, is_size
from init_lint.fixes.recipes import literal_fan_in as recipes_fan_in


def describe(site: LayerSite, analysis: FileAnalysis) -> str:
    """`self.fc2 = Linear(16, 4)` style: where the layer lives and how it is built."""
    shape = constructor_text(site, analysis.module)
    where = site.address.expr if site.address is not None and not site.address.loop else None
    if where is None and site.address is not None:
        where = f"each layer of {site.address.expr}"
    if where is None:
        return shape  # a layer with no name: its constructor says which it is
    return f"{where} = {shape}"


def constructor_text(site: LayerSite, module: Optional[cst.Module] = None, limit: int = 48) -> str:
    """The constructor call on one compact line (`Linear(a, b)` even when written over several lines,
    with comments and a trailing comma), shortened by whole arguments when long: `Linear(a, b, ...)`.
    `module`: the tree the call is in (a tree built by `lean_tree` slices code from its text)."""
    call = site.call
    code = module or _CODE
    if not isinstance(call, cst.Call):
        return _compact(code.code_for_node(call))
    func = _compact(code.code_for_node(call.func))
    args = [_compact(code.code_for_node(_without_comma(arg))) for arg in call.args]
    text = f"{func}({', '.join(args)})"
    while len(text) > limit and args:
        args.pop()
        text = f"{func}({', '.join(args + ['...'])})"
    return text


def _without_comma(arg: cst.Arg) -> cst.Arg:
    if isinstance(getattr(arg, "comma", None), cst.Comma):
        return arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return arg  # no comma to drop (a tree built by `lean_tree` has none: it slices the argument's own code)


def _compact(code: str) -> str:
    """Code on one line: comments dropped, whitespace runs one space, none inside the brackets' edges."""
    if "#" in code or "\n" in code:
        try:
            code = cst.parse_expression(code).visit(_DropComments()).code if "#" in code else code
        except Exception:  # not an expression on its own (`bias=b  # why`): cut comments by line
            code = re.sub(r"#[^\n]*", "", code)
    text = " ".join(code.split())
    return re.sub(r",?\s+([)\]}])", r"\1", re.sub(r"([(\[{])\s+", r"\1", text))


class _DropComments(cst.CSTTransformer):
    def leave_EmptyLine(self, original, updated):
        return cst.RemoveFromParent() if updated.comment is not None else updated

    def leave_TrailingWhitespace(self, original, updated):
        return updated.with_changes(comment=None)


_CODE = cst.Module(body=[])


def literal_fan_in(site: LayerSite) -> Optional[int]:
    """The layer's fan_in when its constructor arguments are literal (the fixer's own computation)."""
    return recipes_fan_in(site.spec, site.args)


def symbol_value(n: object, target: LayerSite) -> Optional[int]:
    """The literal value of the `n` in a bound `1/sqrt(n)`, for the layer the bound is applied to."""
    if isinstance(n, bool):
        return None
    if isinstance(n, int):
        return n
    if isinstance(n, Symbol):
        site = n.sites[0] if len(n.sites) == 1 else target if not n.sites else None
        if site is None:
            return None
        return _symbol_of(site, n.kind)
    if isinstance(n, Member):
        owner = n.owner
        source = owner.sites[0] if isinstance(owner, LayerValue) and len(owner.sites) == 1 else target
        value = source.literal_args().get(n.name)
        if n.name == "kernel_size" or not isinstance(value, int):
            return None
        return value
    if isinstance(n, Product):
        product = 1
        for factor in n.factors:
            value = symbol_value(factor, target)
            if value is None:
                return None
            product *= value
        return product
    return None


def _symbol_of(site: LayerSite, kind: str) -> Optional[int]:
    args = site.literal_args()
    spec = site.spec
    if kind == "fan_in":
        return fan_in(spec, args)
    shape = weight_shape(site)
    if kind == "fan_out":
        if shape is None:
            return None
        receptive = 1
        for k in shape[2:]:
            receptive *= k
        return shape[0] * receptive
    match = re.match(r"(weight|bias)\.shape\[(\d+)\]", kind)
    if match is None:
        return None
    if match.group(1) == "bias":
        return shape[0] if shape is not None and match.group(2) == "0" and spec.family != CONV_TRANSPOSE else (
            _out(site) if match.group(2) == "0" else None)
    index = int(match.group(2))
    if shape is None or index >= len(shape):
        return None
    return shape[index]


def _out(site: LayerSite) -> Optional[int]:
    """The length of the layer's bias (out_features, out_channels), whether or not it has one."""
    bias = site.spec.param(BIAS)
    shape = _shape(bias, site) if bias is not None else None
    return shape[0] if shape else None


def weight_shape(site: LayerSite) -> Optional[tuple]:
    """The weight's shape as PyTorch builds it, when the constructor's arguments are literal."""
    weight = site.spec.param(WEIGHT)
    return _shape(weight, site) if weight is not None else None


def _shape(param: ParamSpec, site: LayerSite) -> Optional[tuple]:
    """A parameter's shape from the catalogue's shape function and the site's literal sizes (a size
    the call leaves out takes the constructor's default: `groups` 1)."""
    try:
        shape = param.shape({**site.spec.defaults, **site.literal_args()}, 0)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return shape if shape is not None and all(is_size(d) for d in shape) else None


def output_units(site: LayerSite) -> Optional[int]:
    """out_features / out_channels when literal."""
    return _out(site)


def targets(analysis: FileAnalysis, call: InitCall) -> list[LayerSite]:
    """The layers an init call applies to: its own sites, or every layer of its type its dispatch reaches."""
    if call.sites:
        return [site for site in call.sites if site.classic]
    spec = call.spec
    if spec is None or spec.name not in LAYERS:
        return []
    found: dict = {}
    for event in analysis.tree.dispatch_events(call.dispatch_id):
        for site in analysis.tree.sites_under(event):
            if site.spec.name == spec.name:
                found[id(site)] = site
    return list(found.values())


def is_hidden(site: LayerSite, analysis: FileAnalysis) -> Optional[str]:
    """The name of a weight layer this layer's output feeds, or None if it is (as far as seen) a last layer.

    A layer at `<container>[i]` feeds a later layer of the same container; a layer at `self.<attr>`
    feeds what `forward` applies to its output.
    """
    address = site.address if site.address is not None and not site.address.loop else None
    if address is None:
        return None
    index = address.last_index
    if index is not None and len(address.steps) > 1:
        for other in analysis.tree.layers_by_container().get((site.owner, address.steps[:-1]), ()):
            if other is not site and other.address.last_index > index >= 0:
                return other.address.expr
        return None
    steps = address.steps
    if len(steps) != 2 or steps[0].kind != "name" or steps[1].kind != "attr" or site.owner is None:
        return None
    attr = steps[1].value
    feeds = analysis.facts.forward_feeds.get(site.owner, {})
    attrs = analysis.facts.attrs.get(site.owner, {})
    frontier = [attr]
    seen = {attr}
    while frontier:
        current = frontier.pop()
        for consumer, inputs in feeds.items():
            if current not in inputs or consumer in seen:
                continue
            seen.add(consumer)
            if _bears_weights(attrs.get(consumer)):
                return f"{steps[0].value}.{consumer}"
            frontier.append(consumer)
    return None


def _bears_weights(value: object, seen: Optional[set] = None) -> bool:
    if isinstance(value, (LayerValue, ModuleInstance)):
        return True
    if isinstance(value, ContainerValue):
        # A container may hold itself (`layers.append(layers)`).
        seen = set() if seen is None else seen
        if id(value) in seen:
            return False
        seen.add(id(value))
        return any(_bears_weights(item, seen) for item in value.items)
    return False
