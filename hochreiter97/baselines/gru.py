"""Gated recurrent unit (Cho et al. 2014), trained by full backpropagation through time.

For comparison only; see baselines/common.py for the error convention and
the output units. Cho et al.'s form, with the reset gate applied before the matrix
product and z the gate that keeps the old state:

    u(t)   = [ x(t) | h(t-1) | 1 ]                     read by the reset and update gates
    r(t)   = sigma(w_r u(t))                           reset gate
    z(t)   = sigma(w_z u(t))                           update gate (z = 1 keeps h(t-1))
    m(t)   = [ x(t) | r(t) * h(t-1) | 1 ]              read by the candidate
    n(t)   = tanh(w_n m(t))                            candidate state
    h(t)   = z(t) * h(t-1) + (1 - z(t)) * n(t)         state, h(0) = 0
    y_k(t) = sigma(w_k [x(t) if read | h(t) | 1])      logistic output units, as in Network

    w_r, w_z, w_n (H, n_in + H + 1); w_k (K, J).

(PyTorch applies the reset gate after the product, n = tanh(W x + b + r * (U h + b'));
the two are different models with the same parameter count up to one bias vector.)
Errors e_r, e_z, e_n (H,) at the net inputs; dh (H,) at h(t), total over later steps.
Changes are summed over the sequence and applied at its end.

Initialisation: uniform in [-init_range, init_range], then the update-gate biases set to
update_bias (default 0, the usual library initialisation).
"""
from __future__ import annotations

import numpy as np

from ..squash import f as sigma
from .common import Baseline, output_step, state_columns, uniform, rng_of


def shapes(cfg) -> dict:
    n_in, H, K = cfg["n_in"], cfg["hidden"], cfg["n_out"]
    J = (n_in if cfg["outputs_read_inputs"] else 0) + H + int(cfg["output_bias"])
    return {"w_r": (H, n_in + H + 1), "w_z": (H, n_in + H + 1), "w_n": (H, n_in + H + 1), "w_k": (K, J)}


def forward(w, inputs, cfg):
    """Every step's sources, gates, candidate and state as (L, .) arrays."""
    H = cfg["hidden"]
    names = ("u", "r", "z", "m", "n", "h_prev", "h", "v", "net_k", "y_k")
    tr = {name: [] for name in names}
    h = np.zeros(H)                                                 # reset at sequence start
    for x in inputs:
        u = np.concatenate([x, h, [1.0]])
        r = sigma(w["w_r"] @ u)                                     # reset gate
        z = sigma(w["w_z"] @ u)                                     # update gate
        m = np.concatenate([x, r * h, [1.0]])
        n = np.tanh(w["w_n"] @ m)                                   # candidate
        h_prev, h = h, z * h + (1.0 - z) * n                        # state
        v, net_k, y_k = output_step(w["w_k"], x, h, cfg)
        for name, a in zip(names, (u, r, z, m, n, h_prev, h, v, net_k, y_k)):
            tr[name].append(a)
    return {name: np.array(a).reshape(len(inputs), -1) for name, a in tr.items()}


def backward(w, trace, e_k, cfg):
    """Full BPTT: (-1/2 dE/dw summed over the sequence, dh per step (L, H))."""
    n_in, H = cfg["n_in"], cfg["hidden"]
    rec = slice(n_in, n_in + H)                                     # columns of u and m holding h(t-1) (times r)
    d = {k: np.zeros_like(a) for k, a in w.items()}
    w_kh = w["w_k"][:, state_columns(cfg)]
    dh_all = np.zeros((len(e_k), H))
    dh_next = np.zeros(H)
    for t in range(len(e_k) - 1, -1, -1):
        r, z, n, h_prev = (trace[k][t] for k in ("r", "z", "n", "h_prev"))
        d["w_k"] += np.outer(e_k[t], trace["v"][t])
        dh = w_kh.T @ e_k[t] + dh_next                              # error at h(t)
        e_z = dh * (h_prev - n) * z * (1.0 - z)                     # error at net_z
        e_n = dh * (1.0 - z) * (1.0 - n ** 2)                       # error at net_n
        d["w_n"] += np.outer(e_n, trace["m"][t])
        d_rh = (w["w_n"].T @ e_n)[rec]                              # error at r * h(t-1)
        e_r = d_rh * h_prev * r * (1.0 - r)                         # error at net_r
        d["w_r"] += np.outer(e_r, trace["u"][t])
        d["w_z"] += np.outer(e_z, trace["u"][t])
        dh_all[t] = dh
        dh_next = (dh * z                                           # h(t-1) -> h(t) directly
                   + d_rh * r                                       # through the candidate
                   + (w["w_r"].T @ e_r + w["w_z"].T @ e_z)[rec])    # through the gates
    return d, dh_all


class GRU(Baseline):
    """GRU, full BPTT (changes summed and applied at the sequence end)."""
    name = "gru"
    forward = staticmethod(forward)
    backward = staticmethod(backward)
    shapes = staticmethod(shapes)

    @classmethod
    def build(cls, n_in, n_out, hidden, seed=0, init_range=0.1, update_bias=0.0,
              outputs_read_inputs=False, output_bias=True) -> "GRU":
        cfg = {"n_in": n_in, "n_out": n_out, "hidden": hidden, "update_bias": float(update_bias),
               "outputs_read_inputs": bool(outputs_read_inputs), "output_bias": bool(output_bias)}
        w = uniform(rng_of(seed), shapes(cfg), init_range)
        w["w_z"][:, -1] = update_bias
        return cls(w, cfg)
