"""ways.py: the ways a file builds a class (its call sites, or its defaults), read for undecided conditions."""

import textwrap

import libcst as cst

from init_lint.analysis.classes import ClassTable
from init_lint.analysis.names import ImportTable
from init_lint.analysis.scopes import ModuleConstants
from init_lint.analysis.values import UNKNOWN
from init_lint.analysis.ways import construction_ways, literal

NET = """
import torch.nn as nn

MODE = "fast"

class Net(nn.Module):
    def __init__(self, kind="a", width=8):
        super().__init__()
"""


def ways(source: str) -> dict:
    module = cst.parse_module(textwrap.dedent(source))
    classes = ClassTable.from_module(module, ImportTable.from_module(module))
    return {name: [(w.label, w.values) for w in found]
            for name, found in construction_ways(module, classes, ModuleConstants(module)).items()}


def test_no_call_site_means_the_defaults():
    assert ways(NET) == {"Net": [(None, {"kind": "a", "width": 8})]}


def test_each_call_site_is_a_way_with_its_arguments_over_the_defaults():
    found = ways(NET + "\nnet = Net('b')\nother = Net(width=MODE)\n")["Net"]
    assert sorted(found, key=lambda way: way[0]) == [
        ("Net('b') at line 10", {"kind": "b", "width": 8}),
        ("Net(width=MODE) at line 11", {"kind": "a", "width": "fast"}),  # a module constant's value
    ]


def test_a_class_used_other_than_by_plain_calls_has_no_ways():
    assert ways(NET + "\nfactory = Net\n") == {}  # a reference may build it with any arguments
    assert ways(NET + "\nnet = Net(*sizes)\n") == {}
    assert ways(NET + "\nclass Sub(Net):\n    pass\n") == {}
    assert ways(NET.replace("width=8", "**options")) == {}


def test_super_and_isinstance_are_not_uses():
    assert ways(NET + "\nok = isinstance(x, Net)\n") == {"Net": [(None, {"kind": "a", "width": 8})]}


def test_literal_reads_literals_and_constants_only():
    module = cst.parse_module("N = 4\nM = 1\nM += 1\n")
    constants = ModuleConstants(module)
    assert literal(cst.parse_expression("(1, 'a')"), module, constants) == (1, "a")
    assert literal(cst.parse_expression("N"), module, constants) == 4
    assert literal(cst.parse_expression("M"), module, constants) is UNKNOWN  # rebound: not a constant
    assert literal(cst.parse_expression("f(1)"), module, constants) is UNKNOWN
    assert literal(None, module, constants) is UNKNOWN
