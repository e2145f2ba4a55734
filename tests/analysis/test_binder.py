"""binder.py: marks, fork/join of alternatives, isolated dispatch bodies."""

from init_lint.analysis.binder import Binder, dispatch_key, is_dispatch_key
from init_lint.analysis.classes import ClassInfo
from init_lint.analysis.frame import Frame, Instance
from init_lint.analysis.values import ChoiceValue, Tri

import libcst as cst


def test_mark_never_lowers():
    binder = Binder()
    binder.mark(1, "weight", Tri.YES)
    binder.mark(1, "weight", Tri.MAYBE)
    assert binder.level(1, "weight") == Tri.YES
    assert binder.level(1, "bias") == Tri.NO


def test_join_is_sure_only_where_all_alternatives_agree():
    binder = Binder()
    binder.mark("old", "weight", Tri.YES)
    fork = binder.fork()
    fork.branch()
    binder.mark(1, "weight", Tri.YES)
    binder.mark(2, "weight", Tri.YES)
    fork.end()
    fork.branch()
    assert binder.level(1, "weight") == Tri.NO  # each alternative starts from the state before the fork
    binder.mark(1, "weight", Tri.YES)
    fork.end()
    assert fork.join() == Tri.NO
    assert binder.level(1, "weight") == Tri.YES
    assert binder.level(2, "weight") == Tri.FORK  # one way leaves it undone: a fork, not a doubt
    assert binder.level("old", "weight") == Tri.YES


def _frame() -> Frame:
    info = ClassInfo("Net", cst.parse_statement("class Net: pass"), [])
    return Frame({"x": 0}, Instance(info), info, "self", 1)


def test_names_join_to_a_choice_and_a_returning_branch_contributes_none():
    binder = Binder()
    frame = _frame()
    fork = binder.fork(frame)
    fork.branch()
    assert frame.level == Tri.FORK
    frame.env["x"] = 1
    fork.end()
    fork.branch()
    frame.env["x"] = 2
    fork.end()
    fork.join()
    assert isinstance(frame.env["x"], ChoiceValue) and set(frame.env["x"].options) == {1, 2}
    assert frame.level == Tri.YES

    fork = binder.fork(frame)
    fork.branch()
    frame.env["y"] = "returned"
    fork.end(Tri.YES)
    fork.branch()
    frame.env["y"] = "kept"
    fork.end(Tri.NO)
    assert fork.join() == Tri.MAYBE
    assert frame.env["y"] == "kept"


def test_isolated_body_keeps_concrete_marks_and_returns_dispatch_marks():
    binder = Binder()
    binder.mark(7, "bias", Tri.MAYBE)

    def body():
        assert binder.marks == {}
        binder.mark(dispatch_key("Linear"), "weight", Tri.YES)
        binder.mark(7, "bias", Tri.YES)

    inner = binder.isolated(body)
    assert inner[(dispatch_key("Linear"), "weight")] == Tri.YES
    assert binder.level(7, "bias") == Tri.YES
    assert binder.level(dispatch_key("Linear"), "weight") == Tri.NO
    assert is_dispatch_key(dispatch_key("Conv2d")) and not is_dispatch_key(7)


def test_a_fork_names_the_way_that_leaves_a_mark_undone():
    binder = Binder()
    fork = binder.fork()
    fork.branch("when init_type == 'explicit'")
    binder.mark(1, "weight", Tri.YES)
    fork.end()
    fork.branch("when init_type != 'explicit'")
    fork.end()
    fork.join()
    assert binder.level(1, "weight") == Tri.FORK
    assert binder.why[(1, "weight")] == "when init_type != 'explicit'"


def test_a_doubt_is_init_or_code_out_of_sight_and_stays_maybe():
    binder = Binder()
    fork = binder.fork()
    fork.branch()
    binder.mark(1, "weight", Tri.YES)
    fork.end()
    fork.branch()
    binder.mark(1, "weight", Tri.MAYBE)
    fork.end()
    fork.join()
    assert binder.level(1, "weight") == Tri.MAYBE
    # inside a dispatch body a condition selects modules, not ways of building: a doubt
    doubtful = binder.fork(doubt=True)
    doubtful.branch()
    binder.mark(2, "weight", Tri.YES)
    doubtful.end()
    doubtful.branch()
    doubtful.end()
    doubtful.join()
    assert binder.level(2, "weight") == Tri.MAYBE
