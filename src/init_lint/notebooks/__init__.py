"""Jupyter notebooks (`.ipynb`, nbformat 4): checked and fixed like Python files.

- `document`: the notebook's JSON, read without nbformat, with where each cell's source is, and
  written back changing only the fixed cells' sources.
- `mask`: IPython syntax (magics, shell and help lines) hidden from the parser, line for line.
- `module`: the code cells as one module, and module lines mapped back to (cell, line).
- `engine`: check and fix one notebook (what `init_lint.engine.process` runs for `.ipynb`).
- `runnable`: the code `init-lint verify` runs for a notebook.
- `lsp`: notebook documents in the language server.
"""
