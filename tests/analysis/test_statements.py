"""statements.py: statement order, if/elif forks, loops, assignment targets, addresses."""

from helpers import analyzed, cover, site


def test_an_undecided_if_makes_an_init_maybe():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, flag):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                if flag:
                    nn.init.zeros_(self.fc.weight)
                else:
                    nn.init.zeros_(self.fc.weight)
                    nn.init.zeros_(self.fc.bias)
        """)
    assert cover(analysis, "self.fc") == {"weight": 3, "bias": 1}  # bias: a fork (YES, FORK)


def test_a_decided_if_runs_one_branch():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                if False:
                    nn.init.zeros_(self.fc.weight)
        """)
    assert cover(analysis, "self.fc") == {"weight": 0, "bias": 0}


def test_elif_chain_joins_every_branch():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, kind):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                if kind == 1:
                    nn.init.zeros_(self.fc.weight)
                elif kind == 2:
                    nn.init.ones_(self.fc.weight)
                else:
                    nn.init.eye_(self.fc.weight)
        """)
    assert cover(analysis, "self.fc")["weight"] == 3


def test_return_in_a_branch_leaves_later_writes_on_the_other_way():
    # Only the way that goes on reaches the init: the way that returns keeps the default (a fork).
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, done):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                if done:
                    return
                nn.init.zeros_(self.fc.weight)
        """)
    assert cover(analysis, "self.fc")["weight"] == 1


def test_addresses_of_containers_and_tuples():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
                self.heads = nn.ModuleDict({"cls": nn.Linear(2, 2)})
                self.a, self.b = nn.Linear(1, 1), nn.Linear(2, 2)
        """)
    for address in ("self.net[0]", "self.net[2]", "self.heads['cls']", "self.a", "self.b"):
        site(analysis, address)


def test_a_container_holding_itself_is_addressed_once():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                layers = [nn.Linear(4, 4)]
                layers.append(layers)
                self.layers = layers
        """)
    assert site(analysis, "layers[0]").spec.name == "Linear"


def test_a_condition_on_a_default_no_caller_overrides_takes_one_way():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, init_weights=True):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                if init_weights:
                    nn.init.zeros_(self.fc.bias)
        """)
    assert cover(analysis, "self.fc")["bias"] == 3


def test_call_sites_of_the_file_decide_a_condition_and_are_named():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, init_type):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                if init_type == 'explicit':
                    nn.init.zeros_(self.fc.bias)

        def main():
            return Net('custom')
        """)
    fc = site(analysis, "self.fc")
    assert fc.cover["bias"] == 0
    assert fc.ways_decided == ("Net('custom') at line 11",)  # the helper prepends an import


def test_call_sites_that_disagree_fork_and_name_the_way():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, init_type):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                if init_type == 'explicit':
                    nn.init.zeros_(self.fc.bias)

        a, b = Net('explicit'), Net('custom')
        """)
    fc = site(analysis, "self.fc")
    assert fc.cover["bias"] == 1
    assert fc.fork_why["bias"].startswith("for Net('custom') at line")


def test_a_class_built_through_a_reference_keeps_unknown_arguments():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self, init_weights=True):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                if init_weights:
                    nn.init.zeros_(self.fc.bias)

        factory = Net
        """)
    fc = site(analysis, "self.fc")
    assert fc.cover["bias"] == 1
    assert fc.fork_why["bias"] == "when not init_weights"
