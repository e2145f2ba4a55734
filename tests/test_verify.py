"""The runtime verifier: original and fixed sources built in separate processes and compared bitwise.

The fixed sources here are written by hand (the right fix, and deliberately wrong ones), so these
tests check the verifier itself, independently of the fixer.
"""

from __future__ import annotations

import argparse
import json
import textwrap
import time
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from init_lint.verify import assert_fix_preserves_init, locate_module, processes, runner, verify_sources  # noqa: E402
from init_lint.verify.command import add_verify_arguments, run_verify_command  # noqa: E402
from init_lint.verify.compare import compare_tensors  # noqa: E402
from init_lint.verify.results import DIFFERS, ERROR, IDENTICAL, SKIPPED, exit_code  # noqa: E402

HEADER = "import math\nimport torch\nfrom torch import nn\n\n\n"

ORIGINAL = HEADER + textwrap.dedent(
    """\
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 5)
            self.emb = nn.Embedding(4, 2)
            self.out = nn.Linear(5, 2)
    """
)


def fixed_net(fc_recipe: str) -> str:
    """ORIGINAL with `self.fc` built by skip_init and drawn by `fc_recipe` (skip-init style)."""
    recipe = textwrap.indent(textwrap.dedent(fc_recipe), " " * 8)
    return ORIGINAL.replace(
        "        self.fc = nn.Linear(3, 5)\n",
        "        self.fc = torch.nn.utils.skip_init(nn.Linear, 3, 5)\n" + recipe,
    )


RIGHT_FIX = fixed_net(
    """\
    nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
    bound = 1 / math.sqrt(3)
    nn.init.uniform_(self.fc.bias, -bound, bound)
    """
)


def verify(tmp_path: Path, original: str, fixed: str, name: str = "model.py", **options):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(original)
    return verify_sources(original, fixed, path, **options)


def by_name(verification):
    return {c.name: c for c in verification.classes}


def test_the_right_fix_is_identical(tmp_path):
    result = verify(tmp_path, ORIGINAL, RIGHT_FIX)
    assert result.error is None
    assert [(c.name, c.status, c.detail) for c in result.classes] == [("Net", IDENTICAL, "5 tensors")]
    assert exit_code([result]) == 0


@pytest.mark.parametrize(
    "wrong_recipe, differing",
    [
        pytest.param(
            """\
            nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
            bound = 1 / math.sqrt(5)
            nn.init.uniform_(self.fc.bias, -bound, bound)
            """,
            ["fc.bias"],
            id="bias bound from out_features",
        ),
        pytest.param(
            "nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))\n",
            ["fc.bias", "emb.weight", "out.weight", "out.bias"],
            id="bias never drawn",
        ),
        pytest.param(
            """\
            bound = 1 / math.sqrt(3)
            nn.init.uniform_(self.fc.bias, -bound, bound)
            nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
            """,
            ["fc.weight", "fc.bias"],
            id="bias drawn before weight",
        ),
    ],
)
def test_wrong_fixes_differ(tmp_path, wrong_recipe, differing):
    result = verify(tmp_path, ORIGINAL, fixed_net(wrong_recipe))
    [net] = result.classes
    assert net.status == DIFFERS
    assert [d.name for d in net.differences] == differing
    assert exit_code([result]) == 1


def test_simplified_bounds_differ_in_float64(tmp_path):
    original = ORIGINAL.replace("nn.Linear(3, 5)", "nn.Linear(3, 5, dtype=torch.float64)")
    simplified = original.replace(
        "        self.fc = nn.Linear(3, 5, dtype=torch.float64)\n",
        "        self.fc = torch.nn.utils.skip_init(nn.Linear, 3, 5, dtype=torch.float64)\n"
        "        nn.init.uniform_(self.fc.weight, -1 / math.sqrt(3), 1 / math.sqrt(3))\n"
        "        nn.init.uniform_(self.fc.bias, -(3 ** -0.5), 3 ** -0.5)\n",
    )
    [net] = verify(tmp_path, original, simplified).classes
    assert [d.name for d in net.differences] == ["fc.weight", "fc.bias"]
    assert all(0 < d.max_abs_diff < 1e-15 for d in net.differences)


def test_a_forgotten_bias_shows_as_nan_not_as_the_values_of_a_model_freed_before(tmp_path):
    """The trap: skip_init memory may hold the freed tensors of an identical model built just before.

    Twin is Net again.  In the fixed source Net is fixed right and Twin forgets its bias, so Twin's
    undrawn bias may sit in the memory of Net's freed bias, which holds exactly the values expected.
    The workers fill uninitialized memory with NaN and overwrite each saved model with NaN, so the
    undrawn bias is NaN (without both, it holds leftover numbers: sometimes the expected ones).
    """
    original = ORIGINAL + "\n\nclass Twin(Net):\n    pass\n"
    fixed = RIGHT_FIX + textwrap.dedent(
        """

        class Twin(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.utils.skip_init(nn.Linear, 3, 5)
                nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
                self.emb = nn.Embedding(4, 2)
                self.out = nn.Linear(5, 2)
        """
    )
    classes = by_name(verify(tmp_path, original, fixed))
    assert classes["Net"].status == IDENTICAL
    assert classes["Twin"].status == DIFFERS
    assert classes["Twin"].differences[0].name == "fc.bias"
    assert classes["Twin"].differences[0].max_abs_diff is None  # NaN: the bias was never drawn
    assert "left undrawn" in classes["Twin"].describe()


def test_an_unchanged_file_runs_once_and_is_identical(tmp_path):
    result = verify(tmp_path, ORIGINAL, ORIGINAL)
    assert [(c.status, c.detail) for c in result.classes] == [(IDENTICAL, "no fix to apply")]


def test_buffers_and_lazy_parameters(tmp_path):
    source = HEADER + textwrap.dedent(
        """\
        class WithBuffers(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)
                self.norm = nn.BatchNorm1d(2)
                self.register_buffer("noise", torch.randn(3), persistent=False)
                self.lazy = nn.LazyLinear(4)
        """
    )
    changed_buffer = source.replace("torch.randn(3)", "torch.rand(3)")
    # fc.weight, fc.bias, norm.weight, norm.bias, running_mean, running_var, num_batches_tracked, noise
    assert by_name(verify(tmp_path, source, source + "\n"))["WithBuffers"].detail == (
        "8 tensors, 2 lazy parameters not materialized yet"
    )
    [differs] = verify(tmp_path, source, changed_buffer).classes
    assert [d.name for d in differs.differences] == ["noise"]


def test_shape_dtype_missing_and_extra_tensors(tmp_path):
    fixed = ORIGINAL.replace("nn.Linear(5, 2)", "nn.Linear(5, 3)").replace(
        "nn.Embedding(4, 2)", "nn.Embedding(4, 2, dtype=torch.float64)"
    )
    fixed = fixed.replace("self.fc = nn.Linear(3, 5)", "self.fc = nn.Linear(3, 5)\n        self.extra = nn.Linear(1, 1)")
    [net] = verify(tmp_path, ORIGINAL, fixed).classes
    problems = {d.name: d.describe() for d in net.differences}
    assert problems["emb.weight"] == "emb.weight (dtype: float32 vs float64)"
    assert problems["out.weight"] == "out.weight (shape: (2, 5) vs (3, 5))"
    assert problems["extra.weight"] == "extra.weight (only in the fixed model)"


def test_constructor_arguments_from_init_lint_args(tmp_path):
    source = HEADER + textwrap.dedent(
        """\
        class Sized(nn.Module):
            def __init__(self, width, n_out, *, kernel=3):
                super().__init__()
                self.conv = nn.Conv1d(width, n_out, kernel)

        class Factory(nn.Module):
            def __init__(self, config):
                super().__init__()
                self.fc = nn.Linear(config["n"], 2)

        class Excluded(nn.Module):
            pass

        class Undeclared(nn.Module):
            def __init__(self, width):
                super().__init__()

        class BadDeclaration(nn.Module):
            pass

        class Raises(nn.Module):
            def __init__(self):
                super().__init__()
                raise RuntimeError("needs a GPU")

        INIT_LINT_ARGS = {
            "Sized": ((4, 6), {"kernel": 5}),
            "Factory": lambda: Factory({"n": 7}),
            "Excluded": None,
            "BadDeclaration": "not a pair",
        }
        """
    )
    classes = by_name(verify(tmp_path, source, source + "\n"))
    assert classes["Sized"].status == IDENTICAL and classes["Factory"].status == IDENTICAL
    assert classes["Excluded"].describe() == "skipped: INIT_LINT_ARGS says not to build it"
    assert classes["Undeclared"].describe() == (
        "skipped: the constructor needs arguments (width); declare them in INIT_LINT_ARGS"
    )
    assert classes["BadDeclaration"].status == ERROR and "(args, kwargs)" in classes["BadDeclaration"].detail
    assert classes["Raises"].status == SKIPPED and "RuntimeError: needs a GPU (line" in classes["Raises"].detail


def test_a_fixed_source_that_cannot_build_a_class_is_an_error(tmp_path):
    broken = ORIGINAL.replace("self.out = nn.Linear(5, 2)", "self.out = nn.Linear(5, 2, bias=None.x)")
    [net] = verify(tmp_path, ORIGINAL, broken).classes
    assert net.status == ERROR and net.detail.startswith("the fixed source cannot build it: AttributeError")


def test_an_import_error_is_reported_with_its_line(tmp_path):
    source = "import torch\nimport no_such_module_anywhere\n"
    result = verify(tmp_path, source, source + "\n")
    assert result.error == "import failed: ModuleNotFoundError: No module named 'no_such_module_anywhere' (line 2)"
    assert exit_code([result]) == 2


def test_a_fix_that_breaks_the_import_names_the_fixed_side(tmp_path):
    result = verify(tmp_path, ORIGINAL, ORIGINAL + "\nraise ImportError('fixed side only')\n")
    assert result.error.startswith("fixed source: import failed: ImportError: fixed side only")


@pytest.mark.parametrize(
    "where, source",
    [
        ("while importing the file", "import time\ntime.sleep(600)\n"),
        (
            "while building Slow",
            "import time\nfrom torch import nn\nclass Slow(nn.Module):\n    def __init__(self):\n        time.sleep(600)\n",
        ),
    ],
)
def test_a_hang_times_out(tmp_path, where, source):
    started = time.monotonic()
    result = verify(tmp_path, source, source + "\n", timeout=2)
    assert time.monotonic() - started < 10
    assert result.error == f"timed out after 2 s {where}"
    assert exit_code([result]) == 2


def test_a_crash_is_an_error(tmp_path):
    source = "import os\nimport torch\nos._exit(3)\n"
    result = verify(tmp_path, source, source + "\n")
    assert result.error == "the process exited with code 3 while importing the file"


def test_a_crash_by_signal_while_building_is_an_error(tmp_path):
    source = HEADER + "import os\n\nclass Boom(nn.Module):\n    def __init__(self):\n        os.abort()\n"
    result = verify(tmp_path, source, source + "\n")
    assert result.error.startswith("the process was killed by SIGABRT while building Boom")


def test_module_side_effects_stay_in_the_child(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(tmp_path)
    source = ORIGINAL + textwrap.dedent(
        """
        print("printed at import")
        import sys
        print("to stderr", file=sys.stderr)
        with open("side_effect.txt", "w") as handle:
            handle.write("written")
        """
    )
    result = verify(tmp_path, source, source + "\n")
    assert by_name(result)["Net"].status == IDENTICAL
    captured = capfd.readouterr()
    assert "printed at import" not in captured.out + captured.err
    assert "to stderr" not in captured.out + captured.err
    assert not list(tmp_path.rglob("side_effect.txt"))
    assert not list(tmp_path.rglob("__pycache__"))


def test_relative_imports_work_inside_a_package(tmp_path):
    package = tmp_path / "proj" / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "layers.py").write_text(ORIGINAL.replace("class Net", "class Block"))
    source = textwrap.dedent(
        """\
        from torch import nn
        from ..layers import Block


        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
        """
    )
    path = package / "sub" / "models.py"
    path.write_text(source)
    assert locate_module(path) == runner.ModuleLocation(str(tmp_path / "proj"), "pkg.sub.models", "pkg.sub")
    result = verify_sources(source, source + "\n", path)
    assert result.error is None
    assert [(c.name, c.status) for c in result.classes] == [("Model", IDENTICAL)]  # Block belongs to layers.py


def test_locate_module_outside_a_package(tmp_path):
    assert locate_module(tmp_path / "script.py") == runner.ModuleLocation(str(tmp_path), "script", "")
    (tmp_path / "__init__.py").write_text("")
    assert locate_module(tmp_path / "__init__.py").module == tmp_path.name


def test_unparsable_sources(tmp_path):
    assert verify(tmp_path, "def broken(:\n", "").skipped.startswith("not valid Python")
    fixed_broken = verify(tmp_path, ORIGINAL, ORIGINAL + "\n  bad indent\n")
    assert fixed_broken.error.startswith("the fixed source does not parse")


def test_a_file_without_modules_is_skipped(tmp_path):
    result = verify(tmp_path, "import torch\nx = 1\n", "import torch\nx = 1\n")
    assert result.skipped == "defines no nn.Module subclass"
    assert exit_code([result]) == 2  # nothing ran


def test_without_the_fork_server_each_side_is_a_fresh_interpreter(tmp_path, monkeypatch):
    no_fork = processes._ForkServer()
    no_fork._unusable = True
    monkeypatch.setattr(processes, "_fork_server", no_fork)
    crash = "\n\nclass Boom(nn.Module):\n    def __init__(self):\n        import os\n        os._exit(4)\n"
    result = verify(tmp_path, ORIGINAL + crash, RIGHT_FIX + crash)
    assert [(c.name, c.status) for c in result.classes] == [("Net", IDENTICAL)]  # built before the crash
    assert result.error == "the process exited with code 4 while building Boom"


def test_compare_tensors_treats_nan_as_equal_to_nan_only():
    nan = float("nan")
    assert compare_tensors({"a": torch.tensor([1.0, nan])}, {"a": torch.tensor([1.0, nan])}) == []
    [difference] = compare_tensors({"a": torch.tensor([1.0, 2.0])}, {"a": torch.tensor([1.5, nan])})
    assert difference.max_abs_diff == 0.5
    [integers] = compare_tensors({"i": torch.tensor([1, 2])}, {"i": torch.tensor([1, 3])})
    assert integers.max_abs_diff == 1.0
    [negative_zero] = compare_tensors({"z": torch.tensor([0.0])}, {"z": torch.tensor([1e-30])})
    assert negative_zero.max_abs_diff == pytest.approx(1e-30)


@pytest.fixture
def hand_written_fix(monkeypatch):
    """Stand in for init_lint.api.fix_source: the fixed text of each file is given by the test."""
    fixes: dict[str, str] = {}

    def fixed_source(source, path, style, settings=None):
        return fixes.get(Path(path).name, source)

    monkeypatch.setattr(runner, "fixed_source", fixed_source)
    return fixes


def test_assert_fix_preserves_init(tmp_path, hand_written_fix):
    path = tmp_path / "model.py"
    path.write_text(ORIGINAL)
    hand_written_fix["model.py"] = RIGHT_FIX
    assert assert_fix_preserves_init(path).classes[0].status == IDENTICAL
    hand_written_fix["model.py"] = fixed_net("nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))\n")
    with pytest.raises(AssertionError, match=r"model.py::Net: differs: fc.bias"):
        assert_fix_preserves_init(str(path))


def test_a_fixer_that_raises_is_an_error(tmp_path, monkeypatch):
    def failing(source, path, style, settings=None):
        raise RuntimeError("no fix for you")

    monkeypatch.setattr(runner, "fixed_source", failing)
    path = tmp_path / "model.py"
    path.write_text(ORIGINAL)
    assert runner.verify_file(path).error == "computing the fix failed: RuntimeError: no fix for you"


def command(argv):
    parser = argparse.ArgumentParser()
    add_verify_arguments(parser)
    return run_verify_command(parser.parse_args(argv))


def test_command_on_a_folder(tmp_path, hand_written_fix, capsys):
    (tmp_path / "good.py").write_text(ORIGINAL)
    hand_written_fix["good.py"] = RIGHT_FIX
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "ignored.py").write_text("raise SystemExit('must not run')\n")
    assert command([str(tmp_path), "--fix-style", "skip-init"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{tmp_path / 'good.py'}::Net: identical: 5 tensors",
        "verified 1 classes in 1 files (fix style skip-init, seed 0): 1 identical, 0 differ, 0 skipped, 0 errors; "
        "initial values preserved",
    ]

    (tmp_path / "bad.py").write_text(ORIGINAL)
    hand_written_fix["bad.py"] = fixed_net("nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))\n")
    assert command([str(tmp_path), "--output-format", "json", "--seed", "7"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {IDENTICAL: 1, DIFFERS: 1, SKIPPED: 0, ERROR: 0}
    assert report["seed"] == 7 and report["exit_code"] == 1
    bad = next(f for f in report["files"] if f["path"].endswith("bad.py"))
    assert bad["classes"][0]["differences"][0]["name"] == "fc.bias"

    (tmp_path / "crash.py").write_text("import os\nimport torch\nos._exit(1)\n")
    assert command([str(tmp_path)]) == 2
    assert f"{tmp_path / 'crash.py'}: error: the process exited with code 1 while importing the file" in capsys.readouterr().out


def test_command_needs_paths(capsys):
    assert command([]) == 2
    assert "give the files or folders" in capsys.readouterr().err


@pytest.mark.parametrize("style", ["explicit", "skip-init"])
@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("latin-1", b"# -*- coding: latin-1 -*-\n"), ("utf-8", b"\xef\xbb\xbf")],
    ids=["utf-8", "latin-1 cookie", "BOM"],
)
def test_the_real_fixer_end_to_end(tmp_path, style, encoding, prefix):
    """verify_file with init_lint.api.fix_source: a default-init model, fixed in memory, keeps every value."""
    pytest.importorskip("init_lint.api")
    source = ORIGINAL.replace("import math\n", "import math\nLABEL = 'caf\u00e9'\n")
    path = tmp_path / "model.py"
    path.write_bytes(prefix + source.encode(encoding))
    result = runner.verify_file(path, style=style)
    assert [(c.name, c.status, c.detail) for c in result.classes] == [("Net", IDENTICAL, "5 tensors")]
    assert path.read_bytes() == prefix + source.encode(encoding)  # nothing on disk changes
