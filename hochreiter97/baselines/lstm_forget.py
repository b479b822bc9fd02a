"""LSTM with forget gates (Gers, Schmidhuber & Cummins 2000): the cell most libraries call LSTM today.

Not the 1997 model: the carousel's self-weight 1 becomes a forget gate f(t), the cell
input and the cell output are squashed by tanh, and the net is trained by full
backpropagation through time (summed over the sequence, applied at its end).
For comparison only; see baselines/common.py for the error convention
and the output units.

    u(t)   = [ x(t) | h(t-1) | 1 ]                     read by every gate and the cell input
    i(t)   = sigma(w_i u(t))                           input gate
    f(t)   = sigma(w_f u(t))                           forget gate
    o(t)   = sigma(w_o u(t))                           output gate
    g(t)   = tanh(w_g u(t))                            cell input
    c(t)   = f(t) * c(t-1) + i(t) * g(t)               cell state, c(0) = 0
    h(t)   = o(t) * tanh(c(t))                         cell output
    y_k(t) = sigma(w_k [x(t) if read | h(t) | 1])      logistic output units, as in Network

    w_i, w_f, w_o, w_g (H, n_in + H + 1); w_k (K, J).

Notation (code name -> shape -> meaning): net_i, net_f, net_o, net_g (H,) net inputs;
e_i, e_f, e_o, e_g (H,) errors at them, -1/2 dE/dnet; dh, dc (H,) errors at h(t) and
c(t), with every path through later steps (the total derivative).

Initialisation: uniform in [-init_range, init_range], then the forget-gate biases set to
forget_bias (default +1, so that f starts near sigma(1) = 0.73 and the cell remembers:
Gers et al. 2000 start forget gates open; Jozefowicz et al. 2015 recommend +1).
"""
from __future__ import annotations

import numpy as np

from ..squash import f as sigma
from .common import Baseline, output_step, state_columns, uniform, rng_of

GATES = ("w_i", "w_f", "w_o", "w_g")


def shapes(cfg) -> dict:
    n_in, H, K = cfg["n_in"], cfg["hidden"], cfg["n_out"]
    J = (n_in if cfg["outputs_read_inputs"] else 0) + H + int(cfg["output_bias"])
    return {**{name: (H, n_in + H + 1) for name in GATES}, "w_k": (K, J)}


def forward(w, inputs, cfg):
    """Every step's sources, gates, cell state and outputs as (L, .) arrays."""
    H = cfg["hidden"]
    names = ("u", "i", "f", "o", "g", "c_prev", "c", "h", "v", "net_k", "y_k")
    tr = {name: [] for name in names}
    h, c = np.zeros(H), np.zeros(H)                                 # reset at sequence start
    for x in inputs:
        u = np.concatenate([x, h, [1.0]])
        i = sigma(w["w_i"] @ u)                                     # input gate
        f = sigma(w["w_f"] @ u)                                     # forget gate
        o = sigma(w["w_o"] @ u)                                     # output gate
        g = np.tanh(w["w_g"] @ u)                                   # cell input
        c_prev, c = c, f * c + i * g                                # cell state
        h = o * np.tanh(c)                                          # cell output
        v, net_k, y_k = output_step(w["w_k"], x, h, cfg)
        for name, a in zip(names, (u, i, f, o, g, c_prev, c, h, v, net_k, y_k)):
            tr[name].append(a)
    return {name: np.array(a).reshape(len(inputs), -1) for name, a in tr.items()}


def backward(w, trace, e_k, cfg):
    """Full BPTT: (-1/2 dE/dw summed over the sequence, dc per step (L, H))."""
    n_in, H = cfg["n_in"], cfg["hidden"]
    d = {k: np.zeros_like(a) for k, a in w.items()}
    w_kh = w["w_k"][:, state_columns(cfg)]
    dc_all = np.zeros((len(e_k), H))
    dh_next, dc_next = np.zeros(H), np.zeros(H)                     # errors reaching h(t), c(t) from step t+1
    for t in range(len(e_k) - 1, -1, -1):
        i, f, o, g, c = (trace[k][t] for k in ("i", "f", "o", "g", "c"))
        d["w_k"] += np.outer(e_k[t], trace["v"][t])
        dh = w_kh.T @ e_k[t] + dh_next                              # error at h(t)
        tc = np.tanh(c)
        dc = dc_next + dh * o * (1.0 - tc ** 2)                     # error at c(t): from c(t+1) and from h(t)
        e_o = dh * tc * o * (1.0 - o)                               # error at net_o
        e_i = dc * g * i * (1.0 - i)                                # error at net_i
        e_f = dc * trace["c_prev"][t] * f * (1.0 - f)               # error at net_f
        e_g = dc * i * (1.0 - g ** 2)                               # error at net_g
        du = np.zeros(w["w_i"].shape[1])
        for name, e in zip(GATES, (e_i, e_f, e_o, e_g)):
            d[name] += np.outer(e, trace["u"][t])
            du += w[name].T @ e                                     # error at every source of step t
        dc_all[t] = dc
        dh_next = du[n_in:n_in + H]                                 # h(t-1) feeds every gate at t
        dc_next = dc * f                                            # c(t-1) -> c(t) through the forget gate
    return d, dc_all


class LSTMForget(Baseline):
    """LSTM with forget gate, tanh, full BPTT (changes summed and applied at the sequence end)."""
    name = "lstm-forget"
    forward = staticmethod(forward)
    backward = staticmethod(backward)
    shapes = staticmethod(shapes)

    @classmethod
    def build(cls, n_in, n_out, hidden, seed=0, init_range=0.1, forget_bias=1.0,
              outputs_read_inputs=False, output_bias=True) -> "LSTMForget":
        cfg = {"n_in": n_in, "n_out": n_out, "hidden": hidden, "forget_bias": float(forget_bias),
               "outputs_read_inputs": bool(outputs_read_inputs), "output_bias": bool(output_bias)}
        w = uniform(rng_of(seed), shapes(cfg), init_range)
        w["w_f"][:, -1] = forget_bias
        return cls(w, cfg)
