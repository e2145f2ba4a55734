"""forward.py: which layers' outputs feed which in `forward`."""

import libcst as cst

from init_lint.analysis.forward import forward_feeds


def feeds(code: str) -> dict:
    return forward_feeds(cst.parse_statement(code))


def test_output_passed_through_an_activation_feeds_the_next_layer():
    assert feeds("def forward(self, x):\n    h = self.fc1(x)\n    return self.fc2(F.relu(h))\n") == {
        "fc1": set(), "fc2": {"fc1"}}


def test_mixing_with_other_data_breaks_the_flow():
    result = feeds("def forward(self, x):\n    return x + self.proj(self.fc(x))\n")
    assert result["proj"] == {"fc"}
    result = feeds("def forward(self, x):\n    y = x + self.fc(x)\n    return self.out(y)\n")
    assert result["out"] == set()


def test_scaling_by_a_constant_keeps_the_flow():
    assert feeds("def forward(self, x):\n    return self.b(self.a(x) * 2)\n")["b"] == {"a"}
