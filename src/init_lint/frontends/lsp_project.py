"""Project context for the language server: what the other files of the project do to a document's layers.

`init-lint check --project` judges INI001 across files (see `init_lint.project`): a block whose
layers another file's model initializes is not reported.  The editor does the same: the exports
of every file of the project (its folder of pyproject.toml, else the workspace folder) are loaded
once, in the background, with `init-lint check`'s own engine (its process pool and its on-disk
cache), and a saved file's entry is refreshed.  The open document takes part with its live text:
its own exports replace its entry on disk.

A saved file's new entry is written to the project index at most once every `WRITE_DELAY` seconds,
with whatever else was saved meanwhile: only the payloads of the files that changed are appended
(`index.py`), and the table of the whole index is replaced once per batch, not once per save.

A document's first check waits a little for its context (`CONTEXT_WAIT`: a small project loads
within it, so its first diagnostics are already right); after that, until the context is loaded,
the document is judged alone, as `init-lint check FILE` judges it, and judged again once it is.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Callable, Optional

from init_lint.config import Settings

log = logging.getLogger(__name__)

#: seconds a document's check waits for its project context to load
CONTEXT_WAIT = 3.0
#: seconds a saved file's index entry waits for the saves after it, to be written with them
WRITE_DELAY = 2.0


class ProjectContext:
    """One project's files and their exports; thread-safe."""

    def __init__(self, root: str, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self._exports: dict[str, Optional[dict]] = {}
        self._lock = threading.Lock()
        self._generation = 0
        self._linked: Optional[tuple] = None  # ((generation, path, own exports as JSON), ProjectIndex)
        self.ready = threading.Event()
        self.error: Optional[str] = None
        self._store = None  # the project index while saved files' entries wait to be written
        self._store_lock = threading.Lock()
        self._writer: Optional[threading.Timer] = None

    def load(self) -> None:
        """Every file's exports (in a background thread: minutes on a large project without cache)."""
        from init_lint.files import discover

        try:
            files = [os.path.abspath(f) for f in discover([self.root], self.settings)]
            exports = dict(self._run(files))
        except Exception as error:  # never lose the server over the context: judge files alone instead
            log.exception("loading the project context of %s failed", self.root)
            self.error = f"{type(error).__name__}: {error}"
            exports = {}
        with self._lock:
            self._exports = exports
            self._generation += 1
        self.ready.set()

    def wait(self, stale: Callable[[], bool]) -> None:
        """Wait up to CONTEXT_WAIT seconds for the context (less when the check becomes stale)."""
        for _ in range(int(CONTEXT_WAIT / 0.05)):
            if self.ready.wait(0.05) or stale():
                return

    def refresh(self, path: str, exports: Optional[dict] = None) -> None:
        """A saved file: its exports again, from disk (or as the editor, which has its text, gives them)."""
        path = os.path.abspath(path)
        if not self.ready.is_set() or not _inside(path, self.root):
            return
        exports = {path: exports} if exports is not None else dict(self._run([path], keep=True))
        with self._lock:
            self._exports.update(exports)
            self._generation += 1

    def _run(self, files: list, keep: bool = False):
        """(path, exports) of `files` from the project index; `keep`: the index stays open, written by
        `flush` after WRITE_DELAY with the other files saved meanwhile."""
        from init_lint.index import ProjectStore
        from init_lint.project_run import project_exports

        # Several processes: the files are analyzed beside the editor's checks, not in its interpreter
        # (whose lock the analysis would hold), and from the project index `init-lint check` keeps.
        jobs = max(2, (os.cpu_count() or 2) - 1)
        if not keep:
            found = project_exports(files, self.settings, jobs=jobs, index_root=self.root)
        else:
            with self._store_lock:
                if self._store is None:
                    self._store = ProjectStore(self.root, self.settings)
                found = project_exports(files, self.settings, jobs=jobs, store=self._store)
                if self._writer is None and self._store.dirty:
                    self._writer = threading.Timer(WRITE_DELAY, self.flush)
                    self._writer.daemon = True
                    self._writer.start()
        return [(os.path.abspath(path), exports) for path, exports in found]

    def flush(self) -> None:
        """Write the saved files' entries now (one append of their payloads, one table) and close the index."""
        with self._store_lock:
            store, self._store, self._writer = self._store, None, None
            if store is not None:
                try:
                    store.save()
                finally:
                    store.close()

    def exports_on_disk(self, path: str) -> Optional[dict]:
        with self._lock:
            return self._exports.get(os.path.abspath(path))

    def judge(self, path: str, findings: list, own_exports: Optional[dict]) -> list:
        """The findings as project mode reports them, `path`'s entry taken from the live document."""
        if not self.ready.is_set():
            return findings
        if not any(f.code == "INI001" and f.depends for f in findings):
            return findings
        index = self.linked(os.path.abspath(path), own_exports)
        judged = (index.judge(f, os.path.abspath(path), self.settings.strict) for f in findings)
        return [f for f in judged if f is not None]

    def linked(self, path: str, own_exports: Optional[dict]):
        """The project index linked with `path`'s entry taken from the live document (kept for the next ask)."""
        from init_lint.project import ProjectIndex

        with self._lock:
            key = (self._generation, path, json.dumps(own_exports, sort_keys=True, default=str))
            if self._linked is not None and self._linked[0] == key:
                return self._linked[1]
            index = ProjectIndex()
            for other, exports in self._exports.items():
                if other != path:
                    index.add(other, exports)
            index.add(path, own_exports)
            index.link()
            self._linked = (key, index)
            return index


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False


class Contexts:
    """The project context of each root, created when a document of it is first checked."""

    def __init__(self, on_loaded: Callable[[ProjectContext], None]) -> None:
        self._contexts: dict[tuple, ProjectContext] = {}
        self._lock = threading.Lock()
        self._on_loaded = on_loaded
        self.folders: list[str] = []  # the workspace folders, for documents without a pyproject.toml

    def root_of(self, path: Optional[str], settings: Settings) -> Optional[str]:
        if path is None:
            return None
        path = os.path.abspath(path)
        if settings.root is not None and _inside(path, os.path.abspath(settings.root)):
            return os.path.abspath(settings.root)
        inside = [os.path.abspath(f) for f in self.folders if _inside(path, os.path.abspath(f))]
        return max(inside, key=len) if inside else None

    def for_document(self, path: Optional[str], settings: Settings) -> Optional[ProjectContext]:
        root = self.root_of(path, settings)
        if root is None:
            return None
        key = (root, settings)
        with self._lock:
            context = self._contexts.get(key)
            if context is None:
                context = self._contexts[key] = ProjectContext(root, settings)
                threading.Thread(target=self._load, args=(context,), name="init-lint-project", daemon=True).start()
        return context

    def _load(self, context: ProjectContext) -> None:
        context.load()
        self._on_loaded(context)

    def flush(self) -> None:
        """Write every context's waiting index entries now (the server is shutting down)."""
        with self._lock:
            contexts = list(self._contexts.values())
        for context in contexts:
            context.flush()

    def saved(self, path: str, exports: Optional[dict] = None, settings: Optional[Settings] = None) -> list:
        """Refresh the saved file in every loaded context holding it; the contexts refreshed.

        `exports` (made under `settings`): the file's exports when the editor has them for the saved
        text, so that it need not be checked again.
        """
        with self._lock:
            contexts = list(self._contexts.values())
        refreshed = []
        for context in contexts:
            if context.ready.is_set() and _inside(os.path.abspath(path), context.root):
                context.refresh(path, exports if settings == context.settings else None)
                refreshed.append(context)
        return refreshed
