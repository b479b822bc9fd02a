"""Experiment 1's trials: where the success test fails at the end (record `reber_mistakes`,
summary `failed_trials`).

A Reber trial succeeds when every symbol of every string of its training and test sets is
predicted (tasks/reber.correct). For each trial the record keeps, per set, the strings and
steps its final weights get wrong and how many of those steps lie at the long lag (the last
symbol, which must recall the second); summary.json counts the failed trials whose only
mistakes are there. docs/findings.md (Experiment 1) reads them. Nothing here changes a trial.
"""
from __future__ import annotations

from tasks import reber

from .. import models


def record(cfg, st) -> dict:
    """The trial record's reber_mistakes: the final weights on the trial's own two sets."""
    if cfg.stop != "REBER":
        return {}
    net = models.wrap(cfg, st.weights)
    return {"reber_mistakes": {name: reber.mistakes(net.run, strings)
                               for name, strings in zip(("train", "test"), st.reber_sets)}}


def summary(cfg, recs) -> dict:
    """summary.json's failed_trials: of the failed trials, those wrong only at the long lag."""
    failed = [r["reber_mistakes"] for r in recs if not r["success"] and "reber_mistakes" in r]
    if not failed:
        return {}
    only_lag = lambda m: all(v["wrong_steps"] == v["wrong_long_lag_steps"] for v in m.values())
    return {"failed_trials": {"recorded": len(failed), "long_lag_only": sum(map(only_lag, failed)),
                              "elsewhere_too": sum(not only_lag(m) for m in failed)}}
