"""The conventional recurrent net of Table 2 (Experiment 2a), trained by BPTT or by RTRL.

Architecture (paper §5.2, Experiment 2a; SPEC §4.2): "one self-recurrent hidden unit and
p+1 non-recurrent output units; each layer has connections from all layers below; all
units are logistic in [0, 1]". Generalised here to H fully connected hidden units
(H = 1 is Table 2). Each time step is the three-stage step of the experiments (SPEC §1.3):

    u(t)     = [ x(t) | y_h(t-1) | 1 if bias ]         read by the hidden units     (I = n_in + H [+1])
    net_h(t) = w_h u(t);   y_h(t) = f(net_h(t))                                       (6)
    v(t)     = [ x(t) | y_h(t) | 1 if bias ]            read by the output units     (J = n_in + H [+1])
    net_k(t) = w_k v(t);   y_k(t) = f(net_k(t))                                       output unit

    w_h (H, I), w_k (K, J). Weights: H (n_in + H) + K (n_in + H) without bias; Table 2
    (n_in = K = p+1, H = 1, no bias): (p+2) + (p+1)(p+2) = (p+2)^2 = 36, 144, 10404
    for p = 4, 10, 100, the counts of Table 2.

Notation (symbol -> code name -> shape): e_k -> e_k (K,) output error (19);
d y_h -> dy_h (H,) error at the hidden activation, -1/2 dE/dy_h; e_i -> e_h (H,) error
at the hidden net input (20); p^i_{am} = d y_h_i / d w_h[a, m] -> P (H, H, I), the RTRL
sensitivities (Williams & Zipser 1989).

Two trainers, one `run`:

  "bptt"  backpropagation through time over the sequence: the changes of every step
          are summed and applied at the sequence end.
  "rtrl"  real-time recurrent learning: the sensitivities P are carried forward,
              P(t)[i,a,m] = f'(net_h_i(t)) ( sum_l w_h[i, n_in+l] P(t-1)[l,a,m] + delta_ia u_m(t) ),
          O(H^3 I) = O(n^4) per step for a fully recurrent net; at every step with a
          target the weights change at once (Williams & Zipser's real-time rule, as in
          the paper's Table 2 comparisons), and the next step runs on the new weights.

With the weights held fixed (`weight_changes`), both give the exact -1/2 dE/dw.

Two options of reading jku (readings.py), from the RTRL program distributed with Hochreiter's
LSTM simulator: cfg "timing" "sequence" (RTRL's changes summed over the sequence and applied
at its end; "step", the default, is the real-time rule above) and cfg "y0", the hidden
activation y_h(-1) each sequence starts from (0, the default, or 0.5).

backend "numpy" (default) runs the functions below; "numba" runs the same steps
compiled (rnn_kernel.py, equal to 1e-12), fast enough for Table 2's 5 million sequences.
"""
from __future__ import annotations

import numpy as np

from ..squash import f, df
from . import rnn_kernel
from .common import Baseline, output_step, state_columns, uniform, rng_of

TRAINERS = ("rtrl", "bptt")
TIMINGS = ("step", "sequence")     # RTRL's changes: at every target step (real time), or summed to the sequence end
BACKENDS = ("numpy", "numba")


def shapes(cfg) -> dict:
    n_in, H, K, b = cfg["n_in"], cfg["hidden"], cfg["n_out"], int(cfg["bias"])
    return {"w_h": (H, n_in + H + b), "w_k": (K, n_in + H + b)}


def hidden_sources(x, y_h_prev, cfg):
    """u(t): x(t), y_h(t-1), [1]."""
    return np.concatenate([x, y_h_prev] + ([[1.0]] if cfg["bias"] else []))


def forward(w, inputs, cfg):
    """Every step's u, net_h, y_h, v, net_k, y_k as (L, .) arrays."""
    L, H = len(inputs), cfg["hidden"]
    tr = {name: [] for name in ("u", "net_h", "y_h", "v", "net_k", "y_k")}
    y_h = np.full(H, cfg.get("y0", 0.0))                            # reset at sequence start (SPEC §1.4)
    for x in inputs:
        u = hidden_sources(x, y_h, cfg)
        net_h = w["w_h"] @ u                                        # (6)
        y_h = f(net_h)                                              # (6)
        v, net_k, y_k = output_step(w["w_k"], x, y_h, cfg)
        for name, a in zip(tr, (u, net_h, y_h, v, net_k, y_k)):
            tr[name].append(a)
    return {name: np.array(a).reshape(L, -1) for name, a in tr.items()}


def backward(w, trace, e_k, cfg):
    """BPTT: (-1/2 dE/dw summed over the sequence, dy_h per step (L, H))."""
    n_in, H = cfg["n_in"], cfg["hidden"]
    d = {k: np.zeros_like(a) for k, a in w.items()}
    w_kh = w["w_k"][:, state_columns(cfg)]                          # w_{k i}
    w_hh = w["w_h"][:, n_in:n_in + H]                               # w_{i l}, the recurrent weights
    dy_h_all = np.zeros((len(e_k), H))
    e_h_next = np.zeros(H)
    for t in range(len(e_k) - 1, -1, -1):
        d["w_k"] += np.outer(e_k[t], trace["v"][t])                 # (22), l = k
        dy_h = w_kh.T @ e_k[t] + w_hh.T @ e_h_next                  # from the outputs at t and the hidden units at t+1
        e_h = df(trace["net_h"][t]) * dy_h                          # (20), with the error from t+1 added
        d["w_h"] += np.outer(e_h, trace["u"][t])                    # (22), l = i
        dy_h_all[t] = dy_h
        e_h_next = e_h
    return d, dy_h_all


def rtrl_sequence(w, inputs, targets, mask, lr, apply, cfg):
    """RTRL over one sequence: (outputs (L, K), summed weight changes).

    apply=True changes `w` in place at every step with a target (real-time learning);
    apply=False holds the weights fixed and the summed changes are lr * (-1/2 dE/dw).
    """
    n_in, H = cfg["n_in"], cfg["hidden"]
    I = w["w_h"].shape[1]
    total = {k: np.zeros_like(a) for k, a in w.items()}
    P = np.zeros((H, H, I))                                         # d y_h(0) / d w_h = 0: reset state
    y_h = np.full(H, cfg.get("y0", 0.0))                            # y_h(-1): the reset activation
    outputs = np.zeros((len(inputs), cfg["n_out"]))
    eye = np.eye(H)
    for t, x in enumerate(inputs):
        u = hidden_sources(x, y_h, cfg)
        net_h = w["w_h"] @ u                                        # (6)
        y_h = f(net_h)                                              # (6)
        w_hh = w["w_h"][:, n_in:n_in + H]
        P = df(net_h)[:, None, None] * (np.einsum("il,lam->iam", w_hh, P) + eye[:, :, None] * u)  # RTRL sensitivities
        v, net_k, y_k = output_step(w["w_k"], x, y_h, cfg)
        outputs[t] = y_k
        if not mask[t]:
            continue
        e_k = df(net_k) * (targets[t] - y_k)                        # (19)
        dy_h = w["w_k"][:, state_columns(cfg)].T @ e_k              # error at y_h(t) from the outputs at t
        dw = {"w_k": lr * np.outer(e_k, v),                         # (22), l = k
              "w_h": lr * np.einsum("i,iam->am", dy_h, P)}          # sum_i dy_h_i p^i_am
        for k in total:
            total[k] += dw[k]
            if apply:
                w[k] += dw[k]                                       # real time: the next step runs on the new weights
    return outputs, total


class RNN(Baseline):
    """Table 2's conventional recurrent net. trainer "rtrl" (online, every target step) or "bptt" (sequence end)."""
    name = "rnn"
    forward = staticmethod(forward)
    backward = staticmethod(backward)
    shapes = staticmethod(shapes)

    def __init__(self, weights, cfg):
        cfg = dict({"backend": "numpy"}, **cfg)
        if cfg["trainer"] not in TRAINERS:
            raise ValueError(f"rnn: trainer must be one of {TRAINERS}, got {cfg['trainer']!r}")
        if cfg["backend"] not in BACKENDS:
            raise ValueError(f"rnn: backend must be one of {BACKENDS}, got {cfg['backend']!r}")
        cfg = dict({"timing": "step", "y0": 0.0}, **cfg)
        if cfg["timing"] not in TIMINGS or (cfg["timing"] != "step" and cfg["trainer"] != "rtrl"):
            raise ValueError(f"rnn: timing must be one of {TIMINGS} (sequence: RTRL only), got {cfg['timing']!r}")
        super().__init__(weights, cfg)

    @classmethod
    def build(cls, n_in, n_out, hidden=1, seed=0, init_range=0.2, bias=False, trainer="rtrl",
              backend="numpy", timing="step", y0=0.0) -> "RNN":
        """Weights uniform in [-init_range, init_range] (Experiment 2a: 0.2, all methods)."""
        cfg = {"n_in": n_in, "n_out": n_out, "hidden": hidden, "bias": bool(bias), "trainer": trainer,
               "outputs_read_inputs": True, "output_bias": bool(bias), "backend": backend, "timing": timing,
               "y0": float(y0)}
        return cls(uniform(rng_of(seed), shapes(cfg), init_range), cfg)

    def run(self, inputs) -> np.ndarray:
        if self.cfg["backend"] == "numpy":
            return super().run(inputs)
        inputs = np.ascontiguousarray(self._inputs(inputs))
        outputs = np.empty((len(inputs), self.cfg["n_out"]))
        rnn_kernel.run(self.weights["w_h"], self.weights["w_k"], inputs, self.cfg["bias"], outputs, self.cfg["y0"])
        return outputs

    def weight_changes(self, inputs, targets, mask=None, lr=1.0) -> dict:
        inputs, targets, mask = self._check(inputs, targets, mask)
        if self.cfg["backend"] == "numba":
            return self._compiled(inputs, targets, mask, lr, apply=False)[1]
        if self.cfg["trainer"] == "bptt":
            return super().weight_changes(inputs, targets, mask, lr)
        return rtrl_sequence(self.weights, inputs, targets, mask, lr, False, self.cfg)[1]

    def train(self, inputs, targets, mask=None, lr=0.1) -> np.ndarray:
        inputs, targets, mask = self._check(inputs, targets, mask)
        if self.cfg["backend"] == "numba":
            at_end = self.cfg["timing"] == "sequence"
            outputs, d = self._compiled(inputs, targets, mask, lr, apply=not at_end)
            if at_end:
                for k in self.weights:
                    self.weights[k] += d[k]                         # summed over the sequence, at its end
            return outputs
        if self.cfg["trainer"] == "bptt":
            return super().train(inputs, targets, mask, lr)
        at_end = self.cfg["timing"] == "sequence"
        outputs, total = rtrl_sequence(self.weights, inputs, targets, mask, lr, not at_end, self.cfg)
        if at_end:
            for k in self.weights:
                self.weights[k] += total[k]                         # summed over the sequence, at its end
        return outputs

    def _compiled(self, inputs, targets, mask, lr, apply):
        """(outputs, summed changes or None when applied) by rnn_kernel."""
        w, bias = self.weights, self.cfg["bias"]
        inputs, targets = np.ascontiguousarray(inputs), np.ascontiguousarray(targets)
        outputs = np.empty((len(inputs), self.cfg["n_out"]))
        d = {k: np.zeros_like(a) for k, a in w.items()}
        if self.cfg["trainer"] == "rtrl":
            rnn_kernel.rtrl(w["w_h"], w["w_k"], inputs, targets, mask, float(lr), apply, bias,
                            d["w_h"], d["w_k"], outputs, self.cfg["y0"])
            return outputs, (None if apply else d)
        rnn_kernel.bptt(w["w_h"], w["w_k"], inputs, targets, mask, bias, d["w_h"], d["w_k"], outputs, self.cfg["y0"])
        for k in w:
            d[k] *= lr
            if apply:
                w[k] += d[k]                                        # BPTT: the summed changes, at the sequence end
        return outputs, (None if apply else d)
