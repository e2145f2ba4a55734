"""The static path (check, fix, diff, stdin, rule pages) never runs the code it reads, and never imports torch."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def hostile_model(marker: Path, how: str) -> str:
    """A model whose import (or any evaluation of its code) writes `marker` and exits."""
    return textwrap.dedent(f"""\
        import os
        import sys
        open({str(marker)!r}, "w").write("module level ran")
        import torch
        import torch.nn as nn

        {how}


        def helper(m):
            open({str(marker)!r}, "w").write("helper ran")


        class Net(nn.Module):
            open({str(marker)!r}, "w").write("class body ran")

            def __init__(self, n=open({str(marker)!r}, "w")):
                super().__init__()
                open({str(marker)!r}, "w").write("init ran")
                self.fc = nn.Linear(3, 4)
                self.out = nn.Linear(4, 2)
                nn.init.ones_(self.out.weight)
                self.apply(helper)
                self.fc2 = nn.Linear(4, 4)

            @property
            def size(self, _=open({str(marker)!r}, "w")):
                return 1


        if __name__ == "__main__":
            open({str(marker)!r}, "w").write("main ran")
        """)


EXITS = {
    "sys.exit": "sys.exit(3)",
    "os._exit": "os._exit(3)",
    "raise": "raise SystemExit(3)",
    "kill": "os.kill(os.getpid(), 9)",
}


def run_cli(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "init_lint", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=120, env=env)


@pytest.mark.parametrize("how", ["sys.exit", "os._exit"])
def test_check_and_fix_never_run_the_file(tmp_path, how):
    marker = tmp_path / "MARKER"
    model = tmp_path / "model.py"
    source = hostile_model(marker, EXITS[how])
    commands = [
        ("model.py", "--strict"),
        ("check", "--diff", "model.py"),
        ("check", "--fix", "model.py"),
        ("check", "--fix", "--fix-style", "skip-init", "--unsafe-fixes", "model.py"),
    ]
    for command in commands:
        model.write_text(source)
        result = run_cli(*command, "--no-cache", cwd=tmp_path)
        assert not marker.exists(), (command, marker.read_text())
        assert result.returncode == 1 or (result.returncode == 0 and "--fix" in command), (command, result.stderr)
        assert b"Traceback" not in result.stderr
        if "--fix" in command:
            assert "kaiming_uniform_" in model.read_text()
        elif "--diff" in command:
            assert b"+++ model.py" in result.stdout and model.read_text() == source
        else:
            assert b"INI001" in result.stdout
    # stdin, both modes
    for extra in (("--fix", "--fix-style", "skip-init"),):
        result = run_cli("check", *extra, "--stdin-filename", "model.py", "-", cwd=tmp_path, stdin=source.encode())
        assert not marker.exists(), extra
        assert result.returncode == 1, (extra, result.stderr)


def test_folder_with_conftest_and_init_never_imported(tmp_path):
    marker = tmp_path / "MARKER"
    package = tmp_path / "pkg"
    package.mkdir()
    for name in ("__init__.py", "conftest.py", "setup.py", "__main__.py", "model.py"):
        (package / name).write_text(hostile_model(marker, "sys.exit(3)"))
    result = run_cli("check", "pkg", "--jobs", "2", cwd=tmp_path)
    assert not marker.exists()
    assert result.returncode == 1 and result.stdout.count(b"INI001") >= 5
    run_cli("check", "pkg", "--fix", "--jobs", "2", cwd=tmp_path)
    assert not marker.exists()


def test_in_process_api_never_runs_the_file(tmp_path):
    from init_lint.api import check_source, fix_source

    marker = tmp_path / "MARKER"
    # were any of it run in this process, os.kill would end the test run itself
    source = hostile_model(marker, "os.kill(os.getpid(), 9); os._exit(3)")
    assert check_source(source, "model.py")
    for style in ("explicit", "skip-init"):
        for unsafe in (False, True):
            assert fix_source(source, "model.py", style=style, unsafe=unsafe).fixed
    assert not marker.exists()


STATIC_NO_TORCH = """\
import sys, io, contextlib
import init_lint.cli
out = io.StringIO()
with contextlib.redirect_stdout(out):
    codes = [
        init_lint.cli.main(['check', 'fixtures', '--no-cache', '--jobs', '1']),
        init_lint.cli.main(['check', 'fixtures', '--no-cache', '--jobs', '1', '--diff', '--unsafe-fixes',
                            '--fix-style', 'skip-init']),
        init_lint.cli.main(['check', 'fixtures', '--no-cache', '--jobs', '1', '--output-format', 'sarif']),
        init_lint.cli.main(['rule', 'INI001']),
    ]
assert codes[0] == 1 and codes[1] == 1 and codes[3] == 0, codes
loaded = sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.'))
assert not loaded, loaded
print('NO-TORCH-OK')
"""


def test_static_path_never_imports_torch():
    result = subprocess.run([sys.executable, "-c", STATIC_NO_TORCH], cwd=REPO, capture_output=True, timeout=300,
                            env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    assert b"NO-TORCH-OK" in result.stdout


def test_static_path_works_without_torch_installed(tmp_path):
    """With `import torch` made impossible, checking and fixing still work."""
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "torch.py").write_text("raise ImportError('torch is blocked in this test')\n")
    env = dict(os.environ, PYTHONPATH=str(blocker) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               PYTHONDONTWRITEBYTECODE="1")
    (tmp_path / "m.py").write_text((REPO / "fixtures" / "net_3_4_2_default.py").read_text())
    result = subprocess.run([sys.executable, "-m", "init_lint", "check", "--fix", "--no-cache", "m.py"],
                            cwd=tmp_path, capture_output=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr.decode()
    assert "kaiming_uniform_" in (tmp_path / "m.py").read_text()


def test_importtime_shows_no_torch(tmp_path):
    """`python -X importtime` lists every module imported: torch is never among them."""
    (tmp_path / "m.py").write_text((REPO / "fixtures" / "tanh_3_4_5_2_default.py").read_text())
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "init_lint", "check", "--no-cache", "m.py"],
                            cwd=tmp_path, capture_output=True, timeout=120)
    assert result.returncode == 1
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.decode().splitlines()
                if line.startswith("import time:")]
    assert "init_lint.checker" in imported
    assert not [name for name in imported if name == "torch" or name.startswith("torch.")]
