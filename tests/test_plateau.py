"""The plateau sweep: ST3's error condition first met, one trial at several learning rates."""
import json

import pytest

from hochreiter97 import plateau, training
from tasks import config


LOAD = config.load


def small(lr=0.5, **kw):
    return {**LOAD("4-1"), "window": 20, "beta": 0.03, "max_sequences": 400, "test_size": 3, "lr": lr, **kw}


@pytest.mark.parametrize("lr", [0.5, 2.0])
def test_plateau_length_is_the_full_runs_error_below_beta_at(monkeypatch, lr):
    """Trained in chunks of 7 sequences, stopped at the condition: the same n as an uninterrupted
    trial records (error_below_beta_at) at that rate."""
    monkeypatch.setattr(plateau, "CHUNK", 7)
    rec = training.run_trial(small(lr), seed=0, trial=1)
    assert rec["error_below_beta_at"] is not None and rec["error_below_beta_at"] > 20    # not the first full window
    assert plateau.plateau_length(small(), lr, trial=1) == rec["error_below_beta_at"]


def test_plateau_length_is_none_when_the_cap_comes_first():
    assert plateau.plateau_length(small(beta=1e-9), 0.5, cap=50) is None


def test_rows_without_st3_are_refused_by_name():
    with pytest.raises(ValueError, match="row 3a-1: plateau needs an ST3 row"):
        plateau.plateau_length(config.load("3a-1"), 1.0)


def test_write_keeps_every_sweep_with_its_command(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "load", lambda row: small(row=row))
    for row, found in (("4-1", [None, 33]), ("4-2", [40])):
        monkeypatch.setattr(plateau, "plateau_length", lambda cfg, lr, *a, found=iter(found): next(found))
        r = plateau.sweep(row, [0.1, 2][:len(found)], cap=50)
        paths = plateau.write(r, tmp_path)
    assert json.loads((tmp_path / "4-1.json").read_text())["sequences"] == [None, 33]
    text = paths[1].read_text()
    assert "`python run.py plateau 4-1 --lr 0.1 2`" in text and "`python run.py plateau 4-2 --lr 0.1`" in text
    assert "| 0.1 | not within 50 |" in text and "| 2 | 33 |" in text and "| 0.1 | 40 |" in text
