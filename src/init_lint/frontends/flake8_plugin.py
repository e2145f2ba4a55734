"""The flake8 plugin: `flake8 --select INI` reports what `init-lint check` reports, at the same places.

flake8 runs a plugin only if it asks for `tree`, `logical_line` or `physical_line`, so this one
asks for `tree` although the analysis re-parses the text with libcst (it needs the concrete
syntax tree for positions and fixes).  flake8 already parsed the file with `ast` before calling
us: a file with a syntax error never gets here (flake8 reports E999 instead).  The INI900 that
can still come out of `check_source` means init-lint could not check a file that Python can
parse (libcst lacks a newer grammar, the file is over `max-file-size`, a bug): reported, so the
file is not silently passed.

Settings: the project's `[tool.init-lint]` (the nearest pyproject.toml that has one, as the CLI
finds it), then the plugin's own flake8 options on top, so a flake8-only project can set
everything in its flake8 config.  flake8 does not tell plugins about `--isolated`, so
`[tool.init-lint]` is read even then.
"""

from __future__ import annotations

import argparse
import functools
from pathlib import Path
from typing import Iterator, Optional

from init_lint import __version__
from init_lint.frontends._source import encode_as_declared

# Deliberately no libcst / init_lint.api import here: flake8 imports every plugin at start-up,
# also for `flake8 --version` and for projects without a line of PyTorch.

_STDIN_NAMES = ("stdin", "-", None)


class InitLintPlugin:
    name = "init-lint"
    version = __version__

    #: set by parse_options (in flake8's main process and again in each worker it starts)
    strict = False
    extra_layers: tuple = ()

    def __init__(self, tree: object, lines: list, filename: str) -> None:
        # `tree` is only what makes flake8 run us; the analysis needs libcst's tree, not ast's.
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager) -> None:
        manager.add_option(
            "--init-lint-strict", action="store_true", default=False, parse_from_config=True,
            help="init-lint: also report init delegated out of sight and every zero fill (as `init-lint --strict`)",
        )
        manager.add_option(
            "--init-lint-extra-layers", default="", parse_from_config=True, comma_separated_list=True,
            help="init-lint: the project's own layer classes as Name=TorchLayer, comma-separated "
                 "(e.g. MyLinear=Linear,pkg.layers.Conv=Conv2d)",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.strict = bool(options.init_lint_strict)
        cls.extra_layers = parse_extra_layers(options.init_lint_extra_layers)

    def run(self) -> Iterator[tuple]:
        try:
            findings = self._findings()
        except Exception as error:  # never a flake8 traceback: a bug in init-lint is reported on the file
            findings = [(1, 0, f"INI900 cannot check this file: internal error ({type(error).__name__}: {error}); "
                               f"please report it")]
        for line, column, text in findings:
            # flake8 adds 1 to the column itself; Finding.column is 0-based like ast's col_offset.
            yield line, column, text, type(self)

    def _findings(self) -> list:
        text = "".join(self.lines)
        settings_or_error = _settings_for(None if self.filename in _STDIN_NAMES else str(Path(self.filename).parent))
        if isinstance(settings_or_error, str):
            return [(1, 0, f"INI900 cannot check this file: {settings_or_error}")]
        settings = settings_or_error.with_overrides(
            strict=True if self.strict else None,
            extra_layers=_merge_layers(settings_or_error.extra_layers, self.extra_layers) if self.extra_layers
            else None,
        )
        if not _mentions_torch(text, settings.extra_layers):
            return []  # the cheap path: no libcst import, no parse
        from init_lint.checker import check_source_with_analysis

        data, _ = encode_as_declared(text)
        # a check generates no code: the lean tree (`lean_tree/`) gives libcst's findings for a third of the parse
        findings, _ = check_source_with_analysis(data, self.filename, settings, lean=True)
        return [(f.line, f.column, f"{f.code} {f.message}") for f in findings]


def parse_extra_layers(items: list) -> tuple:
    """`["MyLinear=Linear", ...]` -> `(("MyLinear", "Linear"), ...)`; a bad entry stops flake8 with its message."""
    from init_lint.catalogue import SITE_MODULES

    pairs = []
    for item in items or ():
        name, sep, layer = item.partition("=")
        name, layer = name.strip(), layer.strip()
        if not sep or not name or layer not in SITE_MODULES:
            from flake8.exceptions import ExecutionError

            raise ExecutionError(
                f"--init-lint-extra-layers: {item!r} is not Name=TorchLayer with a layer init-lint knows "
                f"(one of {', '.join(sorted(SITE_MODULES))})")
        pairs.append((name, layer))
    return tuple(sorted(pairs))


def _merge_layers(base: tuple, extra: tuple) -> tuple:
    merged = dict(base)
    merged.update(extra)  # flake8's option wins over [tool.init-lint] for the same class
    return tuple(sorted(merged.items()))


def _mentions_torch(text: str, extra_layers: tuple) -> bool:
    # The same test check_source applies before parsing; repeated here so that files without
    # PyTorch do not even import libcst (check_source would also run an ast syntax check).
    return "torch" in text or any(name.rsplit(".", 1)[-1] in text for name, _ in extra_layers)


@functools.lru_cache(maxsize=256)
def _settings_for(folder: Optional[str]):
    """The folder's `[tool.init-lint]` settings, or the configuration error as a string (cached per folder)."""
    from init_lint.config import ConfigError, Settings, find_pyproject, load_settings

    try:
        config = find_pyproject(Path(folder or "."))
        return load_settings(config) if config is not None else Settings()
    except ConfigError as error:
        return f"configuration error: {error}"
