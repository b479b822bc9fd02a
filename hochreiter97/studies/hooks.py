"""What a trial records, and a row's summary adds, beyond the protocol: the studies' training.Hooks.

The command line passes HOOKS to every run (reproduce, battery, the demo), so that the
committed records carry what the studies read:

    trace, stack   traces.py        reproduce --trace K: presented sequences' internals
    record         traces.py        cells_at_end (drift.py reads it)
                   reber_misses.py  reber_mistakes (Experiment 1's failed trials)
    probe          carry.py         carry, carry_history (Table 2's net on 2a)
    summary        drift.py         cells_saturated
                   reber_misses.py  failed_trials
                   carry.py         carry_at_end

None of them changes a trial's numbers; a run without hooks gives the same trials, less these fields.
"""
from __future__ import annotations

from .. import training
from . import carry, drift, reber_misses, traces


def record(cfg, st) -> dict:
    return {**traces.cells_record(cfg, st), **reber_misses.record(cfg, st)}


def summary(cfg, recs) -> dict:
    return {**carry.summary(cfg, recs), **reber_misses.summary(cfg, recs), **drift.summary(cfg, recs)}


HOOKS = training.Hooks(trace=traces.trace_sequence, stack=traces.stack, record=record, probe=carry.carry,
                       summary=summary)
