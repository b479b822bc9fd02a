"""run.py drift: internal state drift of untrained nets, row by row."""
import json
import re

import numpy as np
import pytest

import run
from hochreiter97 import reproduce, training
from hochreiter97.studies import drift, traces
from hochreiter97.studies.hooks import HOOKS
from hochreiter97.network import Network
from tasks import FAMILIES
from hochreiter97 import config


def test_long_2c_rows_start_saturated_and_6a_does_not():
    long_lag, short = drift.at_initialization("2c-5", nets=3, sequences=2), drift.at_initialization("6a", nets=3, sequences=2)
    assert long_lag["cells"] == 2 and long_lag["saturated"] > 0.5 and long_lag["mean_abs_s_c"] > 10
    assert short["saturated"] == 0.0 and short["mean_abs_s_c"] < 2


def test_at_initialization_is_the_cells_of_freshly_built_nets():
    got = drift.at_initialization("4-1", nets=2, sequences=3, seed=5)
    cfg = config.load("4-1")
    arch = config.architecture(cfg)
    rng = np.random.default_rng([5, 2, 3])                   # the same draws, in the same order
    ratios = []
    for _ in range(2):
        w = Network.build(arch, rng).weights
        seqs = [FAMILIES["adding"].generate(rng, **config.task_params(cfg)) for _ in range(3)]
        ratios += traces.cells_at_end(arch, w, seqs)["dh_ratio"]
    assert got["saturated"] == np.mean(np.array(ratios) < 0.01)
    assert got["nets"] == 2 and got["sequences"] == 3 and got["cells"] == 4


def test_write_puts_the_trials_beside_the_start(tmp_path, monkeypatch):
    monkeypatch.setattr(drift, "rows", lambda: ["2c-1", "6a"])
    (tmp_path / "res" / "2c-1").mkdir(parents=True)
    summary = {"trials": 4, "successes": 1, "cells_saturated": {"dh_ratio_below": 0.01,
               "success": {"trials": 1, "fraction": 0.5}, "failed": {"trials": 3, "fraction": 1.0}}}
    (tmp_path / "res" / "2c-1" / "summary.json").write_text(json.dumps(summary))
    paths = drift.write(tmp_path / "out", nets=2, sequences=1, results=tmp_path / "res")
    result = json.loads(paths[0].read_text())
    assert [r["row"] for r in result["rows"]] == ["2c-1", "6a"]
    assert result["rows"][1]["trained"] is None
    text = paths[1].read_text()
    assert "| 2c-1 | 2 |" in text and "| 1 of 4 | 0.50 (1) | 1.00 (3) |" in text
    assert "| 6a | 4 |" in text and text.count("| – | – | – |") == 1


def test_by_trial_reads_each_trials_own_start_beside_its_record(tmp_path, monkeypatch):
    cfg = config.load("2c-1").replace(max_sequences=30, abs_streak=10, test_size=5)
    monkeypatch.setattr(config, "load", lambda row: cfg)
    reproduce.reproduce("2c-1", trials=2, seed=4, workers=1, out=tmp_path, show=False, hooks=HOOKS)
    r = drift.by_trial("2c-1", results=tmp_path, sequences=3)
    arch, family, params = config.architecture(cfg), FAMILIES["long_lag"], config.task_params(cfg)
    for k, t in enumerate(r["trials"]):
        rec = json.loads((tmp_path / "2c-1" / f"trial-{k}.json").read_text())
        st = training.new_trial(cfg, 4, k)
        first = [training._draw(cfg, st, training._generator(cfg, family), params) for _ in range(3)]
        fresh = training.new_trial(cfg, 4, k)
        seqs = [family.generate(fresh.rng_data, **params) for _ in range(3)]
        for a, b in zip(first, seqs):                        # the trial's own first training sequences
            assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])
        assert t["start"] == traces.cells_at_end(arch, fresh.weights, seqs)
        assert (t["trial"], t["seed"], t["success"], t["end"]) == (k, 4, rec["success"], rec["cells_at_end"])
        assert t["lowest_error"] == min(rec["curve"]["error"])
    assert r["trials"][0]["start"] != r["trials"][1]["start"]


def test_by_trial_counts_successes_by_saturation_at_the_start():
    cell = lambda *ratios: {"n": 5, "abs_s_c": [1.0] * len(ratios), "dh_ratio": list(ratios)}
    trials = [dict(trial=0, success=True, sequences=1234, lowest_error=0.001, start=cell(0.001, 0.002), end=None),
              dict(trial=1, success=False, sequences=50, lowest_error=0.5, start=cell(0.001, 0.5), end=cell(0.1, 0.2)),
              dict(trial=2, success=False, sequences=50, lowest_error=0.5, start=cell(0.009, 0.0), end=None)]
    text = drift.by_trial_readme({"row": "2c-3", "sequences": 5, "saturated_below": 0.01, "trials": trials}, "CMD")
    assert "all start saturated: 2 (1 successful)" in text and "unsaturated at the\nstart: 1 (0 successful)" in text
    assert "| 0 | success after 1,234 | 0.001 | 0.001, 0.002 | 1, 1 | – |" in text
    assert "| 1 | fails | 0.5 | 0.001, 0.5 | 1, 1 | 0.1, 0.2 |" in text


@pytest.mark.parametrize("row, why", [("1-1", "Experiment 1"), ("2a", "2a's cell")])
def test_by_trial_refuses_rows_without_cells_from_the_start(row, why, tmp_path, capsys):
    assert run.main(["drift", "--by-trial", row, "--out", str(tmp_path)]) == 2
    assert re.match(f"run.py drift: error: row {row}: drift --by-trial reads .*{why}", capsys.readouterr().err)


def test_by_trial_names_a_row_without_finished_trials(tmp_path):
    with pytest.raises(ValueError, match="row 6a: no finished trials in"):
        drift.by_trial("6a", results=tmp_path)


def test_sources_reads_the_same_nets_with_the_named_sources_cut():
    """'as drawn' is at_initialization itself; cutting every recurrent source leaves the inputs and bias alone."""
    r = drift.sources("2c-1", nets=2, sequences=2)
    base = drift.at_initialization("2c-1", nets=2, sequences=2)
    assert r["cuts"]["as drawn"]["mean_abs_s_c"] == base["mean_abs_s_c"] and r["cuts"]["as drawn"]["sources_cut"] == []
    cut = r["cuts"]["no recurrent sources"]["sources_cut"]
    assert cut == ["c0.0", "c1.0", "in0", "in1", "out0", "out1"]
    assert set(r["cuts"]["no gate sources"]["sources_cut"]) == {"in0", "in1", "out0", "out1"}
    assert r["cuts"]["no input sources"]["sources_cut"] == [f"x{i}" for i in range(54)]
    assert r["cuts"]["no recurrent sources"]["mean_abs_s_c"] != base["mean_abs_s_c"]
