"""Fix plans that replace a wrong init statement by the layer's default recipe for that parameter."""

from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from init_lint.analysis.values import LayerSite
from init_lint.catalogue import LayerSpec
from init_lint.fixes.plans import ReplaceInit, literal_call_args

#: comments that say the code reproduces a reference on purpose: never rewrite those
_REFERENCE = re.compile(r"\b(reference|replicat|match(es|ing)?|original|paper|official|port(ed)?|tf|tensorflow|jax|keras)\b",
                        re.IGNORECASE)


def replace_plan(statement: Optional[cst.SimpleStatementLine], call: cst.CSTNode, sites: list[LayerSite],
                 param: str, module: cst.Module) -> Optional[ReplaceInit]:
    """A plan to replace `statement` (which must be just the init call) by the default recipe.

    Every target layer must share one recipe: the same parameters with the same default inits and
    fan_in (Conv2d and LazyConv2d do, Conv1d and Conv2d do not), and for literal fan_in one value.
    """
    if statement is None or len(statement.body) != 1 or not isinstance(statement.body[0], cst.Expr):
        return None
    if statement.body[0].value is not call or not isinstance(call, cst.Call) or not sites:
        return None
    if len({_recipe_key(s.spec) for s in sites}) != 1:
        return None
    if says_it_replicates_a_reference(statement, module):
        return None
    tensor = _tensor_argument(call)
    if tensor is None:
        return None
    text = module.code_for_node(tensor).strip()
    if text.endswith(".data"):
        text = text[: -len(".data")]
    if not text.endswith("." + param):
        return None
    layer = text[: -len(param) - 1]
    # fan_in is written as a number only when the constructor's own argument is one
    literal = literal_call_args(sites[0].spec, sites[0].call) if len(sites) == 1 else {}
    return ReplaceInit(statement, layer, sites[0].spec, param, literal, call)


def _recipe_key(spec: LayerSpec) -> tuple:
    """What decides a layer's default recipe, from the catalogue: its parameters' names, dimensions,
    inits and fan_in."""
    return tuple((p.name, p.ndim, p.init, p.fan_in) for p in spec.params)


def says_it_replicates_a_reference(statement: cst.SimpleStatementLine, module: cst.Module) -> bool:
    """Whether a comment on the statement says it reproduces a reference implementation on purpose."""
    comments = [line.comment.value for line in statement.leading_lines if line.comment is not None]
    if statement.trailing_whitespace.comment is not None:
        comments.append(statement.trailing_whitespace.comment.value)
    return any(_REFERENCE.search(comment) for comment in comments)


def _tensor_argument(call: cst.Call) -> Optional[cst.BaseExpression]:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value in ("fill_", "zero_", "uniform_", "copy_", "normal_"):
        receiver = func.value
        if _looks_like_tensor(receiver):
            return receiver
    if call.args and call.args[0].keyword is None:
        return call.args[0].value
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "tensor":
            return arg.value
    return None


def _looks_like_tensor(node: cst.BaseExpression) -> bool:
    while isinstance(node, cst.Attribute) and node.attr.value == "data":
        node = node.value
    return isinstance(node, cst.Attribute) and node.attr.value in ("weight", "bias")
