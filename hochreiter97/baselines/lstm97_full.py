"""The 1997 LSTM with the full gradient: backpropagation through time through every path.

The paper's rule (reference.py) truncates: error reaching a cell's or gate's net input is
not passed back through y(t-1) (SPEC §2.2), so inside the net only the carousel
s_c(t-1) -> s_c(t) carries error back in time, unscaled (eq. 35). The paper mentions
"a few runs with non-truncated LSTM" (§6; SPEC §2.7). This module computes that full
gradient for the same net (any Architecture), reading its forward pass from the oracle
reference.forward_step, and also the truncated one by the same code with the
recurrent paths cut (`truncate=True`), which must equal reference.py's accumulator rule
(verify.py, check a).

Backward step t (errors d(.) = -1/2 dE/d(.); paper symbols, reference.py names):

    dy_c   = sum_k w_{k c} e_k(t)  + [from u(t+1)]                 error at the cell outputs y_c(t)
    dy_h   = sum_k w_{k i} e_k(t)  + [from u(t+1)]                 error at the hidden units y_h(t)
    e_h    = f'(net_h) dy_h                                         (20)
    d_s    = d_s(t+1) + dy_c y_out h'(s_c)                          (23), plus the carousel (30)
    e_out  = f'(net_out) ( sum_v h(s_c) dy_c + [from u(t+1)] )      (21)
    e_c    = d_s y_in g'(net_c)                                     error at net_c, cf. (27)-(28)
    e_in   = f'(net_in) ( sum_v g(net_c) d_s + [from u(t+1)] )      error at net_in, cf. (25)-(26)
    du     = w_in^T e_in + w_out^T e_out + sum_v w_c^T e_c + w_h^T e_h   error at every source u(t)

[from u(t+1)] is the part of du(t+1) in the columns of y_c(t), y_in(t), y_out(t), y_h(t)
(connectivity "F"; the hidden layer's bias unit y_b, reading jku, is constant and passes
no error back); it is zero under truncation (eqs. 12-15, 34, 38-39) and under "B".
d_s(t) is the error at s_c(t) as computed at step t (verify.unrolled's injection point):
the total derivative through y_c(t), s_c(t+1) and, untruncated, every later path.
"""
from __future__ import annotations

import numpy as np

from .. import reference
from ..architecture import init_weights
from ..squash import df, g, dg, h, dh
from .common import Baseline, rng_of

TRACED = ("u", "v", "net_in", "net_out", "y_out", "net_c", "net_h", "net_k", "y_k", "df_k")


def forward(arch, w, inputs):
    """The oracle's forward pass (reference.forward_step), every step kept: dict of (L, ...) arrays.

    The arrays are allocated once, at the first step, and filled in place: what reverse mode
    must store, and no more (bench/memory.py measures it against the rule's O(W) state)."""
    state = reference.new_state(arch)
    trace = None
    for t, x in enumerate(inputs):
        state, act = reference.forward_step(arch, w, state, x)
        step = {**{k: act[k] for k in TRACED}, "s_c": state["s_c"], "y_in": state["y_in"]}
        if trace is None:
            trace = {k: np.empty((len(inputs),) + np.shape(a)) for k, a in step.items()}
        for k, a in step.items():
            trace[k][t] = a
    return trace


def backward(arch, w, trace, e_k, truncate=False):
    """(-1/2 dE/dw summed over the sequence, d_s per step (L, C, S)). truncate: the paper's graph.

    With truncate=True this is the project's one reverse-mode computation of the paper's truncated
    gradient: verify.py's check a holds the accumulator rule against it, and bench/memory.py
    measures the memory it needs."""
    sq, C, S, H, n_og = arch.squash, arch.blocks, arch.block_size, arch.hidden, arch.n_out_gates
    I_in, I_out, I_c, I_h = w["w_in"].shape[1], w["w_out"].shape[1], w["w_c"].shape[2], w["w_h"].shape[1]
    J = w["w_k"].shape[1]
    cells = arch.cell_columns                                       # y_c(t) in v(t)
    hidden = slice(cells.stop, cells.stop + H)                      # y_h(t) in v(t)
    a = arch.n_in                                                   # y(t-1) in u(t) under "F": cells, in, out, hidden
    u_c, u_in, u_out, u_h = (slice(a, a + C * S), slice(a + C * S, a + C * S + C),
                             slice(a + C * S + C, a + C * S + C + n_og), slice(a + C * S + C + n_og, a + C * S + C + n_og + H))
    recurrent = arch.connectivity == "F" and not truncate
    d = {k: np.zeros_like(x) for k, x in w.items()}
    d_s_all = np.zeros((len(e_k), C, S))
    d_s = np.zeros((C, S))
    later = {"y_c": np.zeros((C, S)), "y_in": np.zeros(C), "y_out": np.zeros(n_og), "y_h": np.zeros(H)}
    for t in range(len(e_k) - 1, -1, -1):
        tr = {k: x[t] for k, x in trace.items()}
        s_c, net_c, u = tr["s_c"], tr["net_c"], tr["u"]
        d["w_k"] += np.outer(e_k[t], tr["v"][:J])                   # (22), l = k
        dv = w["w_k"].T @ e_k[t]
        dy_c = dv[cells].reshape(C, S) + later["y_c"]               # error at y_c(t)
        dy_h = dv[hidden] + later["y_h"]                            # error at y_h(t)
        e_h = df(tr["net_h"]) * dy_h                                # (20)
        d_s = d_s + dy_c * tr["y_out"][:, None] * dh(s_c, sq)       # (23); d_s(t+1) arrives unscaled (30)
        e_out = df(tr["net_out"]) * ((h(s_c, sq) * dy_c).sum(axis=1)[:n_og] + later["y_out"])   # (21)
        e_c = d_s * tr["y_in"][:, None] * dg(net_c, sq)             # error at net_c
        e_in = df(tr["net_in"]) * ((g(net_c, sq) * d_s).sum(axis=1) + later["y_in"])         # error at net_in
        d["w_h"] += np.outer(e_h, u[:I_h])                          # (22), l = i
        d["w_out"] += np.outer(e_out, u[:I_out])                    # (22), l = out_j
        d["w_c"] += e_c[:, :, None] * u[:I_c]                       # cf. (28)
        d["w_in"] += np.outer(e_in, u[:I_in])                       # cf. (26)
        d_s_all[t] = d_s
        if recurrent:                                               # the paths the paper truncates
            du = np.zeros(len(u))
            du[:I_in] += w["w_in"].T @ e_in
            du[:I_out] += w["w_out"].T @ e_out
            du[:I_c] += np.einsum("jvm,jv->m", w["w_c"], e_c)
            du[:I_h] += w["w_h"].T @ e_h
            later = {"y_c": du[u_c].reshape(C, S), "y_in": du[u_in], "y_out": du[u_out], "y_h": du[u_h]}
    return d, d_s_all


class LSTM97Full(Baseline):
    """The 1997 LSTM trained by full BPTT (truncate=True: the paper's truncated gradient), changes applied at the end."""
    name = "lstm97-full"

    @staticmethod
    def shapes(cfg):
        return cfg["arch"].shapes()

    @staticmethod
    def forward(w, inputs, cfg):
        return forward(cfg["arch"], w, inputs)

    @staticmethod
    def backward(w, trace, e_k, cfg):
        return backward(cfg["arch"], w, trace, e_k, cfg["truncate"])

    @classmethod
    def build(cls, arch, seed=0, truncate=False) -> "LSTM97Full":
        """Weights as Network.build draws them (architecture.init_weights)."""
        return cls(init_weights(arch, rng_of(seed)), cls.config(arch, truncate))

    @staticmethod
    def config(arch, truncate=False) -> dict:
        return {"arch": arch, "n_in": arch.n_in, "n_out": arch.n_out, "truncate": bool(truncate)}
