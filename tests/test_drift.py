"""run.py drift: internal state drift of untrained nets, row by row."""
import json

import numpy as np

from hochreiter97 import drift, traces
from hochreiter97.network import Network
from tasks import FAMILIES, config


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
