"""The stable Python API: what the front ends (CLI, flake8, LSP, verifier) and users' scripts call."""

from __future__ import annotations

from typing import Iterable, Optional

from init_lint.checker import check_source as _check_source
from init_lint.config import Settings
from init_lint.diagnostics import Finding
from init_lint.fixes.apply import FixError, FixResult
from init_lint.fixes.apply import fix_source as _fix_source


def check_source(source: str | bytes, path: str = "<stdin>", settings: Optional[Settings] = None) -> list[Finding]:
    """Findings for one file's source (text or bytes in the file's own encoding), sorted by position."""
    return _check_source(source, path, settings)


def check_project(files: list[str], settings: Optional[Settings] = None, *, context: Iterable[str] = (),
                  jobs: int = 0, index_root: Optional[str] = None, sources: Optional[dict] = None) -> list[Finding]:
    """Findings of `files` in project mode: INI001 judged with `files` and `context` as the whole project.

    `context`: the project's other files (judged with, never reported).  `index_root`: the project's
    root, whose `.init_lint_cache/` keeps the project index between calls (None: nothing is written).
    `sources`: path -> bytes, the live text of some of `files` (an editor's buffer) instead of the disk.
    A path that does not exist is skipped; a file that cannot be read or parsed is an INI900 finding.
    """
    from init_lint.project_run import check_project as _check_project

    outcomes = _check_project(list(files), settings or Settings(), context=context, jobs=jobs, index_root=index_root,
                              sources=sources)
    return [finding for outcome in outcomes for finding in outcome.findings]


def fix_source(source: str | bytes, path: str = "<stdin>", settings: Optional[Settings] = None, *,
               unsafe: bool = False, style: Optional[str] = None, skip_constructor_draws: bool = False) -> FixResult:
    """Apply fixes to one file's source; `result.source` has the same type as `source` (str or bytes).

    Raises FixError when the fixed code would not parse (the input is then never changed).
    """
    result = _fix_source(source, path, settings, unsafe=unsafe, style=style,
                         skip_constructor_draws=skip_constructor_draws)
    if isinstance(source, str):
        result.source = result.source.decode("utf-8")
    return result


__all__ = ["Finding", "FixError", "FixResult", "Settings", "check_project", "check_source", "fix_source"]
