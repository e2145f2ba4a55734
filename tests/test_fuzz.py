"""Property-based tests: generated nn.Module code, and arbitrary text and bytes.

(a) A generator of random models: every import form, every layer kind with random literal sizes
    (bias positional or keyword, int or tuple kernels, groups dividing the channels), containers
    (attribute, Sequential, ModuleList comprehension, appending loop) and random init code (none,
    nn.init on a weight or bias, a modules() loop with isinstance on a random subset of the layer
    types, apply with a function), and the modules of INI006-INI008 (`fuzz_modules.py`: embeddings,
    recurrent stacks and cells, attention and Transformer modules with partial init, computed options
    and `device=`/`dtype=`).  The checker and the fixer never raise, every fix parses and is a fixed
    point, and (with torch) both fixed styles build with the original's parameter names, shapes, dtypes
    and devices, the skip-init one bitwise identical and leaving the random stream where it was.
(b) Arbitrary text and bytes never make the checker raise: INI900 or ordinary findings.
"""

from __future__ import annotations

import ast
import string
import textwrap
import types
from dataclasses import dataclass, field
from typing import Optional

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from fixcheck import audit  # noqa: E402
from fuzz_modules import CODES, MODULE_KINDS, dispatch_branch, family, module_call, partial_init  # noqa: E402
from init_lint import checker  # noqa: E402
from init_lint.api import check_source, fix_source  # noqa: E402
from init_lint.diagnostics import SAFE  # noqa: E402
from init_lint.rules import ALL_RULES  # noqa: E402

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TORCH = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: the modules of INI006-INI008 cost more a model (long recipes): fewer here, the long run is benchmarks/fuzz_fixes.py
MODULES = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LAYER_KINDS = ["Linear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d",
               "Bilinear"]
DIMS = {"Conv1d": 1, "Conv2d": 2, "Conv3d": 3, "ConvTranspose1d": 1, "ConvTranspose2d": 2, "ConvTranspose3d": 3}


@dataclass
class Names:
    """How the generated file spells torch things, per import form."""

    imports: str
    module: str  # the nn.Module base
    init: str  # the nn.init namespace
    layer_aliases: dict = field(default_factory=dict)
    prefix: str = ""  # for Sequential, ModuleList, ReLU
    root: Optional[str] = "torch"  # how the class spells torch (`torch.no_grad`, `dtype=torch.float64`), if it can
    #: the parameter names a class may take that shadow what the fixer reads without breaking the class's code
    shadows: tuple = ()

    def layer(self, kind: str) -> str:
        return self.layer_aliases.get(kind, self.prefix + kind)

    def nn(self, name: str) -> str:
        return self.prefix + name


def import_form(which: int, kinds: list) -> Names:
    if which == 0:
        return Names("import torch as T\n", "T.nn.Module", "T.nn.init", prefix="T.nn.", root="T",
                     shadows=(", torch=None", ", nn=None"))
    if which == 1:
        return Names("import torch\nfrom torch import nn\n", "nn.Module", "nn.init", prefix="nn.",
                     shadows=(", torch=None",))
    if which == 2:
        return Names("import torch\nimport torch.nn as nn\n", "nn.Module", "nn.init", prefix="nn.",
                     shadows=(", torch=None",))
    if which == 3:
        aliases = {kind: f"L{i}" for i, kind in enumerate(sorted(set(kinds)))}
        line = ", ".join(f"{kind} as {alias}" for kind, alias in aliases.items())
        return Names(f"import torch\nfrom torch.nn import {line}\nfrom torch.nn import init\n", "torch.nn.Module",
                     "init", aliases, prefix="torch.nn.", shadows=(", nn=None",))
    if which == 5:
        # only names from torch.nn: no `torch`, no `nn` anywhere in the file
        line = ", ".join(sorted(set(kinds) | {"Module", "Sequential", "ModuleList", "ReLU", "Tanh", "RNNBase"}))
        return Names(f"from torch.nn import {line}\nfrom torch.nn import init\n", "Module", "init", root=None,
                     shadows=(", torch=None", ", nn=None"))
    return Names("import torch\nimport torch.nn\n", "torch.nn.Module", "torch.nn.init", prefix="torch.nn.",
                 shadows=(", nn=None",))


def size(draw, low: int, high: int) -> str:
    """A size: a literal, the module constant D (= 3), or the constructor's `dim` argument (default 4)."""
    return draw(st.sampled_from([str(draw(st.integers(low, high)))] * 4 + ["D", "dim"]))


@st.composite
def layer_call(draw, kind: str, names: Names):
    """(constructor source, has bias) for one layer with random literal or symbolic arguments."""
    bias = draw(st.booleans())
    bias_form = draw(st.sampled_from(["default", "keyword", "positional"]))
    if bias and bias_form == "default":
        bias_args = ("", "")
    elif bias_form == "positional":
        bias_args = ("pos", str(bias))
    else:
        bias_args = ("kw", str(bias))
    if kind == "Linear":
        args = [size(draw, 1, 6), size(draw, 1, 6)]
        if bias_args[0] == "pos":
            args.append(bias_args[1])
        elif bias_args[0] == "kw":
            args.append(f"bias={bias_args[1]}")
        return f"{names.layer(kind)}({', '.join(args)})", bias
    if kind == "Bilinear":
        args = [size(draw, 1, 5) for _ in range(3)]
        if bias_args[0] == "pos":
            args.append(bias_args[1])
        elif bias_args[0] == "kw":
            args.append(f"bias={bias_args[1]}")
        return f"{names.layer(kind)}({', '.join(args)})", bias
    dims = DIMS[kind]
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    in_channels = groups * draw(st.integers(1, 3)) if groups > 1 else size(draw, 1, 3)
    out_channels = groups * draw(st.integers(1, 3)) if groups > 1 else size(draw, 1, 3)
    if draw(st.booleans()):
        kernel = str(draw(st.integers(1, 3)))
    else:
        kernel = "(" + ", ".join(str(draw(st.integers(1, 3))) for _ in range(dims)) + ("," if dims == 1 else "") + ")"
    args = [str(in_channels), str(out_channels), kernel]
    keyword_groups = draw(st.booleans())
    transpose = kind.startswith("ConvTranspose")
    if bias_args[0] == "pos":
        # Conv: (in, out, k, stride, padding, dilation, groups, bias)
        # ConvTranspose: (in, out, k, stride, padding, output_padding, groups, bias)
        args += ["1", "0", "0" if transpose else "1", str(groups), bias_args[1]]
    else:
        if groups != 1 or not keyword_groups:
            # groups through a name (G2 = 2): fan_in must not assume groups=1
            args.append(f"groups={'G2' if groups == 2 and draw(st.booleans()) else groups}")
        if draw(st.booleans()):
            args.append(f"stride={draw(st.integers(1, 2))}")
        if bias_args[0] == "kw":
            args.append(f"bias={bias_args[1]}")
    return f"{names.layer(kind)}({', '.join(args)})", bias


@dataclass
class Model:
    source: str
    classes: list
    #: whether running the original can raise (fan-based init on a 1-D tensor)
    may_raise: bool = False


ALL_KINDS = LAYER_KINDS + MODULE_KINDS
KIND_SETS = {"classic": LAYER_KINDS, "modules": MODULE_KINDS, "all": ALL_KINDS}


def _dispatch(names: Names, subset: list, classic_body: list) -> list:
    """The body of a `for m in ...:` dispatch over `subset`: the classic layers' branch, then one branch per
    family of the INI006-INI008 modules."""
    classic = [k for k in subset if k in LAYER_KINDS]
    lines: list = []
    if classic:
        check = ", ".join(names.layer(k) for k in classic)
        lines += [f"elif isinstance(m, ({check},)):"] + ["    " + line for line in classic_body]
    families: dict = {}
    for kind in subset:
        if kind in MODULE_KINDS:
            families.setdefault(family(kind), []).append(kind)
    for kinds in families.values():
        lines += dispatch_branch(kinds, names.layer, names.init)
    return [lines[0][2:]] + lines[1:] if lines else lines


@st.composite
def model_files(draw, runnable: bool = False, kinds: tuple = tuple(ALL_KINDS)):
    kinds_used = draw(st.lists(st.sampled_from(list(kinds)), min_size=1, max_size=5))
    names = import_form(draw(st.sampled_from([0, 1, 2, 3, 4, 5])), kinds_used)
    lines = [names.imports, "import math\n" if runnable or draw(st.booleans()) else "", "\nD = 3\nG2 = 2\n\n"]
    helper_needed = draw(st.booleans())
    apply_types = draw(st.lists(st.sampled_from(sorted(set(kinds_used))), max_size=2, unique=True))
    if helper_needed and apply_types:
        body = _dispatch(names, apply_types, [f"{names.init}.normal_(m.weight, std=0.02)", "if m.bias is not None:",
                                              f"    {names.init}.zeros_(m.bias)"])
        lines.append("def init_weights(m):\n" + "".join(f"    {line}\n" for line in body) + "\n\n")
    classes = []
    may_raise = False
    for c in range(draw(st.integers(1, 2))):
        cls = f"Model{c}"
        classes.append(cls)
        body = ["super().__init__()"]
        # a parameter that shadows what the fixer may read: the module constant D, `init`, `math`, and
        # `torch` or `nn` where the class's own code does not spell them
        extra = draw(st.sampled_from(["", "", "", ", D=5", ", init=True", ", math=2", *names.shadows]))
        quiet = extra in (", init=True", ", math=2")  # then the class's own code cannot use them either
        root = None if extra == ", torch=None" else names.root
        for index, kind in enumerate(kinds_used):
            found = None
            if kind in MODULE_KINDS:
                found = draw(module_call(kind, names.layer(kind), size, root))
                call, bias = found.call, False
            else:
                call, bias = draw(layer_call(kind, names))
            container = draw(st.sampled_from(["attr", "attr", "seq", "comprehension", "append", "seqstar", "seqnoqa"]))
            if container == "attr":
                body.append(f"self.l{index} = {call}")
            elif container == "seq":
                other = draw(module_call(kind, names.layer(kind), size, root)).call if found else \
                    draw(layer_call(kind, names))[0]
                body.append(f"self.s{index} = {names.nn('Sequential')}({call}, {names.nn('ReLU')}(), {other})")
            elif container == "seqnoqa":
                # one layer of the statement is silenced: it keeps drawing inside the statement
                other = draw(module_call(kind, names.layer(kind), size, root)).call if found else \
                    draw(layer_call(kind, names))[0]
                code = CODES.get(kind, "INI001")
                first, second = (f"{call},", f"{other},  # noqa: {code}") if draw(st.booleans()) else \
                    (f"{call},  # noqa: {code}", f"{other},")
                body += [f"self.n{index} = {names.nn('Sequential')}(", f"    {first}", f"    {second}", ")"]
            elif container == "seqstar":
                # a comprehension unpacked between modules that are not layers
                count = draw(st.integers(1, 3))
                first = f"{names.nn('ReLU')}(), " if draw(st.booleans()) else ""
                last = f", {names.nn('Tanh')}()" if draw(st.booleans()) else ""
                star = f"*[{call} for _ in range({count})]" if draw(st.booleans()) else \
                    f"*({call} for _ in range({count}))"
                body.append(f"self.q{index} = {names.nn('Sequential')}({first}{star}{last})")
            elif container == "comprehension":
                count = draw(st.integers(1, 3))
                body.append(f"self.m{index} = {names.nn('ModuleList')}([{call} for _ in range({count})])")
            else:
                count = draw(st.integers(1, 3))
                body.append(f"self.a{index} = {names.nn('ModuleList')}()")
                body.append(f"for _ in range({count}):")
                body.append(f"    self.a{index}.append({call})")
            if found is not None:
                # some of the module's parameters initialized right after it
                if container == "attr" and not quiet:
                    body += draw(partial_init(f"self.l{index}", found, names.init, root))
                continue
            # init code right after, sometimes
            form = draw(st.integers(0, 9)) if container == "attr" and not quiet else -1
            if form == 1:
                fan = draw(st.integers(1, 30))
                body.append(f"bound = 1 / math.sqrt({fan})")
                if bias:
                    body.append(f"{names.init}.uniform_(self.l{index}.bias, -bound, bound)")
                else:
                    body.append(f"{names.init}.uniform_(self.l{index}.weight, -bound, bound)")
                continue
            if form == 2 and root is not None:
                method = draw(st.sampled_from(["uniform_(-0.1, 0.1)", "normal_(0, 0.02)", "fill_(1.0)", "zero_()"]))
                body.append(f"with {root}.no_grad():")
                body.append(f"    self.l{index}.weight.data.{method}")
                continue
            if form == 0:
                target = draw(st.sampled_from(["weight", "bias"] if bias else ["weight"]))
                if target == "weight":
                    op = draw(st.sampled_from(["xavier_uniform_", "normal_", "orthogonal_", "ones_", "zeros_"]))
                    if op == "orthogonal_" and kind == "Bilinear":
                        op = "normal_"
                else:
                    op = draw(st.sampled_from(["zeros_", "normal_"] + ([] if runnable else ["kaiming_uniform_"])))
                    may_raise = may_raise or op == "kaiming_uniform_"
                body.append(f"{names.init}.{op}(self.l{index}.{target})")
        loop = "none" if quiet else draw(st.sampled_from(["none", "modules", "named_modules", "apply"]))
        if loop == "modules":
            subset = draw(st.lists(st.sampled_from(sorted(set(kinds_used))), min_size=1, max_size=3, unique=True))
            body += ["for m in self.modules():"] + ["    " + line for line in _dispatch(names, subset, [
                f"{names.init}.kaiming_normal_(m.weight)", "if m.bias is not None:",
                f"    {names.init}.constant_(m.bias, 0.1)"])]
        elif loop == "named_modules":
            subset = draw(st.lists(st.sampled_from(sorted(set(kinds_used))), min_size=1, max_size=2, unique=True))
            body += ["for _, m in self.named_modules():"] + ["    " + line for line in _dispatch(
                names, subset, [f"{names.init}.trunc_normal_(m.weight, std=0.02)"])]
        elif loop == "apply" and helper_needed and apply_types:
            body.append("self.apply(init_weights)")
        lines.append(f"class {cls}({names.module}):\n    def __init__(self, dim=4{extra}):\n")
        lines.extend(f"        {line}\n" for line in body)
        lines.append("\n    def forward(self, x):\n        return x\n\n\n")
    return Model("".join(lines).rstrip("\n") + "\n", classes, may_raise)


def same_from_the_lean_tree(source: str, findings: list) -> None:
    """The check's tree built from Python's parser (`lean_tree`) gives libcst's tree's findings, without
    falling back to libcst."""
    fell_back = len(checker.LEAN_FALLBACKS)
    lean, _ = checker.check_source_with_analysis(source, "gen.py", lean=True)
    shown = [(f.code, f.message, f.line, f.column, f.end_line, f.end_column, f.fix, f.help) for f in findings]
    assert [(f.code, f.message, f.line, f.column, f.end_line, f.end_column, f.fix, f.help) for f in lean] == shown, \
        source
    assert checker.LEAN_FALLBACKS[fell_back:] == [], source


def check_fixes(source: str) -> None:
    findings = check_source(source, "gen.py")
    same_from_the_lean_tree(source, findings)
    assert all(f.code in ALL_RULES for f in findings)
    assert "INI900" not in [f.code for f in findings], (findings, source)
    for style in ("explicit", "skip-init"):
        for unsafe in (False, True):
            result = fix_source(source, "gen.py", style=style, unsafe=unsafe)
            try:
                ast.parse(result.source)
            except SyntaxError as error:  # pragma: no cover - reported with the source
                raise AssertionError(f"{style} unsafe={unsafe}: does not parse: {error}\n{result.source}")
            again = fix_source(result.source, "gen.py", style=style, unsafe=unsafe)
            assert again.source == result.source, (style, unsafe, source, result.source, again.source)
            left = [f for f in check_source(result.source, "gen.py")
                    if f.fix == SAFE or (unsafe and f.fix is not None)]
            assert len(left) <= len(result.refused), (style, unsafe, [f.message for f in left], result.source)


@FAST
@given(model_files(kinds=tuple(LAYER_KINDS)))
def test_generated_models_check_and_fix(model):
    check_fixes(model.source)


@MODULES
@given(model_files(kinds=tuple(MODULE_KINDS)))
def test_generated_models_of_embedding_recurrent_and_attention_modules_check_and_fix(model):
    check_fixes(model.source)


# ------------------------------------------------------------------ values under torch


def _load(source: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def build_classes(classes: list):
    """A builder of every class of a generated file, in one ModuleList (one seed for all)."""
    def build(module):
        import torch.nn as nn

        return nn.ModuleList([getattr(module, cls)() for cls in classes])
    return build


@TORCH
@given(model_files(runnable=True))
def test_fixed_models_build_and_skip_init_is_bitwise_identical(model):
    """Every generated model is BUILT from both fixed styles (safe and unsafe fixes): it builds, and the
    skip-init one has the original's parameters bit for bit and leaves the random stream where it was."""
    pytest.importorskip("torch")
    problems = audit(model.source, build_classes(model.classes))
    problems.pop("fixed", None)
    assert not problems, (problems, model.source)


# ------------------------------------------------------------------ arbitrary input


PYTHONISH = st.text(alphabet=string.printable + "äé€\u2028\ufeff", max_size=300)


def _assert_sane(findings, data) -> None:
    assert isinstance(findings, list)
    for finding in findings:
        assert finding.code in ALL_RULES
        assert finding.line >= 1 and finding.column >= 0


@FAST
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    _assert_sane(check_source(text, "t.py"), text)
    _assert_sane(check_source("import torch\n" + text, "t.py"), text)


@FAST
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data):
    for prefix in (b"", b"import torch\n", b"# -*- coding: latin-1 -*-\nimport torch\n", b"\xef\xbb\xbfimport torch\n"):
        findings = check_source(prefix + data, "b.py")
        _assert_sane(findings, data)


@FAST
@given(PYTHONISH)
def test_syntax_errors_are_ini900(text):
    """Text that Python cannot parse is INI900 (with or without torch in it), never a clean pass."""
    source = "import torch.nn as nn\n" + text
    try:
        ast.parse(source)
        valid = True
    except (SyntaxError, ValueError):
        valid = False
    findings = check_source(source, "s.py")
    _assert_sane(findings, text)
    if not valid:
        assert [f.code for f in findings] == ["INI900"], (text, findings)


@FAST
@given(model_files(), st.data())
def test_mutated_models_never_crash(model, data):
    """A generated model with a random slice removed or garbage inserted: INI900 or findings, no exception,
    and the fixer either fixes (parsable) or changes nothing."""
    source = model.source
    start = data.draw(st.integers(0, len(source)))
    end = data.draw(st.integers(start, min(len(source), start + 40)))
    junk = data.draw(st.text(alphabet="()[]{}:,.=\n\t #'\"\\", max_size=5))
    mutated = source[:start] + junk + source[end:]
    findings = check_source(mutated, "m.py")
    _assert_sane(findings, mutated)
    same_from_the_lean_tree(mutated, findings)
    for style in ("explicit", "skip-init"):
        result = fix_source(mutated, "m.py", style=style, unsafe=True)
        if result.source != mutated:
            ast.parse(result.source)


# ------------------------------------------------------------------ shapes beyond the generator
#
# Layer statements the generator above does not produce, each checked the same way: the fix
# parses, is a fixed point, leaves no fixable finding, and (with torch) the skip-init fix runs and
# keeps every parameter bitwise identical.

SHAPES_HEAD = ("import torch\nimport torch.nn as nn\nfrom collections import OrderedDict\n\n\n"
               "class Net(nn.Module):\n    def __init__(self, flag=True, dims=(3, 4), b=True):\n"
               "        super().__init__()\n")
ADDRESSING = ("the fix addresses the layers of a {what} as {how}: the inserted code raises {error} at run "
              "time (both styles)")
SHAPES = {
    "semicolon": "self.fc = nn.Linear(3, 4); self.g = nn.Linear(4, 4)",
    "tuple_assign": "self.a, self.b = nn.Linear(3, 4), nn.Linear(4, 5)",
    "annotated": "self.fc: nn.Linear = nn.Linear(3, 4)",
    "chained": "self.fc = fc = nn.Linear(3, 4)",
    "device_context": "with torch.device('cpu'):\n    self.fc = nn.Linear(3, 4)",
    "add_module": "self.add_module('fc', nn.Linear(3, 4))",
    "try_block": "try:\n    self.fc = nn.Linear(3, 4)\nexcept Exception:\n    raise",
    "else_branch": "if not flag:\n    pass\nelse:\n    self.fc = nn.Linear(3, 4)",
    "bias_variable": "self.fc = nn.Linear(3, 4, bias=b)",
    "keywords": "self.fc = nn.Linear(in_features=3, out_features=4)",
    "star_args": "self.fc = nn.Linear(*dims)",
    "padding_same": "self.c = nn.Conv2d(3, 8, kernel_size=3, padding='same')",
    "dtype": "self.fc = nn.Linear(3, 4, dtype=torch.float64)",
    "walrus": "self.layers = [fc := nn.Linear(3, 4)]\nself.fc = fc",
    "multiline_call": "self.fc = nn.Linear(\n    3,\n    4,\n)",
    "zero_in_features": "self.fc = nn.Linear(0, 4)",
    "convtranspose_dilation": "self.ct = nn.ConvTranspose2d(4, 6, 3, stride=2, output_padding=1, groups=2, dilation=2)",
    "bilinear_keywords": "self.bl = nn.Bilinear(in1_features=2, in2_features=3, out_features=4)",
    "list_comp_index": "self.ml = nn.ModuleList([nn.Linear(i + 1, 4) for i in range(3)])",
    "ordered_dict": "self.net = nn.Sequential(OrderedDict([('a', nn.Linear(3, 4)), ('r', nn.ReLU()), "
                    "('c', nn.Linear(4, 2))]))",
    "loop_append_index": "self.ml = nn.ModuleList()\nfor i in range(3):\n    self.ml.append(nn.Linear(i + 1, 2))",
    "loop_list_then_sequential": "layers = []\nfor i in range(2):\n    layers.append(nn.Linear(4, 4))\n"
                                 "    layers.append(nn.ReLU())\nself.net = nn.Sequential(*layers)",
    "moduledict_literal": "self.heads = nn.ModuleDict({'a': nn.Linear(3, 4), 'b': nn.Conv2d(3, 4, 1)})",
    "nested_sequential": "self.net = nn.Sequential(nn.ReLU(), nn.Sequential(nn.ReLU(), nn.Linear(3, 4)))",
    "generator_expression": "self.ml = nn.ModuleList(nn.Linear(3, 4) for _ in range(2))",
    "while_append": "self.ml = nn.ModuleList()\nwhile len(self.ml) < 2:\n    self.ml.append(nn.Linear(3, 4))",
    "append_in_if": "self.ml = nn.ModuleList()\nfor i in range(3):\n    if i % 2:\n"
                    "        self.ml.append(nn.Linear(3, 4))\n    else:\n        self.ml.append(nn.ReLU())",
    "reassigned": "self.fc = nn.Linear(3, 4)\nself.fc = nn.Linear(4, 5)",
    "names_bound_and_fan_in_taken": "bound = 5\nfan_in = 7\nself.c = nn.Conv2d(dims[0], 4, 3)\n"
                                    "self.x = bound + fan_in",
    "moduledict_comprehension": "self.heads = nn.ModuleDict({k: nn.Linear(3, 4) for k in ('a', 'b')})",
    "moduledict_pairs": "self.heads = nn.ModuleDict([('a', nn.Linear(3, 4)), ('b', nn.Linear(3, 2))])",
    "sequential_star_comprehension": "self.net = nn.Sequential(*[nn.Linear(4, 4) for _ in range(3)])",
}


@pytest.mark.parametrize("body", list(SHAPES.values()), ids=list(SHAPES))
def test_statement_shapes(body):
    source = SHAPES_HEAD + textwrap.indent(body, " " * 8) + "\n"
    findings = check_source(source, "shape.py")
    assert findings and {f.code for f in findings} == {"INI001"}, findings
    check_fixes(source)
    torch = pytest.importorskip("torch")
    for style in ("skip-init", "explicit"):
        result = fix_source(source, "shape.py", style=style)
        fixed = _load(result.source, "shape_fixed")
        torch.manual_seed(7)
        after = fixed.Net()  # the fixed code runs
        if style == "skip-init":
            torch.manual_seed(7)
            before = _load(source, "shape_original").Net()
            one, two = dict(before.named_parameters()), dict(after.named_parameters())
            assert one.keys() == two.keys()
            for key in one:
                assert torch.equal(one[key], two[key]), (key, result.source)


def test_one_line_suite_layer_is_reported():
    source = SHAPES_HEAD + "        if flag: self.fc = nn.Linear(3, 4)\n"
    assert [f.code for f in check_source(source, "shape.py")] == ["INI001"]
