import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    """`init_lint.cli.main(argv)` in this process, in tmp_path; returns (exit code, stdout, stderr)."""
    from init_lint.cli import main

    monkeypatch.chdir(tmp_path)

    def call(*argv: str):
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call
