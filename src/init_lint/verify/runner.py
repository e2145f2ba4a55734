"""Run the original and the fixed source in two child processes and compare what they built.

How a file is verified
----------------------
* The file is executed as a module in a child process (`verify/child.py`), never in this one.  Its
  package root is found by walking up the folders that hold an `__init__.py`; that root goes first
  on the child's `sys.path` and the file runs as `package.sub.module`, so relative imports work and
  the file does not need to be importable from where init-lint runs.  A file outside any package
  runs as a top-level module with its own folder on `sys.path` (like `python file.py`, but with
  `__name__` set to the module name: `if __name__ == "__main__":` blocks do not run).
* Every `nn.Module` subclass the file defines at top level is built under the same seed
  (`torch.manual_seed`, `random.seed`, and numpy's if the file imported numpy): without arguments,
  or as a module-level `INIT_LINT_ARGS` dict says::

      INIT_LINT_ARGS = {
          "Classifier": ((16, 4), {"kernel_size": 5}),   # Classifier(16, 4, kernel_size=5)
          "Backbone": lambda: Backbone(Config.small()),  # any zero-argument factory
          "Base": None,                                  # do not build
      }

  A class whose constructor needs arguments it was not given is reported `skipped`, with the reason.
* The original source and the fixed source run in two separate processes, in parallel, each in an
  empty temporary working directory (files the module writes there are deleted), with stdout and
  stderr captured.  Separate processes mean memory freed by one build cannot hand its values to the
  other; inside each child, uninitialized memory is filled with NaN (torch's deterministic mode) and
  every saved model is overwritten with NaN before it is freed, so a fix that forgets a draw shows.
* Every parameter and buffer is saved (`torch.save`) and compared here after loading with
  `weights_only=True`: names, shapes, dtypes, values with `torch.equal` (NaN matching NaN).
* Each child has a timeout (60 s by default); a hang, a crash or an import failure is an `error`
  that says where it happened.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import tempfile
import time
import tokenize
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Union

from init_lint.config import FIX_STYLES, Settings, find_pyproject, load_settings
from init_lint.module_location import ModuleLocation, locate_module
from init_lint.verify.compare import compare_tensors, load_tensors
from init_lint.verify import processes
from init_lint.verify.processes import start_worker
from init_lint.verify.results import (
    DIFFERS,
    ERROR,
    IDENTICAL,
    SKIPPED,
    ClassVerification,
    FileVerification,
    TensorDifference,
    exit_code,
    format_text,
)

DEFAULT_TIMEOUT = 60.0


@dataclass
class ChildOutcome:
    """What one child process reported: its events in order, and why it stopped early, if it did."""

    label: str
    out: Path
    events: list[dict] = field(default_factory=list)
    #: why the child did not finish, without saying which side it ran
    failure: Optional[str] = None

    def class_results(self) -> dict[str, dict]:
        """The last word on each class (built, skipped or failed), in build order."""
        results: dict[str, dict] = {}
        for event in self.events:
            if event["event"] in ("built", "skipped", "failed"):
                results[event["class"]] = event
        return results


def verify_sources(
    original: str,
    fixed: str,
    path: Union[str, Path],
    *,
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
) -> FileVerification:
    """Build every nn.Module class of `original` and of `fixed` (two child processes) and compare.

    `path` is the file the sources belong to: it decides the module name, the package and
    `__file__`; its content on disk is not read.
    """
    path = Path(path)
    verification = FileVerification(str(path))
    for text, what in ((original, "the file"), (fixed, "the fixed source")):
        try:
            ast.parse(text)
        except SyntaxError as error:
            if what == "the file":
                verification.skipped = f"not valid Python ({error.msg}, line {error.lineno}): nothing to verify"
            else:
                verification.error = f"the fixed source does not parse ({error.msg}, line {error.lineno})"
            return verification

    location = locate_module(path.resolve())  # where the file really is: the child's __file__ too
    workdir = Path(tempfile.mkdtemp(prefix="init-lint-verify-"))
    try:
        sides = [("original source", original)] + ([("fixed source", fixed)] if fixed != original else [])
        deadline = time.monotonic() + timeout
        children: list = []
        try:
            for i, (label, text) in enumerate(sides):
                children.append(_start_child(label, text, path, location, seed, workdir / str(i)))
            outcomes = [_finish_child(child, deadline, timeout) for child in children]
        except BaseException:  # Ctrl-C while waiting: the file's processes end with it
            for _, worker, _ in children:
                worker.kill()
            raise
        return _merge(verification, outcomes[0], outcomes[1] if len(outcomes) > 1 else None)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def verify_file(
    path: Union[str, Path],
    *,
    style: str = "explicit",
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    settings=None,
) -> FileVerification:
    """Fix the file in memory (safe fixes, `style`) and verify the fix kept every initial value.

    The fix is the one `init-lint check --fix` would write: the same settings (`settings`, by
    default the nearest pyproject.toml's: `select`, `ignore`, `per-file-ignores`...).  For the
    explicit style it is computed with the fixed layers' constructor draws skipped, which is what
    makes the comparison exact.  Nothing on disk changes.
    """
    if style not in FIX_STYLES:
        raise ValueError(f"fix style must be one of {FIX_STYLES}, not {style!r}")
    try:
        if str(path).endswith(".ipynb"):  # the code cells up to the model classes: see notebooks/runnable.py
            from init_lint.notebooks.runnable import runnable_source

            original = runnable_source(Path(path).read_bytes())
        else:
            with tokenize.open(path) as handle:  # honours a coding cookie and a BOM
                original = handle.read()
    except (OSError, SyntaxError, ValueError) as error:
        return FileVerification(str(path), error=f"cannot read the file: {error}")
    try:
        ast.parse(original)
    except SyntaxError:
        return verify_sources(original, original, path, seed=seed, timeout=timeout)  # reported as not valid Python
    try:
        fixed = fixed_source(original, str(path), style, settings if settings is not None else settings_for([path]))
    except Exception as error:
        return FileVerification(str(path), error=f"computing the fix failed: {type(error).__name__}: {error}")
    return verify_sources(original, fixed, path, seed=seed, timeout=timeout)


def fixed_source(source: str, path: str, style: str, settings=None) -> str:
    """The source with init-lint's safe fixes applied, as `init-lint check --fix` would write it."""
    from init_lint.api import fix_source

    return fix_source(source, path, settings, unsafe=False, style=style,
                      skip_constructor_draws=style == "explicit").source


def settings_for(paths: list) -> Settings:
    """The settings `init-lint check PATHS` reads: the nearest pyproject.toml's, else the defaults."""
    config = find_pyproject(Path(paths[0])) if paths else None
    return load_settings(config) if config is not None else Settings(root=os.getcwd())


def verify_paths(
    paths: Iterable[Union[str, Path]],
    *,
    style: str = "explicit",
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: Optional[int] = None,
    settings=None,
) -> list[FileVerification]:
    """verify_file on each Python file of `paths`, several files at a time.

    The files are the ones `init-lint check` reads (same discovery: `exclude` and the default
    exclusions such as `venv/`, `build/`, `node_modules/`); a file that never mentions torch is
    not imported at all.  `settings` defaults to the nearest pyproject.toml's.
    """
    paths = [str(p) for p in paths]
    settings = settings if settings is not None else settings_for(paths)
    processes.resume()
    files = []
    for path, why_not in python_files(paths, settings):
        if why_not is None:
            files.append(path)
        elif isinstance(why_not, FileVerification):
            files.append(why_not)
        elif path in paths:  # a file named by the user that never mentions torch: say why nothing ran
            files.append(FileVerification(path, skipped=why_not))

    def one(item):
        if isinstance(item, FileVerification):
            return item
        return verify_file(item, style=style, seed=seed, timeout=timeout, settings=settings)

    workers = jobs or max(1, (os.cpu_count() or 2) // 2)
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(files))))
    try:
        results = list(pool.map(one, files))
    except BaseException:  # Ctrl-C: end every file's processes now, not after their timeouts
        processes.stop_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results


def python_files(paths: Iterable[Union[str, Path]], settings=None) -> Iterable[tuple[str, object]]:
    """(path, None) for each file `init-lint check` would read under `paths` that mentions torch;
    (path, a reason) for one that does not, (path, a FileVerification error) for one unreadable."""
    from init_lint.checker import mentions_torch
    from init_lint.files import ReadError, discover, read_source

    paths = [str(p) for p in paths]
    settings = settings if settings is not None else settings_for(paths)
    for path in discover(paths, settings):
        try:
            data, _ = read_source(path, settings.max_file_size)
        except ReadError as error:
            yield path, FileVerification(path, error=f"cannot read the file: {error}")
            continue
        if not mentions_torch(data, settings):
            yield path, "never mentions torch: not imported"
            continue
        yield path, None


def assert_fix_preserves_init(
    path_or_module, *, style: str = "skip-init", seed: int = 0, timeout: float = DEFAULT_TIMEOUT
) -> FileVerification:
    """For users' test suites: fail unless init-lint's fix keeps every initial value of the file's models.

        def test_models_keep_their_init():
            init_lint.verify.assert_fix_preserves_init("src/mypkg/models.py")

    Accepts a path or an imported module (its `__file__` is verified, in child processes as always).
    Raises AssertionError when a class differs, a build or import fails, or no class could be built.
    """
    path = getattr(path_or_module, "__file__", path_or_module)
    if path is None:
        raise ValueError(f"{path_or_module!r} has no __file__ to verify")
    verification = verify_file(path, style=style, seed=seed, timeout=timeout)
    if exit_code([verification]) != 0:
        raise AssertionError("init-lint fix does not preserve initial values:\n" + format_text([verification], style=style, seed=seed))
    return verification


def _start_child(label: str, source: str, path: Path, location: ModuleLocation, seed: int, workdir: Path):
    out, cwd = workdir / "out", workdir / "cwd"
    out.mkdir(parents=True)
    cwd.mkdir()
    (workdir / "source.py").write_text(source, encoding="utf-8")
    request = {
        "source": str(workdir / "source.py"),
        "file": str(path.resolve()),
        "module": location.module,
        "package": location.package,
        "package_root": location.package_root,
        "seed": seed,
        "out": str(out),
        "cwd": str(cwd),
        "stdout": str(workdir / "stdout.txt"),
        "stderr": str(workdir / "stderr.txt"),
    }
    (workdir / "request.json").write_text(json.dumps(request), encoding="utf-8")
    worker = start_worker(workdir / "request.json", out, workdir / "stdout.txt", workdir / "stderr.txt")
    return label, worker, workdir


def _finish_child(child, deadline: float, timeout: float) -> ChildOutcome:
    label, worker, workdir = child
    returncode = worker.wait(max(0.0, deadline - time.monotonic()))
    if returncode is None:
        worker.kill()
    outcome = ChildOutcome(label, workdir / "out", events=_read_events(workdir / "out" / "events.jsonl"))
    names = [e["event"] for e in outcome.events]
    if "import_failed" in names:
        outcome.failure = f"import failed: {outcome.events[names.index('import_failed')]['error']}"
    elif returncode is None:
        outcome.failure = f"timed out after {timeout:g} s {_where(outcome.events)}"
    elif "done" not in names:
        outcome.failure = f"the process {_how_it_ended(returncode)} {_where(outcome.events)}"
        last_error = _last_error_line(workdir / "stderr.txt")
        if last_error:
            outcome.failure += f" ({last_error})"
    return outcome


def _merge(verification: FileVerification, original: ChildOutcome, fixed: Optional[ChildOutcome]) -> FileVerification:
    failed = [o for o in (original, fixed) if o is not None and o.failure]
    if len(failed) == 1 and fixed is not None:
        verification.error = f"{failed[0].label}: {failed[0].failure}"
    elif len(failed) == 2 and failed[0].failure != failed[1].failure:
        verification.error = "; ".join(f"{o.label}: {o.failure}" for o in failed)
    elif failed:  # the file fails the same way whether fixed or not
        verification.error = failed[0].failure
    before = original.class_results()
    after = fixed.class_results() if fixed is not None else None
    for name, event in before.items():
        if after is None:
            verification.classes.append(_unchanged(name, event))
        elif name in after:
            verification.classes.append(_compare_class(name, event, after[name], original.out, fixed.out))
    if after is not None and original.failure is None:
        for name in after.keys() - before.keys():
            verification.classes.append(ClassVerification(name, ERROR, "defined only in the fixed source"))
    if not verification.classes and not verification.error:
        verification.skipped = "defines no nn.Module subclass"
    return verification


def _unchanged(name: str, event: dict) -> ClassVerification:
    """A class of a file the fix leaves as it is: identical by construction, once it builds."""
    if event["event"] == "built":
        return ClassVerification(name, IDENTICAL, "no fix to apply")
    return _not_built(name, event, event)


def _compare_class(name: str, before: dict, after: dict, original_out: Path, fixed_out: Path) -> ClassVerification:
    if before["event"] == "built" and after["event"] == "built":
        original_tensors = load_tensors(original_out / before["tensors"])
        differences = compare_tensors(original_tensors, load_tensors(fixed_out / after["tensors"]))
        for lazy_name in sorted(set(before["lazy"]) ^ set(after["lazy"])):
            differences.append(TensorDifference(lazy_name, "lazy on one side only"))
        if differences:
            return ClassVerification(name, DIFFERS, differences=tuple(differences))
        lazy = f", {len(before['lazy'])} lazy parameters not materialized yet" if before["lazy"] else ""
        return ClassVerification(name, IDENTICAL, f"{len(original_tensors)} tensors{lazy}")
    if before["event"] == "built":
        return ClassVerification(name, ERROR, f"the fixed source cannot build it: {after.get('error') or after.get('reason')}")
    if after["event"] == "built":
        why = before.get("error") or before.get("reason")
        return ClassVerification(name, ERROR, f"only the fixed source can build it; the original: {why}")
    return _not_built(name, before, after)


def _not_built(name: str, before: dict, after: dict) -> ClassVerification:
    if before["event"] == "skipped":
        return ClassVerification(name, SKIPPED, before["reason"])
    if before.get("declared"):
        return ClassVerification(name, ERROR, f"building it as INIT_LINT_ARGS says failed: {before['error']}")
    return ClassVerification(name, SKIPPED, f"raised while being built: {before['error']}")


def _read_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            break  # the last line of a killed child may be cut short
    return events


def _where(events: list[dict]) -> str:
    if not any(e["event"] == "imported" for e in events):
        return "while importing the file"
    building = [e for e in events if e["event"] == "building"]
    if building and not any(e["event"] in ("built", "skipped", "failed") and e["class"] == building[-1]["class"] for e in events):
        return f"while building {building[-1]['class']}"
    return "after building its classes"


def _how_it_ended(returncode: Optional[int]) -> str:
    if returncode is not None and returncode < 0:
        try:
            return f"was killed by {signal.Signals(-returncode).name}"
        except ValueError:
            return f"was killed by signal {-returncode}"
    return f"exited with code {returncode}"


_EXCEPTION_LINE = re.compile(r"^(Fatal Python error|[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt))\b")


def _last_error_line(path: Path) -> str:
    """The last line of stderr that names an exception or a fatal error; warnings are not the cause."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    errors = [line.strip() for line in lines if _EXCEPTION_LINE.match(line)]
    return errors[-1][:300] if errors else ""
