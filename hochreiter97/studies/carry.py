"""Table 2's net on 2a: how far back the first symbol still reaches (the `carry` of rtrl-* records).

A trial of a row this concerns records `carry` at its end and `carry_history` at the probes
(sequences 0, 1000, 2000, 4000, ...), through training.Hooks.probe; summary.json gathers the
ends as `carry_at_end`. Nothing here changes a trial. docs/findings.md ("rtrl-p4-lr10") reads them.
"""
from __future__ import annotations

import numpy as np

from .. import models


def carry(cfg, weights) -> dict | None:
    """Table 2's net on 2a (one hidden unit): can the last prediction still depend on the first symbol?

    The two sequences differ only in their first symbol, which the last outputs can read only
    through the hidden unit. Along each sequence the derivative of the last step's y_h(L-1) with
    respect to y_h(0) is the product of the L-1 factors f'(net_h(t)) w_hh (t = 1 .. L-1), and the
    error of the last prediction reaches the first step's weights scaled by the same product.
    Returned (weights frozen): w_hh, log10 of |that product| for each sequence, and the measured
    differences between the two sequences of y_h and of the outputs at the last step. Telling
    the classes apart needs an output above 0.75 for one class and below 0.25 for the other
    (output_difference > 0.5).
    """
    if cfg.model != "rnn" or cfg.hidden != 1 or cfg.task != "long_lag" or cfg.variant != "2a":
        return None
    n_in, p = cfg.n_in, cfg.p
    net = models.wrap(cfg, weights)
    w_hh = float(net.weights["w_h"][0, n_in])
    last, log10_product = {}, {}
    for first, index in (("x", p - 1), ("y", p)):                   # long_lag: x is input p-1, y is input p
        x = np.eye(n_in)[np.concatenate(([index], np.arange(p - 1)))]
        fw = models.BASELINES["rnn"].forward(net.weights, x, net.cfg)
        factors = fw["y_h"][1:, 0] * (1.0 - fw["y_h"][1:, 0]) * abs(w_hh)   # f'(net_h(t)) |w_hh|
        log10_product[first] = float(np.sum(np.log10(factors))) if np.all(factors > 0) else -np.inf
        last[first] = (fw["y_h"][-1, 0], fw["y_k"][-1])
    return {"w_hh": w_hh, "log10_product": log10_product,
            "y_h_difference": float(abs(last["x"][0] - last["y"][0])),
            "output_difference": float(np.abs(last["x"][1] - last["y"][1]).max())}


def summary(cfg, recs) -> dict:
    """summary.json's carry_at_end: the reach at the end, over the trials that recorded it."""
    carries = [r["carry"] for r in recs if "carry" in r]
    if not carries:
        return {}
    return {"carry_at_end": {
        "max_log10_product": max(max(c["log10_product"].values()) for c in carries),
        "max_output_difference": max(c["output_difference"] for c in carries),
        "w_hh": [c["w_hh"] for c in carries]}}
