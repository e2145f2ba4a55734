"""Where a file sits in Python's import system: the folder it is imported from and its dotted name.

One answer for every stage that needs it: project mode keys modules by it (so `exp1/model.py` and
`exp2/model.py`, outside any package, stay two modules), and `verify`/`health` run a file in a
child process as that module, with that folder first on `sys.path`.
"""

from __future__ import annotations

import os
from typing import NamedTuple, Optional, Union


class ModuleLocation(NamedTuple):
    """`package_root` goes on sys.path, `module` is the dotted name, `package` its package ('' at top level)."""

    package_root: str
    module: str
    package: str


def locate_module(path: Union[str, "os.PathLike[str]"], packages: Optional[dict] = None) -> ModuleLocation:
    """`(.../root, pkg.sub.mod, pkg.sub)` for `.../root/pkg/sub/mod.py`, walking up while folders are packages.

    The path is taken as spelled (made absolute, symbolic links not followed), as the import system
    sees it; a caller that wants the file's real place resolves the path first.  `packages`
    remembers, folder by folder, whether it holds an `__init__.py`: a project's files share their
    folders, so one stat per folder instead of one per file and level.
    """
    path = os.path.abspath(path)
    folder, filename = os.path.split(path)
    stem = os.path.splitext(filename)[0]
    is_package = stem == "__init__"  # __init__.py, or its stub __init__.pyi
    parts = [] if is_package else [stem]
    while _is_package(folder, packages):
        parent, name = os.path.split(folder)
        if not name:  # the filesystem's root
            break
        parts.insert(0, name)
        folder = parent
    if not parts:  # a bare __init__.py outside any package: its folder's name
        parts = [os.path.basename(os.path.dirname(path)) or stem]
    module = ".".join(parts)
    package = module if is_package else module.rpartition(".")[0]
    return ModuleLocation(folder, module, package)


def _is_package(folder: str, packages: Optional[dict]) -> bool:
    if packages is None:
        return os.path.isfile(os.path.join(folder, "__init__.py"))
    known = packages.get(folder)
    if known is None:
        known = packages[folder] = os.path.isfile(os.path.join(folder, "__init__.py"))
    return known
