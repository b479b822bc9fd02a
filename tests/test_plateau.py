"""The plateau sweep: ST3's error condition first met, trials at several learning rates or lengths."""
import json
import subprocess
import sys

import pytest

from hochreiter97 import training
from hochreiter97.studies import plateau
from hochreiter97 import config


LOAD = config.load


def small(lr=0.5, **kw):
    return LOAD("4-1").replace(**{"window": 20, "beta": 0.03, "max_sequences": 400, "test_size": 3, "lr": lr, **kw})


@pytest.mark.parametrize("key, value", [("lr", 0.5), ("lr", 2.0), ("T", 30)])
def test_plateau_length_is_the_full_runs_error_below_beta_at(monkeypatch, key, value):
    """Trained in chunks of 7 sequences, stopped at the condition: the same n as an uninterrupted
    trial records (error_below_beta_at) with that value."""
    monkeypatch.setattr(plateau, "CHUNK", 7)
    cfg = plateau.with_value(small(), key, value)
    rec = training.run_trial(cfg, seed=0, trial=1)
    assert rec["error_below_beta_at"] is not None and rec["error_below_beta_at"] > 20    # not the first full window
    assert plateau.plateau_length(cfg, trial=1) == rec["error_below_beta_at"]


def test_the_varied_value_reaches_the_task():
    """T = 30 makes sequences of 30 to 33 steps, the row's own T 100 to 110."""
    st = training.new_trial(plateau.with_value(small(), "T", 30), 0, 0)
    st = training.train_until_stop(plateau.with_value(small(), "T", 30).replace(max_sequences=5), st)
    assert 5 * 30 <= st.steps <= 5 * 33


def test_plateau_length_is_none_when_the_cap_comes_first():
    assert plateau.plateau_length(small(beta=1e-9), cap=50) is None


def test_rows_without_st3_are_refused_by_name():
    with pytest.raises(ValueError, match="row 3a-1: plateau needs an ST3 row"):
        plateau.plateau_length(config.load("3a-1"))


@pytest.mark.parametrize("row, key, value, message", [
    ("6a", "T", 50, "row 6a: plateau varies lr or T, and this row has no key 'T'"),
    ("4-1", "window", 5, "row 4-1: plateau varies lr or T, not 'window'"),
    ("4-1", "T", 1, "row 4-1: key 'T': expected an integer >= 2, got 1"),
    ("4-1", "T", 12, "row 4-1: key 'T': need T >= 20 so the first ten pairs lie in the first half, got 12"),
    ("4-1", "lr", -1, "row 4-1: key 'lr': expected a finite number > 0, got -1.0"),
])
def test_bad_values_are_refused_with_row_key_and_expectation(row, key, value, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$"):
        plateau.with_value(config.load(row), key, value)


def test_write_keeps_every_sweep_with_its_command(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "load", lambda row: small(row=row))
    seen = []
    for row, key, values, trials, found in (("4-1", "lr", [0.1, 2], [0, 1], [None, 30, 33, 35]),
                                             ("4-2", "T", [40], [0], [40])):
        def fake(cfg, trial, *a, found=iter(found)):
            seen.append((cfg.row, getattr(cfg, key), trial))
            return next(found)
        monkeypatch.setattr(plateau, "plateau_length", fake)
        r = plateau.sweep(row, key, values, trials=trials, cap=50)
        paths = plateau.write(r, tmp_path)
    assert seen == [("4-1", 0.1, 0), ("4-1", 0.1, 1), ("4-1", 2.0, 0), ("4-1", 2.0, 1), ("4-2", 40, 0)]
    assert json.loads((tmp_path / "4-1-lr.json").read_text())["sequences"] == [[None, 30], [33, 35]]
    text = paths[1].read_text()
    assert "`python run.py plateau 4-1 --lr 0.1 2 --trials 2 --cap 50`" in text
    assert "`python run.py plateau 4-2 --T 40 --cap 50`" in text
    assert "| 0.1 | not within 50 | 30 | – |" in text and "| 2 | 33 | 35 | 34 |" in text and "| 40 | 40 | 40 |" in text


def test_command_line_names_the_trials():
    assert plateau.command_line("4-1", "T", [50, 100], [0, 1, 2]) == "python run.py plateau 4-1 --T 50 100 --trials 3"
    assert plateau.command_line("4-1", "lr", [0.5], [2, 4]) == "python run.py plateau 4-1 --lr 0.5 --trial 2 4"
    assert plateau.command_line("4-1", "lr", [0.5], [0], out="x") == "python run.py plateau 4-1 --lr 0.5 --out x"


def test_cli_refuses_a_row_without_T_before_training():
    r = subprocess.run([sys.executable, "run.py", "plateau", "6a", "--T", "50"], capture_output=True, text=True)
    assert r.returncode != 0 and "row 6a: plateau varies lr or T, and this row has no key 'T'" in r.stderr


def test_an_interrupted_sweep_continues_from_its_finished_points(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "load", lambda row: small(row=row))
    calls = []

    def fake(cfg, trial, *a):
        calls.append((cfg.T, trial))
        if len(calls) == 3:
            raise KeyboardInterrupt                  # the session ends during the third point
        return 100 * cfg.T + trial

    monkeypatch.setattr(plateau, "plateau_length", fake)
    with pytest.raises(KeyboardInterrupt):
        plateau.sweep("4-1", "T", [30, 40], trials=[0, 1], out=tmp_path)
    assert (tmp_path / ".4-1-T.partial.json").exists()
    calls.clear()
    r = plateau.sweep("4-1", "T", [30, 40], trials=[0, 1], out=tmp_path)
    assert calls == [(40, 0), (40, 1)]                                  # the two finished points are not re-run
    assert r["sequences"] == [[3000, 3001], [4000, 4001]]
    (tmp_path / ".4-2-lr.partial.json").write_text('{"command": "another", "found": {}}')   # a sweep still running
    plateau.write(r, tmp_path)
    assert not (tmp_path / ".4-1-T.partial.json").exists() and (tmp_path / ".4-2-lr.partial.json").exists()
    assert "another" not in (tmp_path / "README.md").read_text()
    calls.clear()
    plateau.sweep("4-1", "T", [30], trials=[0, 1], out=tmp_path)       # another command starts afresh
    assert calls == [(30, 0), (30, 1)]


def test_an_old_sweep_file_is_named_with_its_command(tmp_path):
    (tmp_path / "4-1.json").write_text(json.dumps({"row": "4-1", "lr": [0.5], "sequences": [3], "command": "old cmd"}))
    r = {"row": "4-2", "vary": "lr", "values": [0.5], "row_value": 0.5, "trials": [0], "cap": 9, "lr": 0.5,
         "beta": 0.01, "paper_success_after": 1, "sequences": [[3]], "command": "new"}
    with pytest.raises(ValueError, match=r"4-1\.json: key 'vary' missing.*old cmd"):
        plateau.write(r, tmp_path)
