"""What every baseline shares: the output layer, the error convention, and the Network-like interface.

Error convention (the paper's, eq. 19). For one sequence

    E = sum_{t in mask} sum_k (t^k(t) - y^k(t))^2                       (16), summed over the target steps
    e_k(t) = f'(net_k(t)) (t^k(t) - y^k(t))   at target steps, else 0    (19)

and every error below is d(.) := -1/2 dE/d(.), so that e_k = d net_k. A weight
change is Delta w = -alpha/2 dE/dw = alpha * (error at the receiving unit's net input)
* (sending activation), as in eqs. (17), (19), (22): the 2 of dE/dy is absorbed into
alpha, exactly as for the 1997 LSTM, so learning rates mean the same thing here.

Output units (all baselines): logistic, reading the source vector

    v(t) = [ x(t) if the outputs read the inputs | state(t) | 1 if biased ]
    net_k(t) = w_k v(t);   y_k(t) = f(net_k(t))

where state(t) is the hidden activation of the same step (y_h, or h for LSTM/GRU):
the three-stage step of the experiments (SPEC §1.3).

A model module provides two plain functions

    forward(w, inputs, cfg)      -> trace: dict of per-step arrays, trace["y_k"] (L, K)
    backward(w, trace, e_k, cfg) -> (d: dict like w of -1/2 dE/dw summed over the sequence,
                                     errors at the state per step (L, H))

and a `Baseline` subclass binds them to the interface of `Network`:
`run`, `train`, `weight_changes`, `weights`, `n_weights`.
"""
from __future__ import annotations

import numpy as np

from ..squash import f, df


def output_sources(x, state, cfg):
    """v(t): [x(t)], the hidden state of step t, [1]."""
    parts = ([x] if cfg["outputs_read_inputs"] else []) + [state] + ([[1.0]] if cfg["output_bias"] else [])
    return np.concatenate(parts)


def output_step(w_k, x, state, cfg):
    """The output units at one step: (v, net_k, y_k)."""
    v = output_sources(x, state, cfg)
    net_k = w_k @ v                                                 # output unit
    return v, net_k, f(net_k)                                       # output unit


def state_columns(cfg) -> slice:
    """Columns of v (and of w_k) that hold the hidden state."""
    first = cfg["n_in"] if cfg["outputs_read_inputs"] else 0
    return slice(first, first + cfg["hidden"])


def output_errors(trace, targets, mask):
    """e_k(t) = f'(net_k)(t^k - y^k) at the target steps, 0 elsewhere: (L, K).
    f'_k is the logistic's, or the trace's own "df_k" where it has one (the 1997 LSTM's, whose
    output units may be linear: Architecture.output_unit)."""
    df_k = trace["df_k"] if "df_k" in trace else df(trace["net_k"])
    return df_k * (targets - trace["y_k"]) * mask[:, None]   # (19)


def loss(outputs, targets, mask):
    """E = sum over target steps of sum_k (t^k - y^k)^2, eq. (16)."""
    return float(np.sum(((targets - outputs) ** 2)[mask]))


def uniform(rng, shapes: dict, init_range: float) -> dict:
    return {name: rng.uniform(-init_range, init_range, size=shape) for name, shape in shapes.items()}


def rng_of(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


class Baseline:
    """Network's interface over a (forward, backward) pair. Subclasses set `forward`, `backward`, `name`.

    `train` here is gradient descent with the changes of the whole sequence summed
    and applied at its end (the way BPTT is run on one sequence); the RTRL net
    overrides it to change the weights at every step with a target.
    """
    name = "baseline"

    def __init__(self, weights: dict, cfg: dict):
        self.weights = {k: np.array(a, dtype=np.float64) for k, a in weights.items()}
        self.cfg = dict(cfg)
        shapes = self.shapes(self.cfg)
        for k, shape in shapes.items():
            if self.weights[k].shape != shape:
                raise ValueError(f"{self.name}: weights[{k!r}] has shape {self.weights[k].shape}, expected {shape}")

    @property
    def n_weights(self) -> int:
        return int(sum(a.size for a in self.weights.values()))

    def run(self, inputs) -> np.ndarray:
        """Outputs y^k(t), (L, K); the weights do not change."""
        return self.forward(self.weights, self._inputs(inputs), self.cfg)["y_k"]

    def weight_changes(self, inputs, targets, mask=None, lr=1.0) -> dict:
        """lr * (-1/2 dE/dw) for one sequence, weights held fixed (exact gradient)."""
        inputs, targets, mask = self._check(inputs, targets, mask)
        trace = self.forward(self.weights, inputs, self.cfg)
        d, _ = self.backward(self.weights, trace, output_errors(trace, targets, mask), self.cfg)
        return {k: lr * a for k, a in d.items()}

    def train(self, inputs, targets, mask=None, lr=0.1) -> np.ndarray:
        """One sequence: Delta w = lr * (-1/2 dE/dw), summed over the sequence, applied at its end."""
        inputs, targets, mask = self._check(inputs, targets, mask)
        trace = self.forward(self.weights, inputs, self.cfg)
        d, _ = self.backward(self.weights, trace, output_errors(trace, targets, mask), self.cfg)
        for k in self.weights:
            self.weights[k] += lr * d[k]
        return trace["y_k"]

    def _inputs(self, inputs):
        inputs = np.asarray(inputs, dtype=np.float64)
        if inputs.ndim != 2 or inputs.shape[1] != self.cfg["n_in"]:
            raise ValueError(f"{self.name}: inputs must have shape (L, {self.cfg['n_in']}), got {inputs.shape}")
        return inputs

    def _check(self, inputs, targets, mask):
        inputs = self._inputs(inputs)
        targets = np.asarray(targets, dtype=np.float64)
        if targets.shape != (len(inputs), self.cfg["n_out"]):
            raise ValueError(f"{self.name}: targets must have shape ({len(inputs)}, {self.cfg['n_out']}), got {targets.shape}")
        mask = np.ones(len(inputs), bool) if mask is None else np.asarray(mask, dtype=bool)
        if mask.shape != (len(inputs),):
            raise ValueError(f"{self.name}: mask must have shape ({len(inputs)},), got {mask.shape}")
        return inputs, targets, mask
