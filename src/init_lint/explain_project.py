"""`init-lint explain` with the project around the file: the project's verdict and its named reason.

`check DIR` (and `check --project FILE`) judge a layer the file alone reports again with every file
of the project: another file's model may build its class and initialize it, or a file importing the
class may hand it to code out of sight.  For each parameter the file alone judges through a model
(the ways `Finding.depends` carries), this adds what the project says (`project` in the record) and
why, walking the same solver `ProjectIndex.judge` asks: the class builds of other files (and the
class that builds it there), the builds through variables, the importers whose code could
initialize the type; or "reported: no code in the project could initialize it".
"""

from __future__ import annotations

import os
from typing import Optional

from init_lint.analysis.values import Tri

#: how far up the chain of builds the reasons are followed (each hop is one more file's class)
_MAX_DEPTH = 6
#: reasons shown per parameter (the first ones the walk meets; the verdict counts them all)
_MAX_REASONS = 6

PROJECT_VERDICTS = {
    Tri.YES: "not reported: the project initializes it on every way it is built",
    Tri.MAYBE: "not reported: code elsewhere in the project may initialize it (unverified; reported with --strict)",
    Tri.FORK: "reported: some way of building it in the project leaves it at the default",
    Tri.NO: "reported: no code in the project could initialize it",
}


def add_project_verdicts(records: list[dict], sites: list, analysis, index, module: Optional[str],
                         root: str) -> None:
    """Add `project` (verdict, level, reasons) to every parameter of `records` (one per site of
    `sites`, in order) that the project judges again, as `ProjectIndex.judge` does."""
    if module is None:
        return
    tree = analysis.tree
    names = _Names(index, root)
    for record, site in zip(records, sites):
        for param, entry in record["params"].items():
            if entry.get("verdict") == "absent":
                continue
            verdict = tree.verdict(site, param)
            if verdict.level == Tri.YES or not verdict.alternatives:
                continue
            key = (site.spec.name, param)
            ways = [list(way) for way in verdict.ways()]
            level = index.solver.worst(index.graph.builds(module, ways, key), key)
            project: dict = {"verdict": PROJECT_VERDICTS[level], "level": level.name, "reasons": []}
            if level >= Tri.MAYBE:
                project["reasons"] = _covering(index, module, ways, key, names)
            project["differs"] = level != verdict.level
            # other files import or build a class it is built through: the project had a say
            project["elsewhere"] = any((module, way[0]) in index.imported or (module, way[0]) in index.builders
                                       for way in ways)
            entry["project"] = project


class _Names:
    """Module keys as the paths a user reads (relative to the project's root)."""

    def __init__(self, index, root: str) -> None:
        self.paths = {}
        for path, key in index.paths.items():
            self.paths.setdefault(key, path)
        self.root = root

    def __call__(self, module: str) -> str:
        path = self.paths.get(module, module)
        try:
            relative = os.path.relpath(path, self.root)
        except ValueError:
            return path
        return path if relative.startswith("..") else relative


def _covering(index, module: str, ways: list, key: tuple, names: _Names) -> list[str]:
    """Why the project is silent: the builds, dispatches and importers that cover the ways the file
    alone leaves at the default."""
    from init_lint.analysis.solver import Way

    reasons: list[str] = []
    seen: set = set()
    for entry in ways:
        way = Way(*entry)
        if way.way == Tri.YES:
            continue
        _node_reasons(index, (module, way.model), key, names, reasons, seen, 0)
    if not reasons:
        reasons.append("covered by code the project's solver follows (an inherited or framework init)")
    return reasons[:_MAX_REASONS]


def _node_reasons(index, node: tuple, key: tuple, names: _Names, reasons: list, seen: set, depth: int) -> None:
    """The reasons class `node` is covered (as far as the solver says it is): who builds it and covers
    it, or, for a model nobody builds, what the rest of the project does with it."""
    from init_lint.project import table_ways

    if node in seen or depth > _MAX_DEPTH or len(reasons) >= _MAX_REASONS:
        return
    seen.add(node)
    solver = index.solver
    if solver.level(node, key) < Tri.MAYBE:
        return
    wanted = f"{key[0]}.{key[1]}"
    module, cls = node
    builders = index.builders.get(node, ())
    for importer, table in builders:
        builds = table_ways(table, wanted)
        if not builds:
            _add(reasons, f"{names(importer)} builds {cls} (from {names(module)}) in code whose init covers {wanted}")
            continue
        for model, way, _ in builds:
            if way >= Tri.MAYBE:  # (an int from the exported table: compared as a Tri)
                how = "initializes" if way == Tri.YES else "may initialize (unverified)"
                _add(reasons, f"{names(importer)}: {model} builds {cls} and its init {how} {wanted}")
            else:
                _node_reasons(index, (importer, model), key, names, reasons, seen, depth + 1)
    if builders:
        return
    # A model no class of the project builds: scripts and builds through variables, or importers.
    for importer, table in index.maybe_builders_of(node):
        builds = index.graph.builds(importer, table_ways(table, wanted), key)
        level = solver.worst(builds, key)
        if level >= Tri.MAYBE:
            how = "initializes" if level == Tri.YES else "may initialize (code out of sight on that way)"
            models = ", ".join(sorted({way[0] for way in table_ways(table, wanted)}))
            _add(reasons, f"{names(importer)} passes {cls} around and builds it through variables "
                          f"(in {models}), in code that {how} {wanted}")
            for model, way, _ in table_ways(table, wanted):
                if way < Tri.MAYBE:  # the cover comes from above that model: say what
                    _node_reasons(index, (importer, model), key, names, reasons, seen, depth + 1)
    own = Tri(index.graph.own_levels.get((node, key), Tri.NO))
    if own >= Tri.MAYBE:
        _add(reasons, f"{names(module)}: code outside any class initializes {cls}'s {wanted}")
    elif node in index.imported:
        found = index.importer_initializer(module, cls, *key)
        if found is not None:
            importer, what = found
            _add(reasons, f"{names(importer)} imports {cls} (directly or through a file that hands it on) "
                          f"and {what}")


def _add(reasons: list, text: str) -> None:
    if text not in reasons:
        reasons.append(text)


def project_root(path: str, config_found: bool, settings) -> str:
    """The project the file belongs to: the folder of its pyproject.toml (as `check --project FILE`
    takes it); without one, the import root of its package (the folder above its topmost package),
    so that `explain` on a file of a checkout judges it with the checkout, from any working folder."""
    if config_found and settings.root:
        return os.path.abspath(settings.root)
    from init_lint.module_location import locate_module

    found, _, _ = locate_module(os.path.abspath(path), {})
    return found or os.path.dirname(os.path.abspath(path))
