"""Rows beyond the paper's LSTM rows: Table 2's competitors (rtrl-*, bptt-*), the ablation rows, and --model."""
import json

import numpy as np
import pytest

from hochreiter97 import models, report, reproduce, training
from hochreiter97 import config
from hochreiter97.studies import carry as carry_study
from hochreiter97.config import ConfigError

# Table 2 (SPEC §4.2): row -> (trainer, p, learning rate, weights, % successful)
TABLE2 = {"rtrl-p4-lr1": ("rtrl", 4, 1.0, 36, 78), "rtrl-p4-lr4": ("rtrl", 4, 4.0, 36, 56),
          "rtrl-p4-lr10": ("rtrl", 4, 10.0, 36, 22), "rtrl-p10": ("rtrl", 10, 1.0, 144, 0),
          "rtrl-p100": ("rtrl", 100, 1.0, 10404, 0), "bptt-p100": ("bptt", 100, 1.0, 10404, 0)}
# every ablation row: a file with `base:` (tasks/config.py), read from the files themselves
ABLATIONS = [r for r in config.rows() if "base" in config.parse((config.CONFIG_DIR / f"{r}.yaml").read_text())]
NOT_OVERRIDES = {"row", "base", "ablation", "title", "seeds_of"}      # an ablation file's keys that vary nothing


def test_rows_listed_in_order():
    rows = config.rows()
    beyond = ["rtrl-p4-lr40", "rtrl-p4-lr100"]
    p4 = [r for lr in ("1", "4", "10") for r in (f"rtrl-p4-lr{lr}", f"rtrl-p4-lr{lr}-bias")]
    assert rows[rows.index("2a") + 1:rows.index("2b")] == p4 + beyond + list(TABLE2)[3:] + ["2a-bias", "2a-frozen"]
    assert rows[rows.index("2c-1") + 1] == "2c-1-frozen"
    assert rows[rows.index("2c-2") + 1:rows.index("2c-3")] == ["2c-2-frozen", "2c-2-igb"]
    assert rows[rows.index("4-1") + 1:rows.index("4-2")] == ["4-1-b1", "4-1-ga", "4-1-ga-linear", "4-1-igb0", "4-1-linear", "4-1-lr1", "4-1-lr5", "4-1-xent"]
    assert rows[rows.index("1-2") + 1:rows.index("1-3")] == ["1-2-linear", "1-2-noog", "1-2-possible", "1-2-seq", "1-2-xent"]
    assert rows[rows.index("5-2") + 1:rows.index("6a")] == ["5-2-ga-linear", "5-2-linear"]


@pytest.mark.parametrize("row", TABLE2)
def test_table2_rows(row):
    trainer, p, lr, weights, rate = TABLE2[row]
    cfg = config.load(row)
    assert (cfg.model, cfg.trainer, cfg.hidden, cfg.p, cfg.lr) == ("rnn", trainer, 1, p, lr)
    assert models.n_weights(cfg) == cfg.paper["weights"] == weights
    assert cfg.paper["success_rate"] == rate
    twoa = config.load("2a")                                         # the protocol of row 2a
    for key in ("task", "variant", "init_range", "stop", "correct_threshold", "abs_streak", "abs_at", "test_size"):
        assert getattr(cfg, key) == getattr(twoa, key), key
    assert cfg.max_sequences == 5_000_000 or (cfg.cap_note and cfg.max_sequences < 5_000_000)
    assert cfg.trials == 9 if p == 4 else cfg.trials >= 1


def test_the_ablation_rows_are_the_files_with_a_base():
    flat = [r for r in config.rows() if r not in ABLATIONS]
    assert len(ABLATIONS) == 35 and len(flat) == 37
    for row in flat:                                                 # no `ablation:` line without a base
        assert "ablation" not in config.parse((config.CONFIG_DIR / f"{row}.yaml").read_text()), row


@pytest.mark.parametrize("row", ABLATIONS)
def test_ablation_rows_differ_from_their_row_only_where_they_say(row):
    """The file's own keys are the overrides: the resolved row differs from its base in exactly those."""
    own = config.parse((config.CONFIG_DIR / f"{row}.yaml").read_text())
    cfg, base = config.load(row), config.load(own["base"])
    assert cfg.ablation and "paper" not in own and "base" not in cfg.to_dict()
    assert cfg.seeds_of == (base.seeds_of or base.row) == own["base"]   # the base's sequences
    overrides = set(own) - NOT_OVERRIDES
    assert overrides, row
    differ = {k for k, v in cfg.to_dict().items() if v != getattr(base, k)} - {"row", "title", "ablation", "seeds_of", "paper"}
    assert differ == overrides, row
    assert cfg.paper == dict(base.paper, weights=models.n_weights(cfg))  # the base's numbers, our net's count


@pytest.mark.parametrize("row", ["rtrl-p4-lr40", "rtrl-p4-lr100"])
def test_learning_rates_beyond_table2_differ_from_lr10_only_in_lr(row):
    cfg, base = config.load(row), config.load("rtrl-p4-lr10")
    assert cfg.ablation and cfg.seeds_of == "rtrl-p4-lr10"
    differ = {k for k, v in cfg.to_dict().items() if v != getattr(base, k)} - {"row", "title", "ablation", "seeds_of", "paper"}
    assert differ == {"lr"} and cfg.lr == float(row.rsplit("lr", 1)[1])
    assert "not in the paper" in cfg.ablation and "not in the paper" in cfg.title   # the paper has no such row:
    assert cfg.paper == base.paper                              # its numbers beside ours are lr 10's


@pytest.mark.parametrize("lr", ["1", "4", "10"])
def test_rtrl_bias_rows_differ_from_their_row_only_in_bias(lr):
    cfg, base = config.load(f"rtrl-p4-lr{lr}-bias"), config.load(f"rtrl-p4-lr{lr}")
    assert cfg.ablation and cfg.seeds_of == base.row
    differ = {k for k, v in cfg.to_dict().items() if v != getattr(base, k)} - {"row", "title", "ablation", "seeds_of", "paper"}
    assert differ == {"bias"} and cfg.bias == "all" and base.bias == "none"
    assert models.n_weights(cfg) == 42 and models.n_weights(base) == 36           # hidden unit and 5 outputs biased
    assert cfg.paper == dict(base.paper, weights=42)                         # recounted; Table 2's is 36


def test_loader_rejects_lstm_keys_for_other_models_and_rnn_without_trainer(tmp_path):
    raw = config.load("rtrl-p4-lr1").to_dict()
    raw = {k: v for k, v in raw.items() if v is not None and k not in config.LSTM_KEYS}
    config.validate(raw)
    with pytest.raises(ConfigError, match="'blocks'"):
        config.validate(dict(raw, blocks=1))
    with pytest.raises(ConfigError, match="'trainer'"):
        config.validate({k: v for k, v in raw.items() if k != "trainer"})
    with pytest.raises(ConfigError, match="'trainer'"):
        config.validate(config.load("4-1").replace(trainer="rtrl").to_dict())


def test_competitor_row_runs_under_its_protocol():
    cfg = config.load("rtrl-p4-lr10").replace(max_sequences=300)
    rec = training.run_trial(cfg, seed=0, trial=0)
    assert rec["sequences_presented"] == 300 and rec["time_steps"] == 300 * 4
    st = training.new_trial(cfg, 0, 0)
    assert set(st.weights) == {"w_h", "w_k"} and st.weights["w_k"].shape == (5, 6)
    assert np.abs(st.weights["w_h"]).max() <= 0.2
    carry = carry_study.carry(cfg, st.weights)
    assert carry["log10_product"]["x"] < 0 and carry["output_difference"] < 0.5


def test_abs_stop_fires_for_a_competitor():
    """The ABS rule ends a competitor's trial as it ends the LSTM's: with a bound every logistic
    output meets (1.0), the streak of 5 is complete after 5 sequences and began at 0."""
    cfg = config.load("rtrl-p4-lr10").replace(max_sequences=1000, abs_streak=5, correct_threshold=1.0)
    rec = training.run_trial(cfg, seed=0, trial=1)
    assert rec["success"] and rec["sequences"] == 0 and rec["sequences_presented"] == 5
    strict = cfg.replace(correct_threshold=1e-9)                        # no output is ever that close
    rec = training.run_trial(strict, seed=0, trial=1)
    assert not rec["success"] and rec["sequences"] is None and rec["sequences_presented"] == 1000


def test_model_ablation_results_folder_and_label(tmp_path, monkeypatch):
    row = "6a"
    cfg = models.ablation(config.load(row), "gru")
    assert cfg.model == "gru" and cfg.lr == config.load(row).lr and cfg.stop == "ST3"
    assert abs(models.n_weights(cfg) - 156) <= 30
    small = config.load(row).replace(max_sequences=30, test_size=5)      # a short cap keeps the test fast
    monkeypatch.setattr(config, "load", lambda r: small)
    s = reproduce.reproduce(row, trials=1, seed=0, workers=1, out=tmp_path, show=False, model="gru")
    assert (tmp_path / "6a@gru" / "trial-0.json").exists() and s["row"] == "6a@gru"
    assert s["ablation"].startswith("gru") and s["model"] == "gru"
    rec = json.loads((tmp_path / "6a@gru" / "trial-0.json").read_text())
    assert rec["sequences_presented"] == 30
    line = [l for l in report.table_markdown(tmp_path).splitlines() if l.startswith("| 6a@gru")][0]
    assert "ablation" in line


def test_model_ablation_keeps_the_training_sequences():
    """Same row and seed: the ablation sees the LSTM trial's training sequences."""
    cfg = config.load("6a")
    a, b = training.new_trial(cfg, 0, 2), training.new_trial(models.ablation(cfg, "rnn"), 0, 2)
    assert np.array_equal(a.rng_data.integers(1 << 30, size=5), b.rng_data.integers(1 << 30, size=5))
