import numpy as np
import pytest

from hochreiter97 import Architecture, init_weights
from hochreiter97.architecture import WEIGHT_NAMES
from tests.table10 import TABLE10


@pytest.mark.parametrize("name", TABLE10)
def test_table10_weight_count(name):
    arch, paper_w = TABLE10[name]
    assert arch.n_weights() == paper_w


def test_every_table10_count_pinned():
    assert sorted({w for _, w in TABLE10.values()}) == sorted(
        [264, 276, 10504, 364, 664, 1264, 3064, 6064, 102, 93, 156, 308])


def test_source_names_match_columns():
    for arch, _ in TABLE10.values():
        assert len(arch.source_names()) == arch.I0 + 1
        assert arch.source_names()[-1] == "bias"


def test_bias_codes_decide_bias_columns():
    ga = Architecture(2, 1, 1, 1, bias="ga")
    assert ga.shapes()["w_in"][1] == ga.I0 + 1 and ga.shapes()["w_c"][2] == ga.I0
    assert ga.shapes()["w_k"][1] == ga.J0
    b1 = Architecture(2, 1, 1, 1, bias="b1")
    assert b1.shapes()["w_c"][2] == b1.I0 + 1 and b1.shapes()["w_k"][1] == b1.J0
    al = Architecture(2, 1, 1, 1, bias="all")
    assert al.shapes()["w_k"][1] == al.J0 + 1
    no = Architecture(2, 1, 1, 1, bias="none")
    assert no.shapes()["w_in"][1] == no.I0


def test_init_range_and_gate_biases():
    arch = Architecture(2, 1, 2, 2, bias="all", in_gate_bias=(-3, -6), init_range=0.1)
    w = init_weights(arch, np.random.default_rng(0))
    assert list(w["w_in"][:, -1]) == [-3.0, -6.0]
    for name in WEIGHT_NAMES:
        body = w[name][:, :-1] if name == "w_in" else w[name]
        assert np.all(np.abs(body) <= 0.1)
    assert np.abs(w["w_out"][:, -1]).max() <= 0.1        # "r": random like every other weight


@pytest.mark.parametrize("kwargs, message", [
    (dict(bias="xx"), "bias"),
    (dict(connectivity="C"), "connectivity"),
    (dict(squash="tanh"), "squash"),
    (dict(in_gate_bias=(-1.0,)), "in_gate_bias"),
    (dict(bias="none", in_gate_bias=(-1.0, -2.0)), "in_gate_bias"),
    (dict(output_gate=False, out_gate_bias=(-1.0, -2.0)), "out_gate_bias"),
    (dict(blocks=0), "blocks"),
    (dict(init_range=float("nan")), "init_range"),
])
def test_bad_architecture_named(kwargs, message):
    base = dict(n_in=2, n_out=1, blocks=2, block_size=1)
    base.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Architecture(**base)


def test_dict_round_trip():
    arch = TABLE10["3a-3c"][0]
    assert Architecture.from_dict(arch.to_dict()) == arch
