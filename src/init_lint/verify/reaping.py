"""End every process that user code started while a file was verified, wherever it went.

Killing the worker's process group is not enough: user code can start a process in a session of
its own (`start_new_session=True`, a daemon's double fork), which leaves the group.  So the
supervisor of each worker (`child._supervise`) makes itself a *child subreaper*
(`PR_SET_CHILD_SUBREAPER`): an orphan anywhere below it is re-parented to it instead of to init,
and every process the file started stays its descendant, in any session or group.  After each
file (and on a timeout) it walks `/proc` for its descendants, kills them and reaps them until none
is left.  No cgroups, no privileges.  Where there is no `/proc` (not Linux) only the process group
is killed.
"""

from __future__ import annotations

import os
import signal
import sys
import time

_PR_SET_CHILD_SUBREAPER = 36
_PR_SET_PDEATHSIG = 1


def become_subreaper() -> bool:
    """Make orphans below this process its children (Linux); whether that worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc to ask
        return False


def die_with_parent(signum: int = signal.SIGTERM) -> None:
    """Get `signum` when the parent process ends (Linux), so a supervisor never outlives init-lint."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - no libc to ask
        pass


def _process_table() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state letter) of every process visible in /proc."""
    table = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return table
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                text = handle.read().decode("ascii", "replace")
        except OSError:
            continue  # gone meanwhile
        # the command name is in parentheses and may itself hold spaces or parentheses
        fields = text[text.rfind(")") + 2:].split()
        if len(fields) >= 2:
            table[int(entry)] = (int(fields[1]), fields[0])
    return table


def descendants(pid: int) -> list[int]:
    """The living (not zombie) processes below `pid`, parents before their children."""
    children: dict[int, list[int]] = {}
    table = _process_table()
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(0), ()):
            queue.append(child)
            if table[child][1] != "Z":
                found.append(child)
    return found


def reap_children() -> None:
    """Collect the exit status of every child that has ended (none is left a zombie)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def end_descendants(limit_seconds: float = 5.0) -> int:
    """Kill every process below this one, repeatedly (a dying parent hands its children over), and reap
    them; how many were killed.  Stopped first, so none can fork while its siblings are killed."""
    killed: set = set()
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        below = descendants(os.getpid())
        if not below:
            break
        for pid in below:
            _signal(pid, signal.SIGSTOP)
        for pid in below:
            _signal(pid, signal.SIGKILL)
            killed.add(pid)
        time.sleep(0.005)
        reap_children()
    reap_children()
    return len(killed)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
