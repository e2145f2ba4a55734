#!/usr/bin/env python3
"""What a notebook costs over the same code in a .py file: check and fix, in process, median of runs.

Builds one notebook of N model cells (a quarter of them with a 400 kB image output) and the .py
file of the same code; prints the seconds of each and the ratio notebook / .py.  The notebook's
extra work is reading the JSON (outputs included), masking, splitting the fix back into cells and
comparing the rewritten file with the original.

    PYTHONPATH=src python benchmarks/notebooks.py [--cells 200] [--reps 3]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import time


def notebook_and_python(cells: int) -> tuple:
    image = base64.b64encode(os.urandom(400_000)).decode()
    sources = ["import torch\nfrom torch import nn"] + [
        f"class Net{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        f"        self.fc = nn.Linear(3, 4)" for i in range(cells)]
    nb_cells = []
    for i, source in enumerate(sources):
        image_output = {"output_type": "display_data", "metadata": {}, "data": {"image/png": image}}
        outputs = [image_output] if i % 4 == 1 else []
        nb_cells.append({"cell_type": "code", "execution_count": i + 1, "id": f"c{i}", "metadata": {},
                         "outputs": outputs, "source": source.splitlines(keepends=True)})
    notebook = {"cells": nb_cells, "metadata": {"language_info": {"name": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(notebook, indent=1) + "\n").encode(), ("\n\n".join(sources) + "\n").encode()


def median_seconds(function, reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    from init_lint.checker import check_source
    from init_lint.config import Settings
    from init_lint.fixes.apply import fix_source
    from init_lint.notebooks.engine import check_notebook, fix_notebook

    notebook, python = notebook_and_python(args.cells)
    settings = Settings()
    print(f"{args.cells} model cells; notebook {len(notebook) / 1e6:.1f} MB, "
          f"the same code as .py {len(python) / 1e3:.0f} kB")
    for what, on_notebook, on_python in (
        ("check", lambda: check_notebook(notebook, "nb.ipynb", settings),
         lambda: check_source(python, "nb.py", settings)),
        ("fix", lambda: fix_notebook(notebook, "nb.ipynb", settings), lambda: fix_source(python, "nb.py", settings)),
    ):
        nb_time, py_time = median_seconds(on_notebook, args.reps), median_seconds(on_python, args.reps)
        print(f"{what:5s}  notebook {nb_time:6.2f} s   .py {py_time:6.2f} s   ratio {nb_time / py_time:4.2f}")


if __name__ == "__main__":
    main()
