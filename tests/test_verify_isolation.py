"""`init-lint verify` runs only what `check` reads, and leaves no process behind (issue 16).

* the same file discovery as `check` (excludes, venv/build/node_modules, files without torch);
* after every file, every process the file started is ended: in its process group, or in a session
  of its own (a daemon's double fork), after a normal end or a timeout; with the fork server and
  without it.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")

from init_lint.verify import processes, runner  # noqa: E402
from init_lint.verify.results import IDENTICAL  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

MODEL = textwrap.dedent("""\
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
    """)


def marker_file(folder: Path, name: str) -> str:
    """A module that records its import in `<folder>/imported-<name>` (absolute: the child runs elsewhere)."""
    return f"open({str(folder / ('imported-' + name))!r}, 'w').close()\n"


def test_verify_reads_the_files_check_reads(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marks = tmp_path / "marks"
    marks.mkdir()
    project = tmp_path / "project"
    (project / "third_party").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.init-lint]\nextend-exclude = ["third_party"]\n')
    (project / "model.py").write_text(MODEL + marker_file(marks, "model"))
    (project / "plain.py").write_text(marker_file(marks, "plain"))  # never mentions the framework
    (project / "third_party" / "vendored.py").write_text(MODEL + marker_file(marks, "vendored"))
    for folder in ("venv", "build", "node_modules", ".venv", "__pycache__"):
        (project / folder).mkdir()
        (project / folder / "lib.py").write_text(MODEL + marker_file(marks, folder))
    results = runner.verify_paths([str(project)], style="skip-init", timeout=60, jobs=1)
    assert [Path(r.path).name for r in results] == ["model.py"]
    assert sorted(p.name for p in marks.iterdir()) == ["imported-model"]

    from init_lint.config import find_pyproject, load_settings
    from init_lint.files import discover

    settings = load_settings(find_pyproject(project))
    checked = [p for p in discover([str(project)], settings)]
    assert sorted(Path(p).name for p in checked) == ["model.py", "plain.py"]  # check reads the same two


def test_verify_checks_the_fix_check_would_write(tmp_path, monkeypatch):
    """The fix verified is `check --fix`'s under the project's settings: an ignored rule is not fixed."""
    seen = []
    monkeypatch.setattr(runner, "verify_sources", lambda original, fixed, path, **_: seen.append(fixed != original))
    project = tmp_path / "project"
    project.mkdir()
    (project / "model.py").write_text(MODEL)
    runner.verify_paths([str(project)], timeout=60, jobs=1)
    (project / "pyproject.toml").write_text('[tool.init-lint]\nignore = ["INI001"]\n')
    runner.verify_paths([str(project)], timeout=60, jobs=1)
    runner.verify_file(project / "model.py", timeout=60)
    assert seen == [True, False, False]


def test_a_named_file_without_torch_is_skipped_not_imported(tmp_path):
    path = tmp_path / "plain.py"
    path.write_text(marker_file(tmp_path, "plain"))
    [result] = runner.verify_paths([str(path)], timeout=60)
    assert result.skipped == "never mentions torch: not imported"
    assert not (tmp_path / "imported-plain").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_a_fifo_is_not_opened_for_reading(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "m.py").write_text(MODEL)
    results = runner.verify_paths([str(tmp_path)], timeout=60, jobs=1)
    errors = {Path(r.path).name: (r.error or "") for r in results}
    assert errors["pipe.py"].startswith("cannot read the file: not a regular")


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pids: list, seconds: float = 10) -> list:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


SAME_GROUP = "subprocess.Popen(['sleep', '300'])"
OWN_SESSION = "subprocess.Popen(['sleep', '300'], start_new_session=True)"
# a daemon's double fork: the grandchild starts its own session, and its parent exits at once
DAEMON = ("os.fork() == 0 and (os.setsid(), os.fork() == 0 and "
          "(open(PIDS, 'a').write(f'{os.getpid()}\\n'), time.sleep(300)), os._exit(0))")


def leaker(pids: Path, how: str, then: str = "") -> str:
    """A model file that starts a process at import and records its pid in `pids`."""
    start = f"started = {how}\nopen(PIDS, 'a').write(str(started.pid) + '\\n')" if how != DAEMON else how
    return MODEL + f"import os, subprocess, time\nPIDS = {str(pids)!r}\n{start}\ntime.sleep(0.3)\n{then}\n"


def _pids(path: Path) -> list:
    return [int(line) for line in path.read_text().split()] if path.exists() else []


@pytest.mark.parametrize("how", [SAME_GROUP, OWN_SESSION, DAEMON], ids=["same-group", "own-session", "daemon"])
@pytest.mark.parametrize("fork_server", [True, False], ids=["fork-server", "fresh-interpreter"])
def test_processes_the_file_started_end_with_it(tmp_path, monkeypatch, how, fork_server):
    if not fork_server:
        no_fork = processes._ForkServer()
        no_fork._unusable = True
        monkeypatch.setattr(processes, "_fork_server", no_fork)
    pids = tmp_path / "pids.txt"
    source = leaker(pids, how)
    path = tmp_path / "model.py"
    path.write_text(source)
    result = runner.verify_sources(source, source + "\n", path, timeout=60)
    assert [(c.name, c.status) for c in result.classes] == [("Net", IDENTICAL)], result
    started = _pids(pids)
    assert len(started) == 2  # one per side
    assert _wait_gone(started, 2) == [], "a process the verified file started outlived it"


@pytest.mark.parametrize("how", [SAME_GROUP, OWN_SESSION], ids=["same-group", "own-session"])
def test_processes_of_a_file_that_times_out_end_with_it(tmp_path, how):
    pids = tmp_path / "pids.txt"
    source = leaker(pids, how, then="time.sleep(600)")
    path = tmp_path / "model.py"
    path.write_text(source)
    result = runner.verify_sources(source, source + "\n", path, timeout=5)
    assert result.error.startswith("timed out after 5 s")
    started = _pids(pids)
    assert started
    assert _wait_gone(started, 2) == []


@pytest.mark.parametrize("fork_server", [True, False], ids=["fork-server", "fresh-interpreter"])
def test_everything_ends_when_init_lint_itself_is_killed(tmp_path, fork_server):
    import signal
    import subprocess

    pids = tmp_path / "pids.txt"
    path = tmp_path / "model.py"
    path.write_text(leaker(pids, OWN_SESSION, then="time.sleep(600)"))
    script = textwrap.dedent(f"""\
        from init_lint.verify import processes, runner
        if not {fork_server}:
            processes._fork_server._unusable = True
        runner.verify_file({str(path)!r}, style="skip-init", timeout=600)
        """)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent / "src"))
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 120
        while len(_pids(pids)) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        started = _pids(pids)
        assert started, "the file never ran"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait_gone(started, 15) == [], "a process of the file outlived init-lint"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in _pids(pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.parametrize("fork_server", [True, False], ids=["fork-server", "fresh-interpreter"])
def test_ctrl_c_stops_verify_at_once_and_ends_the_files_processes(tmp_path, fork_server):
    """Not after the files' timeouts: the run stops, says so, and nothing the files started is left."""
    import signal
    import subprocess

    pids = tmp_path / "pids.txt"
    path = tmp_path / "model.py"
    path.write_text(leaker(pids, OWN_SESSION, then="time.sleep(600)"))
    script = textwrap.dedent(f"""\
        import sys
        from init_lint.cli import main
        from init_lint.verify import processes
        if not {fork_server}:
            processes._fork_server._unusable = True
        sys.exit(main(["verify", {str(path)!r}, "--timeout", "500"]))
        """)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent / "src"))
    process = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while len(_pids(pids)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        started = _pids(pids)
        assert len(started) == 2, "the file never ran"
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        assert time.monotonic() - sent < 20  # not the 500 s timeout (the figure itself: a few tenths)
        assert process.returncode == 130 and b"init-lint: interrupted" in err, err[-2000:]
        assert _wait_gone(started, 5) == []
    finally:
        if process.poll() is None:
            process.kill()
        for pid in _pids(pids):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
