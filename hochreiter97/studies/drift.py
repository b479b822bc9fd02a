"""Internal state drift at initialization, row by row (`python run.py drift`).

The paper's §4 (SPEC §3): "if memory cell c_j's inputs are mostly positive or mostly
negative, then its internal state s_j will tend to drift away over time", h'(s_j) becomes
small and the gradient vanishes; its remedy is a negative initial input-gate bias.
Every error that reaches a cell's state passes the factor y_out h'(s_c) of eq. (23), and so
does every change of the cell's input-gate and cell weights, eqs. (26) and (28).

What is measured, per row: `nets` untrained nets of the row's architecture, drawn as
Network.build draws them; on each, `sequences` fresh sequences of the row's task; at the
step where the output is judged (the last target step), each cell's |s_c| and
h'(s_c)/h'(0), as traces.cells_at_end gives them. A cell counts as saturated when that
ratio is below SATURATED (0.01): it passes less than 1 % of the error an
undrifted cell would.

Nothing here trains. Beside each row, README.md puts what the row's trials ended with
(summary.json's cells_saturated, where the trials recorded it), so drift at the start can
be read against the outcome.

`by_trial` (`python run.py drift --by-trial ROW ...`) does the same for each finished trial
of a row, one net each: the trial's own initial weights (training.new_trial, its seed) read
the trial's own first training sequences, beside what the trial did: does a cell's drift
at the start predict whether that trial learns?
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tasks import FAMILIES
from .. import config
from .. import reproduce, training
from . import output, traces
from ..network import Network

SATURATED = 0.01          # a cell whose h'(s_c)/h'(0) at the read-out step is below this passes almost no error


def _saturated(recs):
    """Of all cells of these trials, the fraction saturated when read (trial records' cells_at_end)."""
    ratios = [v for r in recs for v in r["cells_at_end"]["dh_ratio"]]
    return sum(v < SATURATED for v in ratios) / len(ratios) if ratios else None


def summary(cfg, recs) -> dict:
    """summary.json's cells_saturated: the fraction of saturated cells at the end, successes and failures apart."""
    cells = {"success": [r for r in recs if r["success"] and "cells_at_end" in r],
             "failed": [r for r in recs if not r["success"] and "cells_at_end" in r]}
    if not (cells["success"] or cells["failed"]):
        return {}
    return {"cells_saturated": {"dh_ratio_below": SATURATED, **{
        kind: {"trials": len(rs), "fraction": _saturated(rs)} for kind, rs in cells.items()}}}

NETS, SEQUENCES = 20, 5


def rows() -> list:
    """Every row that trains the 1997 LSTM (the paper's rows and the LSTM ablations)."""
    return [r for r in config.rows() if config.load(r).model == "lstm97"]


def at_initialization(row: str, nets: int = NETS, sequences: int = SEQUENCES, seed: int = 0) -> dict:
    """Drift of the row's untrained nets: mean |s_c| and the fraction of saturated cells at read-out."""
    cfg = config.load(row)
    arch = config.architecture(cfg)
    family, params = FAMILIES[cfg.task], config.task_params(cfg)
    rng = np.random.default_rng([seed, nets, sequences])
    abs_s, ratios = [], []
    for _ in range(nets):
        w = Network.build(arch, rng).weights
        seqs = [family.generate(rng, **params) for _ in range(sequences)]
        cells = traces.cells_at_end(arch, w, seqs)
        abs_s += cells["abs_s_c"]
        ratios += cells["dh_ratio"]
    return {"row": row, "nets": nets, "sequences": sequences, "cells": arch.cells,
            "mean_abs_s_c": float(np.mean(abs_s)), "median_abs_s_c": float(np.median(abs_s)),
            "saturated": float(np.mean(np.array(ratios) < SATURATED))}


# which sources of u(t) the gates and cells keep (architecture.source_names), in sources()
SOURCE_CUTS = {
    "as drawn": lambda name: True,
    "no gate sources": lambda name: not name.startswith(("in", "out")),
    "no recurrent sources": lambda name: name.startswith("x") or "bias" in name,
    "no input sources": lambda name: not name.startswith("x"),
}


def sources(row: str, nets: int = NETS, sequences: int = SEQUENCES, seed: int = 0) -> dict:
    """Where the drift of the row's untrained nets comes from: at_initialization's nets and sequences
    (the same draws), measured again with the weights from some sources of u(t) set to zero in every
    gate and cell (SOURCE_CUTS). With no bias weights (Experiment 2c) the gates' own activations,
    about 0.5 each at every step, reach the cells as a constant input through the recurrent weights."""
    cfg = config.load(row)
    arch = config.architecture(cfg)
    family, params = FAMILIES[cfg.task], config.task_params(cfg)
    names = arch.source_names()
    out = {}
    for cut, keep in SOURCE_CUTS.items():
        rng = np.random.default_rng([seed, nets, sequences])
        dropped = [m for m, name in enumerate(names) if not keep(name)]
        abs_s, ratios = [], []
        for _ in range(nets):
            w = Network.build(arch, rng).weights
            for key in ("w_in", "w_out", "w_c"):
                cols = [m for m in dropped if m < w[key].shape[-1]]
                w[key][..., cols] = 0.0
            seqs = [family.generate(rng, **params) for _ in range(sequences)]
            cells = traces.cells_at_end(arch, w, seqs)
            abs_s += cells["abs_s_c"]
            ratios += cells["dh_ratio"]
        out[cut] = {"sources_cut": [names[m] for m in dropped], "mean_abs_s_c": float(np.mean(abs_s)),
                    "saturated": float(np.mean(np.array(ratios) < SATURATED))}
    return {"row": row, "nets": nets, "sequences": sequences, "cuts": out}


def sources_readme(results: list, command: str) -> str:
    head = "| row | " + " | ".join(f"{cut}: mean \\|s_c\\|, saturated" for cut in SOURCE_CUTS) + " |"
    lines = ["# Where the drift comes from: the sources of the gates and cells\n",
             f"Generated by `{command}` (hochreiter97/studies/drift.py, `sources`); nothing is trained. "
             "File: `sources.json`.\n",
             f"The nets and sequences of `python run.py drift` ({NETS} untrained nets per row, {SEQUENCES} "
             "sequences each, the same draws), read again with the weights from some sources of u(t) set to "
             "zero in every gate and cell: the gates' activations y_in, y_out (t-1) (\"no gate sources\"), "
             "every y(t-1) (\"no recurrent sources\"), or the input units. Each cell: |s_c| at the judged "
             f"step, saturated when h'(s_c)/h'(0) < {SATURATED}.\n", head, "|---|" + "---|" * len(SOURCE_CUTS)]
    for r in results:
        lines.append(f"| {r['row']} | " + " | ".join(f"{c['mean_abs_s_c']:.3g}, {c['saturated']:.2f}"
                                                    for c in r["cuts"].values()) + " |")
    return "\n".join(lines) + "\n"


def write_sources(rows, out="results/drift", command=None) -> list:
    results = [sources(row) for row in rows]
    command = command or "python run.py drift --sources " + " ".join(rows)
    return output.write(out, "sources.json", {"command": command, "rows": results}, sources_readme(results, command),
                        readme="sources.md")


def trained(row: str, results="results") -> dict | None:
    """What the row's finished trials ended with (summary.json's cells_saturated), if recorded."""
    path = Path(results) / row / "summary.json"
    if not path.exists():
        return None
    s = json.loads(path.read_text())
    return {"trials": s["trials"], "successes": s["successes"], "cells_saturated": s.get("cells_saturated")}


def _line(r: dict) -> str:
    """One row of the README table: the start, then what the row's trials ended with."""
    trained = r["trained"] or {}
    ended = trained.get("cells_saturated") or {}
    fraction = lambda part: "–" if not part or part["fraction"] is None else f"{part['fraction']:.2f} ({part['trials']})"
    return (f"| {r['row']} | {r['cells']} | {r['mean_abs_s_c']:.3g} | {r['median_abs_s_c']:.3g} | {r['saturated']:.2f} | "
            + (f"{trained['successes']} of {trained['trials']}" if trained else "–")
            + f" | {fraction(ended.get('success'))} | {fraction(ended.get('failed'))} |")


def readme(result: dict, command: str) -> str:
    lines = [_line(r) for r in result["rows"]]
    return f"""# Internal state drift at initialization

Generated by `{command}` (hochreiter97/studies/drift.py); nothing is trained. File: `drift.json`.

**What is measured.** Per row, {result['nets']} untrained nets of the row's architecture (drawn as
`Network.build` draws them) each read {result['sequences']} fresh sequences of the row's task. At the step where the
output is judged, each cell's |s_c| and h′(s_c)/h′(0): the factor by which the error reaching the cell (eq. 23), and
every change of its input-gate and cell weights (eqs. 26, 28), is scaled. A cell is *saturated* when that factor is
below {result['saturated_below']}. The last two columns are what the row's trials ended with (their records'
`cells_at_end`, in trials run since the records carry it; the number of such trials in brackets; – where none).
At the end of training a cell also reads as saturated when it holds a large stored value, as a cell that has learnt
to store a class may: read those columns with the row's successes.

| row | cells | mean \\|s_c\\| | median \\|s_c\\| | saturated at init | trials: succeeded | saturated at the end: successful trials | failed trials |
|---|---|---|---|---|---|---|---|
""" + "\n".join(lines) + """

Rows with h the identity (2a, 2b) have h′ = 1: they cannot saturate, whatever s_c does.
"""


def write(out="results/drift", command="python run.py drift", nets=NETS, sequences=SEQUENCES, results="results") -> list:
    """drift.json and README.md in `out`. Returns the paths."""
    result = {"command": command, "nets": nets, "sequences": sequences, "saturated_below": SATURATED,
              "rows": [dict(at_initialization(r, nets, sequences), trained=trained(r, results)) for r in rows()]}
    return output.write(out, "drift.json", result, readme(result, command))


def by_trial(row: str, results="results", sequences: int = SEQUENCES) -> dict:
    """Each finished trial of results/ROW: its cells at the start (its initial weights on its first
    `sequences` training sequences), beside its outcome and its lowest training error."""
    cfg = config.load(row)
    if cfg.model != "lstm97" or cfg.task == "reber" or cfg.construction_window > 0:
        raise ValueError(f"row {row}: drift --by-trial reads the 1997 LSTM's cells from the start "
                         "(not Experiment 1's fixed sets, nor 2a's cell that joins later)")
    records = reproduce.finished_trials(Path(results) / row)
    if not records:
        raise ValueError(f"row {row}: no finished trials in {Path(results) / row}")
    arch, family, params = config.architecture(cfg), FAMILIES[cfg.task], config.task_params(cfg)
    trials = []
    for k in sorted(records):
        rec = records[k]
        st = training.new_trial(cfg, rec["seed"], k)           # the trial's weights and data stream
        seqs = [family.generate(st.rng_data, **params) for _ in range(sequences)]
        start = traces.cells_at_end(arch, st.weights, seqs)
        trials.append({"trial": k, "seed": rec["seed"], "success": rec["success"], "sequences": rec["sequences"],
                       "lowest_error": min(rec["curve"]["error"]), "start": start, "end": rec.get("cells_at_end")})
    return {"row": row, "sequences": sequences, "saturated_below": SATURATED, "trials": trials}


def by_trial_readme(r: dict, command: str) -> str:
    """The row's trials as a table, and how often trials whose cells all start saturated succeed."""
    cells = lambda c: ", ".join(f"{v:.2g}" for v in c["dh_ratio"]) if c else "–"
    lines = [f"| {t['trial']} | {'success after ' + format(t['sequences'], ',') if t['success'] else 'fails'} | "
             f"{t['lowest_error']:.3g} | {cells(t['start'])} | {', '.join(f'{v:.3g}' for v in t['start']['abs_s_c'])} | "
             f"{cells(t['end'])} |" for t in r["trials"]]
    outcomes = {True: [], False: []}                   # every cell saturated at the start -> the trials' successes
    for t in r["trials"]:
        outcomes[all(v < r["saturated_below"] for v in t["start"]["dh_ratio"])].append(t["success"])
    (n_sat, ok_sat), (n_free, ok_free) = ((len(outcomes[s]), sum(outcomes[s])) for s in (True, False))
    return f"""# {r['row']}: each trial's cells at the start, beside what the trial did

Generated by `{command}` (hochreiter97/studies/drift.py, `by_trial`); nothing is trained. File: `{r['row']}.json`.
Each trial's own initial weights read its own first {r['sequences']} training sequences; per cell, at the step
where the output is judged, h′(s_c)/h′(0) (mean over the sequences; a cell is saturated below
{r['saturated_below']}) and |s_c|. *Lowest training error*: the least point of the trial's learning curve.
*At the end*: the trial record's `cells_at_end`.

Trials whose cells all start saturated: {n_sat} ({ok_sat} successful); trials with a cell unsaturated at the
start: {n_free} ({ok_free} successful).

| trial | outcome | lowest training error | h′ ratio per cell at the start | \\|s_c\\| at the start | h′ ratio at the end |
|---|---|---|---|---|---|
""" + "\n".join(lines) + "\n"


def write_by_trial(rows, out="results/drift/trials", results="results", command=None) -> list:
    """out/ROW.json and out/ROW.md for each row. Returns the paths."""
    paths = []
    for row in rows:
        r = by_trial(row, results)
        paths += output.write(out, f"{row}.json", r, by_trial_readme(r, command or f"python run.py drift --by-trial {row}"),
                              readme=f"{row}.md")
    return paths
