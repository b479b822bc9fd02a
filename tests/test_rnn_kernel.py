"""The compiled Table 2 net (baselines/rnn_kernel.py) against the numpy one (baselines/rnn.py): to 1e-12."""
import numpy as np
import pytest

from hochreiter97.baselines import RNN
from tasks import long_lag


def sequences(n_in, n_out, L, seed, one_hot):
    rng = np.random.default_rng(seed)
    x = np.eye(n_in)[rng.integers(n_in, size=L)] if one_hot else rng.normal(size=(L, n_in))
    x[rng.uniform(size=L) < 0.2] = 0.0                     # some all-zero steps: the sparse loops skip them
    return x, rng.uniform(size=(L, n_out)), rng.uniform(size=L) < 0.6


def pair(trainer, hidden, bias, n_in=5, n_out=4, seed=0):
    return [RNN.build(n_in, n_out, hidden, seed=seed, init_range=1.0, bias=bias, trainer=trainer, backend=b)
            for b in ("numpy", "numba")]


def worst(a, b):
    return max(np.abs(a[k] - b[k]).max() / max(np.abs(a[k]).max(), 1e-300) for k in a)


@pytest.mark.parametrize("trainer", ["rtrl", "bptt"])
@pytest.mark.parametrize("hidden, bias, one_hot", [(1, False, True), (1, True, False), (3, True, False), (2, False, True)])
def test_numba_equals_numpy(trainer, hidden, bias, one_hot):
    ref, fast = pair(trainer, hidden, bias)
    for s in range(4):
        x, y, m = sequences(5, 4, 13, s, one_hot)
        assert np.abs(ref.run(x) - fast.run(x)).max() <= 1e-12, "run"
        assert worst(ref.weight_changes(x, y, m, lr=0.7), fast.weight_changes(x, y, m, lr=0.7)) <= 1e-12, \
            f"{trainer}, H={hidden}: weight_changes"
        out_ref, out_fast = ref.train(x, y, m, lr=0.9), fast.train(x, y, m, lr=0.9)
        assert np.abs(out_ref - out_fast).max() <= 1e-12, f"{trainer}, H={hidden}: outputs during training"
        assert worst(ref.weights, fast.weights) <= 1e-12, f"{trainer}, H={hidden}: weights after training"


def test_numba_equals_numpy_on_table2_p10_over_many_sequences():
    """Experiment 2a with p = 10 (144 weights), lr 4: 200 online sequences, weights still equal."""
    ref, fast = (RNN.build(11, 11, 1, seed=3, init_range=0.2, trainer="rtrl", backend=b) for b in ("numpy", "numba"))
    rng = np.random.default_rng(0)
    for _ in range(200):
        x, y, m = long_lag.generate(rng, "2a", p=10)
        ref.train(x, y, m, lr=4.0)
        fast.train(x, y, m, lr=4.0)
    assert worst(ref.weights, fast.weights) <= 1e-12


@pytest.mark.parametrize("trainer, timing", [("rtrl", "sequence"), ("rtrl", "step"), ("bptt", "step")])
def test_reading_jku_options_numba_equals_numpy(trainer, timing):
    """y_h(-1) = 0.5 and RTRL's changes summed to the sequence end (reading jku), in both back ends."""
    ref, fast = [RNN.build(5, 4, 2, seed=1, init_range=1.0, trainer=trainer, backend=b, timing=timing, y0=0.5)
                 for b in ("numpy", "numba")]
    for s in range(3):
        x, y, m = sequences(5, 4, 11, s, True)
        assert np.abs(ref.run(x) - fast.run(x)).max() <= 1e-12
        assert np.abs(ref.train(x, y, m, lr=0.9) - fast.train(x, y, m, lr=0.9)).max() <= 1e-12
        assert worst(ref.weights, fast.weights) <= 1e-12


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_rtrl_summed_to_the_sequence_end_is_the_fixed_weight_gradient_added_once(backend):
    net = RNN.build(5, 4, 1, seed=2, init_range=1.0, trainer="rtrl", backend=backend, timing="sequence", y0=0.5)
    x, y, m = sequences(5, 4, 9, 7, True)
    w0 = {k: a.copy() for k, a in net.weights.items()}
    dw = net.weight_changes(x, y, m, lr=0.6)
    out = net.train(x, y, m, lr=0.6)
    assert np.array_equal(out, RNN(w0, net.cfg).run(x))                    # the whole sequence on the old weights
    assert all(np.allclose(net.weights[k], w0[k] + dw[k], rtol=0, atol=1e-14) for k in w0)


def test_the_hidden_unit_starts_from_y0():
    net = RNN.build(3, 2, 1, seed=3, init_range=1.0, trainer="rtrl", y0=0.5)
    x = np.array([[0.0, 1.0, 0.0]])
    w_h, w_k = net.weights["w_h"], net.weights["w_k"]
    y_h = 1 / (1 + np.exp(-(w_h @ np.array([0.0, 1.0, 0.0, 0.5]))))        # u(0) = [x(0) | y_h(-1) = 0.5]
    assert np.allclose(net.run(x)[0], 1 / (1 + np.exp(-(w_k @ np.concatenate([x[0], y_h])))), rtol=1e-13)
    with pytest.raises(ValueError, match="rnn: timing must be one of"):
        RNN.build(3, 2, 1, trainer="bptt", timing="sequence")
