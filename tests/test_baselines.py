"""Baselines (hochreiter97/baselines): exact gradients by finite differences, RTRL == BPTT, Table 2's counts."""
import numpy as np
import pytest

from hochreiter97 import reference, verify
from hochreiter97.baselines import GRU, LSTM97Full, LSTMForget, RNN
from hochreiter97.baselines.common import loss

N_IN, N_OUT, L = 3, 2, 8

BUILDERS = {
    "rnn bptt, H=1, Table 2 (no bias)": lambda: RNN.build(N_IN, N_OUT, 1, seed=1, init_range=1.0, trainer="bptt"),
    "rnn bptt, H=3, bias": lambda: RNN.build(N_IN, N_OUT, 3, seed=2, init_range=1.0, bias=True, trainer="bptt"),
    "rnn rtrl, H=3, bias": lambda: RNN.build(N_IN, N_OUT, 3, seed=2, init_range=1.0, bias=True, trainer="rtrl"),
    "lstm-forget, H=3": lambda: LSTMForget.build(N_IN, N_OUT, 3, seed=3, init_range=0.7),
    "lstm-forget, H=2, outputs read inputs, no output bias":
        lambda: LSTMForget.build(N_IN, N_OUT, 2, seed=4, init_range=0.7, outputs_read_inputs=True, output_bias=False),
    "gru, H=3": lambda: GRU.build(N_IN, N_OUT, 3, seed=5, init_range=1.0),
    "gru, H=2, outputs read inputs, update bias 1":
        lambda: GRU.build(N_IN, N_OUT, 2, seed=6, init_range=1.0, update_bias=1.0, outputs_read_inputs=True),
}
MASKS = {"every step": np.ones(L, bool), "end only": np.arange(L) == L - 1,
         "some steps": np.array([0, 1, 0, 0, 1, 1, 0, 1], bool)}


def problem(seed=0, n_in=N_IN, n_out=N_OUT, length=L):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(length, n_in)), rng.uniform(size=(length, n_out))


def finite_difference(net, x, y, m, eps=1e-5):
    """-1/2 dE/dw by central differences of the loss of net.run."""
    d = {}
    for name, a in net.weights.items():
        d[name] = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            plus = loss(net.run(x), y, m)
            a[idx] = old - eps
            minus = loss(net.run(x), y, m)
            a[idx] = old
            d[name][idx] = -0.5 * (plus - minus) / (2 * eps)
    return d


def assert_close(got, want, tol, what):
    for name in want:
        scale = max(np.abs(want[name]).max(), 1e-300)
        err = np.abs(got[name] - want[name]) / scale
        worst = np.unravel_index(np.argmax(err), err.shape)
        assert err.max() <= tol, (f"{what}: {name}{tuple(int(i) for i in worst)} differs by {err.max():.2e} "
                                  f"(relative to max |{name}|), tolerance {tol:.0e}")


@pytest.mark.parametrize("mask", MASKS, ids=list(MASKS))
@pytest.mark.parametrize("model", BUILDERS, ids=list(BUILDERS))
def test_gradient_matches_finite_differences(model, mask):
    net = BUILDERS[model]()
    x, y = problem()
    assert_close(net.weight_changes(x, y, MASKS[mask]), finite_difference(net, x, y, MASKS[mask]), 1e-7,
                 f"{model}, targets {mask}: weight_changes vs finite differences")


@pytest.mark.parametrize("hidden, bias", [(1, False), (4, True)])
def test_rtrl_equals_bptt_with_weights_fixed(hidden, bias):
    x, y = problem(1, 4, 3, 15)
    m = np.random.default_rng(2).uniform(size=15) < 0.5
    rtrl = RNN.build(4, 3, hidden, seed=3, init_range=1.0, bias=bias, trainer="rtrl")
    bptt = RNN.build(4, 3, hidden, seed=3, init_range=1.0, bias=bias, trainer="bptt")
    assert_close(rtrl.weight_changes(x, y, m, lr=0.3), bptt.weight_changes(x, y, m, lr=0.3), 1e-10,
                 f"H={hidden}: RTRL sum of per-step changes vs BPTT")


def test_rtrl_learns_online_and_bptt_at_the_end():
    x, y = problem(4, 4, 3, 12)
    rtrl, bptt = (RNN.build(4, 3, 2, seed=5, init_range=1.0, trainer=t) for t in ("rtrl", "bptt"))
    end = np.arange(12) == 11
    rtrl.train(x, y, end, lr=0.7)                       # one target: one change, the same for both
    bptt.train(x, y, end, lr=0.7)
    assert_close(rtrl.weights, bptt.weights, 1e-12, "one target at the end: RTRL vs BPTT after training")
    before = {k: a.copy() for k, a in rtrl.weights.items()}
    summed = rtrl.weight_changes(x, y, None, lr=0.7)
    rtrl.train(x, y, None, lr=0.7)                      # a target at every step: RTRL changes w during the sequence
    gap = max(np.abs(rtrl.weights[k] - before[k] - summed[k]).max() for k in before)
    assert gap > 1e-6, "RTRL train with a target at every step equals the summed changes: it is not online"


@pytest.mark.parametrize("p, count", [(4, 36), (10, 144), (100, 10404)])
def test_table2_weight_counts(p, count):
    """Table 2: RTRL/BPTT with one self-recurrent hidden unit, p+1 in, p+1 out: 36, 144, 10404."""
    for trainer in ("rtrl", "bptt"):
        net = RNN.build(p + 1, p + 1, hidden=1, seed=0, trainer=trainer)
        assert net.n_weights == count, f"p={p}, {trainer}: {net.n_weights} weights, Table 2 says {count}"
        assert net.weights["w_h"].shape == (1, p + 2) and net.weights["w_k"].shape == (p + 1, p + 2)


@pytest.mark.parametrize("model", BUILDERS, ids=list(BUILDERS))
def test_interface(model):
    net, again = BUILDERS[model](), BUILDERS[model]()
    x, y = problem(7)
    m = MASKS["some steps"]
    assert all(np.array_equal(net.weights[k], again.weights[k]) for k in net.weights), "build is not seeded"
    assert net.n_weights == sum(a.size for a in net.weights.values())
    before = {k: a.copy() for k, a in net.weights.items()}
    out = net.run(x)
    assert out.shape == (L, N_OUT) and np.all((out > 0) & (out < 1))
    dw = net.weight_changes(x, y, m, lr=0.5)
    assert all(np.array_equal(before[k], net.weights[k]) for k in before), "run or weight_changes changed weights"
    shown = net.train(x, y, m, lr=0.5)                  # the outputs of the presentation: RTRL changes w after step 1
    upto = L if net.cfg.get("trainer") != "rtrl" else 2
    assert np.array_equal(shown[:upto], out[:upto]), "train returns the outputs of the presentation"
    if net.cfg.get("trainer") != "rtrl":                # BPTT: the summed changes, applied at the end
        assert_close({k: net.weights[k] - before[k] for k in before}, dw, 1e-12, f"{model}: train vs weight_changes")
    with pytest.raises(ValueError):
        net.run(x[:, :2])


def test_training_reduces_the_error():
    x, y = problem(8)
    for model, build in BUILDERS.items():
        net = build()
        first = loss(net.run(x), y, np.ones(L, bool))
        for _ in range(100):
            net.train(x, y, None, lr=0.3)
        assert loss(net.run(x), y, np.ones(L, bool)) < 0.8 * first, f"{model}: 100 presentations did not lower E"


# ---------------------------------------------------------------- the 1997 LSTM, full and truncated gradient
@pytest.mark.parametrize("variant", verify.VARIANTS, ids=list(verify.VARIANTS))
def test_lstm97_full_gradient_matches_finite_differences_of_the_true_loss(variant):
    arch = verify.VARIANTS[variant]
    w, x, y, m = verify._problem(arch, 3, 5, False)
    fd = verify.finite_difference(lambda wv: verify.loss(verify.unrolled(arch, wv, x), y, m), w)
    got = LSTM97Full(w, LSTM97Full.config(arch)).weight_changes(x, y, m)
    assert_close(got, {k: -0.5 * a for k, a in fd.items() if a.size}, 1e-7, f"{variant}: full BPTT vs FD")


@pytest.mark.parametrize("variant", verify.VARIANTS, ids=list(verify.VARIANTS))
def test_lstm97_truncated_equals_the_paper_rule(variant):
    arch = verify.VARIANTS[variant]
    w, x, y, m = verify._problem(arch, 4, 20, False)
    net = LSTM97Full(w, LSTM97Full.config(arch, truncate=True))
    want = {k: a for k, a in reference.run_sequence(arch, w, x, y, m, alpha=1.0)[1].items() if a.size}
    assert_close(net.weight_changes(x, y, m), want, 1e-10, f"{variant}: truncated BPTT vs reference accumulators")
    from hochreiter97.baselines import lstm97_full
    trace = lstm97_full.forward(arch, w, x)
    e_k = trace["df_k"] * (y - trace["y_k"]) * m[:, None]                  # (19): f'_k, 1 for a linear output
    d_s = lstm97_full.backward(arch, w, trace, e_k, truncate=True)[1]
    e_s = _e_s_per_step(arch, w, x, e_k)
    assert np.allclose(d_s[-1], e_s[-1], rtol=1e-10, atol=1e-14), f"{variant}: error at s_c(T) vs eq. (23)"
    assert np.allclose(d_s[:-1] - d_s[1:], e_s[:-1], rtol=1e-9, atol=1e-13), \
        f"{variant}: error at s_c carried back other than unscaled (eq. 30)"


def _e_s_per_step(arch, w, x, e_k):
    """eq. (23) at every step: the error entering s_c(t) from that step's outputs."""
    state, out = reference.new_state(arch), []
    for t, xt in enumerate(x):
        state, act = reference.forward_step(arch, w, state, xt)
        out.append(reference.cell_state_error(arch, w, state, act, e_k[t])[1])
    return np.array(out)


def test_lstm97_full_differs_from_truncated_with_recurrence():
    """The truncation is an approximation when y(t-1) feeds the gates and cells: the checks above can fail."""
    arch = verify.VARIANTS["exp4 (F, all, S=2)"]
    w, x, y, m = verify._problem(arch, 3, 8, False)
    full = LSTM97Full(w, LSTM97Full.config(arch)).weight_changes(x, y, m)
    trunc = LSTM97Full(w, LSTM97Full.config(arch, truncate=True)).weight_changes(x, y, m)
    assert verify.rel_error(trunc, full)[0] > 1e-3
