"""Seeded samples for the judged tallies of issue #11.

findings LIB [N]: up to N (40) random default-mode INI001 findings of LIB, with the class around each
            and the init-like lines of the file.
silent LIB [N]: N (15) random classes of LIB that build a torch layer (Linear/Conv*/Bilinear) and have
            no default-mode INI001 finding in their span.
"""
import ast, json, random, re, sys, os

SEED = 11
CORPUS = "/tmp/init-lint-corpus"
#: a folder of `init-lint check LIB --output-format json` outputs, one LIB.json per library
RUNS = os.environ.get("RUNS", "/tmp/recall_runs/base")
LAYER = re.compile(r"(^|\.)(Linear|Conv[123]d|ConvTranspose[123]d|Bilinear|LazyLinear|LazyConv[123]d)$")
INITISH = re.compile(r"nn\.init|init\.|_init|init_weights|reset_parameters|\.apply\(|\.modules\(\)|named_modules|"
                     r"parameters\(\)|fill_|zero_\(|normal_|uniform_|load_state_dict|init_cfg|constant_init|trunc_normal")

def findings(lib, runs=RUNS):
    data = json.load(open(f"{runs}/{lib}.json"))
    return [f for f in data if f["code"] == "INI001"]

def classes_of(path):
    try:
        tree = ast.parse(open(path, encoding="utf-8", errors="replace").read())
    except SyntaxError:
        return []
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            lines = []
            for sub in ast.walk(node):
                if isinstance(sub, ast.Call):
                    f = sub.func
                    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
                    if name and LAYER.search(name):
                        lines.append(sub.lineno)
            if lines:
                out.append((node.name, node.lineno, node.end_lineno, sorted(set(lines))))
    return out

def enclosing_class(path, line):
    best = None
    for name, a, b, _ in classes_of(path):
        if a <= line <= b and (best is None or a > best[1]):
            best = (name, a, b)
    return best

def show(path, line, ctx=3):
    src = open(path, encoding="utf-8", errors="replace").read().splitlines()
    for i in range(max(0, line - 1 - ctx), min(len(src), line + ctx)):
        print(f"   {i+1:5d}{'>' if i+1 == line else ' '} {src[i][:150]}")

def initish(path, a=None, b=None):
    src = open(path, encoding="utf-8", errors="replace").read().splitlines()
    hits = [(i + 1, l.strip()[:120]) for i, l in enumerate(src) if INITISH.search(l) and not l.strip().startswith("#")]
    return hits

def main():
    mode, lib = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else (40 if mode == "findings" else 15)
    rng = random.Random(f"{SEED}-{lib}-{mode}")
    if mode in ("findings", "diff"):
        items = findings(lib)
        if mode == "diff":  # per-file findings that default mode drops
            base = {(f["filename"], f["location"]["row"]) for f in items}
            items = [f for f in findings(lib, RUNS + "_perfile") if (f["filename"], f["location"]["row"]) not in base]
        items.sort(key=lambda f: (f["filename"], f["location"]["row"]))
        pick = sorted(rng.sample(items, min(n, len(items))), key=lambda f: (f["filename"], f["location"]["row"]))
        lastfile = None
        for k, f in enumerate(pick, 1):
            path, line = f["filename"], f["location"]["row"]
            rel = os.path.relpath(path, CORPUS)
            print(f"=== F{k} {rel}:{line} :: {f['message'][:200]}")
            cls = enclosing_class(path, line)
            print(f"   class {cls}")
            show(path, line, 1)
            if path != lastfile:
                hits = initish(path)
                print(f"   initish({len(hits)}): " + " | ".join(f"{i}:{t}" for i, t in hits[:25]))
            lastfile = path
    elif mode == "silent":
        flagged = {}
        for f in findings(lib):
            flagged.setdefault(os.path.realpath(f["filename"]), []).append(f["location"]["row"])
        cands = []
        for root, _, files in os.walk(f"{CORPUS}/{lib}"):
            for fn in sorted(files):
                if fn.endswith(".py"):
                    p = os.path.join(root, fn)
                    rows = flagged.get(os.path.realpath(p), [])
                    for name, a, b, lines in classes_of(p):
                        if not any(a <= r <= b for r in rows):
                            cands.append((p, name, a, b, lines))
        cands.sort(key=lambda c: (c[0], c[2]))
        print(f"candidates: {len(cands)}")
        pick = sorted(rng.sample(cands, min(n, len(cands))), key=lambda c: (c[0], c[2]))
        for k, (p, name, a, b, lines) in enumerate(pick, 1):
            rel = os.path.relpath(p, CORPUS)
            print(f"=== S{k} {rel}:{a} class {name} (lines {a}-{b}) layers at {lines}")
            hits = initish(p)
            print(f"   initish({len(hits)}): " + " | ".join(f"{i}:{t}" for i, t in hits[:30]))

main()
