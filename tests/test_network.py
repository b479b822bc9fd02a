"""The public API: build, run, train, weight changes, save/load, bad input."""
import numpy as np
import pytest

from hochreiter97 import Architecture, Network
from hochreiter97.verify import VARIANTS, rel_error

ARCH = Architecture(2, 1, 2, 2, bias="all", in_gate_bias=(-3.0, -6.0))


def sequence(arch, L=30, seed=0, end_only=True):
    rng = np.random.default_rng(seed)
    mask = np.zeros(L, bool)
    mask[-1 if end_only else slice(None)] = True
    return rng.normal(size=(L, arch.n_in)), rng.uniform(size=(L, arch.n_out)), mask


def test_build_is_seeded():
    a, b, c = Network.build(ARCH, 1), Network.build(ARCH, 1), Network.build(ARCH, 2)
    assert all(np.array_equal(a.weights[k], b.weights[k]) for k in a.weights)
    assert not np.array_equal(a.weights["w_c"], c.weights["w_c"])
    assert a.n_weights == 93


def test_run_does_not_learn_and_train_does():
    net = Network.build(ARCH, 0)
    x, y, m = sequence(ARCH)
    before = {k: v.copy() for k, v in net.weights.items()}
    out = net.run(x)
    assert out.shape == (30, 1) and np.all((out > 0) & (out < 1))
    assert all(np.array_equal(before[k], net.weights[k]) for k in before)
    dw = net.weight_changes(x, y, m, lr=0.5)
    assert all(np.array_equal(before[k], net.weights[k]) for k in before)
    net.train(x, y, m, lr=0.5)
    for k in before:                                   # end-only target: step == sequence timing
        np.testing.assert_allclose(net.weights[k] - before[k], dw[k], rtol=1e-12, atol=1e-15)


def test_training_reduces_the_error_on_a_fixed_sequence():
    net = Network.build(ARCH, 0)
    x, y, m = sequence(ARCH)
    first = abs(net.run(x)[-1, 0] - y[-1, 0])
    for _ in range(200):
        net.train(x, y, m, lr=0.5)
    assert abs(net.run(x)[-1, 0] - y[-1, 0]) < 0.1 * first


def test_timings_differ_only_with_targets_before_the_end():
    x, y, m = sequence(ARCH, end_only=False)
    a, b = Network.build(ARCH, 0), Network.build(ARCH, 0)
    a.train(x, y, m, 0.5, timing="step")
    b.train(x, y, m, 0.5, timing="sequence")
    assert rel_error(a.weights, b.weights)[0] > 1e-8
    x, y, m = sequence(ARCH, end_only=True)
    a, b = Network.build(ARCH, 0), Network.build(ARCH, 0)
    a.train(x, y, m, 0.5, timing="step")
    b.train(x, y, m, 0.5, timing="sequence")
    assert rel_error(a.weights, b.weights)[0] < 1e-14


@pytest.mark.parametrize("name", VARIANTS)
def test_backends_agree_on_every_variant(name):
    arch = VARIANTS[name]
    x, y, m = sequence(arch, L=25, seed=4, end_only=False)
    fast, slow = Network.build(arch, 3), Network.build(arch, 3, backend="reference")
    for timing in ("step", "sequence"):
        np.testing.assert_allclose(fast.train(x, y, m, 0.2, timing), slow.train(x, y, m, 0.2, timing), rtol=1e-12)
    assert rel_error(fast.weights, slow.weights)[0] < 1e-12


def test_save_load_round_trip(tmp_path):
    net = Network.build(VARIANTS["exp2a (B, none, no og, 2ab)"], 5)
    path = tmp_path / "net.npz"
    net.save(path)
    back = Network.load(path)
    assert back.arch == net.arch
    assert all(np.array_equal(back.weights[k], net.weights[k]) for k in net.weights)
    x, _, _ = sequence(net.arch)
    np.testing.assert_array_equal(back.run(x), net.run(x))


def test_load_rejects_foreign_file(tmp_path):
    np.savez(tmp_path / "x.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="architecture"):
        Network.load(tmp_path / "x.npz")


@pytest.mark.parametrize("what", ["inputs", "targets", "weights"])
def test_non_finite_values_are_named(what):
    net = Network.build(ARCH, 0)
    x, y, m = sequence(ARCH)
    if what == "inputs":
        x[3, 1] = np.nan
    elif what == "targets":
        y[-1, 0] = np.inf
    else:
        w = dict(net.weights)
        w["w_c"] = w["w_c"].copy()
        w["w_c"][0, 1, 2] = np.nan
        with pytest.raises(ValueError, match=r"w_c.*\(0, 1, 2\)"):
            Network(ARCH, w)
        return
    with pytest.raises(ValueError, match=what):
        net.train(x, y, m, 0.5)


def test_non_finite_weights_after_training_are_reported():
    net = Network.build(ARCH, 0)
    x, y, m = sequence(ARCH)
    net.weights["w_k"][0, 1] = np.inf
    with pytest.raises(ValueError, match=r"after training.*non-finite"):
        net.train(x, y, m, 0.5)


@pytest.mark.parametrize("call, message", [
    (lambda n, x, y, m: n.run(x[:, :1]), "inputs"),
    (lambda n, x, y, m: n.train(x, y[:-1], m), "targets"),
    (lambda n, x, y, m: n.train(x, y, m[:-1]), "mask"),
    (lambda n, x, y, m: n.train(x, y, m, lr=-1), "lr"),
    (lambda n, x, y, m: n.train(x, y, m, timing="batch"), "timing"),
])
def test_bad_shapes_and_options_are_named(call, message):
    net = Network.build(ARCH, 0)
    x, y, m = sequence(ARCH)
    with pytest.raises(ValueError, match=message):
        call(net, x, y, m)


@pytest.mark.parametrize("backend", ["kernel", "reference"])
def test_run_set_gives_each_sequences_run_to_the_bit(backend):
    """One compiled call over many sequences (training.evaluate's test sets) equals one run() each."""
    arch = Architecture(6, 2, 2, 2, bias="all", init_range=1.0, hidden_bias=True, reset_activation=0.5)
    net = Network.build(arch, seed=3, backend=backend)
    rng = np.random.default_rng(4)
    seqs = [rng.normal(size=(L, 6)) for L in (5, 1, 17)]
    seqs.append(np.eye(6)[rng.integers(0, 6, size=40)])              # one-hot rows: the sparse loop
    starts = np.cumsum([0] + [len(x) for x in seqs])
    got = net.run_set(np.concatenate(seqs), starts)
    for x, a, b in zip(seqs, starts[:-1], starts[1:]):
        assert np.array_equal(got[a:b], net.run(x))


def test_run_set_refuses_offsets_that_do_not_cover_the_inputs():
    net = Network.build(Architecture(2, 1, 1, 1), seed=0)
    with pytest.raises(ValueError, match="starts: expected non-decreasing offsets from 0 to 5"):
        net.run_set(np.zeros((5, 2)), [0, 3])
    with pytest.raises(ValueError, match="sequence: inputs"):
        net.run_set(np.full((5, 2), np.nan), [0, 5])
