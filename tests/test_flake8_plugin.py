"""The flake8 plugin, run through the real `flake8` command.

flake8 and `init-lint check` each run once over all fixtures (per mode); the per-file tests
then compare their findings, so the parametrization stays cheap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("flake8", reason="the flake8 plugin tests need flake8 (pip install 'init-lint[test]')")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FIXTURE_FILES = sorted(p.name for p in FIXTURES.glob("*.py"))
FORMAT = "%(path)s\t%(row)d\t%(col)d\t%(code)s\t%(text)s"
MODES = {"default": [], "strict": ["--strict"]}


def run(args: list, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, input=stdin,
                          env=env, timeout=120)


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run(["-m", "flake8", f"--format={FORMAT}", *args], cwd)


def parse_flake8(stdout: str) -> list:
    """(file name, code, row, col, message) for each line of flake8's tab-separated output (text has no code)."""
    rows = []
    for line in stdout.splitlines():
        path, row, col, code, text = line.split("\t")
        rows.append((Path(path).name, code, int(row), int(col), text))
    return rows


@pytest.fixture(scope="module")
def fixture_copies(tmp_path_factory):
    # Copies outside this checkout: no pyproject.toml above them, so neither tool reads a
    # [tool.init-lint] the project may add (the plugin reads it even under flake8 --isolated).
    folder = tmp_path_factory.mktemp("fixtures")
    for name in FIXTURE_FILES:
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    return folder


@pytest.fixture(scope="module", params=list(MODES))
def both(request, fixture_copies):
    """Each tool's findings over all fixtures, by file name, for one mode."""
    strict = MODES[request.param]
    result = flake8("--isolated", "--select", "INI", *(["--init-lint-strict"] if strict else []), *FIXTURE_FILES,
                    cwd=fixture_copies)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    by_flake8: dict = {}
    for row in parse_flake8(result.stdout):
        by_flake8.setdefault(row[0], []).append(row[1:])
    cli = run(["-m", "init_lint", "check", "--output-format", "json", "--isolated", "--no-cache", *strict,
               *FIXTURE_FILES], fixture_copies)
    assert cli.returncode in (0, 1), cli.stderr
    by_cli: dict = {}
    for item in json.loads(cli.stdout):
        by_cli.setdefault(Path(item["filename"]).name, []).append(
            (item["code"], item["location"]["row"], item["location"]["column"], item["message"]))
    return request.param, by_flake8, by_cli


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_same_findings_as_the_cli(both, name):
    _, by_flake8, by_cli = both
    assert sorted(by_flake8.get(name, [])) == sorted(by_cli.get(name, []))


def test_the_comparison_is_not_vacuous(both):
    mode, by_flake8, by_cli = both
    codes = {finding[0] for findings in by_cli.values() for finding in findings}
    assert codes >= {"INI001", "INI002", "INI003", "INI004", "INI005"}
    assert sum(map(len, by_flake8.values())) == sum(map(len, by_cli.values())) > 50


def test_version_lists_the_plugin():
    from init_lint import __version__

    result = run(["-m", "flake8", "--version"], ROOT)
    assert f"init-lint: {__version__}" in result.stdout


MODEL = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(3, 4)
            self.b = nn.Linear(4, 4)  # noqa: INI001
            self.c = nn.Linear(4, 4)  # noqa
            self.d = nn.Linear(4, 2)  # noqa: E501
""")


def test_noqa(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    result = flake8("--isolated", "--select", "INI", "model.py", cwd=tmp_path)
    assert [(code, row, col) for _, code, row, col, _ in parse_flake8(result.stdout)] == [
        ("INI001", 7, 18), ("INI001", 10, 18)]
    assert result.returncode == 1


def test_extend_select_in_a_config_file(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = E9\n")
    assert flake8("model.py", cwd=tmp_path).stdout == ""  # the control: `select` alone leaves INI out
    (tmp_path / "setup.cfg").write_text("[flake8]\nselect = E9\nextend-select = INI\n")
    result = flake8("model.py", cwd=tmp_path)
    assert [code for _, code, *_ in parse_flake8(result.stdout)] == ["INI001", "INI001"]


DELEGATED_MODEL = textwrap.dedent("""\
    import torch.nn as nn
    from mylab.nn_utils import init_weights


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(4, 8)
            self.fc2 = nn.Linear(8, 2)
            init_weights(self)
""")


def test_strict_from_a_config_file(tmp_path):
    # init delegated to a helper init-lint cannot see: reported only in strict mode
    (tmp_path / "model.py").write_text(DELEGATED_MODEL)
    assert flake8("--select", "INI", "model.py", cwd=tmp_path).stdout == ""
    (tmp_path / "tox.ini").write_text("[flake8]\ninit-lint-strict = true\n")
    result = flake8("--select", "INI", "model.py", cwd=tmp_path)
    assert [(code, row) for _, code, row, _, _ in parse_flake8(result.stdout)] == [("INI001", 8), ("INI001", 9)]


EXTRA_LAYER_MODEL = textwrap.dedent("""\
    import torch.nn as nn
    from mylab.layers import ScaledLinear


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = ScaledLinear(3, 4)
""")


def test_extra_layers_from_a_config_file(tmp_path):
    (tmp_path / "model.py").write_text(EXTRA_LAYER_MODEL)
    assert flake8("--select", "INI", "model.py", cwd=tmp_path).stdout == ""
    (tmp_path / ".flake8").write_text("[flake8]\ninit-lint-extra-layers = ScaledLinear=Linear, Other=Conv2d\n")
    result = flake8("--select", "INI", "model.py", cwd=tmp_path)
    assert [(code, row, col) for _, code, row, col, _ in parse_flake8(result.stdout)] == [("INI001", 8, 19)]


def test_a_bad_extra_layer_stops_flake8_with_a_message_not_a_traceback(tmp_path):
    (tmp_path / "model.py").write_text(EXTRA_LAYER_MODEL)
    result = flake8("--isolated", "--init-lint-extra-layers", "ScaledLinear=Dense", "model.py", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "'ScaledLinear=Dense' is not Name=TorchLayer" in result.stdout


def test_tool_init_lint_in_pyproject_is_honored(tmp_path):
    (tmp_path / "model.py").write_text(EXTRA_LAYER_MODEL)
    (tmp_path / "pyproject.toml").write_text('[tool.init-lint]\nextra-layers = { ScaledLinear = "Linear" }\n')
    assert [code for _, code, *_ in parse_flake8(flake8("--select", "INI", "model.py", cwd=tmp_path).stdout)] == [
        "INI001"]
    (tmp_path / "pyproject.toml").write_text('[tool.init-lint]\nextra-layers = { ScaledLinear = "Dense" }\n')
    result = flake8("--select", "INI", "model.py", cwd=tmp_path)
    assert [(code, row, col) for _, code, row, col, _ in parse_flake8(result.stdout)] == [("INI900", 1, 1)]
    assert "extra-layers.ScaledLinear: 'Dense' is not a layer" in result.stdout


def test_a_declared_encoding_keeps_columns_equal_to_the_cli(tmp_path):
    source = "# -*- coding: latin-1 -*-\n" + MODEL.replace("self.a = nn", "self.a = 'é' and nn")
    (tmp_path / "model.py").write_bytes(source.encode("latin-1"))
    rows = parse_flake8(flake8("--isolated", "--select", "INI", "model.py", cwd=tmp_path).stdout)
    cli = json.loads(run(["-m", "init_lint", "check", "--output-format", "json", "--isolated", "--no-cache",
                          "model.py"], tmp_path).stdout)
    from_cli = [(f["code"], f["location"]["row"], f["location"]["column"]) for f in cli]
    assert [(code, row, col) for _, code, row, col, _ in rows] == from_cli == [("INI001", 8, 26), ("INI001", 11, 18)]


def test_a_syntax_error_is_flake8s_e999_alone(tmp_path):
    (tmp_path / "model.py").write_text(MODEL + "    def broken(:\n")
    result = flake8("--isolated", "--select", "E9,INI", "model.py", cwd=tmp_path)
    assert [code for _, code, *_ in parse_flake8(result.stdout)] == ["E999"]
    assert "Traceback" not in result.stderr


def test_files_without_torch_are_not_parsed_with_libcst(tmp_path):
    # The real plugin class, as flake8 calls it, in a fresh interpreter that has not imported libcst.
    script = textwrap.dedent("""\
        import ast, sys
        from init_lint.frontends.flake8_plugin import InitLintPlugin
        lines = ["import numpy as np\\n", "x = np.zeros(3)\\n"]
        assert list(InitLintPlugin(ast.parse("".join(lines)), lines, "plain.py").run()) == []
        print("libcst" in sys.modules)
        lines = ["import torch.nn as nn\\n", "fc = nn.Linear(2, 2)\\n"]
        list(InitLintPlugin(ast.parse("".join(lines)), lines, "model.py").run())
        print("libcst" in sys.modules)
    """)
    result = run(["-c", script], tmp_path)
    assert result.stdout.split() == ["False", "True"], result.stderr
