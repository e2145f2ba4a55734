"""facts.py: the InitCall fact and what it tells the rules."""

import libcst as cst

from init_lint.analysis.facts import InitCall
from init_lint.analysis.values import InvSqrt, Negated, NewTensor

NODE = cst.parse_expression("f(x)")


def test_fill_values():
    assert InitCall(NODE, "zeros_", False, ("weight",)).fill_value() == 0
    assert InitCall(NODE, "constant_", False, ("weight",), args=(0.5,)).fill_value() == 0.5
    assert InitCall(NODE, "constant_", False, ("weight",), kwargs={"val": 2}).fill_value() == 2
    assert InitCall(NODE, "fill_", True, ("weight",), args=(3,)).fill_value() == 3
    assert InitCall(NODE, "copy_", True, ("weight",), args=(NewTensor(1),)).fill_value() == 1
    assert InitCall(NODE, "normal_", False, ("weight",)).fill_value() is None


def test_uniform_bounds_by_position_or_keyword():
    high = InvSqrt(8)
    call = InitCall(NODE, "uniform_", False, ("bias",), args=(Negated(high), high))
    assert call.uniform_bounds() == (call.args[0], high) and call.on_bias and not call.on_weight
    call = InitCall(NODE, "uniform_", False, ("bias",), kwargs={"a": -1, "b": 1})
    assert call.uniform_bounds() == (-1, 1)
