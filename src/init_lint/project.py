"""Project mode: follow init across the files of one source tree.

Most layers are initialized far from where they are built: a block in `layers/mlp.py` gets its
init from the model in `models/vit.py` that builds it and runs `self.apply(self._init_weights)`.
Each file is still analyzed alone (in parallel, cached); besides its findings it exports what it
defines, what it imports, and, for every class of another file it builds, what its own init
does to that class's layers.  This module resolves those imports across the tree and drops the
INI001 findings that some other file's model covers in every way it builds the layer: the
coverage solver (`analysis/solver.py`) answers over every file's models (`ProjectGraph`).
"""

from __future__ import annotations

import ast
import dataclasses
import os
from collections import Counter
from typing import TYPE_CHECKING, Iterable, Optional

from init_lint.diagnostics import Finding
from init_lint.module_location import locate_module

if TYPE_CHECKING:  # the analysis pulls in libcst, which a run over files without torch never needs
    from init_lint.analysis import FileAnalysis
    from init_lint.analysis.values import Tri

_MAX_HOPS = 8


class ProjectGraph:
    """The models of every file as the solver sees them, keyed by (module key, class): another file's
    builds of a model are its class builds (each way of a build, from that file's `way_table`), and a
    model no file builds gets what its own file gives it (`own_levels`), the builds through
    variables that may build it, and a doubt where an importer could initialize it out of sight.
    A key is (layer type, parameter)."""

    def __init__(self, index: "ProjectIndex") -> None:
        self.index = index
        #: (model, key) -> what the model's own file gives it (the `own` of the ways that lead to it)
        self.own_levels: dict = {}

    def builds(self, module: str, ways: list, key: tuple) -> list:
        """A way table's entries (`[model, way, own]` of `module`) as alternative builds."""
        from init_lint.analysis.solver import Build, Way  # lazily: see the imports above
        from init_lint.analysis.values import Tri

        found = []
        for entry in ways:
            way = Way(*entry)
            parent = (module, way.model)
            self.own_levels.setdefault((parent, key), way.own)
            found.append(Build(parent, Tri(way.way)))
        return found

    def class_builds(self, node: tuple, key: tuple) -> Iterable:
        from init_lint.analysis.solver import Build  # lazily: see the imports above
        from init_lint.analysis.values import Tri

        for importer, ways in self.index.builders.get(node, ()):
            # A build with no ways is covered whatever builds its builder: a build all the same.
            yield from self.builds(importer, table_ways(ways, f"{key[0]}.{key[1]}"), key) or [Build(None, Tri.YES)]

    def other_builds(self, node: tuple, key: tuple) -> Iterable:
        from init_lint.analysis.solver import Group  # lazily: see the imports above

        # Only built through variables (`block_fn(...)`): those builds can only add coverage.
        for importer, ways in self.index.maybe_builders_of(node):
            yield Group(tuple(self.builds(importer, table_ways(ways, f"{key[0]}.{key[1]}"), key)))

    def base(self, node: tuple, key: tuple) -> Tri:
        from init_lint.analysis.values import Tri  # lazily: see the imports above

        level = Tri(self.own_levels.get((node, key), Tri.NO))
        if level < Tri.MAYBE and node in self.index.imported and self.index._importer_may_initialize(*node, *key):
            # Imported elsewhere, yet no build of it can be followed (factories, registries):
            # whoever builds it may initialize it; unverified.
            level = Tri.MAYBE
        return level


def file_exports(analysis: FileAnalysis) -> dict:
    """What other files need to know about this one (plain data: it travels between processes)."""
    builds = []
    # Builds by module-level functions (factories like `create_attn`) are not models: whoever calls the
    # factory decides, so they do not count as a way the class is built.
    # Builds in a method of the instance run after construction (`def to_vit(self): v = ViT(...);
    # v.load_state_dict(...)`) make a model of its own, not a child: the class stays a model its users build.
    # (A classmethod's builds, `ASRTask.build_model`, are the factory's: they count.)
    for build in (b for b in analysis.tree.external_builds
                  if b.parent is not None and not _built_after_construction(analysis, b)):
        exported = analysis.tree.exported_build(build)
        builds.append([build.external, way_table(exported)])
    maybe = [way_table(exported) for exported in analysis.tree.exported_unknown_builds()]
    exports = {
        "classes": sorted(info.name for info in analysis.classes.modules()),
        "bindings": {name: target for name, target in analysis.imports.bindings.items() if not target.startswith("<")},
        "builds": builds,
        "refs": sorted(analysis.facts.external_refs),
        "maybe_builds": maybe,
        "local_refs": sorted(analysis.facts.class_refs),
        "init_types": _init_types(analysis),
        "opaque": _opaque(analysis),
        "factories": _factories(analysis),
    }
    if analysis.facts.class_handoffs:  # (absent when empty: the fast path's exports have no such key)
        exports["handoffs"] = {name: sorted(targets) for name, targets in sorted(analysis.facts.class_handoffs.items())}
    return exports


def _built_after_construction(analysis: FileAnalysis, build) -> bool:
    """Whether `build` happens in an instance method of its parent that construction does not run."""
    if build.entry == f"{build.parent}.__init__":
        return False
    info = analysis.classes.get(build.parent)
    found = analysis.classes.find_method(info, build.entry.rsplit(".", 1)[-1]) if info is not None else None
    if found is None:
        return False
    names = {getattr(d.decorator, "value", None) for d in found[1].decorators}
    return not names & {"classmethod", "staticmethod"}


def _init_types(analysis: FileAnalysis) -> list:
    """`Spec.param` for every layer type and parameter some code of the file writes on every way: the
    only types it could initialize in a module it imports, besides what it hands out of sight (`opaque`)."""
    from init_lint.analysis.values import Tri  # lazily: see the imports above

    found = set()
    for event in analysis.facts.dispatches:
        levels = {level for params in event.coverage.values() for level in params.values()}
        if levels == {Tri.MAYBE}:
            continue  # code out of sight that may initialize anything: `_opaque` names it
        if getattr(event, "local", False):
            continue  # on a module the file builds itself: that build's ways say it (`builds`)
        for spec, params in event.coverage.items():
            # A dispatch run only on some way (`if weights: model.load_state_dict(...)`) leaves the others.
            found.update(f"{spec}.{param}" for param, level in params.items() if min(level, event.level) > Tri.FORK)
    return sorted(found)


def _opaque(analysis: FileAnalysis) -> list:
    """The callables modules were handed to, and "?" for other code out of sight that may initialize
    every type (an `apply` of an unknown function, a method of a base class from elsewhere)."""
    from init_lint.analysis.values import Tri  # lazily: see the imports above

    found = set(analysis.facts.opaque_calls)
    # (A value handed to a callable escapes without a node: `opaque_calls` has its callee already.)
    # A dispatch run on one way only (`if args.pretrained is not None: self.load_pretrained(...)`) leaves the others.
    if any(event.node is not None and event.level > Tri.FORK
           and {level for params in event.coverage.values() for level in params.values()} == {Tri.MAYBE}
           for event in analysis.facts.dispatches):
        found.add("?")
    return sorted(found)


def _factories(analysis: FileAnalysis) -> dict:
    """Module-level functions that build a module class of the file (`def decoder_for(...): return
    Decoder(...)`): another file that imports one may build the class through it."""
    found: dict = {}
    for build in analysis.facts.builds:
        if build.parent is None and build.child is not None and build.entry.startswith("<function "):
            found.setdefault(build.entry[len("<function "):-1], set()).add(build.child)
    return {name: sorted(classes) for name, classes in sorted(found.items())}


def way_table(exported: dict) -> dict:
    """`"Linear.weight"` -> the ways (`Way`s as `[model, way, model's own coverage]`), written compactly.

    A build's ways are usually the same for every layer type and parameter (nothing in the builder
    initializes one type more than another): the most common list is stored once under `"*"` and
    only the keys that differ are listed.  A key absent with no `"*"` has no ways (covered).
    """
    counts = Counter(exported.values())  # tuples of `Way`s: equal exactly when their JSON is
    if not counts:
        return {}
    common = counts.most_common(1)[0][0]
    compact = {"*": [list(way) for way in common]} if common else {}
    compact.update((f"{spec}.{param}", [list(way) for way in ways])
                   for (spec, param), ways in exported.items() if ways != common)
    return compact


def table_ways(table: dict, key: str) -> list:
    """The ways of `key` (`"Linear.weight"`) in a table `way_table` wrote."""
    ways = table.get(key)
    return ways if ways is not None else table.get("*", [])


def import_only_exports(data: bytes, tree: Optional[ast.Module] = None) -> Optional[dict]:
    """For a file that never mentions torch (a package's `__init__.py`): just what it re-exports.
    `tree`: Python's tree of `data`, when the caller has it."""
    if tree is None:
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    bindings: dict = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            prefix = "." * node.level + (node.module or "")
            for alias in node.names:
                if alias.name == "*":
                    bindings[f"*{len(bindings)}"] = prefix
                    continue
                target = f"{prefix}.{alias.name}" if node.module else f"{prefix}{alias.name}"
                bindings[alias.asname or alias.name] = target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bindings[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
    return {"classes": [], "bindings": bindings, "builds": [], "refs": [], "maybe_builds": [], "local_refs": [],
            "init_types": [], "opaque": [], "factories": {}}


class ProjectIndex:
    """Modules are identified by their import root and dotted name together: `exp1/model.py` and
    `exp2/model.py` (folders without `__init__.py`) are two modules both named `model`, and an
    import resolves to the one in the importer's own root (where Python would find it)."""

    def __init__(self) -> None:
        #: module key (root and dotted name) -> what the file exports
        self.modules: dict[str, dict] = {}
        self.paths: dict[str, str] = {}
        #: dotted name -> the keys of the modules with that name
        self.named: dict[str, list] = {}
        self.dotted: dict[str, str] = {}
        self.roots: dict[str, str] = {}
        #: the keys of packages (`__init__.py` files)
        self.packages: set = set()
        self.builders: dict[tuple, list] = {}
        #: classes another file passes around as a value, with that file's builds through variables
        self.maybe_builders: dict[tuple, list] = {}
        #: class -> the modules whose builds through variables may build it (see maybe_builders_of)
        self._maybe_sources: dict[tuple, list] = {}
        #: classes other files import: used in ways that may not show as a build
        self.imported: set = set()
        #: class -> the modules that import it; module -> the modules that import something from it
        self.importers: dict = {}
        self.module_importers: dict = {}
        from init_lint.analysis.solver import Solver  # lazily: see the imports above

        self.graph = ProjectGraph(self)
        self.solver = Solver(self.graph)
        self._package_folders: dict = {}
        #: module key -> its `resolution` (what `link` used)
        self.resolved: dict = {}

    def add(self, path: str, exports: Optional[dict]) -> None:
        if exports is None:
            return
        root, name, _ = locate_module(path, self._package_folders)
        key = f"{root}{os.sep}:{name}"
        if key in self.modules:  # the same file under two spellings (a symlink): judged once
            self.paths[path] = key
            return
        self.modules[key] = exports
        self.paths[path] = key
        self.named.setdefault(name, []).append(key)
        self.dotted[key] = name
        self.roots[key] = root
        if os.path.basename(path) == "__init__.py":
            self.packages.add(key)

    def find(self, dotted: str, importer: str) -> Optional[str]:
        """The key of module `dotted` as `importer` (a key) imports it; None when none or not one."""
        keys = self.named.get(dotted)
        if not keys:
            return None
        if len(keys) == 1:
            return keys[0]
        own = [k for k in keys if self.roots[k] == self.roots.get(importer)]
        return own[0] if len(own) == 1 else None

    def link(self, known: Optional[dict] = None) -> None:
        """Resolve every exported build to the class it builds.

        `known` maps a module key to its `resolution` from an earlier run, valid while no module's
        name, classes or imports changed (the project index keeps them): those are not resolved again.
        """
        for importer, exports in self.modules.items():
            resolution = known.get(importer) if known else None
            if resolution is None:
                resolution = self.resolution(importer)
            self.resolved[importer] = resolution
            for (target, ways), found in zip(exports.get("builds", ()), resolution["builds"]):
                if found is not None:
                    self.builders.setdefault(found, []).append((importer, ways))
            # Two refs leading to the same class (or module) would add the very same entries again, which
            # the pass at the end drops: skipped here (a large file made this loop quadratic).
            seen_classes: set = set()
            seen_modules: set = set()
            for target, found in zip(exports.get("refs", ()), resolution["refs"]):
                if found is None:
                    continue
                if exports.get("maybe_builds") and found not in seen_classes:
                    # This file passes `found` around and builds through variables: it may build it.
                    self._maybe_sources.setdefault(found, []).append(importer)
                seen_classes.add(found)
            # `build_model_with_cfg(ResNet, block=Bottle2neck)`: the file hands its own classes, in one call,
            # with (or to) a model of another file, which may build them through its variables.  (Not every
            # file whose classes it names: building `Mlp(...)` hands it nothing.)
            for local, targets in exports.get("handoffs", {}).items():
                for target in targets:
                    found = self.resolve(target, importer)
                    if found is not None and found[0] != importer and found[0] not in seen_modules:
                        seen_modules.add(found[0])
                        self._maybe_sources.setdefault((importer, local), []).append(found[0])
                seen_modules.clear()
            for module in resolution["stars"]:
                for cls in self.modules.get(module, {}).get("classes", ()):
                    self.imported.add((module, cls))
                    self.importers.setdefault((module, cls), set()).add(importer)
            for found in resolution["imported"]:
                self.imported.add(found)
                self.importers.setdefault(found, set()).add(importer)
            for source in resolution["sources"]:
                self.module_importers.setdefault(source, set()).add(importer)

    def maybe_builders_of(self, key: tuple) -> list:
        """(module, way table) for every build through a variable that may build class `key`, once each.

        Kept by link as the modules whose `maybe_builds` count (a file passing the class around
        hands it to all its builds through variables) and expanded only for the classes a judgement
        asks about: expanded for every class, they made a large tree's link quadratic.
        """
        found = self.maybe_builders.get(key)
        if found is None:
            unique: dict = {}
            for module in self._maybe_sources.get(key, ()):
                for ways in self.modules[module].get("maybe_builds", ()):
                    unique.setdefault((module, id(ways)), (module, ways))
            found = self.maybe_builders[key] = list(unique.values())
        return found

    def resolution(self, importer: str) -> dict:
        """Where the names of one module lead: its builds and refs (a (module, class) or None each),
        the classes of other modules it imports, the modules it star-imports."""
        exports = self.modules[importer]
        imported: list = []
        stars: list = []
        sources: list = []
        if not self._is_package(importer):  # a package re-exporting a class does not use it
            for name, target in exports.get("bindings", {}).items():
                if name.startswith("*"):
                    dotted = self._absolute(target, importer) if target.startswith(".") else target
                    module = self.find(dotted or "", importer)
                    if module is not None:
                        stars.append(module)
                    continue
                found = self.resolve(target, importer)
                if found is not None and found[0] != importer:
                    imported.append(found)
                elif found is None:
                    # a factory function of another file: the classes it builds are used through it
                    imported.extend(self.factory_classes(target, importer))
                source = found[0] if found is not None else self._function_module(target, importer)
                if source is not None and source != importer and source not in sources:
                    sources.append(source)
        return {"builds": [self.resolve(target, importer) for target, _ in exports.get("builds", ())],
                "refs": [self.resolve(target, importer) for target in exports.get("refs", ())],
                "imported": imported, "stars": stars, "sources": sources}

    def resolve(self, qualified: str, importer: str, hops: int = 0) -> Optional[tuple]:
        """(module key, class) for a name as `importer` imports it, following re-exports of packages."""
        if hops > _MAX_HOPS:
            return None
        absolute = self._absolute(qualified, importer)
        if absolute is None:
            return None
        parts = absolute.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self.find(".".join(parts[:cut]), importer)
            if module is None:
                continue
            rest = parts[cut:]
            exports = self.modules[module]
            if len(rest) != 1:
                return None
            name = rest[0]
            if name in exports["classes"]:
                return (module, name)
            target = exports["bindings"].get(name)
            if target is not None and target != absolute:
                return self.resolve(target, module, hops + 1)
            return None
        return None

    def factory_classes(self, qualified: str, importer: str) -> list:
        """The (module key, class) pairs a factory function that `importer` imports builds."""
        absolute = self._absolute(qualified, importer)
        if absolute is None or "." not in absolute:
            return []
        dotted, name = absolute.rsplit(".", 1)
        module = self.find(dotted, importer)
        if module is None or module == importer:
            return []
        return [(module, cls) for cls in self.modules[module].get("factories", {}).get(name, ())]

    def _is_package(self, module: str) -> bool:
        return module in self.packages

    def _absolute(self, qualified: str, importer: str) -> Optional[str]:
        if not qualified.startswith("."):
            return qualified
        level = len(qualified) - len(qualified.lstrip("."))
        dotted = self.dotted.get(importer, importer)
        package = dotted.split(".") if self._is_package(importer) else dotted.split(".")[:-1]
        if level - 1 > len(package):
            return None
        base = package[: len(package) - (level - 1)]
        rest = qualified[level:]
        return ".".join(base + ([rest] if rest else []))

    def _importer_may_initialize(self, module: str, model: str, spec: str, param: str) -> bool:
        return self.importer_initializer(module, model, spec, param) is not None

    def importer_initializer(self, module: str, model: str, spec: str, param: str) -> Optional[tuple]:
        """(module key, what it does) of a file importing the class whose code could initialize
        `spec.param` in it: a dispatch covering the type, or a module handed to code out of sight;
        None when there is none.  Code out of sight that is the project's own counts only where its
        file could initialize the type; torch's own functions (`torch.jit.script`, quantization,
        checkpointing) initialize nothing the analysis does not model."""
        wanted = f"{spec}.{param}"
        pending = list(self.importers.get((module, model), ()))
        seen = set(pending)
        hops = 0
        while pending and hops <= _MAX_HOPS:
            hops += 1
            forwarders = []
            for importer in pending:
                exports = self.modules.get(importer, {})
                if "init_types" not in exports or wanted in exports["init_types"]:
                    # (exports from an older cache entry say nothing: as before)
                    return importer, f"its init code covers {wanted} (an init call or dispatch on that type)"
                for callee in exports.get("opaque", ()):
                    if callee.startswith("torch."):
                        continue
                    owner = self._function_module(callee, importer)
                    if owner is None or wanted in self.modules[owner].get("init_types", (wanted,)):
                        return importer, f"it hands modules to {callee}, out of sight, which may initialize {wanted}"
                # No file builds the class where the analysis can follow it: an importer hands it on (a
                # factory or registry: `module_cls = CoordAttn` in create_attn.py), so the files that
                # import from the importer may initialize it too.
                forwarders.append(importer)
            pending = [m for f in forwarders for m in self.module_importers.get(f, ()) if m not in seen]
            seen.update(pending)
        return None

    def _function_module(self, qualified: str, importer: str, hops: int = 0) -> Optional[str]:
        """The project module that defines the function `qualified` (as `importer` names it), or None."""
        if qualified == "?" or hops > _MAX_HOPS:
            return None
        absolute = self._absolute(qualified, importer)
        if absolute is None or "." not in absolute:
            return None
        module = self.find(absolute.rsplit(".", 1)[0], importer)
        if module is not None and self._is_package(module):
            target = self.modules[module].get("bindings", {}).get(absolute.rsplit(".", 1)[1])
            if target is not None:
                return self._function_module(target, module, hops + 1) if target != absolute else None
        return module

    def judge(self, finding: Finding, path: str, strict: bool) -> Optional[Finding]:
        """The finding as project mode sees it, or None when other files cover the layer."""
        if not finding.depends:  # INI001 and INI006-INI008 say how their verdict depends on other files
            return finding
        module = self.paths.get(path)
        if module is None:
            return finding
        from init_lint.analysis.values import Tri  # lazily: see the imports above

        spec, params = finding.depends
        level = Tri.YES
        for param, ways in params:
            level = min(level, self.solver.worst(self.graph.builds(module, ways, (spec, param)), (spec, param)))
        if level == Tri.YES or (level == Tri.MAYBE and not strict):
            return None
        if level == Tri.MAYBE and not finding.strict:
            return dataclasses.replace(finding, strict=True, fix=None, plan=None,
                                       message=finding.message + " (other files may initialize it; unverified)")
        return finding
