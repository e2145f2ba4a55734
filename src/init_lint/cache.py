"""A cache of check results keyed by file content, tool version and settings (like ruff's).

Lives in `.init_lint_cache/` next to the project's pyproject.toml (or the working folder), with a
`.gitignore` inside so it never gets committed.  A damaged entry is a cache miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Optional

from init_lint import __version__
from init_lint.config import Settings
from init_lint.diagnostics import Finding

CACHE_DIR = ".init_lint_cache"


class Cache:
    def __init__(self, root: str, settings: Settings) -> None:
        self.folder = os.path.join(root, CACHE_DIR, "v1")
        fingerprint = repr((__version__, _settings_key(settings))).encode()
        self.salt = hashlib.sha256(fingerprint).hexdigest()[:16]
        self._ignored = False

    def key(self, path: str, data: bytes) -> str:
        digest = hashlib.sha256()
        digest.update(self.salt.encode())
        digest.update(os.path.abspath(path).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str) -> Optional[tuple[list[Finding], Optional[dict]]]:
        try:
            with open(os.path.join(self.folder, key[:2], key), "r", encoding="utf-8") as handle:
                data = json.load(handle)
            return [Finding.from_dict(item) for item in data["findings"]], data.get("exports")
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, findings: list[Finding], exports: Optional[dict] = None) -> None:
        folder = os.path.join(self.folder, key[:2])
        try:
            os.makedirs(folder, exist_ok=True)
            if not self._ignored:
                _ensure_gitignore(os.path.dirname(self.folder))
                self._ignored = True
            temporary = os.path.join(folder, f".{key}.{os.getpid()}")
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump({"findings": [f.to_cache() for f in findings], "exports": exports}, handle)
            os.replace(temporary, os.path.join(folder, key))
        except OSError:
            pass


def _ensure_gitignore(cache_root: str) -> None:
    path = os.path.join(cache_root, ".gitignore")
    if not os.path.exists(path):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("# Automatically created by init-lint.\n*\n")


def _settings_key(settings: Settings) -> tuple:
    return (settings.select, settings.ignore, settings.extend_select, settings.per_file_ignores, settings.strict,
            settings.extra_layers, settings.max_file_size)
