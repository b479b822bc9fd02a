"""Independent checks of the learning rule: `python run.py verify` and tests/test_verify.py.

A loss that goes down is no evidence: a public implementation of this rule
misses the y_out*h'(s_c) factor of eq. (23) and still learns. The checks here
compare numbers with numbers computed another way:

  a. the accumulator rule (forward mode, eqs. 25-28) against reverse-mode
     backpropagation through time on the *same truncated graph*: every net
     input's dependence on y(t-1) cut, the path s_c(t-1) -> s_c(t) kept.
     Float64; agreement to 1e-10.
  a'. the same truncated gradient by central finite differences of a forward
     pass whose recurrent inputs y(t-1) are frozen at their recorded values.
  b. finite differences of the true loss where the truncation is exact: all
     weights from cells, gates and hidden units at t-1 zero; one-step sequences.
  c. properties: a closed input gate leaves s_c unchanged; a closed output gate
     gives cell output 0; on the truncated graph an error entering s_c at t
     reaches s_c at t-k unscaled (eq. 35).
  d. the compiled kernel against the numpy reference, to 1e-12 relative, at every
     timing (step, sequence, and reading jku's "late") and for reading jku's nets
     (activations reset to 0.5, listed gate biases added to random ones), which
     checks a-c include as variants.

The forward pass used by a' and b (`unrolled`) is written with scalar loops,
separately from reference.py, so that a shared mistake is unlikely; a's reverse
mode is the backward pass of baselines/lstm97_full.py, cut, on reference.py's
forward pass (its untruncated form is checked against finite differences of the
true loss in tests/test_baselines.py).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from . import reference
from .architecture import Architecture, init_weights, WEIGHT_NAMES
from .baselines import lstm97_full
from .baselines.common import output_errors
from .network import Network

# Nets of every variant: connectivity F/B, every bias code, with and without output
# gates, both squashing variants, blocks of 1-3 cells, with and without hidden units.
VARIANTS = {
    "exp1 (F, ga, S=2)": Architecture(4, 3, 3, 2, bias="ga", init_range=1.0),
    "exp3 (F, b1, S=1)": Architecture(1, 1, 3, 1, bias="b1", init_range=1.0),
    "exp4 (F, all, S=2)": Architecture(2, 1, 2, 2, bias="all", init_range=1.0),
    "exp2c (F, none)": Architecture(5, 2, 2, 1, bias="none", init_range=1.0),
    "exp2a (B, none, no og, 2ab)": Architecture(5, 5, 1, 1, connectivity="B", bias="none",
                                                output_gate=False, squash="2ab", init_range=1.0),
    "F, all, no og, H=2": Architecture(3, 2, 2, 1, hidden=2, bias="all", output_gate=False, init_range=1.0),
    "B, all, S=2, H=1": Architecture(3, 2, 2, 2, hidden=1, connectivity="B", bias="all", init_range=1.0),
    "F, b1, 2ab, S=3, H=2": Architecture(2, 2, 1, 3, hidden=2, bias="b1", squash="2ab", init_range=1.0),
    "exp4, linear output (ablation)": Architecture(2, 1, 2, 2, bias="all", output_unit="linear", init_range=1.0),
    "exp4, reading jku (y(-1) = 0.5, gate biases added)": Architecture(
        2, 1, 2, 2, bias="all", init_range=1.0, in_gate_bias=(-1.0, -2.0), gate_bias_init="add", reset_activation=0.5),
    "exp4, reading jku with the hidden layer's bias unit": Architecture(
        2, 1, 2, 2, bias="all", init_range=1.0, in_gate_bias=(-1.0, -2.0), gate_bias_init="add", reset_activation=0.5,
        hidden_bias=True),
    "F, all, H=2, hidden bias unit, y(-1) = 0": Architecture(3, 2, 2, 1, hidden=2, bias="all", init_range=1.0,
                                                             hidden_bias=True),
    "exp1, reading jku (F, ga, H=1)": Architecture(4, 3, 3, 2, hidden=1, bias="ga", init_range=1.0,
                                                   out_gate_bias=(-2.0,) * 3, gate_bias_init="add", reset_activation=0.5),
}


# ---------------------------------------------------------------- scalar forward pass
def _sigma(x):
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _squash(arch):
    """(g, g', h, h') as scalar functions, written out again for independence."""
    s = _sigma
    if arch.squash == "2ab":
        return s, (lambda x: s(x) * (1 - s(x))), (lambda x: x), (lambda x: 1.0)
    return ((lambda x: 4 * s(x) - 2), (lambda x: 4 * s(x) * (1 - s(x))),
            (lambda x: 2 * s(x) - 1), (lambda x: 2 * s(x) * (1 - s(x))))


def unrolled(arch, w, inputs, frozen=None, inject=None):
    """Forward pass over a sequence with scalar loops; one dict per step.

    frozen: per step, the y(t-1) values to read instead of the live ones (the
    truncated graph as a function of the weights). inject: (t, j, v, eps) adds eps
    to s_c[j, v] at step t, after it is computed.
    """
    g, _, h, _ = _squash(arch)
    C, S, H, K, n_og = arch.blocks, arch.block_size, arch.hidden, arch.n_out, arch.n_out_gates
    y0 = arch.reset_activation
    hb = int(arch.hidden_bias)                                      # the hidden layer's bias unit (reading jku)
    prev = {"y_c": np.full((C, S), y0), "y_in": np.full(C, y0), "y_out": np.full(n_og, y0), "y_h": np.full(H, y0),
            "y_b": np.full(hb, y0)}
    s = np.zeros((C, S))
    steps = []
    for t, x in enumerate(inputs):
        rec = frozen[t] if frozen is not None else prev
        u = list(x)
        if arch.connectivity == "F":
            u += [rec["y_c"][j, v] for j in range(C) for v in range(S)]
            u += list(rec["y_in"]) + list(rec["y_out"]) + list(rec["y_h"]) + list(rec["y_b"])
        u.append(1.0)
        dot = lambda row: sum(row[m] * u[m] for m in range(len(row)))
        net_in = np.array([dot(w["w_in"][j]) for j in range(C)])
        y_in = np.array([_sigma(n) for n in net_in])
        net_out = np.array([dot(w["w_out"][j]) for j in range(n_og)])
        y_out = np.array([_sigma(n) for n in net_out]) if arch.output_gate else np.ones(C)
        net_c = np.array([[dot(w["w_c"][j, v]) for v in range(S)] for j in range(C)])
        s = s + np.array([[y_in[j] * g(net_c[j, v]) for v in range(S)] for j in range(C)])
        if inject is not None and inject[0] == t:
            s[inject[1], inject[2]] += inject[3]
        y_c = np.array([[y_out[j] * h(s[j, v]) for v in range(S)] for j in range(C)])
        net_h = np.array([dot(w["w_h"][i]) for i in range(H)])
        y_h = np.array([_sigma(n) for n in net_h])
        v_src = (list(x) if arch.connectivity == "B" else []) + list(y_c.ravel()) + list(y_h) + [1.0]
        net_k = np.array([sum(w["w_k"][k, m] * v_src[m] for m in range(w["w_k"].shape[1])) for k in range(K)])
        y_k = net_k.copy() if arch.output_unit == "linear" else np.array([_sigma(n) for n in net_k])
        steps.append(dict(rec=rec, u=np.array(u), v=np.array(v_src), net_in=net_in, y_in=y_in,
                          net_out=net_out, y_out=y_out, net_c=net_c, s=s.copy(), net_h=net_h, y_h=y_h,
                          net_k=net_k, y_k=y_k))
        prev = {"y_c": y_c, "y_in": y_in, "y_out": y_out[:n_og], "y_h": y_h, "y_b": np.ones(hb)}
    return steps


def loss(steps, targets, mask):
    """E = sum over target steps of sum_k (t^k - y^k)^2, eq. (16)."""
    return sum(float(np.sum((targets[t] - st["y_k"]) ** 2)) for t, st in enumerate(steps) if mask[t])


# ---------------------------------------------------------------- a. truncated BPTT
def truncated_bptt(arch, w, inputs, targets, mask):
    """(-1/2 dE/dw, error at s_c per step) by reverse mode on the truncated graph: going back in
    time only the cell state carries error (d s_c(t) / d s_c(t-1) = 1, eq. 30), every path through
    y(t-1) cut. The computation is baselines/lstm97_full.py's backward pass with truncate=True."""
    trace = lstm97_full.forward(arch, w, inputs)
    return lstm97_full.backward(arch, w, trace, output_errors(trace, targets, mask), truncate=True)


# ---------------------------------------------------------------- finite differences
def finite_difference(fun, w, eps=1e-5):
    """Central differences of the scalar fun(w) for every weight."""
    D = {}
    for name in WEIGHT_NAMES:
        D[name] = np.zeros_like(w[name])
        for idx in np.ndindex(w[name].shape):
            wp = {k: a.copy() for k, a in w.items()}
            wm = {k: a.copy() for k, a in w.items()}
            wp[name][idx] += eps
            wm[name][idx] -= eps
            D[name][idx] = (fun(wp) - fun(wm)) / (2 * eps)
    return D


def rel_error(a: dict, b: dict) -> tuple:
    """Worst over arrays of max|a-b| / max|b| (relative to the largest entry of each array)."""
    worst, where = 0.0, ""
    for name in WEIGHT_NAMES:
        if b[name].size == 0:
            continue
        scale = max(np.abs(b[name]).max(), 1e-300)
        err = np.abs(a[name] - b[name]).max() / scale
        if err > worst:
            worst, where = err, name
    return worst, where


def _problem(arch, seed, L, end_only, one_hot=False):
    rng = np.random.default_rng(seed)
    w = init_weights(arch, rng)
    inputs = rng.normal(size=(L, arch.n_in))
    if one_hot:                                   # one symbol per step: the kernel's active-input path
        inputs = np.eye(arch.n_in)[rng.integers(arch.n_in, size=L)]
    targets = rng.uniform(size=(L, arch.n_out))
    mask = np.zeros(L, bool)
    if end_only:
        mask[-1] = True
    else:
        mask[:] = True
    return w, inputs, targets, mask


def _rule(arch, w, inputs, targets, mask):
    return reference.run_sequence(arch, w, inputs, targets, mask, alpha=1.0)[1]


def recurrent_columns(arch) -> slice:
    """Columns of u(t) holding y(t-1) (cells, gates, hidden units)."""
    return slice(arch.n_in, arch.I0)


# ---------------------------------------------------------------- the checks
def check_bptt(lengths=(1, 7, 50)):
    """a. accumulator rule vs truncated BPTT, every variant, targets at every step and at the end."""
    worst = (0.0, "")
    for name, arch in VARIANTS.items():
        for L in lengths:
            for end_only in (False, True):
                w, x, y, m = _problem(arch, L, L, end_only)
                err, where = rel_error(_rule(arch, w, x, y, m), truncated_bptt(arch, w, x, y, m)[0])
                if err > worst[0]:
                    worst = (err, f"{name}, L={L}, {'end' if end_only else 'every step'}: {where}")
    return worst


def check_frozen_fd(L=6):
    """a'. accumulator rule vs finite differences on the truncated (frozen y(t-1)) graph."""
    worst = (0.0, "")
    for name, arch in VARIANTS.items():
        w, x, y, m = _problem(arch, 11, L, False)
        frozen = [st["rec"] for st in unrolled(arch, w, x)]
        fd = finite_difference(lambda wv: loss(unrolled(arch, wv, x, frozen=frozen), y, m), w)
        err, where = rel_error(_rule(arch, w, x, y, m), {k: -0.5 * a for k, a in fd.items()})
        if err > worst[0]:
            worst = (err, f"{name}: {where}")
    return worst


def check_exact_fd(L=6):
    """b. rule vs finite differences of the true loss where the truncation is exact."""
    worst = (0.0, "")
    for name, arch in VARIANTS.items():
        for case in ("no recurrent weights", "one-step sequence"):
            w, x, y, m = _problem(arch, 13, 1 if case == "one-step sequence" else L, False)
            if case == "no recurrent weights":
                for key in ("w_in", "w_out", "w_c", "w_h"):
                    w[key][..., recurrent_columns(arch)] = 0.0
            fd = finite_difference(lambda wv: loss(unrolled(arch, wv, x), y, m), w)
            err, where = rel_error(_rule(arch, w, x, y, m), {k: -0.5 * a for k, a in fd.items()})
            if err > worst[0]:
                worst = (err, f"{name}, {case}: {where}")
    return worst


def check_properties():
    """c. closed input gate, closed output gate, unscaled error in the CEC. Returns the worst deviation."""
    worst = (0.0, "")
    arch = Architecture(2, 1, 2, 2, bias="all", init_range=1.0)
    rng = np.random.default_rng(5)
    state = reference.new_state(arch)
    state["s_c"] = rng.normal(size=state["s_c"].shape)
    x = rng.normal(size=2)
    w = init_weights(arch, rng)
    w["w_in"][:, -1] = -1e4                                         # input gates shut
    st, _ = reference.forward_step(arch, w, state, x)
    dev = np.abs(st["s_c"] - state["s_c"]).max()
    worst = max(worst, (dev, "closed input gate changed s_c"))
    w = init_weights(arch, rng)
    w["w_out"][:, -1] = -1e4                                        # output gates shut
    st, _ = reference.forward_step(arch, w, state, x)
    worst = max(worst, (np.abs(st["y_c"]).max(), "closed output gate let y_c through"))
    # an error injected at s_c(T) reaches s_c(T-k) unscaled, k = 1 .. T-1 (eq. 35)
    w, x, y, m = _problem(arch, 17, 30, True)
    _, delta_s = truncated_bptt(arch, w, x, y, m)
    dev = max(np.abs(d - delta_s[-1]).max() / np.abs(delta_s[-1]).max() for d in delta_s)
    worst = max(worst, (dev, "truncated error at s_c scaled on its way back"))
    frozen = [st["rec"] for st in unrolled(arch, w, x)]
    for k in (1, 10, 29):
        eps = 1.0                                                   # s_c(T) is linear in the injection
        moved = unrolled(arch, w, x, frozen=frozen, inject=(29 - k, 0, 1, eps))[-1]["s"][0, 1]
        still = unrolled(arch, w, x, frozen=frozen)[-1]["s"][0, 1]
        worst = max(worst, (abs((moved - still) / eps - 1.0), f"d s_c(T)/d s_c(T-{k}) != 1 on the truncated graph"))
    return worst


def check_kernel(L=40, sequences=3):
    """d. compiled kernel vs numpy reference: outputs, summed changes, weights after training,
    for dense and for one-hot inputs (the kernel's two loops), with the paper's output error
    (19) and with the ablation "xent", at every timing ("late": reading jku, several sequences
    so that each sum lands in the next)."""
    worst = (0.0, "")
    for name, arch in VARIANTS.items():
        for timing, end_only, one_hot, oe in itertools.product(("step", "sequence", "late"), (False, True),
                                                                 (False, True), ("eq19", "xent")):
            w, x, y, m = _problem(arch, 19, L, end_only, one_hot)
            fast, slow = Network(arch, w, "kernel"), Network(arch, w, "reference")
            errs = [(rel_error(fast.weight_changes(x, y, m, output_error=oe),
                               slow.weight_changes(x, y, m, output_error=oe)), "weight changes")]
            late = {"pending": (fast.new_pending(), slow.new_pending())} if timing == "late" else {}
            for _ in range(sequences):
                out_f = fast.train(x, y, m, lr=0.3, timing=timing, output_error=oe,
                                   **{k: v[0] for k, v in late.items()})
                out_s = slow.train(x, y, m, lr=0.3, timing=timing, output_error=oe,
                                   **{k: v[1] for k, v in late.items()})
                errs.append(((np.abs(out_f - out_s).max() / np.abs(out_s).max(), "y_k"), "outputs"))
            errs.append((rel_error(fast.weights, slow.weights), "weights after training"))
            for (err, where), what in errs:
                if err > worst[0]:
                    worst = (err, f"{name}, {timing}, {oe}, {'end' if end_only else 'every step'}, "
                                  f"{'one-hot' if one_hot else 'dense'} inputs: {what} {where}")
    return worst


CHECKS = [
    ("a. accumulator rule vs truncated BPTT", check_bptt, 1e-10),
    ("a'. accumulator rule vs finite differences, truncated graph", check_frozen_fd, 1e-6),
    ("b. rule vs finite differences where truncation is exact", check_exact_fd, 1e-6),
    ("c. gate and carousel properties", check_properties, 1e-12),
    ("d. numba kernel vs numpy reference", check_kernel, 1e-12),
]


def run_all(print_fn=print) -> bool:
    """Run every check; print the worst relative error of each. True when all pass."""
    ok = True
    for title, fn, tol in CHECKS:
        err, where = fn()
        passed = err <= tol
        ok &= passed
        print_fn(f"{'PASS' if passed else 'FAIL'}  {title}: worst {err:.2e} (tolerance {tol:.0e})"
                 + (f"  at {where}" if where else ""))
    return ok
