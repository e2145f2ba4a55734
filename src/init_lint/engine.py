"""Run checks and fixes over many files: one outcome per file, streamed, in parallel when it pays.

Every failure is contained to its file: it becomes an INI900 finding or an error line, and the
other files are still checked.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Iterator, Optional

from init_lint.cache import Cache
from init_lint.checker import check_source, check_source_with_analysis, unparsable
from init_lint.config import Settings
from init_lint.diagnostics import Finding
from init_lint.files import WriteError, read, write_atomically
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


def process(path: str, settings: Settings, mode: Mode, cache: Optional[Cache] = None) -> FileOutcome:
    try:
        data = read(path)
    except IsADirectoryError:
        return FileOutcome(path, [unparsable(path, "is a folder, not a file")])
    except FileNotFoundError:
        return FileOutcome(path, [unparsable(path, "no such file")])
    except OSError as error:
        return FileOutcome(path, [unparsable(path, f"cannot read: {error.strerror or error}")])
    try:
        if path.endswith(".ipynb"):
            from init_lint.notebooks.engine import process_notebook

            return process_notebook(path, data, settings, mode, cache)
        if mode.fix or mode.diff:
            return _fix(path, data, settings, mode)
        findings, exports = _check(path, data, settings, cache, mode.exports)
        return FileOutcome(path, findings, exports=exports)
    except RecursionError:
        return FileOutcome(path, [unparsable(path, "too deeply nested to analyze")])
    except Exception as error:  # a bug in init-lint: report it on this file, keep going with the others
        return FileOutcome(path, [unparsable(path, f"internal error ({type(error).__name__}: {error}); "
                                                   f"please report it")])


def _check(path: str, data: bytes, settings: Settings, cache: Optional[Cache],
           with_exports: bool = False) -> tuple[list[Finding], Optional[dict]]:
    key = cache.key(path, data) if cache is not None else None
    if key is not None:
        cached = cache.get(key)
        if cached is not None and (cached[1] is not None or not with_exports):
            return cached
    found, analysis = check_source_with_analysis(data, path, settings)
    findings = [_plain(f) for f in found]
    exports = None
    if with_exports:
        exports = file_exports(analysis) if analysis is not None else import_only_exports(data)
    if key is not None:
        cache.put(key, findings, exports)
    return findings, exports


def _fix(path: str, data: bytes, settings: Settings, mode: Mode) -> FileOutcome:
    from init_lint.fixes.apply import FixError, fix_source

    try:
        result = fix_source(data, path, settings, unsafe=mode.unsafe, style=mode.style, keep=mode.keep)
    except FixError as error:
        return FileOutcome(path, [_plain(f) for f in check_source(data, path, settings)], error=str(error))
    outcome = FileOutcome(path, [_plain(f) for f in result.remaining], len(result.fixed),
                          refused=[(_plain(f), why) for f, why in result.refused],
                          fixes=[_plain(f) for f in result.fixed])
    if not result.fixed:
        return outcome
    if mode.diff:
        outcome.diff = unified_diff(path, data, result.source)
        outcome.findings = [_plain(f) for f in check_source(data, path, settings)]
        outcome.fixed = len(result.fixed)
        return outcome
    try:
        write_atomically(path, result.source)
    except WriteError as error:
        outcome.error = str(error)
        outcome.findings = [_plain(f) for f in check_source(data, path, settings)]
        outcome.fixed = 0
        outcome.fixes = []
    return outcome


def unified_diff(path: str, before: bytes, after: bytes) -> str:
    old = before.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    new = after.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, fromfile=path, tofile=path))


def _plain(finding: Finding) -> Finding:
    """The finding without its fix plan (which holds syntax trees: large, and not picklable cheaply)."""
    return dataclasses.replace(finding, plan=None)


def _worker(args: tuple) -> FileOutcome:
    path, settings, mode, cache_root = args
    cache = Cache(cache_root, settings) if cache_root is not None else None
    return process(path, settings, mode, cache)


def run(paths: list[str], settings: Settings, mode: Mode, jobs: int = 0,
        cache_root: Optional[str] = None, keep: Optional[dict] = None) -> Iterator[FileOutcome]:
    """Outcomes in the order of `paths`, computed by `jobs` processes (0: one per core).

    `keep` (project mode) maps a path to the positions of the findings its fix may touch.
    """
    jobs = jobs or os.cpu_count() or 1
    modes = [dataclasses.replace(mode, keep=keep[p]) if keep is not None else mode for p in paths]
    if jobs <= 1 or len(paths) < POOL_THRESHOLD:
        cache = Cache(cache_root, settings) if cache_root is not None else None
        for path, path_mode in zip(paths, modes):
            yield process(path, settings, path_mode, cache)
        return
    chunk = max(1, min(16, len(paths) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_worker, [(p, settings, m, cache_root) for p, m in zip(paths, modes)], chunksize=chunk)
