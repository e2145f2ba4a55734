"""`init-lint explain PATH[:LINE]`: why each layer keeps the default, or what initializes it.

For every layer of the file (or the one built on LINE): the ways it is built (the models that
build its class, the call sites of the file that build the class, the branches of its
constructor that treat it differently), and for each parameter the verdict with its evidence:
the init calls and dispatches that write it (file:line), the way that leaves it at the default,
or the named reason the analysis stays silent.  Text for people, JSON for tests and tools.
This reads the same analysis as `check`: by default with the project around the file, as `check DIR`
and `check --project FILE` judge it (`explain_project`: for every parameter the project judges
again, its verdict and the named reason, which other file's code covers it), or the file alone
(`--per-file`, as flake8 judges it).  It never runs code.
"""

from __future__ import annotations

import json
import sys
from typing import Optional

import libcst as cst
from libcst.metadata import PositionProvider

from init_lint.analysis import FileAnalysis, analyze
from init_lint.analysis.coverage import table_level
from init_lint.analysis.values import PARAMS, LayerSite, Tri
from init_lint.rules._layers import describe

VERDICTS = {
    Tri.YES: "initialized",
    Tri.MAYBE: "unverified (code out of sight may initialize it; reported with --strict)",
    Tri.FORK: "keeps the default on some way (reported)",
    Tri.NO: "keeps the default (reported)",
}


def split_target(target: str) -> tuple[str, Optional[int]]:
    """`model.py:47` -> ("model.py", 47); a path without a line number -> (path, None)."""
    path, sep, line = target.rpartition(":")
    if sep and line.isdigit() and path:
        return path, int(line)
    return target, None


def explain_source(source: str, path: str, line: Optional[int] = None, project=None) -> list[dict]:
    """One record per layer of the file (or of the layers built on `line`).  `project`: (linked
    ProjectIndex, the file's module key in it, the project's root) to add the project's verdicts."""
    module = cst.parse_module(source)
    analysis = analyze(module, text=source)
    positions = cst.MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    records = explain_analysis(analysis, path, line, positions.get)
    if project is not None:
        from init_lint.explain_project import add_project_verdicts

        add_project_verdicts(records, explained_sites(analysis, line, positions.get), analysis, *project)
    return records


def explained_sites(analysis: FileAnalysis, line: Optional[int], position_of) -> list:
    """The layer sites explain lists, in its order: every one, or those whose call starts on `line`."""
    if line is None:
        return list(analysis.facts.sites)
    return [site for site in analysis.facts.sites
            if (position := position_of(site.call)) is not None and position.start.line == line]


def explain_analysis(analysis: FileAnalysis, path: str, line: Optional[int], position_of) -> list[dict]:
    """`explain_source` of an analysis already made (the language server's hover reads its own):
    `position_of(node)` gives a node's CodeRange, or None."""

    def where(node: cst.CSTNode) -> str:
        position = position_of(node)
        return f"{path}:{position.start.line}" if position is not None else path

    records = []
    for site in explained_sites(analysis, line, position_of):
        position = position_of(site.call)
        records.append(_record(site, position.start.line if position is not None else None, analysis, where))
    return records


def explained_nodes(analysis: FileAnalysis) -> list:
    """Every node `explain_analysis` asks the position of (to place them in one pass)."""
    nodes = [site.call for site in analysis.facts.sites]
    nodes += [call.node for call in analysis.facts.init_calls if call.node is not None]
    nodes += [event.node for event in analysis.facts.dispatches if event.node is not None]
    return nodes


def _record(site: LayerSite, line: Optional[int], analysis: FileAnalysis, where) -> dict:
    tree = analysis.tree
    record: dict = {
        "line": line,
        "layer": describe(site, analysis),
        "type": site.spec.name,
        "class": site.owner,
        "built_by": [],
        "call_sites": list(site.ways),
        "params": {},
    }
    params: dict = {}
    for param in PARAMS if site.classic else tuple(site.cover):
        if not site.needs(param):
            if site.classic:
                params[param] = {"verdict": "absent", "evidence": ["built without it (bias=False)"]}
            continue
        verdict = tree.verdict(site, param)
        for model in verdict.alternatives:
            if model not in record["built_by"]:
                record["built_by"].append(model)
        entry: dict = {"verdict": VERDICTS[verdict.level], "level": verdict.level.name, "evidence": [],
                       "branches": [{"when": label, "level": level.name} for label, level in site.branches.get(param, [])]}
        if verdict.why:
            entry["way"] = verdict.why
        entry["evidence"] = _evidence(site, param, analysis, where)
        if verdict.level == Tri.YES and not entry["evidence"]:
            entry["evidence"].append("covered by code the analysis follows (an inherited or framework init)")
        if verdict.level == Tri.MAYBE:
            entry["silent_because"] = _silence_reason(site, analysis)
            entry["evidence"].append(entry["silent_because"])
        if verdict.level < Tri.YES and verdict.models:
            entry["models"] = list(verdict.models)
        params[param] = entry
    record["params"] = params
    return record


def _evidence(site: LayerSite, param: str, analysis: FileAnalysis, where) -> list[str]:
    """The init calls and dispatches that write the parameter of this layer (or of its type, in a dispatch)."""
    found: list[str] = []
    for call in analysis.facts.init_calls:
        on_site = any(s is site for s in call.sites) and param in call.params
        if on_site:
            found.append(f"{where(call.node)} {call.function}{' (only on some way)' if call.level < Tri.YES else ''}")
    if site.skip_init:
        found.append("built with torch.nn.utils.skip_init (nothing drawn)")
    for event in analysis.facts.dispatches:
        level = table_level(event.coverage, site.spec, param)
        if level == Tri.NO or event.node is None:
            continue
        if any(s is site for s in analysis.tree.sites_under(event)):
            text = f"{where(event.node)} dispatch ({event.entry})"
            if min(level, event.level) < Tri.YES:
                text += f": {min(level, event.level).name.lower()}"
            if text not in found:
                found.append(text)
    return found


def _silence_reason(site: LayerSite, analysis: FileAnalysis) -> str:
    """The named reason the default mode stays silent on an unverified parameter."""
    if site.from_external_hook:
        return "built in a method a base class from elsewhere may call, then initialize"
    if site.type_from_default:
        return "its class is a default argument: the caller may pass another"
    if analysis.facts.over_budget and site.entry in analysis.facts.over_budget:
        return "the helpers it goes through exceed the analysis budget"
    if site.branches:
        return ("the branch that initializes it tests what was built (isinstance, hasattr, `is None`), "
                "which follows an earlier choice the analysis does not pair with it")
    return "handed to code out of sight (an unknown function, a base class from elsewhere) that may initialize it"


#: what a parameter ends with on one way of building, by level
_WAY_OUTCOME = {"YES": "initialized", "NO": "keeps the default", "FORK": "keeps the default on some way",
                "MAYBE": "maybe initialized out of sight"}


def render_text(records: list[dict]) -> str:
    """The records as indented text."""
    lines: list[str] = []
    for record in records:
        lines.append(f"line {record['line']}: {record['layer']} ({record['type']} in {record['class']})")
        if record["built_by"]:
            lines.append(f"  built by: {', '.join(record['built_by'])}")
        if record["call_sites"]:
            lines.append(f"  ways of building {record['class']}: {'; '.join(record['call_sites'])}")
        for param, entry in record["params"].items():
            lines.append(f"  {param}: {entry['verdict']}" + (f" {entry['way']}" if entry.get("way") else ""))
            for branch in entry.get("branches", ()):
                lines.append(f"    {branch['when']}: {_WAY_OUTCOME[branch['level']]}")
            for evidence in entry["evidence"]:
                lines.append(f"    {evidence}")
            project = entry.get("project")
            if project is not None and (project["differs"] or project["elsewhere"]):
                lines.append(f"    in the project: {project['verdict']}")
                for reason in project["reasons"]:
                    lines.append(f"      {reason}")
    return "\n".join(lines) + ("\n" if lines else "No layers found.\n")


def run(target: str, output_format: str = "text", stdout=None, settings=None, per_file: bool = False,
        cache: bool = True, jobs: int = 0, config_found: bool = False) -> int:
    """The subcommand: 0 when explained, 2 when the file cannot be read or parsed.  Unless `per_file`,
    the file is judged with its project around it (see `explain_project.project_root`), from the
    same project index as `check --project` (`cache`: kept in .init_lint_cache/ under the root)."""
    out = stdout or sys.stdout
    path, line = split_target(target)
    try:
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        project = None if per_file else _project_of(path, settings, cache, jobs, config_found)
        records = explain_source(source, path, line, project)
    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError) as error:
        print(f"init-lint: error: cannot explain {path}: {error}", file=sys.stderr)
        return 2
    if output_format == "json":
        json.dump(records, out, indent=2)
        out.write("\n")
    else:
        out.write(render_text(records))
    return 0


def _project_of(path: str, settings, cache: bool, jobs: int, config_found: bool) -> tuple:
    """(linked index, the file's key, the root): the project `check --project FILE` judges it in."""
    from init_lint.config import Settings
    from init_lint.explain_project import project_root
    from init_lint.files import discover
    from init_lint.project_run import project_index

    settings = settings or Settings()
    root = project_root(path, config_found, settings)
    index, module = project_index(path, settings, context=discover([root], settings), jobs=jobs,
                                  index_root=root if cache else None)
    return index, module, root
