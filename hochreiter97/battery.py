"""The whole battery: every paper row and Table 2 competitor at its protocol, longest expected first.

    python run.py battery --dry-run                 the plan and its estimated CPU-hours
    python run.py battery [--reading NAME]          run it (resumable: finished trials are kept), then the tables

A row's remaining trials are the paper's count less the trials already finished in
its folder (results/ROW/, or results/ROW@NAME/ under a reading). The estimate of a
trial's cost is

    sequences per trial  x  steps per sequence  x  microseconds per step

with the sequences per trial measured from the folder's finished trials where there
are any (their sequences presented, failures counting to the cap; for a reading not
run yet, the row's own run under the paper's configuration), else the paper's
mean (the cap where the paper reports no success); steps per sequence and
microseconds per step from the finished trials' own records (every cost of the loop
included), else from the committed benchmark, results/complexity/bench.json
(`python run.py bench`: training and sequence generation), else marked unknown.
"""
from __future__ import annotations

import json
import statistics
from pathlib import Path

from . import config, fidelity, readings, reproduce, results


def _bench_rows(bench_json: Path) -> dict:
    """row -> the benchmark's battery entry (mean_length, us_per_step_api, ...), if measured."""
    if not bench_json.exists():
        return {}
    bench = json.loads(bench_json.read_text())
    timed = {r["arch"]: r for r in bench.get("records", []) if r.get("kind") == "table10"}
    return {r["row"]: dict(r, generate_us_per_step=timed.get(r["row"], {}).get("generate_us_per_step", 0.0) or 0.0)
            for r in bench.get("battery", {}).get("rows", [])}


def plan(reading=None, out=results.RESULTS, bench_json=None) -> list:
    """One entry per row the battery runs: remaining trials and their estimated CPU-seconds, longest first."""
    out = Path(out)
    measured = _bench_rows(Path(bench_json) if bench_json else out / "complexity" / "bench.json")
    entries = []
    for row in fidelity.paper_rows(config.load, config.rows()):
        cfg = config.load(row)
        if reading is not None:
            if not readings.READINGS[reading].concerns(cfg):
                continue
            cfg = readings.apply(cfg, reading)
        folder = out / reproduce.folder(cfg)
        done = results.finished_trials(folder) if folder.is_dir() else {}
        remaining = max(0, cfg.trials - len([k for k in done if k < cfg.trials]))
        _, paper_mean = fidelity.paper_target(cfg.paper)
        source = f"ours: {len(done)} finished trials"
        if not done and reading is not None and (out / row).is_dir():    # a reading not run yet: the row's own run
            done = results.finished_trials(out / row)
            source = f"ours: {len(done)} finished trials under the paper's configuration"
        if done:
            per_trial = statistics.fmean(r["sequences_presented"] for r in done.values())
        else:
            per_trial = min(paper_mean or cfg.max_sequences, cfg.max_sequences)
            source = "paper's mean" if paper_mean else "the cap (the paper reports no success)"
        bench = measured.get(row)
        rates = [r["steps_per_second"] for r in done.values() if r.get("steps_per_second")]
        if rates:                                     # the row's own trials: every cost of the loop included
            steps = statistics.fmean(r["time_steps"] / max(1, r["sequences_presented"]) for r in done.values())
            seconds = per_trial * steps / statistics.fmean(rates)
        elif bench:
            us = bench["us_per_step_api"] + bench["generate_us_per_step"]
            seconds = per_trial * bench["mean_length"] * us * 1e-6
        else:
            seconds = None
        entries.append({"row": row, "folder": str(folder), "trials": cfg.trials, "remaining": remaining,
                        "sequences_per_trial": per_trial, "source": source,
                        "cpu_seconds": None if seconds is None else seconds * remaining})
    return sorted(entries, key=lambda e: -(e["cpu_seconds"] or 0.0))


def describe(entries, reading=None) -> str:
    known = [e["cpu_seconds"] for e in entries if e["cpu_seconds"] is not None]
    lines = [f"{'row':14} {'folder':28} {'left':>9} {'sequences/trial':>16}  {'CPU-hours':>9}  estimate from"]
    for e in entries:
        hours = "unknown" if e["cpu_seconds"] is None else f"{e['cpu_seconds'] / 3600:.2f}"
        lines.append(f"{e['row']:14} {Path(e['folder']).name:28} {e['remaining']:>3} of {e['trials']:<3} "
                     f"{e['sequences_per_trial']:>16,.0f}  {hours:>9}  {e['source']}")
    unknown = sum(e["cpu_seconds"] is None and e["remaining"] > 0 for e in entries)
    lines.append(f"\n{sum(e['remaining'] for e in entries)} trials left in {sum(e['remaining'] > 0 for e in entries)} "
                 f"rows{' under reading ' + reading if reading else ''}: about {sum(known) / 3600:.1f} CPU-hours"
                 + (f" ({unknown} rows not estimated)" if unknown else ""))
    return "\n".join(lines)


def run(reading=None, workers=None, hooks=None, command=None, **reproduce_kw) -> list:
    """Every row with trials left, longest expected first; each row resumable as reproduce is."""
    done = []
    for e in plan(reading):
        if e["remaining"] == 0:
            continue
        reproduce.reproduce(e["row"], workers=workers, reading=reading, hooks=hooks, command=command, **reproduce_kw)
        done.append(e["row"])
    return done
