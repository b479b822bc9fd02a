"""What ST3's stop waits for, counted while a trial trains (`python run.py wait ROW ...`).

For the adding rows (Experiment 4: ST3, one real-valued output). ST3 stops once the mean
error of the `window` (2000) most recent training sequences is below beta and all of them
were correct (|y - t| < 0.04). A trial's record keeps when the first condition alone
first held (`error_below_beta_at`); the rest of the run, the *wait*, is spent on the
second. This module re-runs trials of the row (their seeds: the same sequences, weights
and stop as the row's records) and counts, for every training sequence as it is judged,
whether it was correct and whether its target is *extreme* (outside [0.1, 0.9]: the
sums X1 + X2 beyond +-1.6, where results/misses/ finds the trained nets' misses):

    per block of BLOCK sequences:  [last n, wrong, extreme, extreme wrong, longest correct run]
    over the wait (after error_below_beta_at, to the stop): the same counts

and, beside the wait's length, the miss rate p of its last LAST sequences (of the wait's blocks) and what
the wait would be if each sequence were missed independently at that rate: the expected
number of sequences until `window` correct ones in a row,

    (1 - q^w) / (p q^w),   q = 1 - p,  w = window          (about e^(w p) / p)

Writes results/wait/ROW.json (every trial; a trial is kept as it finishes, and the same
command run again skips it), ROW.png (miss rate per block, every trial) and README.md
(every row in the folder, each with its command). Nothing here changes a trial.
"""
from __future__ import annotations

import json
import math
from array import array
from pathlib import Path

import numpy as np

from .. import config
from .. import reproduce, training
from . import output

BLOCK = 5_000                 # sequences per block of the miss-rate curve
EXTREME = (0.1, 0.9)          # targets outside this interval count as extreme
LAST = 50_000                 # the end of a wait: the miss rate the stop finally met


def expected_wait(p: float, w: int) -> float:
    """Expected sequences until w correct in a row, each missed independently with probability p."""
    if p <= 0.0:
        return float(w)
    log_qw = w * math.log1p(-p) if p < 1.0 else -math.inf    # log q^w, q = 1 - p
    if log_qw < -700.0:                                       # q^w underflows: the wait overflows a float
        return math.inf
    return -math.expm1(log_qw) / (p * math.exp(log_qw))       # (1 - q^w) / (p q^w)


def check_row(cfg) -> None:
    if cfg.stop != "ST3" or cfg.n_out != 1 or cfg.task != "adding":
        raise ValueError(f"row {cfg.row}: wait reads the adding rows (ST3, one real-valued output), "
                         f"not task {cfg.task!r} with stop {cfg.stop!r}")


def watch_trial(cfg, trial: int, seed: int = 0, block: int = BLOCK) -> dict:
    """Train trial `trial` of cfg to its stop (or cap), counting every sequence as it is judged."""
    check_row(cfg)
    st = training.new_trial(cfg, seed, trial)
    blocks, cur, wait = [], [0, 0, 0, 0, 0], [0, 0, 0, 0]
    run = [0]                                                  # the current run of correct sequences
    spread = array("d")                                        # |t - 0.5| of every sequence

    def see(st, out, y, m, correct):
        t = y[np.flatnonzero(m)[-1], 0]
        spread.append(abs(t - 0.5))
        extreme = not EXTREME[0] <= t <= EXTREME[1]
        run[0] = run[0] + 1 if correct else 0
        counts = (1, not correct, extreme, extreme and not correct)
        for i, c in enumerate(counts):
            cur[i] += c
        cur[4] = max(cur[4], run[0])
        if st.beta_at is not None:                      # the error condition has held: the wait
            for i, c in enumerate(counts):
                wait[i] += c
        if cur[0] == block:
            blocks.append([st.n] + cur[1:])      # st.n counts this sequence
            cur[:] = [0, 0, 0, 0, 0]

    st = training.train_until_stop(cfg, st, watch=see)
    if cur[0]:
        blocks.append([st.n] + cur[1:])
    p = wait[1] / wait[0] if wait[0] else None
    return {"trial": trial, "seed": seed, "success": st.success, "stop": st.n if st.success else None,
            "sequences": st.n, "error_below_beta_at": st.beta_at, "block": block,
            "blocks": blocks, "wait": {"sequences": wait[0], "wrong": wait[1], "extreme": wait[2],
                                       "extreme_wrong": wait[3], "miss_rate": p},
            "calm": calm(np.frombuffer(spread), st.beta_at, cfg.window) if st.success else None}


def calm(spread, start: int, w: int) -> dict:
    """The data's side of a successful stop. spread[i] = |t - 0.5| of sequence i + 1; the stop is the
    last. v: the most extreme target in the stop's window (its w sequences); beyond_v: the fraction of
    the wait's sequences (after `start`) whose target lies further out; first_calm_window: the first n
    after start whose w most recent targets all lie within v of 0.5 (the stop itself, if no
    calmer stretch came earlier); expected: expected_wait(beyond_v, w), the wait for such a stretch."""
    v = float(spread[-w:].max())
    beyond = spread > v
    c = np.concatenate([[0], np.cumsum(beyond)])              # c[n]: sequences 1..n beyond v
    ends = np.flatnonzero(c[w:] - c[:-w] == 0) + w             # n whose window n-w+1..n is calm
    ends = ends[ends > start]
    f = float(beyond[start:].mean())
    return {"v": v, "beyond_v": f, "first_calm_window": int(ends[0]), "expected": expected_wait(f, w)}


def command_line(rows, trials, out="results/wait") -> str:
    return ("python run.py wait " + " ".join(rows) + f" --trials {trials}"
            + (f" --out {out}" if str(out) != "results/wait" else ""))


def run(row: str, trials: int, seed: int = 0, out="results/wait", command=None) -> dict:
    """Trials 0 .. trials-1 of the row; out/ROW.json rewritten (atomically) as each finishes.
    Trials already in out/ROW.json with the same seed and block are kept, not re-run."""
    cfg = config.load(row)
    check_row(cfg)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{row}.json"
    kept = {}
    if path.exists():
        old = json.loads(path.read_text())
        kept = {r["trial"]: r for r in old["trials"] if r["seed"] == seed and r["block"] == BLOCK}
    result = {"row": row, "command": command or command_line([row], trials, out), "window": cfg.window,
              "beta": cfg.beta, "correct_threshold": cfg.correct_threshold, "extreme": list(EXTREME),
              "paper_success_after": cfg.paper.get("success_after"), "trials": []}
    for k in range(trials):
        result["trials"].append(kept.get(k) or watch_trial(cfg, k, seed))
        reproduce.write_json(path, result)
    return result


def last(t: dict, span: int = LAST):
    """(sequences, wrong, extreme wrong) over the wait's blocks ending in the last `span` sequences of the trial.

    Only blocks that end after error < β count, so a short wait is not mixed with the learning before it."""
    b = np.array(t["blocks"])
    ends = b[:, 0]
    sizes = np.diff(np.concatenate([[0], ends]))
    beta_at = t["error_below_beta_at"] if t["error_below_beta_at"] is not None else 0
    sel = (ends > t["sequences"] - span) & (ends > beta_at)
    return int(sizes[sel].sum()), int(b[sel, 1].sum()), int(b[sel, 3].sum())


def _row_table(r: dict) -> str:
    f = lambda n: "–" if n is None else "> 1e300" if n == math.inf else f"{n:.1e}" if n >= 1e9 else f"{n:,.0f}"
    lines = [f"### {r['row']}\n\n`{r['command']}` (paper: {f(r['paper_success_after'])} sequences to success)\n",
             f"| trial | error < β at | stop | wait | miss rate: the wait / its last {LAST:,} | of those last misses, "
             "extreme targets | expected wait at the last rate | the stop's window: every t within | first window "
             "as calm after error < β | expected wait for one |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for t in r["trials"]:
        w, c = t["wait"], t["calm"]
        n, wrong, extreme_wrong = last(t)
        p = wrong / n if n else 0.0
        lines.append(f"| {t['trial']} | {f(t['error_below_beta_at'])} | "
                     f"{f(t['stop']) if t['success'] else 'cap ' + f(t['sequences'])} | {f(w['sequences'])} | "
                     f"{'–' if w['miss_rate'] is None else format(w['miss_rate'], '.4f')} / {p:.4f} | "
                     f"{f'{extreme_wrong / wrong:.0%}' if wrong else '–'} | {f(expected_wait(p, r['window']))} | "
                     + (f"0.5 ± {c['v']:.3f} | {f(c['first_calm_window'])} | {f(c['expected'])} |" if c else "– | – | – |"))
    return "\n".join(lines)


def plot(r: dict, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4))
    for t in r["trials"]:
        ends = np.array([b[0] for b in t["blocks"]])
        sizes = np.diff(np.concatenate([[0], ends]))
        line, = ax.plot(ends, np.array([b[1] for b in t["blocks"]]) / sizes, lw=1, label=f"trial {t['trial']}")
        if t["error_below_beta_at"] is not None:
            ax.axvline(t["error_below_beta_at"], color=line.get_color(), ls=":", lw=1)
        if t["success"]:
            ax.axvline(t["stop"], color=line.get_color(), ls="--", lw=1)
    ax.axhline(1 / r["window"], color="grey", lw=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("training sequences")
    ax.set_ylabel(f"fraction wrong per {r['trials'][0]['block']:,} sequences")
    ax.set_title(f"{r['row']}: misses while training (dotted: error < β first; dashed: stop; grey: 1/{r['window']})")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(out="results/wait") -> list:
    """out/ROW.png for every row in the folder and out/README.md over them all."""
    out = Path(out)
    rows = sorted((json.loads(p.read_text()) for p in out.glob("*.json")), key=lambda r: config.row_order(r["row"]))
    paths = []
    for r in rows:
        paths.append(out / f"{r['row']}.png")
        plot(r, paths[-1])
    return paths + [output.text(out, "README.md", f"""# What ST3's stop waits for

Generated by `python run.py wait ROW ... --trials N` (hochreiter97/studies/wait.py); each row's section names its command.
Trials of the row, its seeds, re-run to their stop (the same stops as the row's records), every training sequence
counted as it was judged. *error < β at*: ST3's error condition first held (the record's `error_below_beta_at`).
*wait*: the sequences after it, to the stop. *miss rate in the wait*: the fraction of those not correct
(|y − t| ≥ {rows[0]['correct_threshold'] if rows else 0.04}); then the same over the last {LAST:,}
sequences of the trial (whole blocks that end after error < β), the rate the stop finally met. *extreme targets*: t outside [{EXTREME[0]}, {EXTREME[1]}]
(|X1 + X2| > 1.6). *expected wait at that rate if independent*: (1 − q^w) / (p q^w) with p the last rate,
q = 1 − p and w = the window (2000): the wait if every sequence were missed independently at rate p.
*the stop's window*: the most extreme target among the w sequences that ended the run. *first window as calm*:
the first sequence after error < β whose w most recent targets all lie as near 0.5 (the stop itself when no
calmer stretch of data came sooner). *expected wait for one*: the same formula with p the fraction of the wait's
sequences whose target lies further out: the wait of a net that missed exactly those. Plots: `ROW.png`, the miss
rate per block of sequences.

""" + "\n\n".join(_row_table(r) for r in rows) + "\n")]
