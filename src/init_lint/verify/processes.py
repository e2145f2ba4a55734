"""Starting, waiting for and killing the worker processes that run user code (parent side).

On Linux a fork server (`child.serve_forks`) imports torch once and forks a fresh worker per source,
so verifying a file costs its own import and build, not another `import torch`.  Elsewhere, or
if the fork server cannot start, each worker is a new Python process.  Either way every worker is a
separate process in its own session, so a timeout kills it with anything it started.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Optional

from init_lint.verify.child import EXIT_STATUS_FILE

_INIT_LINT_ROOT = str(Path(__file__).resolve().parents[2])
_PREFIX = "import sys; sys.path.insert(0, sys.argv[1]); from init_lint.verify.child import "
_WORKER = [sys.executable, "-c", _PREFIX + "run; run(sys.argv[2])", _INIT_LINT_ROOT]
_FORK_SERVER = [sys.executable, "-c", _PREFIX + "serve_forks; serve_forks()", _INIT_LINT_ROOT]
_POLL_SECONDS = 0.01
#: how long a supervisor may take to end what a timed-out file started before its group is killed
_SUPERVISOR_GRACE_SECONDS = 6.0
# the fork server is not started without it: no interpreter writes __pycache__ into the user's tree
_ENV_EXTRA = {"PYTHONDONTWRITEBYTECODE": "1"}


class Worker:
    """One running worker: wait for it with a deadline, or kill it."""

    def wait(self, timeout: float) -> Optional[int]:
        """The exit code (negative: the signal that killed it), or None if the deadline passed first."""
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError


class _SpawnedWorker(Worker):
    def __init__(self, request: Path, out: Path, stdout: Path, stderr: Path):
        self._status = out / EXIT_STATUS_FILE
        with open(stdout, "ab") as out, open(stderr, "ab") as err:
            self._process = subprocess.Popen(
                [*_WORKER, str(request)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env={**os.environ, **_ENV_EXTRA},
                start_new_session=os.name == "posix",
            )

    def wait(self, timeout: float) -> Optional[int]:
        deadline = time.monotonic() + timeout
        while (code := self._process.poll()) is None:
            if time.monotonic() >= deadline or _stopping.is_set():
                return None
            time.sleep(_POLL_SECONDS)
        try:  # the supervisor's own exit code is 0: the worker's is in the status file
            return int(self._status.read_text())
        except (OSError, ValueError):
            return code

    def kill(self) -> None:
        _end_supervisor(self._process.pid, lambda: self._process.poll() is None, fallback=self._process.kill)
        self._process.wait()


class _ForkedWorker(Worker):
    def __init__(self, supervisor_pid: int, out: Path):
        self._pid = supervisor_pid
        self._status = out / EXIT_STATUS_FILE

    def wait(self, timeout: float) -> Optional[int]:
        deadline = time.monotonic() + timeout
        while not self._status.exists():
            if time.monotonic() >= deadline or _stopping.is_set():
                return None
            time.sleep(_POLL_SECONDS)
        return int(self._status.read_text())

    def kill(self) -> None:
        _end_supervisor(self._pid, lambda: _running(self._pid))


#: set on Ctrl-C: every wait returns at once (as on a timeout), so the workers are ended now
_stopping = threading.Event()


def stop_all() -> None:
    """Interrupted: make every pending wait give up, so each file's processes are ended right away."""
    _stopping.set()


def resume() -> None:
    """A new run after an interrupted one: waits wait again."""
    _stopping.clear()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _end_supervisor(pid: int, running, fallback=None) -> None:
    """Ask the supervisor to end everything the file started (SIGTERM); kill its group if it does not."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + _SUPERVISOR_GRACE_SECONDS
    while running() and time.monotonic() < deadline:
        time.sleep(_POLL_SECONDS)
    _kill_group(pid, fallback=fallback)


class _ForkServer:
    """The fork server process, started on first use and shared by every thread of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: Optional[subprocess.Popen] = None
        self._owner = os.getpid()
        self._unusable = not sys.platform.startswith("linux")

    def start(self, request: Path, out: Path) -> Optional[Worker]:
        """A forked worker, or None when no fork server can run here (the caller spawns one instead)."""
        with self._lock:
            if self._unusable:
                return None
            try:
                server = self._running()
                server.stdin.write(f"{request}\n")
                server.stdin.flush()
                line = server.stdout.readline().strip()
                return _ForkedWorker(int(line), out)
            except (OSError, ValueError):
                self._unusable = True  # a fork server that failed once is not trusted again
                return None

    def _running(self) -> subprocess.Popen:
        if self._owner != os.getpid():  # this process was forked: the server's pipes belong to the parent
            self._process, self._owner = None, os.getpid()
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._process = subprocess.Popen(
            _FORK_SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=os.path.abspath(os.sep),
            env={**os.environ, **_ENV_EXTRA},
        )
        greeting = self._process.stdout.readline().strip()
        if greeting != "ready":
            self._process.kill()
            raise OSError(f"the fork server did not start: {greeting or 'no answer'}")
        atexit.register(_stop, self._process)
        return self._process


def _stop(server: subprocess.Popen) -> None:
    """End of stdin tells the fork server to exit; wait for it so no process outlives init-lint."""
    if _stopping.is_set():  # interrupted: its workers are already ended, and its own exit is slow
        server.kill()
        server.wait()
        return
    try:
        server.stdin.close()
        server.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        server.kill()


_fork_server = _ForkServer()


def start_worker(request: Path, out: Path, stdout: Path, stderr: Path, *, fork: bool = True) -> Worker:
    """Start a worker for `request`; `fork=False` forces a fresh interpreter."""
    worker = _fork_server.start(request, out) if fork else None
    return worker or _SpawnedWorker(request, out, stdout, stderr)


def _kill_group(pid: int, fallback=None) -> None:
    try:
        if os.name == "posix":
            os.killpg(pid, signal.SIGKILL)
        elif fallback is not None:
            fallback()
    except (ProcessLookupError, PermissionError):
        pass  # already gone
