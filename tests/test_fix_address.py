"""`fixes.address`: the path from right after a statement to each layer it builds, read off the syntax."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from init_lint.analysis import analyze
from init_lint.analysis.walk import walk
from init_lint.fixes.address import reach

HEAD = "import torch.nn as nn\nfrom collections import OrderedDict\n\n\ndef build(self, other):\n"


def paths(line: str) -> list:
    """(path, loop, converted) for each nn.Linear call of the statement, in source order; None where none."""
    module = cst.parse_module(HEAD + textwrap.indent(line, "    ") + "\n")
    analysis = analyze(module)
    statement = module.body[-1].body.body[-1]
    found = []
    for node in walk(statement):
        if isinstance(node, cst.Call) and module.code_for_node(node.func) == "nn.Linear":
            where = reach(statement, node, analysis, appended_ok=True)
            found.append(None if where is None else (where.expr, where.loop, where.converted))
    return found


@pytest.mark.parametrize("line, expected", [
    ("self.fc = nn.Linear(3, 4)", [("self.fc", False, False)]),
    ("self.fc: nn.Module = nn.Linear(3, 4)", [("self.fc", False, False)]),
    ("self.a = b = nn.Linear(3, 4)", [("self.a", False, False)]),
    ("self.a, self.b = nn.Linear(3, 4), nn.Linear(4, 5)", [("self.a", False, False), ("self.b", False, False)]),
    ("self.a, *self.b = nn.Linear(3, 4), nn.Linear(4, 5)", [None, None]),
    ("self.net = nn.Sequential(nn.ReLU(), nn.Linear(3, 4))", [("self.net[1]", False, False)]),
    ("self.net = nn.Sequential(*[nn.Linear(3, 3) for _ in range(2)], nn.ReLU(), nn.Linear(3, 1))",
     [("self.net[:-2]", True, False), ("self.net[-1]", False, False)]),
    ("self.net = nn.Sequential(nn.ReLU(), *(nn.Linear(3, 3) for _ in range(2)))", [("self.net[1:]", True, False)]),
    ("self.net = nn.Sequential(*other, nn.Linear(3, 1), *other)", [None]),
    ("self.net = nn.Sequential(*[nn.ReLU(), nn.Linear(3, 3)], nn.Linear(3, 1))",
     [("self.net[1]", False, False), ("self.net[2]", False, False)]),
    ("self.net = nn.Sequential(OrderedDict([('a', nn.Linear(3, 4)), ('r', nn.ReLU()), ('b', nn.Linear(4, 2))]))",
     [("self.net[0]", False, False), ("self.net[2]", False, False)]),
    ("self.net = nn.Sequential(OrderedDict([('a', nn.Linear(3, 4)), ('a', nn.Linear(4, 2))]))", [None, None]),
    ("self.d = nn.ModuleDict({'x': nn.Linear(3, 4), 'y': nn.ReLU()})", [("self.d['x']", False, False)]),
    ("self.d = nn.ModuleDict({k: nn.Linear(3, 4) for k in 'ab'})", [("self.d.values()", True, False)]),
    ("self.d = nn.ModuleDict([('x', nn.Linear(3, 4))])", [("self.d['x']", False, False)]),
    ("self.m = nn.ModuleList([nn.Linear(3, 4) for _ in range(2)])", [("self.m", True, False)]),
    ("self.m = nn.ModuleList([nn.Sequential(nn.Linear(3, 4)) for _ in range(2)])", [None]),
    ("self.m = nn.ModuleList(list(reversed([nn.Linear(3, 4)])))", [None]),
    ("self.fc = nn.Linear(3, 4).double()", [("self.fc", False, True)]),
    ("self.fc = nn.Linear(3, 4).eval()", [("self.fc", False, False)]),
    ("self.fc = nn.Linear(3, 4) if other else nn.Linear(4, 4)", [None, None]),
    ("self.m.append(nn.Linear(3, 4))", [("self.m[-1]", False, False)]),
    ("self.add_module('fc', nn.Linear(3, 4))", [("self.fc", False, False)]),
    ("self.add_module('train', nn.Linear(3, 4))", [("self.get_submodule('train')", False, False)]),
    ("self.add_module('0', nn.Linear(3, 4))", [("self.get_submodule('0')", False, False)]),
    ("self.fc = nn.Linear(3, 4); self.fc = nn.Linear(4, 5)", [None, ("self.fc", False, False)]),
    ("layers = [nn.Linear(3, 4)]", [("layers[0]", False, False)]),
    ("self.m = nn.Sequential(nn.Linear(3, 4)); self.m.insert(0, other)", [None]),
    ("self.m = nn.Sequential(nn.Linear(3, 4)); print(other)", [("self.m[0]", False, False)]),
])
def test_paths(line, expected):
    assert paths(line) == expected
