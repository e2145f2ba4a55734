"""frame.py: the work budget and the frames of the walk."""

import libcst as cst

from init_lint.analysis.classes import ClassInfo
from init_lint.analysis.frame import Budget, Frame, Instance
from init_lint.analysis.values import Tri


def test_budget_counts_per_entry_and_per_file():
    budget = Budget(entry=2, file=3)
    assert not budget.spend() and not budget.spend()
    assert budget.spend()  # the entry's budget is spent
    budget.new_entry()
    assert not budget.spend()
    assert budget.spend()  # the file's is spent, whatever the entry has left
    budget.new_entry()
    assert budget.spend()


def test_a_nested_frame_copies_the_names_and_shares_the_instance():
    info = ClassInfo("Net", cst.parse_statement("class Net: pass"), [])
    frame = Frame({"x": 1}, Instance(info), info, "self", 2)
    inner = frame.nested(None, Tri.MAYBE, in_comprehension=True)
    inner.env["x"] = 2
    inner.env["y"] = 3
    assert frame.env == {"x": 1}  # a comprehension's names stay its own
    assert inner.instance is frame.instance and inner.method_owner is info and inner.depth == 2
    assert inner.in_loop and inner.in_comprehension and inner.level == Tri.MAYBE
    assert not frame.in_loop and frame.level == Tri.YES
