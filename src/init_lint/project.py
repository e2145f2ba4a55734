"""Project mode: follow init across the files of one source tree.

Most layers are initialized far from where they are built: a block in `layers/mlp.py` gets its
init from the model in `models/vit.py` that builds it and runs `self.apply(self._init_weights)`.
Each file is still analyzed alone (in parallel, cached); besides its findings it exports what it
defines, what it imports, and, for every class of another file it builds, what its own init
does to that class's layers.  This module resolves those imports across the tree and drops the
INI001 findings that some other file's model covers in every way it builds the layer.
"""

from __future__ import annotations

import ast
import dataclasses
import os
from typing import TYPE_CHECKING, Optional

from init_lint.diagnostics import Finding
from init_lint.module_location import locate_module

if TYPE_CHECKING:  # the analysis pulls in libcst, which a run over files without torch never needs
    from init_lint.analysis import FileAnalysis
    from init_lint.analysis.values import Tri

_MAX_HOPS = 8


def file_exports(analysis: FileAnalysis) -> dict:
    """What other files need to know about this one (plain data: it travels between processes)."""
    builds = []
    # Builds by module-level functions (factories like `create_attn`) are not models: whoever calls the
    # factory decides, so they do not count as a way the class is built.
    for build in (b for b in analysis.tree.external_builds if b.parent is not None):
        exported = analysis.tree.exported_build(build)
        builds.append([build.external, {f"{spec}.{param}": [[root, int(way), int(own)] for root, (way, own) in ways.items()]
                                        for (spec, param), ways in exported.items()}])
    maybe = [{f"{spec}.{param}": [[root, int(way), int(own)] for root, (way, own) in ways.items()]
              for (spec, param), ways in exported.items()} for exported in analysis.tree.exported_unknown_builds()]
    return {
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


def _init_types(analysis: FileAnalysis) -> list:
    """`Spec.param` for every layer type and parameter some code of the file writes on every way: the
    only types it could initialize in a module it imports, besides what it hands out of sight (`opaque`)."""
    from init_lint.analysis.values import Tri  # lazily: see the imports above

    found = set()
    for event in analysis.facts.dispatches:
        levels = {level for params in event.coverage.values() for level in params.values()}
        if levels == {Tri.MAYBE}:
            continue  # code out of sight that may initialize anything: `_opaque` names it
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
    if any(event.node is not None and {level for params in event.coverage.values() for level in params.values()}
           == {Tri.MAYBE} for event in analysis.facts.dispatches):
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


def import_only_exports(data: bytes) -> Optional[dict]:
    """For a file that never mentions torch (a package's `__init__.py`): just what it re-exports."""
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
            "init_types": [], "opaque": []}


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
        #: classes other files import: used in ways that may not show as a build
        self.imported: set = set()
        #: class -> the modules that import it; module -> the modules that import something from it
        self.importers: dict = {}
        self.module_importers: dict = {}
        self._levels: dict = {}

    def add(self, path: str, exports: Optional[dict]) -> None:
        if exports is None:
            return
        root, name, _ = locate_module(path)
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

    def link(self) -> None:
        """Resolve every exported build to the class it builds."""
        for importer, exports in self.modules.items():
            for target, ways in exports.get("builds", ()):
                found = self.resolve(target, importer)
                if found is not None:
                    self.builders.setdefault(found, []).append((importer, ways))
            for target in exports.get("refs", ()):
                found = self.resolve(target, importer)
                if found is None:
                    continue
                if exports.get("maybe_builds"):
                    # This file passes `found` around and builds through variables: it may build it.
                    self.maybe_builders.setdefault(found, []).extend(
                        (importer, ways) for ways in exports["maybe_builds"])
                # `build_model_with_cfg(ResNet, block=Bottle2neck)`: the file hands its own classes to a
                # model of another file, which may build them through its variables.
                for local in exports.get("local_refs", ()):
                    self.maybe_builders.setdefault((importer, local), []).extend(
                        (found[0], ways) for ways in self.modules[found[0]].get("maybe_builds", ()))
            if self._is_package(importer):
                continue  # a package re-exporting a class does not use it
            for name, target in exports.get("bindings", {}).items():
                if name.startswith("*"):
                    dotted = self._absolute(target, importer) if target.startswith(".") else target
                    module = self.find(dotted or "", importer)
                    for cls in self.modules.get(module or "", {}).get("classes", ()):
                        self.imported.add((module, cls))
                        self.importers.setdefault((module, cls), set()).add(importer)
                    continue
                found = self.resolve(target, importer)
                if found is not None and found[0] != importer:
                    self.imported.add(found)
                    self.importers.setdefault(found, set()).add(importer)
                elif found is None:
                    # a factory function of another file: the classes it builds are used through it
                    for built in self.factory_classes(target, importer):
                        self.imported.add(built)
                        self.importers.setdefault(built, set()).add(importer)
                source = found[0] if found is not None else self._function_module(target, importer)
                if source is not None and source != importer:
                    self.module_importers.setdefault(source, set()).add(importer)
        for key, entries in self.maybe_builders.items():
            unique: dict = {}
            for importer, ways in entries:
                unique.setdefault((importer, id(ways)), (importer, ways))
            self.maybe_builders[key] = list(unique.values())

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

    def model_level(self, module: str, model: str, spec: str, param: str, fallback: int,
                    visiting: frozenset = frozenset()) -> Tri:
        """How well a model class of `module` is initialized, over the ways other files build it.

        A class that no file of the project builds is a model of its own: `fallback` (what its own
        file's module-level code does for it).
        """
        from init_lint.analysis.values import Tri  # lazily: see the imports above

        key = (module, model, spec, param)
        builders = self.builders.get((module, model))
        maybe = self.maybe_builders.get((module, model))
        if not builders and not maybe and (module, model) not in self.imported:
            return Tri(fallback)
        if key in self._levels:
            return self._levels[key]
        if key in visiting or len(visiting) > _MAX_HOPS:
            return Tri(fallback)
        visiting = visiting | {key}
        if builders:
            # Every way another file builds it must initialize the layer.
            level = Tri.YES
            for importer, ways in builders:
                level = min(level, self._way(importer, ways, spec, param, visiting))
                if level == Tri.NO:
                    break
        else:
            # Only built through variables (`block_fn(...)`): those builds can only add coverage.
            level = Tri(fallback)
            for importer, ways in maybe or ():
                if level == Tri.YES:
                    break
                level = max(level, self._way(importer, ways, spec, param, visiting))
            if (module, model) in self.imported and self._importer_may_initialize(module, model, spec, param):
                # Imported elsewhere, yet no build of it can be followed (factories, registries):
                # whoever builds it may initialize it; unverified.
                level = max(level, Tri.MAYBE)
        # Memoized even under a cycle cut: a cut makes a level lower (a finding kept), never a finding lost.
        self._levels[key] = level
        return level

    def _importer_may_initialize(self, module: str, model: str, spec: str, param: str) -> bool:
        """Whether some file importing the class has code that could initialize `spec.param` in it: a
        dispatch covering the type, or a module handed to code out of sight.  Code out of sight that
        is the project's own counts only where its file could initialize the type; torch's own
        functions (`torch.jit.script`, quantization, checkpointing) initialize nothing the analysis
        does not model."""
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
                    return True  # (exports from an older cache entry say nothing: as before)
                for callee in exports.get("opaque", ()):
                    if callee.startswith("torch."):
                        continue
                    owner = self._function_module(callee, importer)
                    if owner is None or wanted in self.modules[owner].get("init_types", (wanted,)):
                        return True
                # No file builds the class where the analysis can follow it: an importer hands it on (a
                # factory or registry: `module_cls = CoordAttn` in create_attn.py), so the files that
                # import from the importer may initialize it too.
                forwarders.append(importer)
            pending = [m for f in forwarders for m in self.module_importers.get(f, ()) if m not in seen]
            seen.update(pending)
        return False

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

    def _way(self, importer: str, ways: dict, spec: str, param: str, visiting: frozenset) -> Tri:
        from init_lint.analysis.values import Tri  # lazily: see the imports above

        entries = ways.get(f"{spec}.{param}", [])
        if not entries:
            return Tri.YES
        worst = Tri.YES
        for root, way, own in entries:
            if Tri(way) == Tri.YES:
                continue
            worst = min(worst, max(Tri(way), self.model_level(importer, root, spec, param, own, visiting)))
            if worst == Tri.NO:
                break
        return worst

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
            here = min(max(Tri(way), self.model_level(module, root, spec, param, own))
                       for root, way, own in ways) if ways else Tri.YES
            level = min(level, here)
        if level == Tri.YES or (level == Tri.MAYBE and not strict):
            return None
        if level == Tri.MAYBE and not finding.strict:
            return dataclasses.replace(finding, strict=True, fix=None, plan=None,
                                       message=finding.message + " (other files may initialize it; unverified)")
        return finding
