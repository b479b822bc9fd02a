"""The committed results are still what today's code and configs make: fingerprints, and two trials re-run."""
import json
from pathlib import Path

import numpy as np
import pytest

from hochreiter97 import models, readings, results, training
from hochreiter97.studies.hooks import HOOKS
from hochreiter97 import config

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
TIMING = ("wall_seconds", "steps_per_second")


def resolved(folder: str) -> dict:
    """The config a folder's trials would run under today: ROW, ROW@MODEL or ROW@READING."""
    row, _, rest = folder.partition("@")
    cfg = config.load(row)
    if rest in ("rnn", "gru", "lstm-forget"):
        return models.ablation(cfg, rest)
    return readings.apply(cfg, rest) if rest else cfg


def run_folders():
    return sorted(p.parent.name for p in RESULTS.glob("*/trial-0.json"))


@pytest.mark.parametrize("folder", run_folders())
def test_every_committed_trial_carries_the_fingerprint_of_its_rows_config_today(folder):
    summary = json.loads((RESULTS / folder / "summary.json").read_text())
    cfg = resolved(folder)
    if (summary.get("cap_note") or "").startswith("a short run"):      # run with --max-sequences: its own cap
        cfg = cfg.replace(max_sequences=summary["max_sequences"])
    for path in sorted((RESULTS / folder).glob("trial-*.json")):
        rec = json.loads(path.read_text())
        fp = results.fingerprint(cfg, rec["seed"])
        assert rec.get("fingerprint", {}).get("hash") == fp["hash"], \
            f"{path}: {results.differences(rec.get('fingerprint', {}), fp)}"


@pytest.mark.parametrize("row", ["6a", "4-1-ga-linear"])
def test_a_committed_first_trial_re_runs_bit_identically(row, tmp_path):
    committed = json.loads((RESULTS / row / "trial-0.json").read_text())
    cfg = config.load(row)
    again = training.run_trial(cfg, committed["seed"], 0, fingerprint=results.fingerprint(cfg, committed["seed"]),
                               weights_path=tmp_path / "w.npz", hooks=HOOKS)
    again = json.loads(json.dumps(again))                                # as written to disk
    assert {k: v for k, v in again.items() if k not in TIMING} == {k: v for k, v in committed.items() if k not in TIMING}
    with np.load(RESULTS / row / "weights-0.npz") as w, np.load(tmp_path / "w.npz") as v:
        assert sorted(w) == sorted(v) and all(np.array_equal(w[k], v[k]) for k in w)


def test_an_experiment_1_trial_re_runs_to_the_committed_stop():
    """An older record (its curve in an earlier format): the stop, the test and where the net misses agree."""
    committed = json.loads((RESULTS / "1-5" / "trial-16.json").read_text())
    cfg = config.load("1-5")
    again = json.loads(json.dumps(training.run_trial(cfg, committed["seed"], 16)))
    for key in ("success", "sequences", "sequences_presented", "time_steps", "test"):
        assert again[key] == committed[key], key


def test_an_st1_st2_trial_re_runs_to_the_committed_stop():
    """The ST1/ST2 checks judge the stop test set in one compiled call (training.TestSet): the same stop,
    ST1 and final test as the committed record (an older one: its curve in an earlier format, no
    wrong_examples)."""
    committed = json.loads((RESULTS / "3b-1" / "trial-3.json").read_text())
    cfg = config.load("3b-1")
    again = json.loads(json.dumps(training.run_trial(cfg, committed["seed"], 3)))
    for key in ("success", "sequences", "sequences_presented", "time_steps", "st1"):
        assert again[key] == committed[key], key
    assert {k: v for k, v in again["test"].items() if k != "wrong_examples"} == committed["test"]
