"""Settings: `[tool.init-lint]` in pyproject.toml, overridden by the command line.

Rule selection works like ruff's: `select` and `ignore` take codes or code prefixes (`INI`,
`INI00`, `INI003`); the more specific of a matching select and ignore wins.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older Pythons only
    import tomli as tomllib

from init_lint.catalogue import SITE_MODULES

FIX_STYLES = ("explicit", "skip-init")
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", "build", "dist", "node_modules",
    ".init_lint_cache", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", ".ipynb_checkpoints",
)
#: the files a folder is searched for, as ruff's `include`: `include = ["*.py"]` leaves notebooks out
DEFAULT_INCLUDE = ("*.py", "*.pyi", "*.ipynb")
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024


class ConfigError(Exception):
    """A configuration that cannot be used: the message names the file and the key."""


@dataclass(frozen=True)
class Settings:
    select: tuple = ("INI",)
    ignore: tuple = ()
    extend_select: tuple = ()
    #: glob pattern -> codes ignored in matching files
    per_file_ignores: tuple = ()
    exclude: tuple = DEFAULT_EXCLUDE
    extend_exclude: tuple = ()
    include: tuple = DEFAULT_INCLUDE
    extend_include: tuple = ()
    strict: bool = False
    fix_style: str = "explicit"
    #: a project's own layer classes (qualified or class name) -> the torch layer they behave like
    extra_layers: tuple = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: [tool.init-lint.health] thresholds for `init-lint health`, as (key, value) pairs
    health: tuple = ()
    #: `check`'s output format when `--output-format` is not given (None: full at a terminal, else concise)
    output_format: Optional[str] = None
    #: the folder paths in per-file-ignores and exclude are relative to
    root: Optional[str] = None
    source: Optional[str] = field(default=None, compare=False)

    def is_enabled(self, code: str, path: Optional[str] = None) -> bool:
        selected = max((len(p) for p in self.select + self.extend_select if code.startswith(p)), default=-1)
        ignored = max((len(p) for p in self.ignore if code.startswith(p)), default=-1)
        if path is not None:
            for pattern, codes in self.per_file_ignores:
                if self._matches_file(path, pattern):
                    ignored = max([ignored] + [len(p) for p in codes if code.startswith(p)])
        return selected >= 0 and selected > ignored

    def is_excluded(self, path: str, base: Optional[str] = None) -> bool:
        """Whether a path found under the folder `base` (one the user named) is excluded.

        Patterns without a slash match a file or folder name below `base` (never the folders
        above it: naming a folder checks it); patterns with a slash match the path relative to
        the project root.
        """
        return any(self._matches(path, pattern, base) for pattern in self.exclude + self.extend_exclude)

    def is_included(self, path: str) -> bool:
        """Whether a file found in a folder is one to check: its name (or, with a slash, its path) matches."""
        return any(self._matches_file(path, pattern) for pattern in self.include + self.extend_include)

    def _matches(self, path: str, pattern: str, base: Optional[str] = None) -> bool:
        pattern = pattern.rstrip("/")
        if "/" not in pattern:
            below = _relative(path, base) if base is not None else path.replace(os.sep, "/")
            parts = [p for p in below.split("/") if p not in ("", ".")]
            return any(fnmatch.fnmatchcase(part, pattern) for part in parts)
        relative = _relative(path, self.root) if self.root is not None else path.replace(os.sep, "/")
        return fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(relative, pattern + "/*")

    def _matches_file(self, path: str, pattern: str) -> bool:
        relative = _relative(path, self.root) if self.root is not None else path.replace(os.sep, "/")
        name = relative.rsplit("/", 1)[-1]
        return fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(name, pattern)

    def extra_layer_map(self) -> dict:
        return dict(self.extra_layers)

    def with_overrides(self, **overrides) -> "Settings":
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _relative(path: str, base: str) -> str:
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(base))
    except ValueError:
        relative = path
    return relative.replace(os.sep, "/")


_KEYS = {
    "select", "ignore", "extend-select", "per-file-ignores", "exclude", "extend-exclude", "strict", "fix-style",
    "extra-layers", "max-file-size", "include", "extend-include", "health", "output-format",
}
#: [tool.init-lint.health]: key -> (field of health.flags.Thresholds, type)
HEALTH_KEYS = {"explosion-factor": ("explosion", float), "vanishing-factor": ("vanishing", float),
               "span": ("span", int), "dead-share": ("dead", float), "saturated-share": ("saturated", float)}


def find_pyproject(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml with a [tool.init-lint] table, from `start` upwards.

    A pyproject.toml that cannot be read or parsed is skipped unless it mentions init-lint (then
    it is an error naming the file: the user meant it for us).
    """
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in [folder, *folder.parents]:
        path = candidate / "pyproject.toml"
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            try:
                data = _parse_toml(text, path)
            except ConfigError:
                if "init-lint" in text:
                    raise
                continue
            tool = data.get("tool", {})
            if isinstance(tool, dict) and "init-lint" in tool:
                return path
    return None


def _parse_toml(text: str, path: object) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except (RecursionError, MemoryError):
        # tomllib parses nested arrays and inline tables recursively: absurd nesting is not a crash of ours
        raise ConfigError(f"{path}: invalid TOML: nested too deeply to read") from None


def load_settings(path: Optional[Path]) -> Settings:
    if path is None:
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    data = _parse_toml(text, path)
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    table = tool.get("init-lint", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.init-lint] must be a table")
    return settings_from_table(table, str(path), str(path.parent.resolve()))


def settings_from_table(table: dict, source: str, root: str) -> Settings:
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown key {unknown[0]!r} in [tool.init-lint] "
                          f"(known: {', '.join(sorted(_KEYS))})")
    settings = Settings(root=root, source=source)
    values: dict = {}
    for key in ("select", "ignore", "extend-select", "exclude", "extend-exclude", "include", "extend-include"):
        if key in table:
            values[key.replace("-", "_")] = tuple(_codes_or_strings(table[key], key, source))
    for key in ("select", "ignore", "extend-select"):
        codes = values.get(key.replace("-", "_"), ())
        for code in codes:
            validate_code_prefix(code, f"{source}: {key}")
        if codes:
            values[key.replace("-", "_")] = tuple("INI" if code == "ALL" else code for code in codes)
    if "per-file-ignores" in table:
        mapping = table["per-file-ignores"]
        if not isinstance(mapping, dict):
            raise ConfigError(f"{source}: per-file-ignores must be a table of pattern = [codes]")
        pairs = []
        for pattern, codes in mapping.items():
            codes = tuple(_codes_or_strings(codes, f"per-file-ignores.{pattern}", source))
            for code in codes:
                validate_code_prefix(code, f"{source}: per-file-ignores")
            pairs.append((pattern, codes))
        values["per_file_ignores"] = tuple(pairs)
    if "strict" in table:
        if not isinstance(table["strict"], bool):
            raise ConfigError(f"{source}: strict must be true or false")
        values["strict"] = table["strict"]
    if "fix-style" in table:
        if table["fix-style"] not in FIX_STYLES:
            raise ConfigError(f"{source}: fix-style must be one of {', '.join(FIX_STYLES)}")
        values["fix_style"] = table["fix-style"]
    if "max-file-size" in table:
        value = table["max-file-size"]
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{source}: max-file-size must be a positive number of bytes")
        values["max_file_size"] = table["max-file-size"]
    if "extra-layers" in table:
        mapping = table["extra-layers"]
        if not isinstance(mapping, dict):
            raise ConfigError(f"{source}: extra-layers must be a table of class = \"torch layer\"")
        for name, layer in mapping.items():
            if layer not in SITE_MODULES:
                raise ConfigError(f"{source}: extra-layers.{name}: {layer!r} is not a layer init-lint knows "
                                  f"(one of {', '.join(sorted(SITE_MODULES))})")
        values["extra_layers"] = tuple(sorted(mapping.items()))
    if "health" in table:
        values["health"] = _health_thresholds(table["health"], source)
    if "output-format" in table:
        from init_lint.output import FORMATS

        if table["output-format"] not in FORMATS:
            raise ConfigError(f"{source}: output-format must be one of {', '.join(FORMATS)} "
                              f"(got {table['output-format']!r})")
        values["output_format"] = table["output-format"]
    return replace(settings, **values)


def _health_thresholds(table: object, source: str) -> tuple:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.init-lint.health] must be a table")
    pairs = []
    for key, value in table.items():
        if key not in HEALTH_KEYS:
            raise ConfigError(f"{source}: unknown key {key!r} in [tool.init-lint.health] "
                              f"(known: {', '.join(HEALTH_KEYS)})")
        name, kind = HEALTH_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and isinstance(value, float)):
            raise ConfigError(f"{source}: health.{key} must be a{'n integer' if kind is int else ' number'}")
        pairs.append((name, kind(value)))
    return tuple(sorted(pairs))


def validate_code_prefix(code: str, where: str) -> None:
    from init_lint.rules import ALL_RULES

    if not any(rule.startswith(code) for rule in ALL_RULES) and code != "ALL":
        raise ConfigError(f"{where}: {code!r} selects no rule (rules: {', '.join(ALL_RULES)})")


def _codes_or_strings(value: object, key: str, source: str) -> list:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: {key} must be a list of strings")
    return [v.strip() for v in value]
