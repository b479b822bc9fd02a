import pytest

from hochreiter97.bench import costs
from tests.table10 import TABLE10


@pytest.mark.parametrize("name", TABLE10)
def test_counted_total_is_order_W(name):
    arch, W = TABLE10[name]
    total = sum(costs.counted(arch).values())
    assert 1.0 <= total / costs.eq29(arch) <= 3.0
    assert 1.5 <= total / W <= 4.0


def test_eq29_is_the_paper_formula_for_F():
    arch, _ = TABLE10["4, 5"]          # K=1, H=0, C=2, S=2, I=11
    assert costs.eq29(arch) == 1 + 0 + 2 + 2 * 4 + 0 + 2 * 11 + 4 * 4 * 11


def test_counted_update_matches_paper_where_definitions_agree():
    arch, _ = TABLE10["6a"]
    counted, paper = costs.counted(arch), costs.paper_per_equation(arch)
    for eq in ("(19)", "(25)", "(26)", "(27)", "(28)"):
        assert counted[eq] == paper[eq], eq
    assert counted["(21)"] + counted["(23)"] == paper["(23)"] + 2 * arch.cells   # shared sum counted once


def test_weight_formula_of_paper():
    arch, W = TABLE10["6b"]
    K, H, C, S, I = costs._KHCSI(arch)
    assert K * H + K * C * S + C * S * I + 2 * C * I + H * I + K == W      # + K output biases ("all")


def test_counted_per_equation_of_one_net():
    """The counts as reference.py's lines counted them before they moved to Architecture.step_ops."""
    arch, _ = TABLE10["4, 5"]
    assert costs.counted(arch) == {"(7)": 22, "(8)": 22, "(9)": 52, "(6)": 0, "output": 5, "(25)": 44, "(27)": 44,
                                   "(19)": 1, "(20)": 0, "(21)": 4, "(23)": 8, "(22)": 27, "(26)": 44, "(28)": 44}
    assert arch.step_ops(False) == {k: v for k, v in costs.counted(arch).items() if k in costs.FORWARD}
