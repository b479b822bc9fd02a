"""How long the error plateau lasts, against the learning rate or the sequence length
(`python run.py plateau ROW --lr ...` or `--T ...`).

For ST3 rows (Experiments 4, 6). A trial's error sits at chance until the net stores what
the target needs, and then falls within a few thousand sequences. ST3's error condition
(the mean error of the `window` most recent sequences below beta) first holding marks the
end of that plateau; trial records keep it as `error_below_beta_at` (training.py). Here
trials of the row (their seeds: the same initial weights, and at a fixed T the same
sequences, at every value) are trained with one config key set to each value in turn
(`lr`, or `T` for the adding rows) until that condition first holds, or to `cap`
sequences, and the sequences seen are recorded. Everything else stays the row's.
Stopping there, not at ST3's stop, keeps a sweep cheap: at T = 100 the plateau is a tenth
of the run.

    results/plateau/ROW-KEY.json   one sweep: the values, sequences to the condition per trial (null: cap)
    results/plateau/.ROW-KEY.partial.json   while a sweep runs: its finished points (the same
                                   command run again continues from them)
    results/plateau/README.md      every sweep in the folder, each with its command
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

import tasks
from .. import config
from .. import reproduce, training
from . import output

CHUNK = 25_000           # sequences per call of the training loop between looks at the condition
KEYS = ("lr", "T")       # the config keys a sweep may vary


def with_value(cfg, key: str, value) -> dict:
    """The row's config with `key` set to `value`; a key the row lacks or a value out of range
    is refused with the row, the key and what was expected."""
    if key not in KEYS:
        raise ValueError(f"row {cfg.row}: plateau varies {' or '.join(KEYS)}, not {key!r}")
    if getattr(cfg, key, None) is None:
        raise ValueError(f"row {cfg.row}: plateau varies {' or '.join(KEYS)}, and this row has no key {key!r}")
    value = float(value) if key == "lr" else value
    check, expected = config.SCHEMA[key][0]
    if not check(value):
        raise ValueError(f"row {cfg.row}: key {key!r}: expected {expected}, got {value!r}")
    cfg = cfg.replace(**{key: value})
    try:                                                     # the task's own limits (adding: T >= 20)
        tasks.FAMILIES[cfg.task].generate(np.random.default_rng(0), **config.task_params(cfg))
    except ValueError as e:
        raise ValueError(f"row {cfg.row}: key {key!r}: {e}") from None
    return cfg


def plateau_length(cfg, trial: int = 0, seed: int = 0, cap: int | None = None):
    """Sequences until ST3's error condition first held for this trial of cfg (None if not
    within cap). The same number as the record of a full run of cfg."""
    if cfg.stop != "ST3":
        raise ValueError(f"row {cfg.row}: plateau needs an ST3 row (Experiments 4, 6), not stop {cfg.stop!r}")
    cap = cap or cfg.max_sequences
    st = training.new_trial(cfg, seed, trial)
    while st.beta_at is None and st.n < cap:
        st.done = False
        st = training.train_until_stop(cfg.replace(max_sequences=min(cap, st.n + CHUNK)), st)
    return st.beta_at


def command_line(row, key, values, trials=(0,), cap=None, out="results/plateau") -> str:
    """The `run.py` command that makes this sweep."""
    trials = list(trials)
    which = "" if trials == [0] else f" --trials {len(trials)}" if trials == list(range(len(trials))) else \
        " --trial " + " ".join(map(str, trials))
    return (f"python run.py plateau {row} --{key} " + " ".join(f"{x:g}" for x in values) + which
            + (f" --cap {cap}" if cap else "") + (f" --out {out}" if str(out) != "results/plateau" else ""))


def sweep(row: str, key: str, values, trials=(0,), seed: int = 0, cap: int | None = None,
          command: str | None = None, out=None) -> dict:
    """sequences[i][j]: trial trials[j] with key = values[i]. With `out`, each finished point is
    kept in out/.ROW-KEY.partial.json as it comes, and the same sweep run again skips it."""
    cfg = config.load(row)
    cfgs = [with_value(cfg, key, v) for v in values]              # every value checked before any training
    command = command or command_line(row, key, values, trials, cap)
    partial = Path(out) / f".{row}-{key}.partial.json" if out is not None else None
    done = {}
    if partial is not None and partial.exists():
        kept = json.loads(partial.read_text())
        done = kept["found"] if kept["command"] == command else {}
    elif partial is not None:
        partial.parent.mkdir(parents=True, exist_ok=True)
    found = []
    for c in cfgs:
        found.append([])
        for trial in trials:
            point = f"{getattr(c, key)!r} {trial}"
            if point not in done:
                done[point] = plateau_length(c, trial, seed, cap)
                if partial is not None:
                    reproduce.write_json(partial, {"command": command, "found": done})   # atomic
            found[-1].append(done[point])
    return {"row": row, "vary": key, "values": [getattr(c, key) for c in cfgs], "row_value": getattr(cfg, key),
            "trials": list(trials), "seed": seed, "cap": cap or cfg.max_sequences, "lr": cfg.lr,
            "beta": cfg.beta, "window": cfg.window, "paper_success_after": cfg.paper.get("success_after"),
            "sequences": found, "command": command}


def _mean(ns):
    return f"{sum(ns) / len(ns):,.0f}" if ns and None not in ns else "–"


def write(result: dict, out="results/plateau") -> list:
    """out/ROW-KEY.json for this sweep, and out/README.md over every sweep in the folder."""
    out = Path(out)
    written = output.write(out, f"{result['row']}-{result['vary']}.json", result)
    (out / f".{result['row']}-{result['vary']}.partial.json").unlink(missing_ok=True)   # sweep complete
    parts = []
    for path in sorted(p for p in out.glob("*.json") if not p.name.startswith(".")):   # not a running sweep's points
        r = json.loads(path.read_text())
        if "vary" not in r:
            raise ValueError(f"{path}: key 'vary' missing: a sweep written before plateau varied T; "
                             f"run its command again: {r.get('command', '(none recorded)')}")
        cell = lambda n: f"{n:,}" if n is not None else f"not within {r['cap']:,}"
        head = " | ".join(f"trial {t}" for t in r["trials"])
        parts.append(
            f"### {r['row']}, against {r['vary']} (the row's {r['vary']}: {r['row_value']:g}; lr {r['lr']:g}; "
            f"paper's mean to success for the row {r['paper_success_after']:,})\n\n`{r['command']}`\n\n"
            f"| {r['vary']} | {head} | mean |\n|---|" + "---|" * (len(r["trials"]) + 1) + "\n"
            + "\n".join(f"| {v:g} | " + " | ".join(map(cell, ns)) + f" | {_mean(ns)} |"
                        for v, ns in zip(r["values"], r["sequences"])))
    return written + [output.text(out, "README.md",
        "# The error plateau against the learning rate and the sequence length\n\nGenerated by the commands "
        "below (hochreiter97/studies/plateau.py). Trials of the row, its seeds, trained with one value changed until "
        "ST3's error condition first held (the mean E of the `window` most recent sequences below beta): the "
        "end of the plateau at chance. Each cell: sequences until then. Everything but the varied value is the "
        "row's.\n\n" + "\n\n".join(parts) + "\n")]
