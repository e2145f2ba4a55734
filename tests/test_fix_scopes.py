"""`analysis.scopes`: what a name means where a fix stands, and which temporaries it may bind there."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from init_lint.analysis.walk import walk
from init_lint.analysis.scopes import FileScopes


def at_marker(source: str):
    """The scopes of the source and the place of the statement marked `# HERE`."""
    source = textwrap.dedent(source)
    module = cst.parse_module(source)
    scopes = FileScopes(module)
    for node in walk(module):
        if isinstance(node, cst.SimpleStatementLine) and node.trailing_whitespace.comment is not None \
                and "HERE" in node.trailing_whitespace.comment.value:
            return scopes, scopes.place(node)
    raise AssertionError("no # HERE")


@pytest.mark.parametrize("body, free", [
    ("x = 1  # HERE\ny = 2", True),
    ("x = 1  # HERE\ny = bound", False),
    ("y = bound\nx = 1  # HERE", True),  # read before the point, no loop
    ("x = 1  # HERE\nbound = 2\ny = bound", True),  # rebound before the read
    ("bound = 2\nx = 1  # HERE\ny = bound", False),  # the insertion falls between the rebinding and the read
    ("for i in range(3):\n    y = bound\n    x = 1  # HERE", False),  # the next iteration reads it
    ("for i in range(3):\n    x = 1  # HERE\n    bound = 2\n    y = bound", True),
    ("x = 1  # HERE\nif x:\n    y = bound", False),
    ("x = 1  # HERE\nif x:\n    bound = 3\ny = bound", False),  # rebound on one branch only
    ("x = 1  # HERE\nf = lambda: bound", False),  # a closure reads it whenever it runs
    ("x = 1  # HERE\ndef g():\n    return bound", False),
    ("x = 1  # HERE\ndef g(bound):\n    return bound", True),  # g's own parameter
    ("global bound\nx = 1  # HERE", False),
    ("x = 1  # HERE\ny = [bound for bound in range(3)]", True),  # the comprehension's own variable
    ("x = 1  # HERE\ny = [i + bound for i in range(3)]", False),
    ("x = 1  # HERE\nbound += 1", False),
    ("x = 1  # HERE\nbound = bound + 1", False),
])
def test_temporary_is_free_to_bind(body, free):
    source = "def f(self):\n" + textwrap.indent(body, "    ") + "\n"
    scopes, place = at_marker(source)
    assert scopes.free_to_bind("bound", place) is free


def test_module_level_temporary_read_by_a_function_is_not_free():
    scopes, place = at_marker("x = 1  # HERE\ndef f():\n    return bound\n")
    assert not scopes.free_to_bind("bound", place)
    scopes, place = at_marker("x = 1  # HERE\ndef f():\n    bound = 1\n    return bound\n")
    assert scopes.free_to_bind("bound", place)


@pytest.mark.parametrize("source, name, qualified, resolves", [
    ("import math\ndef f():\n    x = 1  # HERE\n", "math", "math", True),
    ("import math\ndef f(math):\n    x = 1  # HERE\n", "math", "math", False),
    ("import math\ndef f():\n    x = 1  # HERE\n    math = 2\n", "math", "math", False),  # local all through f
    ("def g():\n    import math\ndef f():\n    x = 1  # HERE\n", "math", "math", False),
    ("def f():\n    import math\n    x = 1  # HERE\n", "math", "math", True),
    ("def f():\n    x = 1  # HERE\n    import math\n", "math", "math", False),  # not imported yet
    ("from torch.nn import init\nclass A:\n    def f(self, init=True):\n        x = 1  # HERE\n",
     "init", "torch.nn.init", False),
    ("from torch import nn\nclass A:\n    nn = None\n    def f(self):\n        x = 1  # HERE\n",
     "nn", "torch.nn", True),  # a class attribute is not in a method's scope
    ("import torch.nn as nn\ndef f():\n    global nn\n    x = 1  # HERE\n", "nn", "torch.nn", True),
    ("try:\n    import torch.nn as nn\nexcept ImportError:\n    nn = None\ndef f():\n    x = 1  # HERE\n",
     "nn", "torch.nn", False),  # maybe not torch's
    ("import torch.nn as nn\ndef outer():\n    nn = 1\n    def f():\n        x = 1  # HERE\n", "nn", "torch.nn",
     False),  # the enclosing function's
])
def test_name_resolves_where_the_fix_stands(source, name, qualified, resolves):
    scopes, place = at_marker(source)
    assert scopes.resolves_to(name, qualified, place) is resolves
