"""Run checks and fixes over many files: one outcome per file, streamed, in parallel when it pays.

Every failure is contained to its file: it becomes an INI900 finding or an error line, and the
other files are still checked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Iterator, Optional

from init_lint.cache import Cache
from init_lint.checker import (check_file_source, check_source_with_analysis, check_without_torch, fix_and_recheck,
                               mentions_torch, unparsable)
from init_lint.config import Settings
from init_lint.diagnostics import Finding
from init_lint.files import (AlreadyWritten, MissingFile, ReadError, Snapshot, WriteError, clean_stale_temporaries,
                             is_inside, read_source, write_fix)
from init_lint.fastscan import quick_scan
from init_lint.project import file_exports, import_only_exports

#: below this many files a process pool costs more than it saves
POOL_THRESHOLD = 8


@dataclass(frozen=True)
class Mode:
    fix: bool = False
    diff: bool = False
    unsafe: bool = False
    style: Optional[str] = None
    #: project mode, first pass: report what the file exports for the other files
    exports: bool = False
    #: project mode, fixing: only the findings that survived the project-wide judgement, by position
    keep: Optional[frozenset] = None
    #: the paths the user named: a fix never follows a symlink out of them (empty: no such limit)
    roots: tuple = ()


@dataclass
class FileOutcome:
    path: str
    findings: list = field(default_factory=list)
    fixed: int = 0
    error: Optional[str] = None
    diff: str = ""
    refused: list = field(default_factory=list)
    exports: Optional[dict] = None
    #: the findings the fix removed (for --show-fixes)
    fixes: list = field(default_factory=list)
    #: what the file was when it was read (None when it could not be read): the project index's key
    snapshot: Optional[Snapshot] = None


def process(path: str, settings: Settings, mode: Mode, cache: Optional[Cache] = None) -> FileOutcome:
    try:
        data, snapshot = read_source(path, settings.max_file_size)
    except MissingFile as error:
        # Not a finding about a file: the path is wrong (or the file went away during the run).
        return FileOutcome(path, error=f"{path}: {error}")
    except ReadError as error:
        return FileOutcome(path, [unparsable(path, str(error))])
    try:
        if mode.fix or mode.diff:
            return _fix(path, data, settings, mode, snapshot)
        if path.endswith(".ipynb"):
            from init_lint.notebooks.engine import process_notebook

            outcome = process_notebook(path, data, settings, mode, cache)
            outcome.snapshot = snapshot
            return outcome
        findings, exports = _check(path, data, settings, cache, mode.exports)
        return FileOutcome(path, findings, exports=exports, snapshot=snapshot)
    except RecursionError:
        return FileOutcome(path, [unparsable(path, "too deeply nested to analyze")])
    except Exception as error:  # a bug in init-lint: report it on this file, keep going with the others
        return FileOutcome(path, [unparsable(path, f"internal error ({type(error).__name__}: {error}); "
                                                   f"please report it")])


def _check(path: str, data: bytes, settings: Settings, cache: Optional[Cache],
           with_exports: bool = False) -> tuple[list[Finding], Optional[dict]]:
    key = cache.key(path, data) if cache is not None else None
    if key is not None:
        cached = cache.get(key, path)
        if cached is not None and (cached[1] is not None or not with_exports):
            return cached
    torch = mentions_torch(data, settings)
    quick, tree = quick_scan(data, settings) if torch else (None, None)
    if quick is not None:  # it cannot hold a layer or an init: no finding, and only its imports matter
        findings, exports = [], quick if with_exports else None
    elif not torch:  # one parse by Python: its syntax errors, and its imports for project mode
        findings, tree = check_without_torch(data, path, settings)
        exports = import_only_exports(data, tree) if with_exports else None
    else:
        found, analysis = check_source_with_analysis(data, path, settings, lean=True, tree=tree)
        findings = [_plain(f) for f in found]
        exports = None
        if with_exports:
            exports = file_exports(analysis) if analysis is not None else import_only_exports(data)
    if key is not None:
        cache.put(key, findings, exports)
    return findings, exports


def _fix(path: str, data: bytes, settings: Settings, mode: Mode, snapshot: Optional[Snapshot] = None) -> FileOutcome:
    """Fix one file (a .py file or a notebook) through the checker's one fix path, then write or diff it."""
    if mode.fix and not mode.diff and (not mode.roots or is_inside(path, mode.roots)):
        # a killed run's temporaries go on the next --fix of the folder, whether or not it writes there
        clean_stale_temporaries(os.path.dirname(os.path.realpath(path)))
    result = fix_and_recheck(data, path, settings, unsafe=mode.unsafe, style=mode.style, keep=mode.keep,
                             diff=mode.diff)
    outcome = FileOutcome(path, [_plain(f) for f in result.remaining], len(result.fixed), error=result.error,
                          refused=[(_plain(f), why) for f, why in result.refused],
                          fixes=[_plain(f) for f in result.fixed])
    if not result.fixed:
        return outcome
    if mode.diff:
        outcome.diff = result.diff
        outcome.findings = [_plain(f) for f in check_file_source(data, path, settings)]
        return outcome
    try:
        write_fix(path, result.source, snapshot, mode.roots)
    except AlreadyWritten:
        outcome.fixed = 0  # another path to the same file (a symlink) wrote these very fixes
    except WriteError as error:
        outcome.error = str(error)
        outcome.findings = [_plain(f) for f in check_file_source(data, path, settings)]
        outcome.fixed = 0
        outcome.fixes = []
    return outcome


def _plain(finding: Finding) -> Finding:
    """The finding without its fix plan (which holds syntax trees: large, and not picklable cheaply)."""
    return dataclasses.replace(finding, plan=None)


def _worker(chunk: list) -> list[FileOutcome]:
    outcomes = []
    for path, settings, mode, cache_root in chunk:
        cache = Cache(cache_root, settings) if cache_root is not None else None
        outcomes.append(process(path, settings, mode, cache))
    return outcomes


def worker_count(jobs: int, files: int) -> int:
    """Processes worth starting: never more than the files, nor than the cores (whatever was asked)."""
    cores = os.cpu_count() or 1
    return max(1, min(jobs or cores, cores, files))


#: the garbage collector's thresholds while files are checked (Python's default: 700, 10, 10)
GC_THRESHOLDS = (50_000, 10, 10)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while files are checked.

    A syntax tree is hundreds of thousands of objects that live until the file is done and hold no
    cycles (reference counting frees them), yet with Python's default thresholds the collector runs
    every 700 allocations and, now and then, walks every live object: 8-10% of a check.  Cycles are
    still collected, every 50,000 allocations."""
    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def _start_worker(parent: int) -> None:
    """In each pool worker: die with the parent, leave Ctrl-C to it (it stops the pool at once), and
    collect garbage less often (`_fewer_collections`)."""
    gc.set_threshold(*GC_THRESHOLDS)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            # PR_SET_PDEATHSIG: SIGTERM when the parent dies (a write in progress still completes).
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no libc to ask
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Interrupted: end the workers now instead of waiting for the files they hold."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        try:
            process.terminate()  # SIGTERM: a worker writing a file finishes that write first
        except (OSError, AttributeError):
            pass
    for process in processes:
        process.join(timeout=2)
    # With its workers gone the pool's manager thread marks the futures left as broken and ends at
    # once; waiting for it here keeps the interpreter's exit from tripping over its pipes.  (Futures
    # are not cancelled first: the manager thread would fail to mark a cancelled one.)
    pool.shutdown(wait=True)


@contextlib.contextmanager
def _noticing_interrupts() -> Iterator[list]:
    """Record every SIGINT (and still raise KeyboardInterrupt), so none can be swallowed unseen."""
    seen: list = []
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield seen
        return

    def interrupt(signum, frame):
        seen.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def run(paths: list[str], settings: Settings, mode: Mode, jobs: int = 0,
        cache_root: Optional[str] = None, keep: Optional[dict] = None) -> Iterator[FileOutcome]:
    """Outcomes in the order of `paths`, computed by `jobs` processes (0: one per core).

    `keep` (project mode) maps a path to the positions of the findings its fix may touch.
    """
    jobs = worker_count(jobs, len(paths))
    modes = [dataclasses.replace(mode, keep=keep[p]) if keep is not None else mode for p in paths]
    if jobs <= 1 or len(paths) < POOL_THRESHOLD:
        cache = Cache(cache_root, settings) if cache_root is not None else None
        with _noticing_interrupts() as interrupted, _fewer_collections():
            for path, path_mode in zip(paths, modes):
                outcome = process(path, settings, path_mode, cache)
                if interrupted:
                    # Ctrl-C hit code that turned it into another error (libcst's position recorder
                    # raises KeyError from a `finally`): the run stops all the same.
                    raise KeyboardInterrupt
                yield outcome
        return
    chunk = max(1, min(16, len(paths) // (jobs * 4)))
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(os.getpid(),))
    items = [(p, settings, m, cache_root) for p, m in zip(paths, modes)]
    try:
        futures = [pool.submit(_worker, items[i:i + chunk]) for i in range(0, len(items), chunk)]
        for future in futures:
            yield from future.result()
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)
