"""`[tool.init-lint]` in pyproject.toml: every key, its errors, `--config` and `--isolated`.

Runs `init_lint.cli.main` in this process, in a temporary project folder.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from init_lint.cli import main
from init_lint.config import ConfigError, Settings, find_pyproject, load_settings

MODEL = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.out = nn.Linear(4, 2)
            nn.init.ones_(self.out.weight)
    """)  # INI001 x2, INI002 x1

STRICT_ONLY = textwrap.dedent("""\
    import torch
    from torch import nn

    from mylab.nn_utils import init_weights


    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 8)
            init_weights(self)
    """)

EXTRA_LAYERS = textwrap.dedent("""\
    import torch.nn as nn
    from mylib.layers import MyConv, Dense


    class MyLinear(nn.Module):
        def __init__(self, i, o):
            super().__init__()
            self.weight = nn.Parameter(nn.init.zeros_(nn.Parameter(__import__("torch").empty(o, i))))


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = MyLinear(3, 4)
            self.conv = MyConv(3, 8, 3)
            self.dense = Dense(4, 4)
    """)


@pytest.fixture
def project(tmp_path, monkeypatch, capsys):
    """A project folder (cwd); `project.run(*argv)` -> (exit code, findings from JSON or None, stderr)."""
    monkeypatch.chdir(tmp_path)

    class Project:
        root = tmp_path

        def write(self, name: str, text: str) -> Path:
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return path

        def config(self, body: str, name: str = "pyproject.toml") -> Path:
            return self.write(name, "[project]\nname = 'demo'\n\n[tool.init-lint]\n" + textwrap.dedent(body))

        def run(self, *argv: str):
            capsys.readouterr()
            code = main(["check", "--no-cache", "--jobs", "1", "--output-format", "json", *argv])
            out, err = capsys.readouterr()
            try:
                findings = json.loads(out)
            except ValueError:
                findings = None
            return code, findings, err

    return Project()


def name(finding) -> str:
    return os.path.normpath(finding["filename"]).replace("\\", "/")


def summary(findings) -> list[tuple[str, str]]:
    return sorted((name(f), f["code"]) for f in findings)


# ------------------------------------------------------------------ keys


def test_select(project):
    project.config('select = ["INI002"]\n')
    project.write("m.py", MODEL)
    code, findings, _ = project.run("m.py")
    assert code == 1 and [f["code"] for f in findings] == ["INI002"]
    # the command line overrides the file
    code, findings, _ = project.run("m.py", "--select", "INI001")
    assert [f["code"] for f in findings] == ["INI001", "INI001"]


def test_ignore(project):
    project.config('ignore = ["INI001"]\n')
    project.write("m.py", MODEL)
    code, findings, _ = project.run("m.py")
    assert [f["code"] for f in findings] == ["INI002"]
    # --ignore on the command line adds to the file's
    code, findings, _ = project.run("m.py", "--ignore", "INI002")
    assert code == 0 and findings == []


def test_extend_select(project):
    project.config('select = ["INI002"]\nextend-select = ["INI001"]\n')
    project.write("m.py", MODEL)
    _, findings, _ = project.run("m.py")
    assert sorted(f["code"] for f in findings) == ["INI001", "INI001", "INI002"]


def test_per_file_ignores_glob(project):
    project.config("""\
        [tool.init-lint.per-file-ignores]
        "tests/*" = ["INI001"]
        "**/legacy_*.py" = ["INI"]
        "scripts/run.py" = ["INI002"]
    """)
    for name in ("pkg/m.py", "tests/test_m.py", "pkg/sub/legacy_net.py", "scripts/run.py"):
        project.write(name, MODEL)
    code, findings, _ = project.run(".")
    assert summary(findings) == [
        ("pkg/m.py", "INI001"), ("pkg/m.py", "INI001"), ("pkg/m.py", "INI002"),
        ("scripts/run.py", "INI001"), ("scripts/run.py", "INI001"),
        ("tests/test_m.py", "INI002"),
    ], findings
    assert code == 1


def test_per_file_ignores_relative_to_the_pyproject_not_cwd(project, monkeypatch):
    project.config('[tool.init-lint.per-file-ignores]\n"tests/*" = ["INI001"]\n', name="proj/pyproject.toml")
    project.write("proj/tests/test_m.py", MODEL)
    monkeypatch.chdir(project.root)
    _, findings, _ = project.run("proj")
    assert [f["code"] for f in findings] == ["INI002"]
    monkeypatch.chdir(project.root / "proj" / "tests")
    _, findings, _ = project.run("test_m.py")
    assert [f["code"] for f in findings] == ["INI002"]


def test_exclude_folder(project):
    project.config('exclude = ["generated", "third_party/"]\n')
    project.write("pkg/m.py", MODEL)
    project.write("pkg/generated/g.py", MODEL)
    project.write("third_party/lib/t.py", MODEL)
    project.write("generated/top.py", MODEL)
    code, findings, _ = project.run(".")
    assert {name(f) for f in findings} == {"pkg/m.py"}, findings


def test_exclude_keeps_files_named_explicitly(project):
    """A file named on the command line is always checked (as the docstring of files.discover promises)."""
    project.config('exclude = ["generated"]\n')
    project.write("generated/g.py", MODEL)
    _, findings, _ = project.run("generated/g.py")
    assert len(findings) == 3


def test_extend_exclude_keeps_defaults(project):
    project.config('extend-exclude = ["vendored"]\n')
    project.write("pkg/m.py", MODEL)
    project.write("vendored/v.py", MODEL)
    project.write("build/b.py", MODEL)  # a default exclude
    project.write(".venv/lib/x.py", MODEL)
    _, findings, _ = project.run(".")
    assert {name(f) for f in findings} == {"pkg/m.py"}


def test_strict(project):
    project.write("m.py", STRICT_ONLY)
    code, findings, _ = project.run("m.py")
    assert code == 0 and findings == []
    project.config("strict = true\n")
    code, findings, _ = project.run("m.py")
    assert code == 1 and [f["code"] for f in findings] == ["INI001"]
    assert findings[0]["strict"] is True
    project.config("strict = false\n")
    code, findings, _ = project.run("m.py", "--strict")
    assert [f["code"] for f in findings] == ["INI001"]


def test_fix_style(project):
    project.config('fix-style = "skip-init"\n')
    path = project.write("m.py", MODEL)
    project.run("m.py", "--fix")
    assert "skip_init(nn.Linear, 3, 4)" in path.read_text()
    path = project.write("n.py", MODEL)
    project.run("n.py", "--fix", "--fix-style", "explicit")  # the command line wins
    assert "skip_init" not in path.read_text()


def test_extra_layers_maps_own_classes(project):
    project.write("m.py", EXTRA_LAYERS)
    _, findings, _ = project.run("m.py")
    assert findings == []  # unknown classes are not layers
    project.config('extra-layers = { MyLinear = "Linear", "mylib.layers.MyConv" = "Conv2d" }\n')
    code, findings, _ = project.run("m.py")
    assert code == 1
    messages = sorted(f["message"].split(" in ")[0] for f in findings)
    assert messages == ["self.conv = MyConv(3, 8, 3)", "self.fc = MyLinear(3, 4)"], findings
    assert all(f["code"] == "INI001" and f["fixable"] for f in findings)


def test_extra_layers_fix_uses_the_mapped_layers_fan_in(project):
    project.config('extra-layers = { MyLinear = "Linear", "mylib.layers.MyConv" = "Conv2d" }\n')
    path = project.write("m.py", EXTRA_LAYERS)
    project.run("m.py", "--fix")
    text = path.read_text()
    assert "bound = 1 / math.sqrt(3)" in text  # Linear(3, 4): fan_in 3
    assert "bound = 1 / math.sqrt(27)" in text  # Conv2d(3, 8, 3): fan_in 3 * 3 * 3
    code, findings, _ = project.run("m.py")
    assert code == 0 and findings == []


def test_extra_layers_honored_by_the_interpreter_in_containers_and_dispatch(project):
    """The mapped class is a layer everywhere the analysis looks: containers, isinstance dispatch."""
    project.config('extra-layers = { MyLinear = "Linear" }\n')
    project.write("m.py", textwrap.dedent("""\
        import torch.nn as nn
        from mylib import MyLinear


        class Seq(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Sequential(MyLinear(3, 4), nn.ReLU(), MyLinear(4, 2))


        class Dispatched(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = MyLinear(3, 4)
                for m in self.modules():
                    if isinstance(m, MyLinear):
                        nn.init.xavier_uniform_(m.weight)
                        nn.init.zeros_(m.bias)
        """))
    _, findings, _ = project.run("m.py")
    assert sorted(f["location"]["row"] for f in findings) == [8, 8], findings


def test_extra_layers_only_in_files_without_torch(project):
    """A file that never says `torch` but builds a mapped layer is still analyzed."""
    project.config('extra-layers = { "mylib.layers.Dense" = "Linear" }\n')
    project.write("m.py", textwrap.dedent("""\
        from mylib.layers import Dense, Module


        class Net(Module):
            def __init__(self):
                super().__init__()
                self.fc = Dense(3, 4)
        """))
    code, findings, err = project.run("m.py")
    assert code in (0, 1), err  # whatever it decides, never an error


def test_max_file_size(project):
    project.config("max-file-size = 100\n")
    project.write("m.py", MODEL)
    code, findings, _ = project.run("m.py")
    assert code == 2 and [f["code"] for f in findings] == ["INI900"]
    assert "max-file-size" in findings[0]["message"]


def test_output_format(project, capsys, monkeypatch):
    """`output-format` is check's format when `--output-format` is not given; the flag overrides it."""
    import io
    import sys

    project.config('output-format = "json-lines"\n')
    project.write("m.py", MODEL)

    def check(*argv: str, stdin: str = None) -> tuple:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        code = main(["check", "--no-cache", "--jobs", "1", *argv])
        return code, capsys.readouterr().out

    code, out = check("m.py")
    assert code == 1 and [json.loads(line)["code"] for line in out.splitlines()] == ["INI001", "INI001", "INI002"]
    code, out = check("m.py", "--output-format", "concise")
    assert out.splitlines()[0].startswith("m.py:7:19: INI001") and "Found 3 findings." in out
    code, out = check("--stdin-filename", "m.py", "-", stdin=MODEL)  # stdin reads the file's configuration too
    assert [json.loads(line)["code"] for line in out.splitlines()] == ["INI001", "INI001", "INI002"]
    code, out = check("m.py", "--isolated")
    assert "Found 3 findings." in out  # no configuration: the default (concise when not at a terminal)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("body, key", [
    ("frobnicate = true\n", "frobnicate"),
    ('select = ["INI001"]\nline-length = 88\n', "line-length"),
    ("extra_layers = {}\n", "extra_layers"),  # underscores are not the key
    ("[tool.init-lint.lint]\nselect = []\n", "lint"),
])
def test_unknown_key_is_an_error_naming_it(project, body, key):
    project.config(body)
    project.write("m.py", MODEL)
    code, findings, err = project.run("m.py")
    assert code == 2
    assert key in err and "pyproject.toml" in err
    assert not findings


@pytest.mark.parametrize("body, word", [
    ('select = "INI001"\nstrict = "yes"\n', "strict"),
    ("strict = 1\n", "strict"),
    ("select = [1, 2]\n", "select"),
    ("select = 1\n", "select"),
    ('select = ["INI999"]\n', "INI999"),
    ('ignore = ["E501"]\n', "E501"),
    ("ignore = true\n", "ignore"),
    ("exclude = 3\n", "exclude"),
    ('fix-style = "magic"\n', "fix-style"),
    ("fix-style = 1\n", "fix-style"),
    ('per-file-ignores = ["tests/*"]\n', "per-file-ignores"),
    ('per-file-ignores = { "tests/*" = 1 }\n', "per-file-ignores"),
    ('per-file-ignores = { "tests/*" = ["INI999"] }\n', "INI999"),
    ('extra-layers = ["MyLinear"]\n', "extra-layers"),
    ('extra-layers = { MyLinear = "Dense" }\n', "Dense"),
    ("extra-layers = { MyLinear = 1 }\n", "MyLinear"),
    ("max-file-size = -1\n", "max-file-size"),
    ('max-file-size = "1MB"\n', "max-file-size"),
    ("max-file-size = true\n", "max-file-size"),
    ('output-format = "xml"\n', "output-format"),
    ("output-format = 1\n", "output-format"),
])
def test_invalid_value_is_an_error(project, body, word):
    project.config(body)
    project.write("m.py", MODEL)
    code, findings, err = project.run("m.py")
    assert code == 2, (body, findings, err)
    assert word in err, err
    assert "Traceback" not in err


def test_invalid_toml_is_an_error(project):
    project.write("pyproject.toml", "[tool.init-lint]\nselect = [\n")
    project.write("m.py", MODEL)
    code, _, err = project.run("m.py")
    assert code == 2 and "pyproject.toml" in err


def test_init_lint_table_not_a_table(project):
    project.write("pyproject.toml", '[tool]\ninit-lint = "yes"\n')
    project.write("m.py", MODEL)
    code, _, err = project.run("m.py")
    assert code == 2, err
    assert "Traceback" not in err


# ------------------------------------------------------------------ which file


def test_nearest_pyproject_with_the_table_wins(project):
    project.config('select = ["INI002"]\n')
    project.write("sub/pyproject.toml", "[project]\nname = 'sub'\n")  # no [tool.init-lint]: skipped
    project.write("sub/inner/pyproject.toml", '[tool.init-lint]\nselect = ["INI001"]\n')
    project.write("sub/m.py", MODEL)
    project.write("sub/inner/m.py", MODEL)
    _, findings, _ = project.run("sub/m.py")
    assert [f["code"] for f in findings] == ["INI002"]
    _, findings, _ = project.run("sub/inner/m.py")
    assert [f["code"] for f in findings] == ["INI001", "INI001"]
    assert find_pyproject(project.root / "sub" / "m.py") == (project.root / "pyproject.toml").resolve()


def test_config_option(project):
    project.config('select = ["INI002"]\n')
    other = project.write("configs/strict.toml", '[tool.init-lint]\nselect = ["INI001"]\n')
    project.write("m.py", MODEL)
    _, findings, _ = project.run("m.py", "--config", str(other))
    assert [f["code"] for f in findings] == ["INI001", "INI001"]
    code, _, err = project.run("m.py", "--config", "configs/missing.toml")
    assert code == 2 and "missing.toml" in err


def test_config_option_bad_file_is_an_error(project):
    bad = project.write("bad.toml", "[tool.init-lint]\nwhat = 1\n")
    project.write("m.py", MODEL)
    code, _, err = project.run("m.py", "--config", str(bad))
    assert code == 2 and "what" in err


def test_isolated_ignores_config(project):
    project.config('select = ["INI002"]\nfrobnicate = 1\n')
    project.write("m.py", MODEL)
    assert project.run("m.py")[0] == 2
    code, findings, _ = project.run("m.py", "--isolated")
    assert code == 1 and sorted(f["code"] for f in findings) == ["INI001", "INI001", "INI002"]


def test_settings_api():
    with pytest.raises(ConfigError):
        load_settings(Path("/nonexistent/pyproject.toml"))
    settings = Settings(select=("INI00",), ignore=("INI001",))
    assert not settings.is_enabled("INI001") and settings.is_enabled("INI002") and not settings.is_enabled("INI900")


# ------------------------------------------------------------------ issue 16: a pyproject.toml we cannot read


DEEP_ARRAY = "deep = " + "[" * 3000 + "]" * 3000 + "\n"
DEEP_TABLE = "deep = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n"


@pytest.mark.parametrize("deep", [DEEP_ARRAY, DEEP_TABLE], ids=["arrays", "inline-tables"])
def test_a_deeply_nested_pyproject_of_ours_is_a_config_error(project, deep):
    project.write("pyproject.toml", "[tool.init-lint]\nstrict = false\n" + deep)
    project.write("src/m.py", MODEL)
    code, findings, err = project.run("src/m.py")
    assert code == 2
    assert "pyproject.toml: invalid TOML: nested too deeply to read" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("deep", [DEEP_ARRAY, DEEP_TABLE], ids=["arrays", "inline-tables"])
def test_a_deeply_nested_pyproject_of_someone_else_above_the_path_is_skipped(project, deep):
    project.write("pyproject.toml", "[tool.other]\n" + deep)
    project.write("src/m.py", MODEL)
    code, findings, err = project.run("src/m.py")
    assert code == 1 and summary(findings) == [("src/m.py", "INI001"), ("src/m.py", "INI001"), ("src/m.py", "INI002")]


def test_a_deeply_nested_pyproject_given_with_config_is_a_config_error(project):
    path = project.write("elsewhere.toml", DEEP_TABLE)
    project.write("m.py", MODEL)
    code, _, err = project.run("--config", str(path), "m.py")
    assert code == 2 and "nested too deeply" in err


@pytest.mark.parametrize("body", ["tool = 1\n", "[tool]\ninit-lint = 3\n"])
def test_a_pyproject_whose_tool_table_is_not_a_table(project, body):
    project.write("pyproject.toml", body)
    project.write("m.py", MODEL)
    code, _, err = project.run("--config", "pyproject.toml", "m.py")
    assert code == 2 and "Traceback" not in err
    code, findings, err = project.run("m.py")  # found on the way up: not ours (tool = 1) or an error
    assert code in (1, 2) and "Traceback" not in err
