"""`init-lint health` in the parent: start a worker per file, wait with a timeout, judge what it measured.

The parent never imports torch or the user's code.  Each file runs in one worker started by the
verifier's machinery (`verify.processes.start_worker`: forked from a server that imported torch
once, or a fresh interpreter; its own session, killed with everything it started on timeout), as a
module of its package (`module_location.locate_module`), in an empty temporary working directory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from init_lint.health.child import TASK
from init_lint.health.flags import Thresholds, find_flags
from init_lint.health.results import FileHealth, ModelHealth
from init_lint.verify.processes import start_worker
from init_lint.module_location import locate_module
from init_lint.verify.runner import python_files

DEFAULT_TIMEOUT = 60.0


def split_target(target: Union[str, Path]) -> tuple[Path, Optional[str]]:
    """`path/to/file.py::Class` -> (path, "Class"); a plain path -> (path, None)."""
    text = str(target)
    if "::" in text:
        path, _, name = text.rpartition("::")
        return Path(path), name or None
    return Path(text), None


def health_file(
    path: Union[str, Path],
    *,
    class_name: Optional[str] = None,
    input_shape: Optional[Sequence[int]] = None,
    thresholds: Thresholds = Thresholds(),
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    locate: bool = True,
) -> FileHealth:
    """Build the file's models in a worker, run one batch each, and flag what is unhealthy.

    `locate=False` skips the static analysis that points flags at constructor lines.
    """
    path = Path(path)
    report = FileHealth(str(path))
    if not path.is_file():
        report.error = "no such file"
        return report
    workdir = Path(tempfile.mkdtemp(prefix="init-lint-health-"))
    started = time.perf_counter()
    try:
        events, failure = _run_worker(path, workdir, class_name, input_shape, seed, timeout)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report.seconds = time.perf_counter() - started
    report.error = failure
    for event in _last_word(events).values():
        try:
            report.models.append(_model(event, thresholds))
        except Exception as error:  # a bug in judging one model must not lose the others
            report.models.append(ModelHealth(event["class"], status="error",
                                             detail=f"judging its statistics failed: {type(error).__name__}: {error}"))
    if not report.models and not report.error:
        report.skipped = "defines no nn.Module subclass"
    if locate and any(m.flags for m in report.models):
        from init_lint.health.static import attach_locations

        attach_locations(report)
    return report


def health_paths(
    targets: Iterable[Union[str, Path]],
    *,
    input_shape: Optional[Sequence[int]] = None,
    thresholds: Thresholds = Thresholds(),
    seed: int = 0,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: Optional[int] = None,
) -> list[FileHealth]:
    """health_file on each `PATH[::Class]`; folders are searched for Python files."""
    work: list[tuple[Path, Optional[str]]] = []
    for target in targets:
        path, name = split_target(target)
        if name is not None or not path.is_dir():
            work.append((path, name))
        else:
            # the files `check` reads (same discovery), less those that never mention torch
            work.extend((Path(file), None) for file, why_not in python_files([path]) if why_not is None)
    workers = jobs or max(1, (os.cpu_count() or 2) // 2)

    def one(item):
        return health_file(item[0], class_name=item[1], input_shape=input_shape, thresholds=thresholds,
                           seed=seed, timeout=timeout)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, work))


def _model(event: dict, thresholds: Thresholds) -> ModelHealth:
    name = event["class"]
    if event["event"] == "skipped":
        return ModelHealth(name, status="skipped", detail=event["reason"])
    if event["event"] == "failed":
        stage = {"build": "building it", "input": "choosing its input", "forward": "running its forward pass"}
        what = stage.get(event.get("stage"), "running it")
        return ModelHealth(name, status="error", detail=f"{what} failed: {event['error']}",
                           input=event.get("input", ""))
    if event["event"] != "profiled":  # building or running when the worker stopped: the file's error says why
        return ModelHealth(name, status="error", detail=f"did not finish ({event['event']})",
                           input=event.get("input", ""))
    layers = event["layers"]
    flags = find_flags(layers, event.get("input_std"), thresholds)
    return ModelHealth(name, status="flagged" if flags else "healthy", input=event["input"],
                       input_std=event.get("input_std"),
                       layers=layers, flags=flags, build_s=event["build_s"], forward_s=event["forward_s"])


def _last_word(events: list[dict]) -> dict[str, dict]:
    """The last event about each class, in the order classes were first mentioned."""
    result: dict[str, dict] = {}
    for event in events:
        if "class" in event:
            result[event["class"]] = event
    return result


def _run_worker(path: Path, workdir: Path, class_name, input_shape, seed: int, timeout: float):
    location = locate_module(path.resolve())  # where the file really is: the child's __file__ too
    out, cwd = workdir / "out", workdir / "cwd"
    out.mkdir(parents=True)
    cwd.mkdir()
    source = workdir / "source.py"
    try:
        if path.suffix == ".ipynb":  # the code cells up to the model classes, as verify runs them
            from init_lint.notebooks.runnable import runnable_source

            source.write_bytes(runnable_source(path.read_bytes()).encode("utf-8"))
        else:
            source.write_bytes(path.read_bytes().decode("utf-8-sig").encode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return [], f"cannot read the file: {error}"
    request = {
        "task": TASK, "source": str(source), "file": str(path.resolve()), "module": location.module,
        "package": location.package, "package_root": location.package_root, "seed": seed, "out": str(out),
        "cwd": str(cwd), "stdout": str(workdir / "stdout.txt"), "stderr": str(workdir / "stderr.txt"),
        "class": class_name, "input_shape": list(input_shape) if input_shape else None,
    }
    (workdir / "request.json").write_text(json.dumps(request), encoding="utf-8")
    worker = start_worker(workdir / "request.json", out, workdir / "stdout.txt", workdir / "stderr.txt")
    code = worker.wait(timeout)
    if code is None:
        worker.kill()
    events = _read_events(out / "events.jsonl")
    names = [e["event"] for e in events]
    if "import_failed" in names:
        return events, f"import failed: {events[names.index('import_failed')]['error']}"
    if code is None:
        return events, f"timed out after {timeout:g} s {_where(events)}"
    if "done" not in names:
        return events, f"the worker {_how_it_ended(code)} {_where(events)}{_last_error(workdir / 'stderr.txt')}"
    return events, None


def _read_events(path: Path) -> list[dict]:
    events = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                events.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a killed worker's last line may be cut short
    return events


def _where(events: list[dict]) -> str:
    if not any(e["event"] == "imported" for e in events):
        return "while importing the file"
    last = [e for e in events if "class" in e]
    if last and last[-1]["event"] == "building":
        return f"while building {last[-1]['class']}"
    if last and last[-1]["event"] == "running":
        return f"while running {last[-1]['class']} on {last[-1]['input']}"
    return "between models"


def _how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _last_error(stderr: Path) -> str:
    try:
        text = stderr.read_text(encoding="utf-8", errors="replace")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
    except OSError:
        return ""
    return f" ({lines[-1][:300]})" if lines else ""
