"""What rules need to know about layer sites: names for messages, fan_in, hidden layers, dispatch targets."""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from init_lint.analysis import FileAnalysis
from init_lint.analysis.values import ContainerValue, LayerSite, LayerValue, ModuleInstance, Symbol
from init_lint.catalogue import BILINEAR, CONV, CONV_TRANSPOSE, LINEAR, fan_in

_INDEXED = re.compile(r"^(?P<prefix>.+)\[(?P<index>-?\d+)\]$")


def describe(site: LayerSite, analysis: FileAnalysis) -> str:
    """`self.fc2 = Linear(16, 4)` style: where the layer lives and how it is built."""
    shape = constructor_text(site)
    where = site.address.expr if site.address is not None and not site.address.loop else None
    if where is None and site.address is not None:
        where = f"each layer of {site.address.expr}"
    if where is None:
        return shape  # a layer with no name: its constructor says which it is
    return f"{where} = {shape}"


def constructor_text(site: LayerSite, limit: int = 48) -> str:
    """The constructor call on one compact line (`Linear(a, b)` even when written over several lines,
    with comments and a trailing comma), shortened by whole arguments when long: `Linear(a, b, ...)`."""
    call = site.call
    if not isinstance(call, cst.Call):
        return _compact(_CODE.code_for_node(call))
    func = _compact(_CODE.code_for_node(call.func))
    args = [_compact(_CODE.code_for_node(arg.with_changes(comma=cst.MaybeSentinel.DEFAULT))) for arg in call.args]
    text = f"{func}({', '.join(args)})"
    while len(text) > limit and args:
        args.pop()
        text = f"{func}({', '.join(args + ['...'])})"
    return text


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
    return fan_in(site.spec, site.literal_args())


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
    name = getattr(n, "name", None)
    owner = getattr(n, "owner", None)
    if name is not None and owner is not None:
        source = owner.sites[0] if isinstance(owner, LayerValue) and len(owner.sites) == 1 else target
        value = source.literal_args().get(name)
        if name == "kernel_size" or not isinstance(value, int):
            return None
        return value
    factors = getattr(n, "factors", None)
    if factors is not None:
        product = 1
        for factor in factors:
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
    args = site.literal_args()
    value = args.get("out_features", args.get("out_channels"))
    return value if isinstance(value, int) else None


def weight_shape(site: LayerSite) -> Optional[tuple]:
    """The weight's shape as PyTorch builds it, when the constructor's arguments are literal."""
    args = site.literal_args()
    spec = site.spec
    try:
        if spec.family == LINEAR:
            return (args["out_features"], args["in_features"])
        if spec.family == BILINEAR:
            return (args["out_features"], args["in1_features"], args["in2_features"])
        kernel = args["kernel_size"]
        kernel = (kernel,) * spec.dims if isinstance(kernel, int) else tuple(kernel)
        groups = args.get("groups", 1)
        if spec.family == CONV:
            return (args["out_channels"], args["in_channels"] // groups) + kernel
        return (args["in_channels"], args["out_channels"] // groups) + kernel
    except (KeyError, TypeError, ZeroDivisionError):
        return None


def output_units(site: LayerSite) -> Optional[int]:
    return _out(site)


def targets(analysis: FileAnalysis, sites: tuple, spec, dispatch_id) -> list[LayerSite]:
    """The layers an event applies to: its own sites, or every layer of its type a dispatch reaches."""
    if sites:
        return list(sites)
    if spec is None:
        return []
    found: dict = {}
    for event in analysis.tree.dispatch_events(dispatch_id):
        for site in analysis.tree.sites_under(event):
            if site.spec.name == spec.name:
                found[id(site)] = site
    return list(found.values())


def is_hidden(site: LayerSite, analysis: FileAnalysis) -> Optional[str]:
    """The name of a weight layer this layer's output feeds, or None if it is (as far as seen) a last layer."""
    address = site.address.expr if site.address is not None and not site.address.loop else None
    if address is None:
        return None
    match = _INDEXED.match(address)
    if match is not None:
        prefix, index = match.group("prefix"), int(match.group("index"))
        for other in analysis.facts.sites:
            if other is site or other.address is None or other.owner != site.owner:
                continue
            other_match = _INDEXED.match(other.address.expr)
            if other_match and other_match.group("prefix") == prefix and int(other_match.group("index")) > index >= 0:
                return other.address.expr
        return None
    parts = address.split(".")
    if len(parts) != 2 or site.owner is None:
        return None
    attr = parts[1]
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
                return f"{parts[0]}.{consumer}"
            frontier.append(consumer)
    return None


def _bears_weights(value: object) -> bool:
    if isinstance(value, (LayerValue, ModuleInstance)):
        return True
    if isinstance(value, ContainerValue):
        return any(_bears_weights(item) for item in value.items)
    return False
