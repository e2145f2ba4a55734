"""Edges of issues 14 and 16: the cache, odd files, no files, --diff on a broken file, --jobs, Ctrl-C.

Each test reproduces one item of those issues; each failed before the change that made it pass.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parent.parent

MODEL = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.out = nn.Linear(4, 2)
    """)


def cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(REPO / "src"))
    return subprocess.run([sys.executable, "-m", "init_lint", *args], cwd=cwd, capture_output=True, timeout=timeout,
                          env=env)


def entries(root: Path) -> list[Path]:
    return [p for p in (root / ".init_lint_cache").rglob("*") if p.is_file() and p.name != ".gitignore"]


# ------------------------------------------------------------------ the cache


def test_a_symlinked_gitignore_never_makes_init_lint_write_outside(run, tmp_path):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "m.py").write_text(MODEL)
    (project / ".init_lint_cache").mkdir()
    (project / ".init_lint_cache" / ".gitignore").symlink_to(outside / "victim")
    os.chdir(project)
    code, out, _ = run("check", "m.py")
    assert code == 1 and out.count("INI001") == 2
    assert not (outside / "victim").exists()
    assert list(outside.iterdir()) == []


def test_a_symlinked_gitignore_to_an_existing_file_is_not_overwritten(run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "m.py").write_text(MODEL)
    (tmp_path / ".init_lint_cache").mkdir()
    (tmp_path / ".init_lint_cache" / ".gitignore").symlink_to(victim)
    run("check", "m.py")
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("linked", [".init_lint_cache", ".init_lint_cache/v1"])
def test_a_symlinked_cache_folder_turns_the_cache_off(run, tmp_path, linked):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "m.py").write_text(MODEL)
    (project / linked).parent.mkdir(parents=True, exist_ok=True)
    (project / linked).symlink_to(outside, target_is_directory=True)
    os.chdir(project)
    for _ in range(2):
        code, out, _ = run("check", "m.py")
        assert code == 1 and out.count("INI001") == 2
    assert list(outside.iterdir()) == []


def test_a_symlinked_cache_entry_is_replaced_not_written_through(run, tmp_path):
    (tmp_path / "m.py").write_text(MODEL)
    first = run("check", "m.py")
    [entry] = entries(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    entry.unlink()
    entry.symlink_to(victim)
    assert run("check", "m.py") == first
    assert victim.read_text() == "precious"


WRONG_SHAPES = [
    [], {}, 42, "text", None, {"findings": {}}, {"findings": [1, 2]}, {"findings": [{"code": "INI001"}]},
    {"findings": [], "exports": []}, {"findings": [], "exports": {"classes": "Net"}},
    {"findings": [{"code": "INI001", "message": "m", "filename": "", "location": {"row": "1", "column": 1},
                   "end_location": {"row": 1, "column": 1}}]},
    {"findings": [{"code": "INI001", "message": "m", "filename": "", "location": {"row": 1, "column": 1},
                   "end_location": {"row": 1, "column": 1}, "depends": ["Linear", [["weight", [["Net", 7, 0]]]]]}]},
    {"findings": [], "exports": {"classes": [], "bindings": {"a": 1}, "builds": [], "refs": [], "maybe_builds": [],
                                 "local_refs": []}},
    {"findings": [], "exports": {"classes": [], "bindings": {}, "builds": [["x"]], "refs": [], "maybe_builds": [],
                                 "local_refs": []}},
]


@pytest.mark.parametrize("shape", WRONG_SHAPES, ids=[str(i) for i in range(len(WRONG_SHAPES))])
@pytest.mark.parametrize("target", ["m.py", "."])
def test_a_cache_entry_of_the_wrong_shape_is_a_miss(run, tmp_path, shape, target):
    """Valid JSON, wrong shape: a miss, never INI900 nor a traceback (file mode and project mode)."""
    (tmp_path / "m.py").write_text(MODEL)
    (tmp_path / "other.py").write_text("import torch\nx = 1\n")
    first = run("check", target, "--jobs", "1")
    assert first[0] == 1 and "INI900" not in first[1]
    for entry in entries(tmp_path):
        entry.write_text(json.dumps(shape))
    assert run("check", target, "--jobs", "1") == first


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_the_cache_prints_the_path_as_typed_in_this_run(run, tmp_path, output_format):
    (tmp_path / "x.py").write_text(MODEL)
    run("check", ".", "--jobs", "1")  # fills the cache with ./x.py
    uncached = run("check", "x.py", "--output-format", output_format, "--no-cache")
    cached = run("check", "x.py", "--output-format", output_format)
    assert cached == uncached
    assert "./x.py" not in cached[1]


def test_the_cache_keys_paths_relative_to_its_root(run, tmp_path):
    """Moving the project keeps the cache valid (and no absolute path of the machine is stored)."""
    first = tmp_path / "a"
    first.mkdir()
    (first / "x.py").write_text(MODEL)
    os.chdir(first)
    expected = run("check", "x.py")
    stored = [e.read_text() for e in entries(first)]
    assert stored and not any(str(tmp_path) in text for text in stored)
    moved = tmp_path / "b"
    first.rename(moved)
    os.chdir(moved)
    before = {e: e.stat().st_mtime_ns for e in entries(moved)}
    assert run("check", "x.py") == expected
    assert {e: e.stat().st_mtime_ns for e in entries(moved)} == before  # a hit: nothing rewritten


# ------------------------------------------------------------------ paths, files and errors


def test_a_folder_without_python_files_warns_and_exits_0(run, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("no code here")
    code, out, err = run("check", "docs")
    assert code == 0
    assert "warning: no Python files found under the given paths" in err
    assert "All checks passed" not in out + err
    os.chdir(tmp_path / "docs")
    code, out, err = run()  # a bare `init-lint` in such a folder
    assert code == 0 and "no Python files found" in err


def test_a_missing_path_is_an_error_line_not_a_finding(run, tmp_path):
    (tmp_path / "m.py").write_text(MODEL)
    code, out, err = run("check", "no_such_dir/", "m.py", "--output-format", "json", "--no-cache")
    assert code == 2
    assert "init-lint: error: no_such_dir/: no such file or folder" in err
    findings = json.loads(out)
    assert [f["filename"] for f in findings] == ["m.py", "m.py"]


def test_diff_on_an_unparsable_file_exits_2_with_the_ini900_line(run, tmp_path):
    (tmp_path / "bad.py").write_text("import torch\nclass Net(torch.nn.Module:\n    pass\n")
    (tmp_path / "m.py").write_text(MODEL)
    code, out, err = run("check", "--diff", "bad.py", "m.py", "--no-cache")
    assert code == 2
    assert "bad.py:2:" in err and "INI900" in err
    assert "+++ m.py" in out  # the other file's diff is still printed


SYNTAX_ERRORS = [
    "import torch\nclass Net(nn.Module:\n    pass\n",
    "import torch\nx = (1,\ny = 2\n",
    "import torch\ndef f():\n  return 1\n    x = 2\n",
    "import torch\nx = 1 +\n",
    "import torch\nif x:\npass\n",
    "import torch\nx = [1, 2\n\n\n",
    "import torch\nprint 'hello'\n",
]


@pytest.mark.parametrize("source", SYNTAX_ERRORS)
def test_a_syntax_error_is_reported_where_python_puts_it(source):
    from init_lint.checker import check_source

    [finding] = check_source(source, "bad.py")
    with pytest.raises(SyntaxError) as python:
        compile(source, "bad.py", "exec")
    assert finding.code == "INI900"
    assert (finding.line, finding.column + 1) == (python.value.lineno, python.value.offset)
    assert python.value.msg in finding.message


def test_a_decode_error_says_how_to_declare_the_encoding():
    from init_lint.checker import check_source

    latin1 = "import torch\n# caf\xe9\nx = 1\n".encode("latin-1")
    [finding] = check_source(latin1, "old.py")
    assert finding.code == "INI900"
    assert "line 2" in finding.message
    assert "# -*- coding: latin-1 -*-" in finding.message
    # with the cookie it is checked
    assert check_source(b"# -*- coding: latin-1 -*-\n" + latin1, "old.py") == []
    # a cookie that lies is named as the culprit
    [wrong] = check_source(b"# coding: utf-8\n" + latin1, "old.py")
    assert "coding cookie" in wrong.message and "correct the cookie" in wrong.message


def test_max_file_size_applies_to_files_that_never_mention_torch(run, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.init-lint]\nmax-file-size = 1000\n")
    (tmp_path / "big.py").write_text("x = 1\n" * 1000)  # no torch: before, only syntax-checked, whatever its size
    (tmp_path / "m.py").write_text(MODEL)
    code, out, err = run("check", ".", "--no-cache")
    assert code == 2
    [line] = [line for line in out.splitlines() if line.startswith("./big.py")]
    assert "INI900" in line and "over max-file-size (1000)" in line
    from init_lint.checker import check_source
    from init_lint.config import Settings

    [finding] = check_source("x = 1\n" * 1000, "big.py", Settings(max_file_size=1000))
    assert "over max-file-size" in finding.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_py_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "m.py").write_text(MODEL)
    for args in (["check", ".", "--no-cache"], ["check", "pipe.py", "--no-cache"], ["check", "--fix", "."]):
        result = cli(*args, cwd=tmp_path, timeout=60)  # before: blocked forever reading the FIFO
        out = result.stdout.decode()
        assert result.returncode == 2, (out, result.stderr)
        assert "pipe.py:1:1: INI900" in out and "not a regular file (a FIFO); skipped" in out


# ------------------------------------------------------------------ workers


def test_jobs_are_capped_at_the_files_and_the_cores(run, tmp_path, monkeypatch):
    from init_lint import engine

    assert engine.worker_count(100000, 3) <= 3
    assert engine.worker_count(100000, 10**6) <= (os.cpu_count() or 1)
    assert engine.worker_count(0, 1) == 1
    started = []
    real = engine.ProcessPoolExecutor

    def pool(max_workers, **kwargs):
        started.append(max_workers)
        return real(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(engine, "ProcessPoolExecutor", pool)
    monkeypatch.setattr(engine.os, "cpu_count", lambda: 4)
    for i in range(10):
        (tmp_path / f"m{i}.py").write_text(MODEL)
    code, out, _ = run("check", ".", "--jobs", "100000", "--no-cache")
    assert code == 1 and out.count("INI001") == 20
    assert started and max(started) <= 4


def _children(pid: int) -> set:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _big_project(folder: Path, files: int, layers: int) -> None:
    body = "".join(f"        self.fc{i} = nn.Linear({i + 1}, {i + 2})\n" for i in range(layers))
    header = "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    source = header + body
    for i in range(files):
        (folder / f"m{i:03d}.py").write_text(source)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_when_the_parent_is_killed(tmp_path):
    _big_project(tmp_path, 200, 150)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(REPO / "src"))
    parent = subprocess.Popen([sys.executable, "-m", "init_lint", "check", ".", "--no-cache", "--jobs", "2"],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    workers: set = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            workers = _children(parent.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the pool did not start"
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 20
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(w) for w in workers), "workers outlived their parent"
    finally:
        if parent.poll() is None:
            parent.kill()
        for worker in workers | _children(parent.pid):  # after a failure: leave nothing running
            if _alive(worker):
                os.kill(worker, signal.SIGKILL)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_at_once_says_interrupted_and_half_writes_nothing(tmp_path, jobs):
    """Exit 130, "interrupted" on stderr; every file either untouched or completely fixed.

    The time it takes is measured by benchmarks/interrupt.py; here only a generous bound guards a hang.
    """
    _big_project(tmp_path, 120, 60)
    original = (tmp_path / "m000.py").read_text()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(REPO / "src"))
    # SIGINT back to its default: a shell that runs the tests in the background may have it ignored
    process = subprocess.Popen([sys.executable, "-m", "init_lint", "check", "--fix", ".", "--jobs", jobs],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if sum("kaiming" in p.read_text() for p in tmp_path.glob("m00*.py")) >= 1:
            break  # it is writing fixes now
        time.sleep(0.02)
    assert process.poll() is None, "finished before it could be interrupted: make the project bigger"
    workers = _children(process.pid)
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    took = time.monotonic() - sent
    assert process.returncode == 130, (out[-500:], err[-2000:])
    assert b"init-lint: interrupted" in err and b"Traceback" not in err
    assert took < 10
    fixed = untouched = 0
    for path in tmp_path.glob("m*.py"):
        text = path.read_text()
        if text == original:
            untouched += 1
            continue
        compile(text, str(path), "exec")
        assert text.count("kaiming_uniform_") == 60, path  # all of a file's fixes, or none
        fixed += 1
    assert fixed >= 1 and untouched >= 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".init-lint-")]
    assert not [w for w in workers if _alive(w)], "a worker outlived the interrupted run"
