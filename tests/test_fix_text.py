"""Issue 14, "fix text as a careful person writes it", and the Fix model of issue 10: each finding's own
edits, merged when fixing all, the same text when applied one at a time."""

from __future__ import annotations

import textwrap

import pytest

from fixcheck import fixed_sources
from init_lint.api import check_source, fix_source
from init_lint.diagnostics import SAFE, Edit, Fix
from init_lint.fixes.apply import fixes_of
from init_lint.fixes.edits import apply_edits, merge

MODEL = """\
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
"""


# ------------------------------------------------------------------ INI004: the bound in place


def test_ini004_rewrites_the_bound_in_place():
    source = textwrap.dedent("""\
        import math
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 4)
                bound = 1 / math.sqrt(self.fc.out_features)  # the bias bound
                nn.init.uniform_(self.fc.bias, -bound, bound)
                nn.init.zeros_(self.fc.weight)
        """)
    result = fix_source(source, "x.py", unsafe=True, settings=None, style="explicit")
    assert [f.code for f in result.fixed] == ["INI004"]
    assert result.source == source.replace("1 / math.sqrt(self.fc.out_features)", "1 / math.sqrt(16)")
    assert "bound_" not in result.source


def test_ini004_in_place_reads_fan_in_from_the_layer_when_the_argument_is_not_a_literal():
    source = textwrap.dedent("""\
        import math
        import torch.nn as nn

        H = 8


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(H, 4)
                bound = 1 / math.sqrt(self.fc.out_features)
                nn.init.uniform_(self.fc.bias, -bound, bound)
        """)
    assert "INI004" in [f.code for f in check_source(source, "x.py")]
    result = fix_source(source, "x.py", unsafe=True)
    assert "        bound = 1 / math.sqrt(self.fc.in_features)\n" in result.source
    assert "INI004" not in [f.code for f in check_source(result.source, "x.py")]


def test_ini004_bound_read_again_later_is_not_rewritten():
    source = textwrap.dedent("""\
        import math
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 4)
                bound = 1 / math.sqrt(4)
                nn.init.uniform_(self.fc.bias, -bound, bound)
                nn.init.uniform_(self.fc.weight, -bound, bound)
        """)
    result = fix_source(source, "x.py", unsafe=True)
    assert "INI004" in [f.code for f in result.fixed]
    # the weight still reads the user's bound; the bias got its own recipe under a free name
    assert "bound = 1 / math.sqrt(4)\n" in result.source
    assert "nn.init.uniform_(self.fc.weight, -bound, bound)" in result.source
    assert "bound_ = 1 / math.sqrt(16)" in result.source


# ------------------------------------------------------------------ names stay stable one fix at a time


TWO_LAYERS = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(3, 4)
            self.b = nn.Conv2d(4, 8, 3)
            self.c = nn.ConvTranspose2d(8, 4, 3)

        def forward(self, x):
            bound = x
            return bound
    """)


@pytest.mark.parametrize("style", ["explicit", "skip-init"])
@pytest.mark.parametrize("order", [0, -1])
def test_fixes_applied_one_at_a_time_give_the_same_text(style, order):
    all_at_once = fix_source(TWO_LAYERS, "x.py", style=style).source
    text = TWO_LAYERS
    while True:
        own = [f for f in fixes_of(text, "x.py", style=style) if f.fix_edits is not None]
        if not own:
            break
        text = apply_edits(text, list(own[order].fix_edits.edits))
    assert text == all_at_once
    assert "bound_" not in text and "fan_in_" not in text


def test_each_finding_carries_its_own_fix():
    findings = [f for f in fixes_of(TWO_LAYERS, "x.py") if f.fix == SAFE]
    assert len(findings) == 3 and all(isinstance(f.fix_edits, Fix) for f in findings)
    for finding in findings:
        fix = finding.fix_edits
        assert fix.applicability == SAFE and fix.message
        alone = apply_edits(TWO_LAYERS, list(fix.edits))
        left = {f.message for f in check_source(alone, "x.py")}
        assert finding.message not in left and len(left) == 2
        data = finding.to_dict()["fix"]
        assert data["applicability"] == SAFE and data["edits"][0]["content"]


def test_merge_keeps_identical_edits_once_and_defers_conflicts():
    text = "a\nb\n"
    imports = Edit(1, 0, 1, 0, "import math\n")
    one = Fix(SAFE, (imports, Edit(2, 0, 2, 1, "B")))
    two = Fix(SAFE, (imports, Edit(2, 0, 2, 1, "C")))  # replaces the same character: a conflict
    three = Fix(SAFE, (imports, Edit(3, 0, 3, 0, "c\n")))
    merged, applied = merge(text, [one, two, three])
    assert merged == "import math\na\nB\nc\n" and applied == [0, 2]


def test_insertions_at_one_point_keep_the_draw_order():
    source = textwrap.dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a, self.b = nn.Linear(3, 4), nn.Linear(5, 6)
        """)
    fixed = fix_source(source, "x.py", style="skip-init").source
    assert fixed.index("self.a.weight") < fixed.index("self.b.weight")


# ------------------------------------------------------------------ `import math` where isort puts it


@pytest.mark.parametrize("head, expected", [
    ('"""Doc."""\nfrom __future__ import annotations\n\nimport os\nimport sys\n\nimport torch.nn as nn\n',
     '"""Doc."""\nfrom __future__ import annotations\n\nimport math\nimport os\nimport sys\n\nimport torch.nn as nn\n'),
    ("import abc\nimport collections\n\nimport torch.nn as nn\n",
     "import abc\nimport collections\nimport math\n\nimport torch.nn as nn\n"),
    ("#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# mypy: ignore-errors\nimport torch.nn as nn\n",
     "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# mypy: ignore-errors\nimport math\n\nimport torch.nn as nn\n"),
    ('"""Doc."""\n\nfrom torch import nn\n', '"""Doc."""\n\nimport math\n\nfrom torch import nn\n'),
    ("import os\nfrom typing import Any\n\nimport torch.nn as nn\n",
     "import math\nimport os\nfrom typing import Any\n\nimport torch.nn as nn\n"),
    ("from typing import Any\n\nimport torch.nn as nn\n",
     "import math\nfrom typing import Any\n\nimport torch.nn as nn\n"),
])
def test_import_math_goes_where_isort_puts_it(head, expected):
    source = head + "\n\n" + MODEL
    fixed = fix_source(source, "x.py").source
    assert fixed.startswith(expected), fixed


def test_import_keeps_bom_and_crlf():
    source = ("\ufeffimport torch.nn as nn\n\n\n" + MODEL).replace("\n", "\r\n").encode("utf-8")
    fixed = fix_source(source, "x.py").source
    assert fixed.startswith(b"\xef\xbb\xbfimport math\r\n\r\nimport torch.nn as nn\r\n")
    assert b"\n" not in fixed.replace(b"\r\n", b"")


def test_fix_all_is_safe_in_both_styles():
    fixed_sources("import torch.nn as nn\n\n\n" + MODEL)


@pytest.mark.parametrize("style", ["explicit", "skip-init"])
def test_last_line_without_a_newline(style):
    source = "import torch.nn as nn\n\n\n" + MODEL.rstrip("\n")
    fixed = fixed_sources(source)[style]
    assert "        self.fc = " in fixed
    assert fixed.rstrip("\n").endswith("nn.init.uniform_(self.fc.bias, -bound, bound)")


def test_unsafe_fix_puts_import_math_after_the_docstring():
    source = textwrap.dedent('''\
        """A model."""
        import torch
        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(3, 4)
                torch.nn.init.zeros_(self.fc.weight)
        ''')
    fixed = fix_source(source, "x.py", unsafe=True).source
    assert fixed.startswith('"""A model."""\nimport math\n\nimport torch\n'), fixed


def test_skip_init_quick_fix_alone_keeps_the_draw_order():
    source = textwrap.dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a, self.b = nn.Linear(3, 4), nn.Linear(4, 5)
                self.c = nn.Linear(5, 6)
        """)
    own = {f.message.split(" =")[0]: f.fix_edits for f in fixes_of(source, "x.py", style="skip-init")}
    # `self.a` alone would draw after `self.b`'s constructor: only "fix all" moves both
    assert own["self.a"] is None and own["self.b"] is not None and own["self.c"] is not None
    assert all(fix is not None for fix in {f.message: f.fix_edits for f in fixes_of(source, "x.py")}.values())
