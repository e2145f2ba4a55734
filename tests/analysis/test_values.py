"""values.py: structured addresses the fixer renders and the rules read."""

from init_lint.analysis.values import (
    VALUES_STEP, Address, attr_step, dotted_steps, index_step, key_step, name_step,
)


def test_address_renders_as_python():
    address = Address((name_step("self"), attr_step("heads"), key_step("cls"), index_step(0)))
    assert address.expr == "self.heads['cls'][0]"
    assert address.last_index == 0
    assert Address((name_step("self"), attr_step("fc"))).last_index is None


def test_loop_address_over_a_dict():
    address = Address(dotted_steps("self.blocks") + (VALUES_STEP,), loop=True)
    assert address.expr == "self.blocks.values()"
    assert address.loop


def test_dotted_steps():
    assert dotted_steps("layers") == (name_step("layers"),)
    assert [s.kind for s in dotted_steps("self.a.b")] == ["name", "attr", "attr"]
