#!/usr/bin/env python3
"""Time init-lint against TorchFix and against a bare libcst parse, in one run.

Stdlib only; runs with any Python >= 3.9. Every measured command runs as its own
subprocess; the commands are run in alternation, several repetitions, and the
median is reported. See benchmarks/README.md for what each column means.

    python benchmarks/bench.py                      # corpus + torch's source
    python benchmarks/bench.py --quick              # small subset, quick check
    python benchmarks/bench.py DIR [DIR ...] --reps 5 --json out.json
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_CORPUS = "/tmp/init-lint-corpus"
SKIP_DIRS = {".git", "__pycache__", ".init_lint_cache", ".hg", ".tox", ".venv", "node_modules"}
# Beyond this many bytes of arguments, folders are passed instead of file lists.
MAX_ARGV_BYTES = 1_000_000
CACHE_NAME = ".init_lint_cache"

# The libcst floor: run in a subprocess by the init-lint python.
# argv: FILELIST JOBS. Prints one JSON line.
FLOOR_SCRIPT = r"""
import json, sys
import libcst

def work(path):
    with open(path, "rb") as f:
        data = f.read()
    if b"torch" not in data:
        return 0, 0
    try:
        libcst.parse_module(data)
        return 1, 0
    except Exception:
        return 1, 1

def main():
    with open(sys.argv[1]) as f:
        files = [line.rstrip("\n") for line in f if line.strip()]
    jobs = int(sys.argv[2])
    if jobs <= 1:
        results = [work(p) for p in files]
    else:
        import multiprocessing
        with multiprocessing.Pool(jobs) as pool:
            results = list(pool.imap_unordered(work, files, chunksize=4))
    print(json.dumps({"files": len(files), "parsed": sum(r[0] for r in results),
                      "errors": sum(r[1] for r in results)}))

if __name__ == "__main__":
    main()
"""


# --------------------------------------------------------------------------- files

def default_folders(python: str) -> list[str]:
    folders = [os.path.join(DEFAULT_CORPUS, "timm"), os.path.join(DEFAULT_CORPUS, "torchvision")]
    folders = [f for f in folders if os.path.isdir(f)]
    d = torch_dir_via(python)  # torch is never imported here: that would only inflate our own memory
    if d:
        folders.append(d)
    return folders


def torch_dir_via(python: str) -> str | None:
    """torch's source folder as seen by that python (the init-lint venv), without importing torch."""
    code = "import importlib.util,os;s=importlib.util.find_spec('torch');print(os.path.dirname(s.origin) if s else '')"
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
        d = out.stdout.strip()
        return d if d and os.path.isdir(d) else None
    except Exception:
        return None


def collect(folders: list[str]) -> list[str]:
    files: list[str] = []
    for folder in folders:
        if os.path.isfile(folder):
            if folder.endswith(".py"):
                files.append(os.path.abspath(folder))
            continue
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
            files.extend(os.path.abspath(os.path.join(root, n)) for n in sorted(names) if n.endswith(".py"))
    seen: set[str] = set()
    return [f for f in files if not (f in seen or seen.add(f))]


def mentions_torch(path: str) -> bool:
    with open(path, "rb") as f:
        return b"torch" in f.read()


def subset(files: list[str], n: int) -> list[str]:
    if n <= 0 or len(files) <= n:
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


# --------------------------------------------------------------------------- running

class Result:
    def __init__(self, wall: float, cpu: float, maxrss_kb: int, tree_kb: int, rc: int, out: str, err: str):
        self.wall, self.cpu, self.maxrss_kb, self.tree_kb, self.rc, self.out, self.err = wall, cpu, maxrss_kb, tree_kb, rc, out, err


# The wrapper that runs each measured command (python -S, stdlib only, small). It is exec'd
# fresh, so the command it forks starts from its small image rather than from this script's:
# a child's ru_maxrss counts the RSS it had before exec. argv: RESULT SAMPLE_S TIMEOUT_S CMD...
# Writes {wall, cpu, maxrss_kb, tree_kb, rc} as JSON to RESULT.
WRAP_SCRIPT = r"""
import json, os, signal, sys, threading, time

def tree_rss_kb(root, page_kb):
    parents = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(int(name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open("/proc/%d/statm" % pid, "rb") as f:
                total += int(f.read().split()[1]) * page_kb
        except (OSError, ValueError, IndexError):
            pass
        todo.extend(parents.get(pid, ()))
    return total

def main():
    result, sample, timeout, cmd = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.setpgid(0, 0)
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    peak, done = [0], threading.Event()
    def sampler():
        while not done.wait(sample):
            peak[0] = max(peak[0], tree_rss_kb(pid, page_kb))
    if sample > 0 and os.path.isdir("/proc"):
        threading.Thread(target=sampler, daemon=True).start()
    def kill():
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    timer = threading.Timer(timeout, kill)
    timer.start()
    signal.signal(signal.SIGTERM, lambda *a: (kill(), sys.exit(143)))
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    timer.cancel()
    done.set()
    kill()  # leftover workers of the group, if any
    rc = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8
    maxrss = ru.ru_maxrss // 1024 if sys.platform == "darwin" else ru.ru_maxrss
    with open(result, "w") as f:
        json.dump({"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "maxrss_kb": maxrss, "tree_kb": peak[0],
                   "rc": rc}, f)

main()
"""


def run_measured(cmd: list[str], cwd: str, env: dict, timeout: float, sample: float, wrap: str) -> Result:
    """Run cmd under the wrapper: wall time, CPU (user+sys of it and its children), peak RSS.

    maxrss: os.wait4 on the command, i.e. the largest single process of its tree (what
    /usr/bin/time %M reports), not the sum over a pool's workers.
    tree: peak of the summed RSS of the whole process tree, sampled from /proc.
    """
    fd, res = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([sys.executable, "-S", wrap, res, str(sample), str(timeout)] + cmd, cwd=cwd,
                                    env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            try:
                proc.wait()
            except KeyboardInterrupt:
                proc.terminate()
                proc.wait()
                raise
            out.seek(0)
            err.seek(0)
            o, e = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        try:
            with open(res) as f:
                d = json.load(f)
        except (OSError, ValueError):
            return Result(0.0, 0.0, 0, 0, proc.returncode or -1, o, e + "\n(wrapper wrote no result)")
        return Result(d["wall"], d["cpu"], d["maxrss_kb"], d["tree_kb"], d["rc"], o, e)
    finally:
        os.unlink(res)


class Measure:
    """One kind of run: its command, how many processes, and its samples."""

    def __init__(self, name: str, tool: str, procs: int, cmd: list[str], ok_rc=(0,), note: str = "",
                 env: dict | None = None):
        self.name, self.tool, self.procs, self.cmd, self.ok_rc, self.note = name, tool, procs, cmd, ok_rc, note
        #: the environment to run it in (None: the tool's default)
        self.env = env
        self.samples: list[Result] = []
        self.failed: str | None = None

    def med(self, attr: str) -> float | None:
        vals = [getattr(s, attr) for s in self.samples]
        return statistics.median(vals) if vals else None

    def peak(self, attr: str) -> int | None:
        vals = [getattr(s, attr) for s in self.samples]
        return max(vals) if vals else None


# --------------------------------------------------------------------------- init-lint probing

def probe_init_lint(python: str, env: dict) -> tuple[dict | None, str]:
    """(flags supported, message) or (None, why it cannot run)."""
    try:
        p = subprocess.run([python, "-m", "init_lint", "check", "--help"], capture_output=True, text=True,
                           env=env, timeout=120, cwd=REPO)
    except Exception as e:  # noqa: BLE001
        return None, f"init-lint: cannot run {python} -m init_lint check --help: {e}"
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-1:] or [""]
        return None, f"init-lint: `{python} -m init_lint check --help` exited {p.returncode}: {tail[0]}"
    text = p.stdout + p.stderr
    flags = {f: (f in text) for f in ("--jobs", "--no-cache", "--exit-zero", "--cache-dir")}
    return flags, "init-lint: check --help works"


def init_lint_env(python: str) -> tuple[dict, str]:
    env = dict(os.environ)
    ok = subprocess.run([python, "-c", "import init_lint"], capture_output=True, env=env).returncode == 0
    if ok:
        return env, ""
    src = os.path.join(REPO, "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env, f"init_lint is not installed for {python}; using PYTHONPATH={src}"


# --------------------------------------------------------------------------- main

def fmt(v, spec: str, none: str = "-") -> str:
    return none if v is None else format(v, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", help="folders or .py files (default: %s/{timm,torchvision} and torch's "
                    "source)" % DEFAULT_CORPUS)
    ap.add_argument("--quick", action="store_true", help="a small subset (24 files spread over the set), for a smoke run")
    ap.add_argument("--max-files", type=int, default=0, help="use at most N files, spread evenly over the set")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each command (median); default 3")
    ap.add_argument("--torchfix-reps", type=int, default=None, help="repetitions for TorchFix (default: --reps); "
                    "TorchFix runs at 1-3 files/s, so on the whole corpus 1 is realistic")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="N for the parallel runs (default: all cores)")
    ap.add_argument("--init-lint-python", default=sys.executable, help="python that has init_lint and libcst "
                    "(default: this one)")
    ap.add_argument("--torchfix", default=None, help="TorchFix's command (default: torchfix on PATH, else "
                    "/tmp/torchfix-venv/bin/torchfix)")
    ap.add_argument("--before", metavar="SRC", help="also time init-lint from another checkout's src/ folder "
                    "(PYTHONPATH=SRC, same python and flags) in the same run, and print after/before ratios")
    ap.add_argument("--skip", default="", help="comma-separated: init-lint, torchfix, floor, j1, cache "
                    "(j1 = the one-process runs; cache = the warm-cache pair)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before a command is killed (default 3600)")
    ap.add_argument("--sample", type=float, default=0.2, help="seconds between /proc samples of the process tree's "
                    "RSS (0 = off)")
    ap.add_argument("--json", metavar="FILE", help="also write all samples and medians as JSON ('-' = stdout)")
    args = ap.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    say = (lambda *a: print(*a, file=sys.stderr, flush=True)) if args.json == "-" else (lambda *a: print(*a, flush=True))

    py = args.init_lint_python
    folders = args.folders
    if not folders:
        folders = default_folders(py)
        if not folders:
            say(f"no folders given and no corpus at {DEFAULT_CORPUS}: run bash ../shared/corpus/fetch.sh first")
            return 2
    files = collect(folders)
    if args.quick:
        files = subset(files, 24)
    if args.max_files:
        files = subset(files, args.max_files)
    if not files:
        say("no .py files found in: " + " ".join(folders))
        return 2
    n_torch = sum(mentions_torch(f) for f in files)
    jobs = max(1, args.jobs)
    reps = max(1, args.reps)
    tf_reps = max(1, args.torchfix_reps if args.torchfix_reps is not None else reps)

    workdir = tempfile.mkdtemp(prefix="init-lint-bench-")
    atexit.register(shutil.rmtree, workdir, True)
    filelist = os.path.join(workdir, "files.txt")
    with open(filelist, "w") as f:
        f.write("\n".join(files) + "\n")
    wrap = os.path.join(workdir, "wrap.py")
    with open(wrap, "w") as f:
        f.write(WRAP_SCRIPT)
    floor_py = os.path.join(workdir, "floor.py")
    with open(floor_py, "w") as f:
        f.write(FLOOR_SCRIPT)
    targets = files
    if sum(len(x) + 1 for x in files) > MAX_ARGV_BYTES:
        targets = [os.path.abspath(x) for x in folders]
        say(f"note: {len(files)} paths are too long for one command line; passing the folders instead "
            "(the tools then collect the files themselves)")

    say(f"{len(files)} .py files ({n_torch} mention torch) from: {' '.join(folders)}")
    say(f"machine: {os.cpu_count()} cores, python {platform.python_version()}; jobs={jobs}, reps={reps}, "
        f"torchfix reps={tf_reps}")

    measures: list[Measure] = []
    skipped: list[str] = []
    missing_flags: list[str] = []
    il_env = dict(os.environ)
    wipe_always = False

    # (c) the floor
    if "floor" not in skip:
        measures.append(Measure(f"libcst floor -j{jobs}", "floor", jobs, [py, floor_py, filelist, str(jobs)]))
        if "j1" not in skip and jobs != 1:
            measures.append(Measure("libcst floor -j1", "floor", 1, [py, floor_py, filelist, "1"]))

    # (a) init-lint
    cache_pair: tuple[Measure, Measure] | None = None
    cache_dir = os.path.join(workdir, "cache")
    il_cwd = os.path.join(workdir, "cwd")
    os.makedirs(il_cwd)
    if "init-lint" not in skip:
        il_env, msg = init_lint_env(py)
        if msg:
            say("note: " + msg)
        flags, msg = probe_init_lint(py, il_env)
        if flags is None:
            skipped.append(msg + " -- init-lint runs skipped")
        else:
            missing_flags = [f for f in ("--jobs", "--no-cache", "--exit-zero") if not flags[f]]
            if missing_flags:
                say("init-lint: check --help does not list " + ", ".join(missing_flags) +
                    " -- running without them (see the notes under the table)")
            base = [py, "-m", "init_lint", "check"]
            ok_rc = (0,) if flags["--exit-zero"] else (0, 1)
            ez = ["--exit-zero"] if flags["--exit-zero"] else []
            nc = ["--no-cache"] if flags["--no-cache"] else []
            cd = ["--cache-dir", cache_dir] if flags["--cache-dir"] else []
            # without --no-cache, every cache this script can find is wiped before each such run
            tag = " --no-cache" if flags["--no-cache"] else " (cache wiped)"
            if flags["--jobs"]:
                measures.append(Measure(f"init-lint -j{jobs}{tag}", "init-lint", jobs,
                                        base + nc + ez + cd + ["--jobs", str(jobs)] + targets, ok_rc))
                if "j1" not in skip and jobs != 1:
                    measures.append(Measure(f"init-lint -j1{tag}", "init-lint", 1,
                                            base + nc + ez + cd + ["--jobs", "1"] + targets, ok_rc))
                if args.before:
                    before_env = dict(il_env)
                    before_env["PYTHONPATH"] = os.path.abspath(args.before)
                    for procs in ([jobs, 1] if "j1" not in skip and jobs != 1 else [jobs]):
                        measures.append(Measure(f"init-lint before -j{procs}{tag}", "init-lint-before", procs,
                                                base + nc + ez + cd + ["--jobs", str(procs)] + targets, ok_rc,
                                                env=before_env))
            else:
                measures.append(Measure(f"init-lint (no --jobs){tag}", "init-lint", 0,
                                        base + nc + ez + cd + targets, ok_rc, note="process count unknown"))
            if "cache" not in skip:
                cmd = base + ez + cd + (["--jobs", str(jobs)] if flags["--jobs"] else []) + targets
                j = f"-j{jobs}" if flags["--jobs"] else "(no --jobs)"
                cache_pair = (Measure(f"init-lint cache cold {j}", "init-lint-cache", jobs if flags["--jobs"] else 0,
                                      cmd, ok_rc),
                              Measure(f"init-lint cache warm {j}", "init-lint-cache", jobs if flags["--jobs"] else 0,
                                      cmd, ok_rc))
                measures.extend(cache_pair)
            wipe_always = not flags["--no-cache"]

    # (b) TorchFix
    if "torchfix" not in skip:
        tf = args.torchfix or shutil.which("torchfix") or "/tmp/torchfix-venv/bin/torchfix"
        if not (os.path.isfile(tf) or shutil.which(tf)):
            skipped.append(f"TorchFix: not found ({tf}); install it in its own venv (see benchmarks/README.md) "
                           "or pass --torchfix PATH -- TorchFix runs skipped")
        else:
            measures.append(Measure(f"TorchFix -j{jobs}", "torchfix", jobs, [tf, "--jobs", str(jobs)] + targets))
            if "j1" not in skip and jobs != 1:
                measures.append(Measure("TorchFix -j1", "torchfix", 1, [tf, "--jobs", "1"] + targets))

    for line in skipped:
        say("SKIPPED: " + line)

    # ---- alternate: every rep runs each command once; the order rotates between reps
    units: list[list[Measure]] = []
    for m in measures:
        if cache_pair and m is cache_pair[1]:
            continue
        units.append(list(cache_pair) if cache_pair and m is cache_pair[0] else [m])
    cache_spots = set()
    for x in folders:
        d = os.path.abspath(x if os.path.isdir(x) else os.path.dirname(x))
        while True:
            cache_spots.add(d)
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
    cache_seen: list[str] = []
    total_reps = max(reps, tf_reps) if any(m.tool == "torchfix" for m in measures) else reps
    for rep in range(total_reps):
        k = rep % len(units) if units else 0
        for unit in units[k:] + units[:k]:
            want = tf_reps if unit[0].tool == "torchfix" else reps
            if rep >= want or any(m.failed for m in unit):
                continue
            if unit[0].tool == "init-lint-cache" or (unit[0].tool == "init-lint" and wipe_always):
                shutil.rmtree(cache_dir, ignore_errors=True)
                shutil.rmtree(il_cwd, ignore_errors=True)
                os.makedirs(il_cwd)
                for d in cache_spots:  # a cache kept beside the linted code, if init-lint puts it there
                    shutil.rmtree(os.path.join(d, CACHE_NAME), ignore_errors=True)
            for m in unit:
                env = m.env if m.env is not None else il_env if m.tool.startswith("init-lint") else dict(os.environ)
                r = run_measured(m.cmd, il_cwd if m.tool.startswith("init-lint") else workdir, env,
                                 args.timeout, args.sample, wrap)
                if r.rc not in m.ok_rc:
                    tail = "\n    ".join((r.err or r.out).strip().splitlines()[-6:])
                    m.failed = f"exit {r.rc} after {r.wall:.1f}s:\n    {tail}"
                    say(f"  FAILED {m.name}: {m.failed}")
                    if m.tool == "init-lint-cache":
                        for other in unit:
                            other.failed = other.failed or "its pair failed"
                    break
                m.samples.append(r)
                if m.tool == "init-lint-cache" and not cache_seen:
                    cache_seen = [d for d in [cache_dir, os.path.join(il_cwd, CACHE_NAME)]
                                  + [os.path.join(x, CACHE_NAME) for x in cache_spots] if os.path.isdir(d)]
                    say("  init-lint cache found at: " + (", ".join(cache_seen) or "nowhere that this script looks"))
                    cache_seen = cache_seen or ["?"]
                say(f"  rep {rep + 1}/{want}  {m.name:<40} {r.wall:8.2f} s  cpu {r.cpu:8.2f} s  "
                    f"maxrss {r.maxrss_kb / 1024:7.0f} MB  tree {r.tree_kb / 1024:7.0f} MB")

    # ---- table
    rows = []
    say("")
    say(f"{'run':<44} {'procs':>5} {'files':>6} {'seconds':>9} {'files/s':>8} {'cpu s':>8} "
        f"{'maxrss MB':>9} {'tree MB':>8} {'n':>3}")
    for m in measures:
        wall, cpu = m.med("wall"), m.med("cpu")
        rate = len(files) / wall if wall else None
        mx, tr = m.peak("maxrss_kb"), m.peak("tree_kb")
        say(f"{m.name[:44]:<44} {m.procs or '?':>5} {len(files):>6} {fmt(wall, '9.2f')} {fmt(rate, '8.1f')} "
            f"{fmt(cpu, '8.2f')} {fmt(mx and mx / 1024, '9.0f')} {fmt(tr and tr / 1024, '8.0f')} "
            f"{len(m.samples):>3}" + ("  FAILED" if m.failed else ""))
        rows.append({"name": m.name, "tool": m.tool, "procs": m.procs, "files": len(files), "median_s": wall,
                     "files_per_s": rate, "median_cpu_s": cpu, "peak_maxrss_kb": mx, "peak_tree_rss_kb": tr,
                     "walls": [s.wall for s in m.samples], "cpus": [s.cpu for s in m.samples],
                     "rcs": [s.rc for s in m.samples], "failed": m.failed, "cmd": m.cmd[:6] + (["..."] if len(m.cmd) > 6 else [])})

    def find(tool: str, procs: int) -> Measure | None:
        for m in measures:
            if m.tool == tool and m.procs == procs and m.samples and not m.failed:
                return m
        return None

    ratios = []

    def ratio(what: str, a: Measure, b: Measure, goal: str | None, words: str = "") -> None:
        rw, rc = a.med("wall") / b.med("wall"), a.med("cpu") / b.med("cpu")
        ratios.append({"what": what, "ratio": rw, "cpu_ratio": rc, "goal": goal})
        say(f"  {what:<34} {rw:7.3f}   cpu {rc:7.3f}" + (f"   {words}" if words else "")
            + (f"   (goal: {goal})" if goal else ""))

    say("")
    say("ratios: median seconds over median seconds, same number of processes (cpu: the same for user+sys CPU")
    say("seconds, which a busy machine disturbs less):")
    for procs in (jobs, 1) if jobs != 1 else (1,):
        il, tf, fl = find("init-lint", procs), find("torchfix", procs), find("floor", procs)
        if il and tf:
            ratio(f"init-lint/TorchFix -j{procs}", il, tf, "<= 0.10",
                  f"init-lint {tf.med('wall') / il.med('wall'):.1f}x faster")
        if il and fl:
            ratio(f"init-lint/libcst floor -j{procs}", il, fl, "<= 1.3")
        if tf and fl:
            ratio(f"TorchFix/libcst floor -j{procs}", tf, fl, None)
        before = find("init-lint-before", procs)
        if before and tf:
            ratio(f"before: init-lint/TorchFix -j{procs}", before, tf, None)
        if before and fl:
            ratio(f"before: init-lint/libcst floor -j{procs}", before, fl, None)
        if before and il:
            ratio(f"init-lint after/before -j{procs}", il, before, None)
    if cache_pair and all(m.samples and not m.failed for m in cache_pair):
        jt = cache_pair[0].name.split("cold ", 1)[1]
        ratio(f"init-lint warm/cold cache {jt}", cache_pair[1], cache_pair[0], "<= 0.10",
              "" if cache_seen and cache_seen != ["?"] else "[no cache folder was found: see above]")
        nc = find("init-lint", cache_pair[0].procs)
        if nc:
            ratio(f"init-lint warm cache/no cache {jt}", cache_pair[1], nc, None)
    if not ratios:
        say("  (none: a pair of runs is missing)")
    if missing_flags:
        say("note: init-lint check lacks " + ", ".join(missing_flags) + ": "
            + ("runs use its default process count; " if "--jobs" in missing_flags else "")
            + ("caches it could find were wiped before each run instead of --no-cache; " if "--no-cache" in missing_flags else "")
            + ("exit status 1 (findings) accepted; " if "--exit-zero" in missing_flags else ""))
    for line in skipped:
        say("SKIPPED: " + line)

    if args.json:
        doc = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                        "mem_total_kb": _meminfo_total()},
            "folders": folders, "files": len(files), "files_mentioning_torch": n_torch, "jobs": jobs, "reps": reps,
            "torchfix_reps": tf_reps, "init_lint_python": py, "missing_init_lint_flags": missing_flags,
            "skipped": skipped, "runs": rows, "ratios": ratios,
        }
        text = json.dumps(doc, indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as f:
                f.write(text + "\n")
    shutil.rmtree(workdir, ignore_errors=True)
    return 1 if any(m.failed for m in measures) else 0


def _meminfo_total() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
