"""The forward data flow of a module: which layers' outputs feed which (read by INI003).

A zero weight is harmful in a hidden layer, one whose output feeds another weight layer, and
intended in the last projection of a residual or gated branch.  This is a small syntactic pass
over `forward`, apart from the interpreter: it follows local names through calls to
`self.<attr>(...)` and through functions that keep an output as it is (activations, reshapes).
"""

from __future__ import annotations

from typing import Iterator, Optional

import libcst as cst

from init_lint.analysis.walk import children
from init_lint.catalogue import PASS_THROUGH_CALLS


def forward_feeds(node: cst.FunctionDef) -> dict:
    """For `forward`: which `self.<attr>` calls receive the output of which others, unmixed.

    `h = self.fc1(x); y = self.fc2(F.relu(h))` gives {"fc2": {"fc1"}}.  An output that is mixed with
    other data on the way (`x + self.proj(h)`, `attn * self.gate(x)`, a sampling grid) does not count:
    a zero layer there is a residual branch or a gate, not a hidden layer.
    """
    feeds: dict = {}
    sources: dict = {}

    def deps(expr: cst.CSTNode) -> set:
        if isinstance(expr, cst.Name):
            return set(sources.get(expr.value, ()))
        if isinstance(expr, cst.Call):
            arg_deps = [deps(arg.value) for arg in expr.args]
            attr = _self_attr_call(expr)
            if attr is not None:
                inputs: set = set()
                for found in arg_deps:
                    inputs |= found
                feeds.setdefault(attr, set()).update(inputs)
                return {attr}
            func = expr.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
            receiver = deps(func.value) if isinstance(func, cst.Attribute) else set()
            if name in PASS_THROUGH_CALLS:
                if receiver:
                    return receiver
                return arg_deps[0] if arg_deps else set()
            return set()
        if isinstance(expr, cst.BinaryOperation):
            left, right = deps(expr.left), deps(expr.right)
            if isinstance(expr.right, (cst.Integer, cst.Float)):
                return left
            if isinstance(expr.left, (cst.Integer, cst.Float)):
                return right
            return set()
        if isinstance(expr, cst.UnaryOperation):
            return deps(expr.expression)
        if isinstance(expr, cst.Subscript):
            return deps(expr.value)
        for child in children(expr):
            deps(child)
        return set()

    for statement in _all_small_statements(node):
        if isinstance(statement, cst.Assign):
            value_deps = deps(statement.value)
            for target in statement.targets:
                for name in _target_names(target.target):
                    sources[name] = value_deps
        elif isinstance(statement, cst.AugAssign):
            deps(statement.value)
            for name in _target_names(statement.target):
                sources[name] = set()
        elif isinstance(statement, (cst.Expr, cst.Return)) and statement.value is not None:
            deps(statement.value)
    return feeds


def _self_attr_call(call: cst.Call) -> Optional[str]:
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
        return func.attr.value
    if isinstance(func, cst.Subscript) and isinstance(func.value, cst.Attribute) and \
            isinstance(func.value.value, cst.Name) and func.value.value.value == "self":
        return func.value.attr.value
    return None


def _target_names(target: cst.CSTNode) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)


def _all_small_statements(node: cst.CSTNode) -> Iterator[cst.BaseSmallStatement]:
    stack = [node]
    ordered: list = []
    while stack:
        current = stack.pop(0)
        if isinstance(current, cst.SimpleStatementLine):
            ordered.extend(current.body)
        elif isinstance(current, (cst.FunctionDef, cst.If, cst.For, cst.While, cst.With, cst.Try, cst.Else,
                                  cst.IndentedBlock, cst.ExceptHandler, cst.Finally)):
            stack[:0] = [c for c in children(current) if isinstance(c, (cst.BaseStatement, cst.BaseSuite, cst.Else,
                                                                        cst.ExceptHandler, cst.Finally, cst.If))]
    return iter(ordered)
