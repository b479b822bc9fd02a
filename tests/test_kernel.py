"""The numba kernel against the numpy reference on every path it has.

The kernel has two compiled step loops: dense (every input column read) and
sparse (only the non-zero inputs of each step; `kernel.active_inputs` decides).
Each is checked against reference.py to 1e-12 relative, on every architecture
variant, both timings, targets at the end and at every step.
"""
import dataclasses

import numpy as np
import pytest

from hochreiter97 import Network, kernel, reference
from hochreiter97.architecture import WEIGHT_NAMES, init_weights
from hochreiter97.verify import VARIANTS, rel_error

# every variant of verify.py, widened to 8 inputs so that one-hot inputs take the sparse path
WIDE = {name: dataclasses.replace(arch, n_in=8) for name, arch in VARIANTS.items()}


def inputs_of(kind, L, n, rng):
    """Input sequences of four kinds: which path each takes is checked in test_path_taken."""
    if kind == "one-hot":                                   # the 2a-2c, 6a-6b, Reber coding
        x = np.zeros((L, n))
        x[np.arange(L), rng.integers(n, size=L)] = 1.0
    elif kind == "two-hot, signed values":                  # 2 of 8 = SPARSE_FRACTION: still sparse
        x = np.zeros((L, n))
        for t in range(L):
            x[t, rng.choice(n, size=2, replace=False)] = rng.normal(size=2)
    elif kind == "sparse with empty rows":
        x = np.zeros((L, n))
        rows = rng.random(L) < 0.5
        x[rows, rng.integers(n, size=rows.sum())] = rng.normal(size=rows.sum())
    else:                                                   # "dense"
        x = rng.uniform(-1.0, 1.0, size=(L, n))
    return x


KINDS = ("one-hot", "two-hot, signed values", "sparse with empty rows", "dense")


def problem(arch, kind, end_only, seed=0, L=30):
    rng = np.random.default_rng(seed)
    w = init_weights(dataclasses.replace(arch, init_range=1.0), rng)
    x = inputs_of(kind, L, arch.n_in, rng)
    y = rng.uniform(size=(L, arch.n_out))
    m = np.zeros(L, bool)
    m[-1 if end_only else slice(None)] = True
    return w, x, y, m


@pytest.mark.parametrize("kind", KINDS)
def test_path_taken(kind):
    arch = WIDE["exp4 (F, all, S=2)"]
    _, x, y, m = problem(arch, kind, True)
    status, ptr, idx, val = kernel.active_inputs(x, y, m)
    assert status == kernel.OK
    if kind == "dense":
        assert len(ptr) == 0
    else:
        assert len(ptr) == len(x) + 1
        for t in range(len(x)):                              # exactly the non-zero entries, in order
            cols = idx[ptr[t]:ptr[t + 1]]
            np.testing.assert_array_equal(cols, np.flatnonzero(x[t]))
            np.testing.assert_array_equal(val[ptr[t]:ptr[t + 1]], x[t, cols])


@pytest.mark.parametrize("name", WIDE)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("end_only", [True, False], ids=["end", "every step"])
@pytest.mark.parametrize("timing", ["step", "sequence"])
def test_kernel_matches_reference(name, kind, end_only, timing):
    arch = WIDE[name]
    w, x, y, m = problem(arch, kind, end_only)
    fast, slow = Network(arch, w, "kernel"), Network(arch, w, "reference")
    err, where = rel_error(fast.weight_changes(x, y, m), slow.weight_changes(x, y, m))
    assert err < 1e-12, f"weight changes: {where} differs by {err:.1e}"
    for _ in range(3):
        out_f, out_s = fast.train(x, y, m, lr=0.3, timing=timing), slow.train(x, y, m, lr=0.3, timing=timing)
        assert np.abs(out_f - out_s).max() < 1e-12 * np.abs(out_s).max(), "outputs y_k"
    err, where = rel_error(fast.weights, slow.weights)
    assert err < 1e-12, f"weights after training: {where} differs by {err:.1e}"


@pytest.mark.parametrize("name", WIDE)
def test_sparse_and_dense_loops_agree(name):
    """The same one-hot sequence through both compiled loops (dense forced by an empty ptr)."""
    arch = WIDE[name]
    w, x, y, m = problem(arch, "one-hot", False, seed=3)
    _, ptr, idx, val = kernel.active_inputs(x, y, m)
    dims = kernel.pack_dims(arch)
    results = []
    for p in (ptr, ptr[:0]):
        ws = tuple(w[k].copy() for k in WEIGHT_NAMES)
        out = np.empty((len(x), arch.n_out))
        assert kernel.steps(ws, dims, x, p, idx, val, y, m, 0.3, True, ws, out) == kernel.OK
        results.append((out, dict(zip(WEIGHT_NAMES, ws))))
    (out_s, w_s), (out_d, w_d) = results
    assert np.abs(out_s - out_d).max() < 1e-13
    assert rel_error(w_s, w_d)[0] < 1e-13


def test_statuses_name_what_is_not_finite():
    arch = WIDE["exp2c (F, none)"]
    w, x, y, m = problem(arch, "one-hot", True)
    dims, out = kernel.pack_dims(arch), np.empty((len(x), arch.n_out))
    ws = tuple(w[k].copy() for k in WEIGHT_NAMES)
    run = lambda xx, yy: kernel.sequence(ws, dims, xx, yy, m, 0.3, True, ws, out)
    bad_x = x.copy()
    bad_x[5, 2] = np.inf
    assert run(bad_x, y) == kernel.INPUTS_NON_FINITE
    assert all(np.array_equal(a, w[k]) for a, k in zip(ws, WEIGHT_NAMES)), "nothing may change"
    bad_y = y.copy()
    bad_y[0, 0] = np.nan                                    # no target at step 0: never read
    assert run(x, bad_y) == kernel.OK
    bad_y[-1, 0] = np.nan
    assert run(x, bad_y) == kernel.TARGETS_NON_FINITE
    ws[4][0, 0] = np.inf
    assert run(x, y) == kernel.WEIGHTS_NON_FINITE


def test_network_leaves_weights_alone_on_bad_input():
    arch = WIDE["exp4 (F, all, S=2)"]
    w, x, y, m = problem(arch, "one-hot", True)
    net = Network(arch, w)
    x[3, 0] = np.nan
    with pytest.raises(ValueError, match=r"inputs.*\(3, 0\)"):
        net.train(x, y, m, lr=0.5)
    assert all(np.array_equal(net.weights[k], w[k]) for k in WEIGHT_NAMES)


@pytest.mark.parametrize("name", WIDE)
@pytest.mark.parametrize("kind", ["one-hot", "dense"])
def test_output_error_ablation_matches_reference(name, kind):
    """output_error "xent" (e_k = t - y, an ablation): kernel and reference agree on both paths."""
    arch = WIDE[name]
    w, x, y, m = problem(arch, kind, False, seed=5)
    fast, slow = Network(arch, w, "kernel"), Network(arch, w, "reference")
    err, where = rel_error(fast.weight_changes(x, y, m, output_error="xent"),
                           slow.weight_changes(x, y, m, output_error="xent"))
    assert err < 1e-12, f"weight changes: {where} differs by {err:.1e}"
    for _ in range(2):
        fast.train(x, y, m, lr=0.3, output_error="xent")
        slow.train(x, y, m, lr=0.3, output_error="xent")
    assert rel_error(fast.weights, slow.weights)[0] < 1e-12


def test_output_error_changes_exactly_e_k():
    """One target step: Delta w_k = alpha e_k v, with e_k = f'(net_k)(t - y) (19) or t - y (xent)."""
    arch = WIDE["exp4 (F, all, S=2)"]
    w, x, y, m = problem(arch, "dense", True, seed=7)
    net = Network(arch, w)
    out = net.run(x)[-1]
    ratio = net.weight_changes(x, y, m, output_error="xent")["w_k"] / net.weight_changes(x, y, m)["w_k"]
    np.testing.assert_allclose(ratio, np.repeat((1.0 / (out * (1 - out)))[:, None], ratio.shape[1], axis=1), rtol=1e-12)
    with pytest.raises(ValueError, match="output_error"):
        net.train(x, y, m, output_error="ce")


def test_linear_output_unit_is_the_identity_with_f_prime_one():
    """output_unit "linear" (an ablation): y^k = net_k, unbounded, and (19) with f'_k = 1,
    so Delta w_k = alpha (t - y) v. (Every weight array against the reference and against
    truncated BPTT: the "exp4, linear output" variant of test_kernel_matches_reference and verify.)"""
    arch = dataclasses.replace(WIDE["exp4 (F, all, S=2)"], output_unit="linear")
    w, x, y, m = problem(arch, "dense", True, seed=7)
    w["w_k"] *= 5.0                                          # outputs well outside [0, 1]
    net = Network(arch, w)
    out = net.run(x)
    logistic = Network(dataclasses.replace(arch, output_unit="logistic"), w).run(x)
    np.testing.assert_allclose(1 / (1 + np.exp(-out)), logistic, rtol=1e-12)   # the same net_k, unsquashed
    assert np.abs(out).max() > 1.0
    dw = net.weight_changes(x, y, m, lr=0.5)
    state = reference.new_state(arch)
    for t in range(len(x)):
        state, act = reference.forward_step(arch, w, state, x[t])
    np.testing.assert_allclose(dw["w_k"], 0.5 * np.outer(y[-1] - out[-1], act["v"]), rtol=1e-12)
    xent = Network(dataclasses.replace(arch, output_unit="logistic"), w)
    # the logistic net under "xent" has e_k = t - f(net_k): the same rule with another y^k
    assert not np.allclose(dw["w_k"], xent.weight_changes(x, y, m, lr=0.5, output_error="xent")["w_k"])


# ---------------------------------------------------------------- one-hot inputs given as symbols

def one_hot(symbols, n):
    x = np.zeros((len(symbols), n))
    x[np.arange(len(symbols)), symbols] = 1.0
    return x


@pytest.mark.parametrize("n_in", [3, 4, 8, 1004])
def test_symbols_give_the_lists_of_the_dense_rows(n_in):
    """symbol_inputs writes down exactly the arrays active_inputs finds in the one-hot rows:
    the lists from 4 input units on, none (ptr empty: the dense loops) below, and none for L = 0."""
    rng = np.random.default_rng(n_in)
    for L in (0, 1, 40):
        s = rng.integers(n_in, size=L)
        y, m = rng.uniform(size=(L, 2)), rng.random(L) < 0.3
        dense, compact = kernel.active_inputs(one_hot(s, n_in), y, m), kernel.symbol_inputs(s, n_in, y, m)
        assert dense[0] == compact[0] == kernel.OK
        for a, b in zip(dense[1:], compact[1:]):
            assert a.dtype == b.dtype and np.array_equal(a, b)
        assert (len(compact[1]) > 0) == (n_in >= 4 and L > 0)


@pytest.mark.parametrize("name", WIDE)
@pytest.mark.parametrize("n_in", [3, 8])
@pytest.mark.parametrize("timing", ["step", "sequence"])
def test_symbols_train_bit_identically(name, n_in, timing):
    """Network.train on symbols gives the outputs and weights of the dense one-hot rows to the
    bit: kernel (sparse loops; dense ones below 4 input units) and reference alike."""
    arch = dataclasses.replace(WIDE[name], n_in=n_in)
    rng = np.random.default_rng(9)
    w = init_weights(dataclasses.replace(arch, init_range=1.0), rng)
    L = 30
    s, y, m = rng.integers(n_in, size=L), rng.uniform(size=(L, arch.n_out)), rng.random(L) < 0.5
    m[-1] = True
    for backend in ("kernel", "reference"):
        a, b = Network(arch, w, backend), Network(arch, w, backend)
        for _ in range(3):
            out_a = a.train(s, y, m, lr=0.3, timing=timing)
            out_b = b.train(one_hot(s, n_in), y, m, lr=0.3, timing=timing)
            assert out_a.tobytes() == out_b.tobytes(), backend
        for k in WEIGHT_NAMES:
            assert a.weights[k].tobytes() == b.weights[k].tobytes(), (backend, k)
        assert a.run(s).tobytes() == b.run(one_hot(s, n_in)).tobytes()


def test_symbols_out_of_range_and_non_finite_targets_are_named():
    arch = WIDE["exp2c (F, none)"]
    w, x, y, m = problem(arch, "one-hot", True)
    s = x.argmax(axis=1)
    dims, out = kernel.pack_dims(arch), np.empty((len(s), arch.n_out))
    ws = tuple(w[k].copy() for k in WEIGHT_NAMES)
    run = lambda ss, yy: kernel.sequence_symbols(ws, dims, ss, yy, m, 0.3, True, ws, out)
    for bad in (-1, arch.n_in):
        ss = s.copy()
        ss[4] = bad
        assert run(ss, y) == kernel.SYMBOL_OUT_OF_RANGE
        for backend in ("kernel", "reference"):
            net = Network(arch, w, backend)
            with pytest.raises(ValueError, match=rf"symbol {bad} at step 4"):
                net.train(ss, y, m, lr=0.5)
            assert all(np.array_equal(net.weights[k], w[k]) for k in WEIGHT_NAMES)
    assert all(np.array_equal(a, w[k]) for a, k in zip(ws, WEIGHT_NAMES)), "nothing may change"
    bad_y = y.copy()
    bad_y[-1, 0] = np.nan
    assert run(s, bad_y) == kernel.TARGETS_NON_FINITE
    with pytest.raises(ValueError, match="targets"):
        Network(arch, w).train(s, bad_y, m)
    with pytest.raises(ValueError, match="inputs"):                  # symbols are integers; floats are rows
        Network(arch, w).run(s.astype(float))
    assert run(s, y) == kernel.OK
