"""interpreter.py: which code runs as an entry, and what the whole walk of a file records."""

from helpers import analyzed, cover

from init_lint.analysis.values import Tri


def test_init_runs_with_unknown_arguments_so_every_branch_is_seen():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, deep=False):
                super().__init__()
                if deep:
                    self.fc = nn.Linear(4, 4)
                else:
                    self.fc = nn.Linear(4, 2)
    """)
    assert sorted(s.args.get("out_features") for s in analysis.facts.sites) == [2, 4]


def test_a_method_init_never_calls_runs_as_an_entry_of_its_own():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

            def reset_parameters(self):
                nn.init.zeros_(self.fc.bias)
    """)
    [call] = analysis.facts.init_calls
    assert call.function == "zeros_" and call.params == ("bias",)
    # a method no code of the file calls may run: it covers the bias, without proof (MAYBE)
    assert cover(analysis, "self.fc") == {"weight": Tri.NO, "bias": Tri.MAYBE}


def test_module_level_code_and_functions_are_entries():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 2)

        def build():
            net = Net()
            nn.init.zeros_(net.fc.weight)
            return net
    """)
    assert [b.entry for b in analysis.facts.builds if b.child == "Net"] == ["<function build>"]
    assert [c.function for c in analysis.facts.init_calls] == ["zeros_"]


def test_attributes_after_init_and_forward_feeds_are_recorded():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 8)
                self.fc2 = nn.Linear(8, 2)

            def forward(self, x):
                return self.fc2(self.fc1(x).relu())
    """)
    assert set(analysis.facts.attrs["Net"]) >= {"fc1", "fc2"}
    assert analysis.facts.forward_feeds["Net"] == {"fc1": set(), "fc2": {"fc1"}}


def test_a_recursive_call_gives_unknown_and_the_walk_ends():
    source = """
        def make(n):
            return {call} if n else nn.Linear(4, 2)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = make(3)
    """
    assert len(analyzed(source.format(call="nn.Linear(4, 2)")).facts.sites) == 1  # n is known: one branch
    assert analyzed(source.format(call="make(n - 1)")).facts.sites == []  # make's own call is UNKNOWN


def test_a_subclass_runs_the_methods_it_inherits_from_a_base_of_the_file_as_later_entries():
    from init_lint.analysis.values import Tri

    analysis = analyzed("""
        import torch.nn as nn

        class Base(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Conv2d(3, 8, 4)

            def reset_parameters(self):
                for m in self.modules():
                    if isinstance(m, nn.Conv2d):
                        nn.init.zeros_(m.bias)

        class Child(Base):
            def __init__(self):
                super().__init__()
                self.sr = nn.Conv2d(8, 8, 2)
        """)
    entries = {event.entry for event in analysis.facts.dispatches}
    assert {"Base.reset_parameters", "Child.reset_parameters"} <= entries
    child_sr = [s for s in analysis.facts.sites if s.owner == "Child"]
    assert child_sr and all(s.cover["bias"] > Tri.NO for s in child_sr)
