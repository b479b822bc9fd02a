"""misses.py: output error by target, from a trial's saved weights on its own final test set."""
import json

import numpy as np
import pytest

from hochreiter97 import models, training
from hochreiter97.studies import misses
from hochreiter97 import config

ROW = "4-1"


@pytest.fixture(scope="module")
def rowdir(tmp_path_factory):
    """A results folder with one 'successful' trial: untrained weights, its record's test from evaluate()."""
    d = tmp_path_factory.mktemp("results") / ROW
    d.mkdir()
    cfg = config.load(ROW)
    net = models.build(cfg, np.random.default_rng(3))
    net.weights["w_k"][:, -1] = 0.2                           # output ~ f(0.2): right for targets near 0.55 only
    test = training.evaluate(cfg, net, training.fixed_sequences(cfg, 0, 0, "final_test", cfg.test_size))
    (d / "trial-0.json").write_text(json.dumps({"trial": 0, "seed": 0, "success": True, "test": test}))
    (d / "trial-1.json").write_text(json.dumps({"trial": 1, "seed": 0, "success": False, "test": {}}))
    np.savez(d / "weights-0.npz", **net.weights)
    return d, test, net


def test_bins_pool_the_trials_test_set_and_agree_with_its_record(rowdir):
    d, test, net = rowdir
    r = misses.by_target(ROW, results=d.parent)
    assert r["trials_used"] == [0] and r["trials_skipped_without_weights"] == 0
    assert sum(b["n"] for b in r["bins"]) == test["n"] == 2560
    wrong = sum(b["wrong"] * b["n"] for b in r["bins"] if b["n"])
    assert round(wrong) == test["wrong"]
    # an output near f(0.2) = 0.55: below the targets of the top bin, above those of the bottom one
    assert r["bins"][-1]["mean_signed_error"] < -0.3 and r["bins"][0]["mean_signed_error"] > 0.3
    assert r["bins"][5]["wrong"] < r["bins"][0]["wrong"] == 1.0


def test_a_record_that_disagrees_with_the_weights_is_named(rowdir, tmp_path):
    d, test, _ = rowdir
    bad = tmp_path / ROW
    bad.mkdir()
    (bad / "trial-0.json").write_text(json.dumps({"trial": 0, "seed": 0, "success": True,
                                                   "test": dict(test, wrong=test["wrong"] - 1)}))
    (bad / "weights-0.npz").write_bytes((d / "weights-0.npz").read_bytes())
    with pytest.raises(ValueError, match=r"weights-0\.npz.*trial-0\.json"):
        misses.by_target(ROW, results=tmp_path)


def test_trials_without_weights_are_counted_and_other_rows_refused(rowdir, tmp_path):
    d, test, _ = rowdir
    old = tmp_path / ROW
    old.mkdir()
    (old / "trial-0.json").write_text(json.dumps({"trial": 0, "seed": 0, "success": True, "test": test}))
    r = misses.by_target(ROW, results=tmp_path)
    assert r["trials_used"] == [] and r["trials_skipped_without_weights"] == 1 and r["bins"] == []
    with pytest.raises(ValueError, match="6a.*temporal_order"):
        misses.by_target("6a", results=tmp_path)
    with pytest.raises(ValueError, match="no finished trials"):
        misses.by_target("5-1", results=tmp_path)


def test_write_makes_json_and_readme(rowdir, tmp_path):
    d, _, _ = rowdir
    paths = misses.write([ROW], out=tmp_path / "misses", results=d.parent)
    assert json.loads(paths[0].read_text())["rows"][0]["row"] == ROW
    text = paths[1].read_text()
    assert "python run.py misses 4-1" in text and "| 0.9–1.0 |" in text


def test_a_later_command_replaces_only_its_rows(rowdir, tmp_path):
    """4-1-lr1 evaluates like 4-1 (only lr differs): a copy of the trial stands in for it."""
    d, _, _ = rowdir
    results = tmp_path / "results"
    for row in (ROW, "4-1-lr1"):
        (results / row).mkdir(parents=True)
        for f in d.iterdir():
            (results / row / f.name).write_bytes(f.read_bytes())
    out = tmp_path / "misses"
    misses.write(["4-1-lr1"], out=out, results=results, command="first")
    first = json.loads((out / "misses.json").read_text())["rows"][0]
    paths = misses.write([ROW], out=out, results=results, command="second")
    rows = json.loads(paths[0].read_text())["rows"]
    assert [(r["row"], r["command"]) for r in rows] == [(ROW, "second"), ("4-1-lr1", "first")]
    assert rows[1] == first
    text = paths[1].read_text()
    assert text.index("`second`") < text.index("`first`")
