"""The child-process half of `init-lint verify`: import one source, build its modules, save their tensors.

`verify/runner.py` has one worker process run the original source and a separate one the fixed
source, so memory freed by one build can never hand its values to the other.  The parent never
imports user code; this module runs only in those processes and in the fork server that starts them
(`serve_forks`: it imports torch once, then forks one fresh worker per source, which saves the
seconds an `import torch` takes on every file).

The request (a JSON file) names the text to execute, the user's file (for `__file__` and
tracebacks), the module name and package, the directory to put first on `sys.path`, the seed, the
working directory, the files for stdout and stderr and an output folder.  Progress goes to
`<out>/events.jsonl`, one JSON object per line, flushed as it happens, so that after a hang or a
crash the parent can say where it happened:

    {"event": "imported"} | {"event": "import_failed", "error": ...}
    {"event": "building", "class": C}
    {"event": "built", "class": C, "tensors": "3.pt", "lazy": [names of unmaterialized parameters]}
    {"event": "skipped", "class": C, "reason": ...}
    {"event": "failed", "class": C, "error": ..., "declared": true if INIT_LINT_ARGS names C}
    {"event": "done"}
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import linecache
import math
import os
import random
import signal
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Optional

from init_lint.verify import reaping

ARGS_VARIABLE = "INIT_LINT_ARGS"


class Events:
    def __init__(self, path: Path):
        self._file = open(path, "a", encoding="utf-8")

    def emit(self, event: str, **fields: Any) -> None:
        self._file.write(json.dumps({"event": event, **fields}) + "\n")
        self._file.flush()


EXIT_STATUS_FILE = "exit_status"


def run(request_path: str) -> None:
    """Spawned worker entry point (no fork server): supervise a forked worker as the fork server does.

    Where processes cannot fork (not POSIX) the file runs in this process itself.
    """
    if hasattr(os, "fork"):
        _supervise(request_path)
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    isolate(request)
    build_and_save(request)


def isolate(request: dict) -> None:
    """Run in the request's empty working directory, with stdout and stderr going to its files."""
    os.chdir(request["cwd"])
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, target, flags in ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], _APPEND), (2, request["stderr"], _APPEND)):
        opened = os.open(target, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)


_APPEND = os.O_WRONLY | os.O_CREAT | os.O_APPEND


def serve_forks() -> None:
    """Fork server: import torch once, then for each request path read on stdin start a worker.

    For each request it forks a supervisor, prints the supervisor's pid (the parent kills its
    process group on timeout) and goes on reading.  The supervisor starts a new session, forks the
    worker, waits for it and writes the worker's exit code (negative: killed by that signal) to
    `<out>/exit_status`, which is how the parent learns that a worker crashed.
    """
    try:
        fill_uninitialized_memory_with_nan()  # imports torch and what this needs, once for every fork
    except BaseException as error:
        print(f"failed {type(error).__name__}: {error}", flush=True)
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors are reaped by the kernel
    print("ready", flush=True)
    for line in sys.stdin:
        request_path = line.strip()
        supervisor = os.fork()
        if supervisor == 0:
            _supervise(request_path)
        print(supervisor, flush=True)


class _Stopped(Exception):
    """The parent gave up on this file (a timeout): end everything now."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped()


def _supervise(request_path: str) -> None:
    """Run one worker in a new session, then end every process it left, in any session; never returns.

    The supervisor is a child subreaper (see `reaping`), so whatever the worker starts stays below
    it.  After the worker ends (or SIGTERM from the parent on a timeout) it kills and reaps all of
    them, and only then writes the worker's exit status: once the parent reads it, nothing of the
    file is still running.
    """
    code = 70
    worker = None
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # waitpid below needs the worker's status
        signal.signal(signal.SIGTERM, _stop)
        try:
            os.setsid()
        except PermissionError:  # already a session leader (spawned with start_new_session)
            pass
        reaping.become_subreaper()
        reaping.die_with_parent()  # the fork server (or init-lint) ended: SIGTERM, and everything is ended
        request = json.loads(Path(request_path).read_text(encoding="utf-8"))
        isolate(request)
        worker = os.fork()
        if worker == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            try:
                build_and_save(request)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(worker, 0)
        worker = None
        reaping.end_descendants()
        status_file = Path(request["out"]) / EXIT_STATUS_FILE
        status_file.with_suffix(".tmp").write_text(str(os.waitstatus_to_exitcode(status)))
        os.replace(status_file.with_suffix(".tmp"), status_file)
        code = 0
        # Last, the whole process group, this supervisor included (what a system without /proc relies on).
        if os.getpgrp() == os.getpid():  # this supervisor leads its own group: never anyone else's
            sys.stdout.flush()
            sys.stderr.flush()
            os.killpg(0, signal.SIGKILL)
    except _Stopped:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if worker is not None:
            try:
                os.kill(worker, signal.SIGKILL)
            except ProcessLookupError:
                pass
        reaping.end_descendants()
    finally:
        os._exit(code)


def fill_uninitialized_memory_with_nan() -> None:
    """Make skip_init, to_empty and torch.empty fill with NaN instead of leaving what freed memory held,
    so a fix that forgets to draw a parameter cannot look right by luck.  (The first call imports
    torch's compiler stack, seconds of work: the fork server makes it once for all workers.)"""
    import torch

    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.utils.deterministic.fill_uninitialized_memory = True


def build_and_save(request: dict) -> None:
    if request.get("task"):  # another runtime command's work (`module:function`), in the same isolated worker
        module_name, _, function = request["task"].partition(":")
        return getattr(importlib.import_module(module_name), function)(request)
    out = Path(request["out"])
    events = Events(out / "events.jsonl")

    import torch

    fill_uninitialized_memory_with_nan()
    try:
        module = import_source(request)
    except BaseException as error:  # SystemExit and KeyboardInterrupt from user code are import failures too
        events.emit("import_failed", error=one_line_error(error, request["file"]))
        return
    events.emit("imported")

    declared = getattr(module, ARGS_VARIABLE, {})
    if not isinstance(declared, dict):
        events.emit("import_failed", error=f"{ARGS_VARIABLE} must be a dict from class name to (args, kwargs)")
        return
    for index, cls in enumerate(module_classes(module, torch.nn.Module)):
        name = cls.__qualname__
        events.emit("building", **{"class": name})
        try:
            factory, skip_reason = constructor_for(cls, declared)
        except ValueError as error:
            events.emit("failed", **{"class": name, "error": str(error), "declared": True})
            continue
        if factory is None:
            events.emit("skipped", **{"class": name, "reason": skip_reason})
            continue
        seed_everything(request["seed"])
        try:
            model = factory()
            if not isinstance(model, torch.nn.Module):
                raise TypeError(f"the factory returned {type(model).__name__}, not an nn.Module")
            tensors, lazy = collect_tensors(model, torch)
            tensor_file = f"{index}.pt"
            torch.save(tensors, out / tensor_file)
        except BaseException as error:
            events.emit("failed", **{"class": name, "error": one_line_error(error, request["file"]), "declared": name in declared})
            continue
        # no gc.collect(): it costs a quarter second with torch loaded, and the poisoned memory is harmless
        poison(tensors.values(), torch)
        del model, tensors
        events.emit("built", **{"class": name, "tensors": tensor_file, "lazy": lazy})
    events.emit("done")


def import_source(request: dict) -> Any:
    """Execute the source as module `request["module"]`, inside its package so relative imports work."""
    sys.path.insert(0, request["package_root"])
    if request["package"]:
        importlib.import_module(request["package"])
    source = Path(request["source"]).read_text(encoding="utf-8").lstrip("\ufeff")
    filename = request["file"]
    # tracebacks show the executed text (the fixed source), not the file on disk
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    spec = importlib.util.spec_from_loader(request["module"], loader=None, origin=filename)
    module = importlib.util.module_from_spec(spec)
    module.__file__ = filename
    sys.modules[request["module"]] = module
    exec(compile(source, filename, "exec"), module.__dict__)
    return module


def module_classes(module: Any, module_base: type) -> list[type]:
    """The nn.Module subclasses the file defines at top level, in definition order, each once."""
    seen: set[int] = set()
    classes = []
    for value in list(vars(module).values()):
        if (
            isinstance(value, type)
            and issubclass(value, module_base)
            and value.__module__ == module.__name__
            and id(value) not in seen
        ):
            seen.add(id(value))
            classes.append(value)
    return classes


def constructor_for(cls: type, declared: dict) -> tuple[Optional[Callable[[], Any]], str]:
    """A zero-argument callable that builds `cls`, or None and why it cannot be built.

    INIT_LINT_ARGS[name] may be `(args, kwargs)`, a zero-argument factory, or None (do not build).
    Without an entry, the class is built without arguments if its constructor allows it.
    """
    name = cls.__qualname__
    if name in declared:
        entry = declared[name]
        if entry is None:
            return None, f"{ARGS_VARIABLE} says not to build it"
        if callable(entry):
            return entry, ""
        if (
            isinstance(entry, (tuple, list))
            and len(entry) == 2
            and isinstance(entry[0], (tuple, list))
            and isinstance(entry[1], dict)
        ):
            args, kwargs = entry
            return (lambda: cls(*args, **kwargs)), ""
        raise ValueError(f"{ARGS_VARIABLE}[{name!r}] must be (args, kwargs), a zero-argument factory, or None")
    if inspect.isabstract(cls):
        return None, "abstract class"
    required = required_parameters(cls)
    if required:
        return None, f"the constructor needs arguments ({', '.join(required)}); declare them in {ARGS_VARIABLE}"
    return cls, ""


def required_parameters(cls: type) -> list[str]:
    try:
        parameters = inspect.signature(cls).parameters.values()
    except (TypeError, ValueError):
        return []  # no signature to read: try building it
    return [
        p.name
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]


def seed_everything(seed: int) -> None:
    import torch

    torch.manual_seed(seed)
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(seed)


def collect_tensors(model: Any, torch: Any) -> tuple[dict[str, Any], list[str]]:
    """Every parameter and buffer by name; lazy parameters not yet materialized are listed apart."""
    from torch.nn.parameter import UninitializedParameter, UninitializedBuffer

    tensors: dict[str, Any] = {}
    lazy: list[str] = []
    for name, tensor in [*model.named_parameters(), *model.named_buffers()]:
        if isinstance(tensor, (UninitializedParameter, UninitializedBuffer)):
            lazy.append(name)
        elif tensor.device.type == "meta":
            raise ValueError(f"{name} is on the meta device: it has no values to compare")
        else:
            tensors[name] = tensor.detach().cpu()
    return tensors, lazy


def poison(tensors: Any, torch: Any) -> None:
    """Overwrite saved floating tensors with NaN before their memory is freed and reused."""
    with torch.no_grad():
        for tensor in tensors:
            if tensor.is_floating_point() or tensor.is_complex():
                tensor.fill_(math.nan)


def one_line_error(error: BaseException, filename: str) -> str:
    """`Type: message (line N)`, with the line in the user's file where it was raised, if any."""
    message = traceback.format_exception_only(type(error), error)[-1].strip()
    if isinstance(error, SyntaxError):
        return message
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    return f"{message} (line {lines[-1]})" if lines else message
