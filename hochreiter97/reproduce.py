"""Reproduce a table row: its trials in parallel processes, results on disk, resumable.

Per row, under OUT/ROW/ (OUT defaults to results/):

    config.yaml      the resolved config (every value used, defaults filled in)
    trial-K.json     one finished trial (written atomically, never rewritten)
    checkpoint-K.pkl a running trial's state, saved every 60 s (deleted when it finishes)
    weights-K.npz    the final weights of trial K (np.load: one array per name, as Network.weights)
    trace-K.npz      with --trace: the recorded sequences of trial K (hochreiter97/traces.py)
    summary.json     the row over its finished trials, beside the paper's numbers

Running the same command again skips finished trials and resumes running ones from
their checkpoints; each trial's seeds derive from (seed, row, trial index), so the
numbers do not depend on --workers or on interruptions.

Ablation `model` (run.py reproduce ROW --model gru): the row's task, protocol, learning
rate and seeds (so the same training sequences), but another network (config.ablation);
results under OUT/ROW@MODEL/, labelled as an ablation in the table.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import RLock
from pathlib import Path

import yaml
from tqdm import tqdm

from tasks import config
from . import models, training


def write_json(path, obj) -> None:
    """Atomically: a reader sees the old file or the whole new one."""
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(obj, indent=1))
    os.replace(tmp, path)


def _trial_path(rowdir, k):
    return Path(rowdir) / f"trial-{k}.json"


def finished_trials(rowdir) -> dict:
    out = {}
    for p in Path(rowdir).glob("trial-*.json"):
        rec = json.loads(p.read_text())
        out[rec["trial"]] = rec
    return out


def _run_one(cfg, seed, k, rowdir, position, checkpoint_seconds, show, trace=0):
    bar = tqdm(desc=f"{cfg['row']} trial {k}", unit=" seq", position=position, leave=False,
               disable=not show, dynamic_ncols=True, mininterval=0.5)

    def progress(st):
        bar.update(st["n"] - bar.n)
        if st["window"]:
            bar.set_postfix_str(f"err {st['window_E'] / len(st['window']):.4g}", refresh=False)

    rec = training.run_trial(cfg, seed, k, checkpoint=Path(rowdir) / f"checkpoint-{k}.pkl",
                             checkpoint_seconds=checkpoint_seconds, progress=progress,
                             trace=trace, trace_path=Path(rowdir) / f"trace-{k}.npz",
                             weights_path=Path(rowdir) / f"weights-{k}.npz")
    bar.close()
    write_json(_trial_path(rowdir, k), rec)
    ckpt = Path(rowdir) / f"checkpoint-{k}.pkl"
    if ckpt.exists():
        ckpt.unlink()
    return k, rec


def reproduce(row, trials=None, seed=0, workers=None, out="results", checkpoint_seconds=60.0,
              show=True, command=None, model=None, trace=0, max_sequences=None) -> dict:
    """Run the row's trials that are not finished yet; write and return its summary (rewritten
    as each trial finishes, so a row cut off part-way is tabled over its finished trials).

    trace: record that many probes per trial (traces.py); max_sequences: a cap below the
    row's for a short run (stated in the summary as such; use another `out`)."""
    cfg = config.load(row)
    if model is not None:
        cfg = models.ablation(cfg, model)
    if trace and cfg["model"] != "lstm97":
        raise SystemExit(f"{row}: --trace records the 1997 LSTM's cells; model {cfg['model']!r} has none")
    if max_sequences is not None and max_sequences != cfg["max_sequences"]:
        cfg = dict(cfg, max_sequences=max_sequences,
                   cap_note=f"a short run: --max-sequences {max_sequences:,} (the row's cap is {cfg['max_sequences']:,}); "
                            "not the paper's protocol")
    trials = cfg["trials"] if trials is None else trials
    rowdir = Path(out) / folder(cfg)
    rowdir.mkdir(parents=True, exist_ok=True)
    done = finished_trials(rowdir)
    before = rowdir / "config.yaml"
    if done and before.exists():                       # finished trials keep the cap they ran under
        cap = (yaml.safe_load(before.read_text()) or {}).get("max_sequences")
        if cap is not None and cap != cfg["max_sequences"]:
            raise SystemExit(f"{rowdir}: its finished trials ran with a cap of {cap:,} sequences, not "
                             f"{cfg['max_sequences']:,}; use another --out for a different cap")
    before.write_text(yaml.safe_dump(cfg, sort_keys=False))
    for k, rec in done.items():
        if rec["seed"] != seed:
            raise SystemExit(f"{rowdir}: trial {k} was run with --seed {rec['seed']}, not {seed}; "
                             f"use another --out for a different seed")
    pending = [k for k in range(trials) if k not in done]
    workers = max(1, min(workers or os.cpu_count() or 1, len(pending) or 1))

    def write_summary():                               # after every finished trial: a cut-off row still shows
        summary = summarize(cfg, finished_trials(rowdir), trials, seed, command)
        write_json(rowdir / "summary.json", summary)
        return summary

    if pending and workers == 1:
        for k in pending:
            _run_one(cfg, seed, k, rowdir, 0, checkpoint_seconds, show, trace)
            write_summary()
    elif pending:
        tqdm.set_lock(RLock())
        with ProcessPoolExecutor(workers, initializer=tqdm.set_lock, initargs=(tqdm.get_lock(),)) as pool:
            futures = [pool.submit(_run_one, cfg, seed, k, rowdir, i % workers, checkpoint_seconds, show, trace)
                       for i, k in enumerate(pending)]
            for f in as_completed(futures):
                f.result()
                write_summary()
    return write_summary()


def folder(cfg) -> str:
    """ROW, or ROW@MODEL for a model ablation."""
    return cfg["row"] + (f"@{cfg['model_ablation']}" if cfg.get("model_ablation") else "")


def _stats(values):
    if not values:
        return None
    return {"mean": statistics.fmean(values), "median": statistics.median(values),
            "min": min(values), "max": max(values)}


SATURATED = 0.01          # a cell whose h'(s_c)/h'(0) at the read-out step is below this passes almost no error


def _saturated(recs):
    """Of all cells of these trials, the fraction saturated when read (trial records' cells_at_end)."""
    ratios = [v for r in recs for v in r["cells_at_end"]["dh_ratio"]]
    return sum(v < SATURATED for v in ratios) / len(ratios) if ratios else None


def summarize(cfg, records: dict, trials: int, seed: int, command=None) -> dict:
    """The row over its finished trials: successes, sequences to success, test figures, the paper's."""
    recs = [records[k] for k in sorted(records) if k < trials]
    ok = [r for r in recs if r["success"]]
    tests = [r["test"] for r in ok if r["test"]]
    summary = {
        "row": folder(cfg), "title": cfg.get("title"), "task": cfg["task"], "stop": cfg["stop"],
        "model": cfg["model"] + (f" ({cfg['trainer']})" if cfg.get("trainer") else ""), "ablation": cfg.get("ablation"),
        "max_sequences": cfg["max_sequences"], "cap_note": cfg.get("cap_note"),
        "weights": models.n_weights(cfg), "lr": cfg["lr"], "seed": seed,
        "trials": len(recs), "trials_planned": trials, "successes": len(ok),
        "sequences": _stats([r["sequences"] for r in ok]),
        "test": {
            "n": tests[0]["n"] if tests else 0,
            "wrong_mean": statistics.fmean(t["wrong"] for t in tests) if tests else None,
            "wrong_max": max(t["wrong"] for t in tests) if tests else None,
            "fraction_wrong_mean": statistics.fmean(t["fraction_wrong"] for t in tests) if tests else None,
            "mse_mean": statistics.fmean(t["mse"] for t in tests) if tests else None,
            "mean_abs_error_mean": statistics.fmean(t["mean_abs_error"] for t in tests) if tests else None,
        },
        "steps_per_second": statistics.fmean(r["steps_per_second"] for r in recs) if recs else None,
        "paper": cfg["paper"],
        "command": command or f"python run.py reproduce {cfg['row']} --seed {seed}"
                              + ("" if trials == cfg["trials"] else f" --trials {trials}")
                              + (f" --model {cfg['model_ablation']}" if cfg.get("model_ablation") else ""),
    }
    carries = [r["carry"] for r in recs if "carry" in r]
    if carries:                                        # Table 2's net on 2a: the first symbol's reach at the end
        summary["carry_at_end"] = {
            "max_log10_product": max(max(c["log10_product"].values()) for c in carries),
            "max_output_difference": max(c["output_difference"] for c in carries),
            "w_hh": [c["w_hh"] for c in carries]}
    failed = [r["reber_mistakes"] for r in recs if not r["success"] and "reber_mistakes" in r]
    if failed:                                         # Exp. 1: where the failed trials' success test fails
        only_lag = lambda m: all(v["wrong_steps"] == v["wrong_long_lag_steps"] for v in m.values())
        summary["failed_trials"] = {"recorded": len(failed), "long_lag_only": sum(map(only_lag, failed)),
                                    "elsewhere_too": sum(not only_lag(m) for m in failed)}
    cells = {"success": [r for r in ok if "cells_at_end" in r],
             "failed": [r for r in recs if not r["success"] and "cells_at_end" in r]}
    if cells["success"] or cells["failed"]:            # drift: the fraction of saturated cells at the end
        summary["cells_saturated"] = {"dh_ratio_below": SATURATED, **{
            kind: {"trials": len(rs), "fraction": _saturated(rs)} for kind, rs in cells.items()}}
    if cfg["stop"] == "ST1ST2":
        summary["st1"] = _stats([r["st1"] for r in ok if r.get("st1") is not None])
    below = [r["error_below_beta_at"] for r in ok if r.get("error_below_beta_at") is not None]
    if below:                                          # ST3: when its error condition alone first held
        summary["error_below_beta_at"] = {"trials": len(below), **_stats(below)}
    return summary
