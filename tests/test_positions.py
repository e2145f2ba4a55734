"""positions.locate places every node exactly where libcst's PositionProvider over the whole file does."""

from __future__ import annotations

import glob
import os

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

import init_lint.analysis  # noqa: F401  (positions imports the analysis package's walk)
from init_lint import positions
from init_lint.analysis.walk import walk

HERE = os.path.dirname(os.path.abspath(__file__))

NESTED = '''\
"""A module docstring."""
import torch
from torch import nn  # a comment


@decorator(
    nn.Linear(2, 3))
class Net(nn.Module):
    """Doc."""

    x = 1; y = nn.Linear(1, 2)

    @staticmethod
    @other
    def make(a, b=nn.Conv2d(1, 2, 3)):
        if a:
            return nn.Linear(a, b)
        elif b:  # a comment
            layer = nn.Linear(
                b,
                a,
            )
        elif a and \\
                b:
            pass
        else:
            for i in range(3):
                while i:
                    i -= 1
                else:
                    z = nn.Linear(i, i)
            else:
                q = nn.Linear(9, 9)
        try:
            w = nn.Linear(1, 1)
        except (ValueError, TypeError) as error:
            w = nn.Linear(2, 2)
        except Exception:
            w = nn.Linear(3, 3)
        else:
            w = nn.Linear(4, 4)
        finally:
            w = nn.Linear(5, 5)
        with open(a) as f, open(b):
            s = """a
            multi-line string""" + str(nn.Linear(1, 1))
        if a: v = nn.Linear(1, 1); u = 2
        match a:
            case [1, 2]:
                m = nn.Linear(1, 1)
            case {"k": v} if v:
                m = nn.Linear(2, 2)
            case _:
                pass
        return [nn.Linear(i, i) for i in range(3)]

    async def run(self):
        async with lock:
            async for x in y:
                await nn.Linear(1, 1)


def f():
\tif True:
\t\treturn nn.Linear(1, 2)


class Tabs:
  def odd(self):
        self.a = nn.Linear(1, 1)
        def inner():
          return nn.Linear(2, 2)
'''


def _compare(source: str) -> int:
    module = cst.parse_module(source)
    text = source.lstrip("\ufeff")
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = list(walk(module))[1:]
    got = positions.locate(module, text, nodes)
    for node in nodes:
        assert got.get(id(node)) == expected.get(node), (type(node).__name__, cst.Module([]).code_for_node(node))
    return len(nodes)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_every_node_of_nested_statements(newline):
    assert _compare(NESTED.replace("\n", newline)) > 400


def test_try_star_and_form_feed():
    _compare("try:\n    a = 1\nexcept* ValueError:\n    b = nn.Linear(1, 1)\n\x0c\nclass A:\n    c = 2\n")


def test_a_few_nodes_place_only_their_own_statements(monkeypatch):
    """Placing the layer of one line generates the code of that line, not of its class."""
    module = cst.parse_module(NESTED)
    generated = []
    original = positions._statement_positions

    def spy(module, statement, indents):
        generated.append(statement)
        return original(module, statement, indents)

    monkeypatch.setattr(positions, "_statement_positions", spy)
    call = next(n for n in walk(module) if isinstance(n, cst.Call) and cst.Module([]).code_for_node(n) ==
                "nn.Linear(5, 5)")
    where = positions.locate(module, NESTED, [call])[id(call)]
    assert (where.start.line, where.start.column, where.end.line, where.end.column) == (43, 16, 43, 31)
    assert len(generated) == 1 and isinstance(generated[0], cst.SimpleStatementLine)


def test_unparsable_text_falls_back_to_the_whole_file():
    module = cst.parse_module("a = f(1)\n")
    call = module.body[0].body[0].value
    where = positions.locate(module, "a = f(1\n", [call])[id(call)]  # text Python cannot parse
    assert (where.start.line, where.start.column) == (1, 4)


def test_fixtures_and_tests_place_like_position_provider():
    files = sorted(glob.glob(os.path.join(HERE, "..", "fixtures", "**", "*.py"), recursive=True))
    assert files
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            source = data.decode("utf-8")
            cst.parse_module(source)
        except (UnicodeDecodeError, cst.ParserSyntaxError):
            continue
        _compare(source)


def test_a_statement_written_twice_is_numbered_by_python(monkeypatch):
    """A line that occurs twice in the text is placed by Python's parse; a line that occurs once needs none."""
    source = ("class A(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(2, 2)\n\n\n"
              "class B(nn.Module):\n    def __init__(self):\n        self.fc = nn.Linear(2, 2)\n"
              "        self.out = nn.Linear(2, 3)\n")
    module = cst.parse_module(source)
    calls = [n for n in walk(module) if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute)]
    parsed = []
    original = positions._ast_module
    monkeypatch.setattr(positions, "_ast_module", lambda text: parsed.append(text) or original(text))
    where = positions.locate(module, source, calls[2:])
    assert [(w.start.line, w.start.column) for w in where.values()] == [(9, 19)] and not parsed
    where = positions.locate(module, source, calls[:2])
    assert [(where[id(c)].start.line, where[id(c)].start.column) for c in calls[:2]] == [(3, 18), (8, 18)]
    assert parsed
