"""The fast path: a file that cannot hold a layer or an init gets its exports from `ast`, exactly as the
full analysis would give them, and no finding (which the full analysis confirms)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from init_lint.checker import check_source_with_analysis
from init_lint.config import Settings
from init_lint.fastscan import quick_exports
from init_lint.project import file_exports, import_only_exports

REPO = Path(__file__).resolve().parent.parent

FAST = {
    "utility": "import torch\nimport numpy as np\n\n\ndef count(x):\n    return torch.numel(x) + np.size(x)\n",
    "imports everywhere": """\
import torch
import os.path
import a.b.c as abc
from . import sibling
from .. import cousin as c2
from .pkg.mod import thing, other as o
from pkg import *
try:
    from fast import impl
except ImportError:
    from slow import impl
if torch.cuda.is_available():
    from .gpu import kernel
else:
    import cpu_kernel as kernel


def f():
    from inner import helper
    import late
    with open("x") as handle:
        from deep.er import value
    for i in range(3):
        while True:
            from loop import again
    return helper, late, value, again


async def g():
    async with ctx():
        from asyncmod import thing
""",
    "a star import after names": "import torch\nfrom a import x\nfrom b import *\nfrom c import *\nfrom a import y\n",
    "rebinding": "import torch\nfrom a import x\nfrom b import x\nimport x\n",
    # libcst keeps a one-line suite apart from a block: imports and definitions in it count all the same
    "imports in one-line suites": """\
import torch
if torch.cuda.is_available(): import cupy as xp
else: import numpy as xp
try: from fast import impl
except ImportError: from slow import impl
for _ in range(1): from loop import again
while False: import never
with open("x"): from inside import value
""",
    "names the file binds itself": """\
import torch
from a import x, y, z, w, v, u
from b import kept
x = 3
y: int = 4
z: int
if torch.cuda.is_available():
    def w():
        return 1
    if True: v = 5
else:
    u = 6
try:
    from c import fallback
except ImportError:
    def fallback():
        return 0


def kept_too():
    from d import kept
    return kept
""",
    "imported classes in annotations only": """\
import torch
from typing import Optional
from foo import Bar, Baz


def f(x: Optional[Bar] = None, *rest: "Baz") -> Bar:
    y: Baz = x
    return y


z: Optional[Bar] = None
""",
    "word class in a comment": "import torch  # the class of tensors\n\n\ndef f(x):\n    return torch.relu(x)\n",
}

SLOW = {
    "a class": "import torch\n\n\nclass Config:\n    size = 3\n",
    "a layer": "import torch\n\n\ndef make():\n    return torch.nn.Linear(2, 2)\n",
    "a layer by name only": "import torch\nfrom torch.nn import Conv2d as C\n",
    "an init function": "import torch\n\n\ndef f(t):\n    torch.nn.init.normal_(t)\n",
    "an overwriting method": "import torch\n\n\ndef f(t):\n    t.data.fill_(1.0)\n",
    "torch.nn.init by import": "import torch\nfrom torch.nn.init import normal\n\n\ndef f(t):\n    normal(t)\n",
    "an init module of a framework": "import torch\nfrom mmengine.model import constant_init as ci\n\n\ndef f(m):\n    ci(m, 0)\n",
    "a Parameter": "import torch\n\n\ndef f():\n    return torch.nn.Parameter(torch.randn(3, 3))\n",
    "apply": "import torch\n\n\ndef f(model, fn):\n    model.apply(fn)\n",
    "a syntax error": "import torch\n\ndef f(:\n    pass\n",
    # the full analysis exports the imported classes it reads (`refs`): the fast path does not guess which
    "an imported class read": "import torch\nfrom mylib import FancyDense\n\nLAYER = FancyDense\n",
    "an imported class read through its module": "import torch\nimport foo\n\n\ndef f(x):\n    return foo.Bar\n",
    "a typing name subscripted": "import torch\nfrom typing import Optional\n\n\ndef f():\n    return Optional[int]\n",
    "a loop over a module's parameters": "import torch\n\n\ndef f(m, s):\n    for n, p in m.named_parameters():\n"
                                         "        s.add(n, p)\n",
    "a script converting at module level": "import torch\nx = torch.randn(3).cuda()\ny = torch.fft.rfft(x)\n",
    "an imported class in a comprehension": "import torch\nfrom a import B\n\n\ndef f(xs):\n    return [B for x in xs]\n",
}


@pytest.mark.parametrize("name", sorted(FAST))
def test_the_fast_path_exports_what_the_full_analysis_exports(name):
    data = FAST[name].encode()
    quick = quick_exports(data, Settings())
    assert quick is not None
    findings, analysis = check_source_with_analysis(data, "m.py", Settings())
    assert findings == []
    assert quick == file_exports(analysis)


@pytest.mark.parametrize("name", sorted(SLOW))
def test_files_that_may_hold_a_layer_or_an_init_take_the_full_path(name):
    assert quick_exports(SLOW[name].encode(), Settings()) is None


def test_a_projects_extra_layers_take_the_full_path():
    data = b"import torch\nfrom mylib import FancyDense\n\n\ndef f(layer: FancyDense) -> FancyDense:\n    return layer\n"
    assert quick_exports(data, Settings()) is not None
    assert quick_exports(data, Settings(extra_layers=(("mylib.FancyDense", "Linear"),))) is None


def test_a_file_that_builds_an_imported_class_takes_the_full_path():
    # The model it builds escapes to a helper out of sight (`opaque`): project mode asks whether that
    # helper could initialize a class the file imports (issue 11), which only the full analysis says.
    data = b"import torch\nfrom pkg.models import Net\nfrom pkg.helpers import setup\n\n\n" \
           b"def main():\n    model = Net()\n    setup(model)\n"
    assert quick_exports(data, Settings()) is None
    assert quick_exports(data.replace(b"Net()", b"net()").replace(b"import Net", b"import net"), Settings())


def test_files_without_torch_export_the_same_bindings():
    data = FAST["imports everywhere"].replace("torch", "numpy").encode()
    assert import_only_exports(data)["bindings"] == quick_exports(data, Settings())["bindings"]


def test_every_fixture_the_fast_path_takes_has_no_finding_and_the_same_exports():
    taken = 0
    for path in sorted((REPO / "fixtures").rglob("*.py")) + sorted((REPO / "tests" / "projects").rglob("*.py")):
        data = path.read_bytes()
        quick = quick_exports(data, Settings())
        if quick is None:
            continue
        taken += 1
        findings, analysis = check_source_with_analysis(data, str(path), Settings())
        assert findings == [], path
        assert quick == (file_exports(analysis) if analysis is not None else import_only_exports(data)), path
    assert taken > 0


_NAMES = ("a", "b", "np", "impl")
_SIMPLE = [f"import {n}" for n in _NAMES] + [f"from m{i} import {n}" for i, n in enumerate(_NAMES)] + \
    [f"import pkg.{n} as {n}" for n in _NAMES] + [f"from . import {n}" for n in _NAMES] + \
    ["from star import *"] + [f"{n} = 1" for n in _NAMES] + [f"{n}: int = 1" for n in _NAMES] + ["pass"]
_HEADS = ["if X", "while X", "for _ in X", "with X", "try"]


def _program(draw, depth: int) -> list:
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["simple", "simple", "suite", "block", "def"] if depth < 3 else ["simple"]))
        if kind == "simple":
            lines.append(draw(st.sampled_from(_SIMPLE)))
        elif kind == "def":
            name = draw(st.sampled_from(_NAMES))
            lines.append(f"def {name}():")
            lines.extend("    " + line for line in _program(draw, depth + 1))
        else:
            head = draw(st.sampled_from(_HEADS))
            tail = {"try": ["except E"], "if X": ["else"]}.get(head, [])
            for part in [head] + tail:
                if kind == "suite":
                    lines.append(f"{part}: {draw(st.sampled_from(_SIMPLE))}")
                else:
                    lines.append(f"{part}:")
                    lines.extend("    " + line for line in _program(draw, depth + 1))
    return lines


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_the_fast_path_exports_what_the_full_analysis_exports_on_generated_files(data):
    """Imports and top-level names in blocks, one-line suites and functions, in any order."""
    source = "import torch\n" + "\n".join(_program(data.draw, 0)) + "\n"
    quick = quick_exports(source.encode(), Settings())
    assert quick is not None, source
    findings, analysis = check_source_with_analysis(source.encode(), "m.py", Settings())
    assert findings == [] and quick == file_exports(analysis), source


_READS = ["x = Bar", "x = foo.Bar", "x = foo.bar", "x = Optional[int]", "x = isinstance(y, Bar)", "x = torch.Tensor",
          "x = [Bar for _ in y]", "x: Bar = y", "x: Optional[Bar] = None", "raise Bar"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_READS), min_size=1, max_size=4), st.booleans())
def test_files_reading_imported_classes_take_the_fast_path_only_with_the_same_exports(reads, in_function):
    imports = "import torch\nimport foo\nfrom foo import Bar\nfrom typing import Optional\n"
    body = "".join(f"    {r}\n" for r in reads) if in_function else "".join(f"{r}\n" for r in reads)
    source = imports + ("\n\ndef f(y):\n" + body if in_function else "y = 1\n" + body)
    quick = quick_exports(source.encode(), Settings())
    findings, analysis = check_source_with_analysis(source.encode(), "m.py", Settings())
    if quick is not None:
        assert findings == [] and quick == file_exports(analysis), source
