"""Where trained nets miss: output error against the target (`python run.py misses ROW ...`).

For rows with one real-valued output judged by an absolute-error bound (Experiments 4
and 5: ABS(0.04), SPEC §4.8-4.9). A trial's stop (ST3, or 5's n_seq rule) waits for a
window of correctly processed sequences, so what the stop waits for is where the
trained net still misses. This module reads each successful trial's final weights
(results/ROW/weights-K.npz), runs them frozen on the trial's own final test set (the
same test_size sequences its record's `test` was computed on: the wrong counts must
agree, and are checked), and pools the outputs over the trials by target:

    per bin of the target t (10 bins of width 0.1 over [0, 1]):
    n            test sequences whose target lies in the bin
    mean y - t   signed error: > 0 where the output sits above the target
    mean |y - t|
    wrong        fraction not correct, as training.judge rules (|y - t| >= correct_threshold)

Nothing trains here. Trials whose folder keeps no final weights (weights-K.npz) are
skipped and counted.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import config
from .. import models, reproduce, training
from . import output

BINS = 10


def _trial_outputs(cfg, seed: int, trial: int, weights: dict):
    """(output, target, correct) at the target step of each of the trial's final test sequences;
    correct as training.judge rules it, the rule the record's test counted with."""
    net = models.wrap(cfg, weights)
    ys, ts, ok = [], [], []
    for x, y, m, info in training.fixed_sequences(cfg, seed, trial, "final_test", cfg.test_size):
        out = net.run(x)
        t = np.flatnonzero(m)[-1]                                  # the one target step (the sequence end)
        ys.append(out[t, 0])
        ts.append(y[t, 0])
        ok.append(training.judge(cfg, out, y, m, info)[1])
    return np.array(ys), np.array(ts), np.array(ok)


def by_target(row: str, results="results", bins: int = BINS) -> dict:
    """Pooled output error by target bin over the row's successful trials that kept their weights."""
    rowdir = Path(results) / row
    cfg = config.load(row)
    if cfg.n_out != 1 or cfg.task not in ("adding", "multiplication"):
        raise ValueError(f"{row}: misses reads rows with one real-valued output (Experiments 4, 5); "
                         f"this row has task {cfg.task!r} with {cfg.n_out} outputs")
    done = reproduce.finished_trials(rowdir)
    if not done:
        raise ValueError(f"{rowdir}: no finished trials (run: python run.py reproduce {row})")
    ys, ts, oks, used, skipped = [], [], [], [], 0
    for k, rec in sorted(done.items()):
        path = rowdir / f"weights-{k}.npz"
        if not rec["success"]:
            continue
        if not path.exists():
            skipped += 1
            continue
        with np.load(path) as z:
            weights = {name: z[name] for name in z.files}
        y, t, ok = _trial_outputs(cfg, rec["seed"], k, weights)
        wrong = int(np.sum(~ok))
        if wrong != rec["test"]["wrong"]:
            raise ValueError(f"{path}: {wrong} wrong test sequences from the saved weights, "
                             f"but trial-{k}.json says {rec['test']['wrong']}")
        ys.append(y)
        ts.append(t)
        oks.append(ok)
        used.append(k)
    out = {"row": row, "trials_used": used, "trials_skipped_without_weights": skipped,
           "correct_threshold": cfg.correct_threshold, "output_unit": cfg.output_unit, "bins": []}
    if not used:
        return out
    y, t, ok = np.concatenate(ys), np.concatenate(ts), np.concatenate(oks)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, t, side="right") - 1, 0, bins - 1)
    for b in range(bins):
        sel = which == b
        d = y[sel] - t[sel]
        out["bins"].append({"target_from": float(edges[b]), "target_to": float(edges[b + 1]), "n": int(sel.sum()),
                            "mean_signed_error": float(d.mean()) if d.size else None,
                            "mean_abs_error": float(np.abs(d).mean()) if d.size else None,
                            "wrong": float(np.mean(~ok[sel])) if d.size else None})
    return out


def _table(r: dict) -> str:
    head = (f"### {r['row']} (output unit {r['output_unit']}; trials {', '.join(map(str, r['trials_used'])) or 'none'}"
            + (f"; {r['trials_skipped_without_weights']} successful trials ran before weights were kept" if r["trials_skipped_without_weights"] else "")
            + ")\n\n" + (f"`{r['command']}`\n\n" if r.get("command") else "") + "| target t | n | mean y − t | mean \\|y − t\\| | wrong |\n|---|---|---|---|---|\n")
    cell = lambda v, f: "–" if v is None else format(v, f)
    return head + "\n".join(f"| {b['target_from']:.1f}–{b['target_to']:.1f} | {b['n']} | {cell(b['mean_signed_error'], '+.4f')} | "
                            f"{cell(b['mean_abs_error'], '.4f')} | {cell(b['wrong'], '.3f')} |" for b in r["bins"])


def write(rows, out="results/misses", results="results", command=None) -> list:
    """misses.json and README.md in `out`: the given rows computed now, every other row already in
    misses.json kept as it was, each with the command that made it. Returns the paths."""
    command = command or "python run.py misses " + " ".join(rows)
    out = Path(out)
    kept = {}
    if (out / "misses.json").exists():
        old = json.loads((out / "misses.json").read_text())
        kept = {r["row"]: dict(r, command=r.get("command", old.get("command"))) for r in old["rows"]}
    for row in rows:
        kept[row] = dict(by_target(row, results), command=command)
    result = {"rows": [kept[r] for r in sorted(kept, key=config.row_order)]}
    return output.write(out, "misses.json", result, """# Where the trained nets miss

Generated by `python run.py misses ROW ...` (hochreiter97/studies/misses.py); each row's section names the command that
made it, and a later command replaces only the rows it names. Nothing is trained. File: `misses.json`.

Each successful trial's final weights (`results/ROW/weights-K.npz`), frozen, on the trial's own final test set (the
sequences its record's `test` counts; the wrong counts are checked to agree), pooled over the trials and binned by
the target t. *mean y − t* > 0: the output sits above the target. *wrong*: the fraction with |y − t| at or above
the row's correct_threshold.

""" + "\n\n".join(_table(r) for r in result["rows"]) + "\n")
