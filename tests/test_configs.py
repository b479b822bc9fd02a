"""The per-row configs (tasks/configs/ROW.yaml) against the paper, and the loader against bad input.

The paper's facts are pinned here, typed in a second time from SPEC §4 (Tables 1-11),
independently of the YAML files: a transcription error in either place fails a test.
"""
import re
import importlib

import numpy as np
import pytest
import yaml

from hochreiter97 import config
from hochreiter97.config import CONFIG_DIR, ConfigError

# Every row, in the paper's order (Tables 1, 2 and §5.2, 3, 4, 5, 6, 7, 8, 9).
ROWS = ["1-1", "1-2", "1-3", "1-4", "1-5", "2a", "2b",
        "2c-1", "2c-2", "2c-3", "2c-4", "2c-5", "2c-6", "2c-7", "2c-8", "2c-9",
        "3a-1", "3a-2", "3a-3", "3b-1", "3b-2", "3b-3", "3c-1", "3c-2",
        "4-1", "4-2", "4-3", "5-1", "5-2", "6a", "6b"]

# row: (Table 10 "w", Table 10 "alpha", trials, stopping rule); SPEC §4.1-4.12.
PAPER = {
    "1-1": (264, 0.1, 30, "REBER"), "1-2": (276, 0.1, 30, "REBER"), "1-3": (276, 0.2, 30, "REBER"),
    "1-4": (264, 0.5, 30, "REBER"), "1-5": (276, 0.5, 30, "REBER"),
    "2a": (10504, 1.0, 18, "ABS"), "2b": (10504, 1.0, 18, "ABS"),
    "2c-1": (364, 0.01, 20, "ABS"), "2c-2": (664, 0.01, 20, "ABS"), "2c-3": (1264, 0.01, 20, "ABS"),
    "2c-4": (3064, 0.01, 20, "ABS"), "2c-5": (6064, 0.01, 20, "ABS"), "2c-6": (3064, 0.01, 20, "ABS"),
    "2c-7": (1264, 0.01, 20, "ABS"), "2c-8": (664, 0.01, 20, "ABS"), "2c-9": (364, 0.01, 20, "ABS"),
    "3a-1": (102, 1.0, 10, "ST1ST2"), "3a-2": (102, 1.0, 10, "ST1ST2"), "3a-3": (102, 1.0, 10, "ST1ST2"),
    "3b-1": (102, 1.0, 10, "ST1ST2"), "3b-2": (102, 1.0, 10, "ST1ST2"), "3b-3": (102, 1.0, 10, "ST1ST2"),
    "3c-1": (102, 0.1, 10, "ST1ST2"), "3c-2": (102, 0.1, 10, "ST1ST2"),
    "4-1": (93, 0.5, 10, "ST3"), "4-2": (93, 0.5, 10, "ST3"), "4-3": (93, 0.5, 10, "ST3"),
    "5-1": (93, 0.1, 10, "NSEQ"), "5-2": (93, 0.1, 10, "NSEQ"),
    "6a": (156, 0.5, 20, "ST3"), "6b": (308, 0.1, 10, "ST3"),
}

# row: Table 10's bias code, input-gate and output-gate biases (None: random "r", or no bias weight).
R = None
GATES = {
    **{r: ("ga", R, (-1, -2, -3, -4)) for r in ("1-1", "1-4")},
    **{r: ("ga", R, (-1, -2, -3)) for r in ("1-2", "1-3", "1-5")},
    "2a": ("none", R, R), "2b": ("none", R, R), **{f"2c-{i}": ("none", R, R) for i in range(1, 10)},
    **{f"3{v}-{i}": ("b1", (-1, -3, -5), (-2, -4, -6)) for v in "abc" for i in (1, 2, 3) if f"3{v}-{i}" != "3c-3"},
    **{f"4-{i}": ("all", (-3, -6), R) for i in (1, 2, 3)},
    "5-1": ("all", R, R), "5-2": ("all", R, R),
    "6a": ("all", (-2, -4), R), "6b": ("all", (-2, -4, -6), R),
}

# row: the task's parameters and the row-specific stop parameters (Tables 1-9; §5).
FACTS = {
    **{r: dict(blocks=b, block_size=s, n_in=7, n_out=7)
       for r, b, s in (("1-1", 4, 1), ("1-2", 3, 2), ("1-3", 3, 2), ("1-4", 4, 1), ("1-5", 3, 2))},
    "2a": dict(variant="2a", p=100, connectivity="B", output_gate=False, squash="2ab", correct_threshold=0.25,
               abs_streak=10000, test_size=0),
    "2b": dict(variant="2b", p=100, connectivity="B", output_gate=False, squash="2ab", correct_threshold=0.25,
               abs_streak=10000, abs_at="end", test_size=10000),
    **{f"2c-{i}": dict(variant="2c", q=q, p=p, n_in=p + 4, correct_threshold=0.2, abs_streak=10000, test_size=10000)
       for i, (q, p) in enumerate(((50, 50), (100, 100), (200, 200), (500, 500), (1000, 1000),
                                   (1000, 500), (1000, 200), (1000, 100), (1000, 50)), 1)},
    "3a-1": dict(variant="3a", T=100, N=3), "3a-2": dict(variant="3a", T=100, N=1),
    "3a-3": dict(variant="3a", T=1000, N=3),
    "3b-1": dict(variant="3b", T=100, N=3), "3b-2": dict(variant="3b", T=100, N=1),
    "3b-3": dict(variant="3b", T=1000, N=1),
    "3c-1": dict(variant="3c", T=100, N=3), "3c-2": dict(variant="3c", T=100, N=1),
    "4-1": dict(T=100, beta=0.01, window=2000, correct_threshold=0.04),
    "4-2": dict(T=500, beta=0.01, window=2000, correct_threshold=0.04),
    "4-3": dict(T=1000, beta=0.01, window=2000, correct_threshold=0.04),
    "5-1": dict(T=100, n_seq=140, window=2000, correct_threshold=0.04),
    "5-2": dict(T=100, n_seq=13, window=2000, correct_threshold=0.04),
    "6a": dict(variant="6a", n_out=4, beta=0.1, window=2000, correct_threshold=0.3),
    "6b": dict(variant="6b", n_out=8, beta=0.1, window=2000, correct_threshold=0.3),
}
for _v, _wrong, _st2, _thr in (("3a", 0, 0.01, 0.2), ("3b", 5, 0.04, 0.2), ("3c", 0, 0.015, 0.1)):
    for _r in [r for r in ROWS if r.startswith(_v)]:
        FACTS[_r].update(st1_max_wrong=_wrong, st2_mean_abs=_st2, correct_threshold=_thr, st_test_size=256,
                         test_size=2560)

# row: the paper's headline number (key under `paper:`, value): mean sequences to success / stop.
RESULT = {
    "1-1": ("success_after", 39740), "1-2": ("success_after", 21730), "1-3": ("success_after", 14060),
    "1-4": ("success_after", 9500), "1-5": ("success_after", 8440),
    "2a": ("success_after", 5040), "2b": ("success_after", 5680),
    **{f"2c-{i}": ("success_after", n) for i, n in
       enumerate((30000, 31000, 33000, 38000, 49000, 49000, 75000, 135000, 203000), 1)},
    "3a-1": ("st2", 39850), "3a-2": ("st2", 64330), "3a-3": ("st2", 452460),
    "3b-1": ("st2", 43250), "3b-2": ("st2", 78430), "3b-3": ("st2", 485080),
    "3c-1": ("st2", 269650), "3c-2": ("st2", 565640),
    "4-1": ("success_after", 74000), "4-2": ("success_after", 209000), "4-3": ("success_after", 853000),
    "5-1": ("success_after", 482000), "5-2": ("success_after", 1273000),
    "6a": ("success_after", 31390), "6b": ("success_after", 571100),
}

# Keys every row must spell out (not leave to DEFAULTS), by family and by stopping rule.
SPELLED_OUT = {"row", "table", "title", "task", "n_in", "n_out", "blocks", "block_size", "connectivity", "bias",
               "output_gate", "squash", "output_unit", "init_range", "lr", "timing", "trials", "stop",
               "max_sequences", "test_size", "paper"}
SPELLED_OUT_STOP = {"REBER": {"reber_inits", "reber_train", "reber_test", "check_fraction", "check_min"},
                    "ABS": {"abs_streak", "abs_at"},
                    "ST1ST2": {"st1_max_wrong", "st2_mean_abs", "st_test_size", "check_fraction", "check_min"},
                    "ST3": {"beta", "window", "st3_error"},
                    "NSEQ": {"n_seq", "window"}}


@pytest.fixture(scope="module")
def cfgs():
    return {row: config.load(row) for row in ROWS}


# ---------------------------------------------------------------- the rows

def test_rows_are_the_papers_rows_in_the_papers_order():
    # the paper's LSTM rows; Table 2's competitors and the ablations (tests/test_extra_rows.py) sit among them
    assert [r for r in config.rows() if r in ROWS] == ROWS
    assert set(PAPER) == set(GATES) == set(FACTS) == set(RESULT) == set(ROWS)


@pytest.mark.parametrize("row", ROWS)
def test_row_loads_and_names_itself(cfgs, row):
    cfg = cfgs[row]
    assert cfg.row == row
    assert cfg.title, row


@pytest.mark.parametrize("row", ROWS)
def test_weight_count_is_table_10s(cfgs, row):
    assert config.architecture(cfgs[row]).n_weights() == PAPER[row][0], row
    assert cfgs[row].paper["weights"] == PAPER[row][0], f"{row}: paper.weights"


@pytest.mark.parametrize("row", ROWS)
def test_learning_rate_trials_and_stop_are_the_papers(cfgs, row):
    _, lr, trials, stop = PAPER[row]
    cfg = cfgs[row]
    assert (cfg.lr, cfg.trials, cfg.stop) == (lr, trials, stop), row


@pytest.mark.parametrize("row", ROWS)
def test_gate_biases_are_table_10s(cfgs, row):
    bias, igb, ogb = GATES[row]
    arch = config.architecture(cfgs[row])
    assert arch.bias == bias, row
    assert arch.in_gate_bias == (None if igb is None else tuple(float(b) for b in igb)), row
    assert arch.out_gate_bias == (None if ogb is None else tuple(float(b) for b in ogb)), row


@pytest.mark.parametrize("row", ROWS)
def test_task_and_stop_parameters_are_the_papers(cfgs, row):
    cfg = cfgs[row]
    wrong = {k: (getattr(cfg, k), v) for k, v in FACTS[row].items() if getattr(cfg, k) != v}
    assert not wrong, f"{row}: (config, paper) {wrong}"


@pytest.mark.parametrize("row", ROWS)
def test_init_range_and_timing(cfgs, row):
    cfg = cfgs[row]
    assert cfg.init_range == (0.2 if row[0] in "12" else 0.1), row      # §5 intro; Table 11 "interval"
    assert cfg.timing == "step", row


@pytest.mark.parametrize("row", ROWS)
def test_paper_numbers_are_recorded(cfgs, row):
    key, value = RESULT[row]
    paper = cfgs[row].paper
    assert paper.get(key) == value, f"{row}: paper.{key}"
    numeric = {k: v for k, v in paper.items() if k != "note"}
    assert all(isinstance(v, (int, float)) or k == "wrong_test" for k, v in numeric.items()), (row, numeric)


@pytest.mark.parametrize("row", ROWS)
def test_every_value_that_matters_is_spelled_out(row):
    raw = yaml.safe_load((config.CONFIG_DIR / f"{row}.yaml").read_text())
    needed = SPELLED_OUT | SPELLED_OUT_STOP[raw["stop"]] | set(config.TASK_PARAMS[raw["task"]])
    if raw["stop"] != "REBER":                          # Exp. 1 is judged by the most active outputs
        needed.add("correct_threshold")
    if raw.get("variant") in ("2a", "2b"):              # q is 2c's lag only
        needed.discard("q")
    if raw["bias"] != "none":
        needed |= {"in_gate_bias", "out_gate_bias"}
    missing = needed - set(raw)
    assert not missing, f"{row}: not spelled out: {sorted(missing)}"


def test_reber_trials_are_three_set_pairs_times_ten_initialisations(cfgs):
    for row in ROWS[:5]:
        assert cfgs[row].trials == 3 * cfgs[row].reber_inits == 30, row
        assert (cfgs[row].reber_train, cfgs[row].reber_test) == (256, 256), row


@pytest.mark.parametrize("row", ROWS)
def test_task_generator_matches_the_net(cfgs, row):
    """The family's generate() accepts the row's parameters and fits n_in, n_out."""
    cfg = cfgs[row]
    module = importlib.import_module(f"tasks.{cfg.task}")
    inputs, targets, mask = module.generate(np.random.default_rng(0), **config.task_params(cfg))
    assert inputs.shape[1] == cfg.n_in and targets.shape[1] == cfg.n_out, (row, inputs.shape, targets.shape)
    assert mask.any(), row


# ---------------------------------------------------------------- the loader rejects bad input

BASE = (config.CONFIG_DIR / "4-1.yaml").read_text()


def edited(text, old=None, new=""):
    """BASE with the one line starting with `old` replaced by `new` (deleted when new is '')."""
    lines = text.splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith(old)]
    assert len(hits) == 1, old
    lines[hits[0]:hits[0] + 1] = [new] if new else []
    return "\n".join(lines) + "\n"


def rejects(path, *expected):
    with pytest.raises(ConfigError) as e:
        config.load(path)
    msg = str(e.value)
    assert str(path) in msg, msg
    for part in expected:
        assert part in msg, f"{part!r} not in {msg!r}"
    return msg


def test_a_valid_copy_loads(tmp_path):
    path = tmp_path / "4-1.yaml"
    path.write_text(BASE)
    assert config.load(path) == config.load("4-1")


BAD = [  # (id, line to replace, replacement, what the message must say)
    ("unknown key", "lr:", "lr: 0.5\nlearning_rate: 0.5", "unknown key 'learning_rate'"),
    ("unknown key, typo", "beta:", "betta: 0.01", "unknown key 'betta'"),
    ("wrong type: str for number", "lr:", 'lr: "fast"', "key 'lr'"),
    ("wrong type: bool for int", "trials:", "trials: true", "key 'trials'"),
    ("wrong type: float for int", "blocks:", "blocks: 2.0", "key 'blocks'"),
    ("wrong type: str for list", "in_gate_bias:", "in_gate_bias: negative", "key 'in_gate_bias'"),
    ("wrong type: not a choice", "stop:", "stop: ST4", "key 'stop'"),
    ("wrong type: not a choice", "connectivity:", "connectivity: full", "key 'connectivity'"),
    ("out of range: trials 0", "trials:", "trials: 0", "key 'trials'"),
    ("out of range: init_range -1", "init_range:", "init_range: -1", "key 'init_range'"),
    ("out of range: lr 0", "lr:", "lr: 0", "key 'lr'"),
    ("out of range: lr nan", "lr:", "lr: .nan", "key 'lr'"),
    ("out of range: n_in 0", "n_in:", "n_in: 0", "key 'n_in'"),
    ("out of range: T 1", "T:", "T: 1", "key 'T'"),
    ("out of range: window 0", "window:", "window: 0", "key 'window'"),
    ("missing required: lr", "lr:", "", "key 'lr'"),
    ("missing required: max_sequences", "max_sequences:", "", "key 'max_sequences'"),
    ("required but empty: lr", "lr:", "lr:", "key 'lr'"),
    ("missing task parameter: T", "T:", "", "key 'T'"),
    ("missing stop parameter: beta", "beta:", "", "key 'beta'"),
    ("too few gate biases", "in_gate_bias:", "in_gate_bias: [-3.0]", "key 'in_gate_bias'"),
    ("too many gate biases", "out_gate_bias:", "out_gate_bias: [-1.0, -2.0, -3.0]", "key 'out_gate_bias'"),
    ("empty gate-bias list", "in_gate_bias:", "in_gate_bias: []", "key 'in_gate_bias'"),
    ("gate bias without bias weights", "bias:", "bias: none", "in_gate_bias"),
    ("wrong type: not a choice", "output_unit:", "output_unit: tanh", "key 'output_unit'"),
]


# validate() checks REQUIRED before it looks up TASK_PARAMS[task] and STOP_PARAMS[stop]
BAD += [pytest.param(*case, id=case[0]) for case in [
    ("missing required: stop", "stop:", "", "key 'stop'"),
    ("required but empty: stop", "stop:", "stop:", "key 'stop'"),
    ("missing required: task", "task:", "", "key 'task'"),
]]


def _params(cases):
    return [c if isinstance(c, type(pytest.param(0))) else pytest.param(*c, id=c[0]) for c in cases]


@pytest.mark.parametrize("case, old, new, expected", _params(BAD))
def test_loader_rejects_naming_file_and_key(tmp_path, case, old, new, expected):
    path = tmp_path / "4-1.yaml"
    path.write_text(edited(BASE, old, new))
    rejects(path, expected)


@pytest.mark.parametrize("text, expected", [
    ("row: 4-1\nlr: [0.5\n", "not valid YAML"),
    ("row: 4-1\n  lr: 0.5\n task: adding\n", "not valid YAML"),
    ("- row\n- 4-1\n", "expected a mapping"),
    ("", "expected a mapping"),
], ids=["unclosed list", "bad indentation", "a list", "empty file"])
def test_loader_rejects_invalid_yaml(tmp_path, text, expected):
    path = tmp_path / "4-1.yaml"
    path.write_text(text)
    rejects(path, expected)


def test_loader_rejects_a_row_id_that_is_not_the_file_name(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CONFIG_DIR", tmp_path)
    (tmp_path / "4-1.yaml").write_text(BASE)
    (tmp_path / "4-9.yaml").write_text(BASE)                 # says row: 4-1
    assert config.rows() == ["4-1", "4-9"]
    assert config.load("4-1").row == "4-1"
    rejects(tmp_path / "4-9.yaml", "key 'row'", "'4-9'")
    with pytest.raises(ConfigError, match="key 'row'.*4-9"):
        config.load("4-9")


def test_loader_rejects_an_unknown_row():
    with pytest.raises(ConfigError, match="no such config") as e:
        config.load("9z")
    assert "9z.yaml" in str(e.value) and "4-1" in str(e.value)


# ---------------------------------------------------------------- ablation files: a base row and the keys that differ

ABLATION = 'row: 4-1-x\nbase: 4-1\nablation: "learning rate 1.0"\nlr: 1.0\n'


def test_an_ablation_is_its_base_row_with_its_own_keys_laid_over(tmp_path):
    path = tmp_path / "4-1-x.yaml"
    path.write_text(ABLATION)
    assert config.load(path) == config.load("4-1").replace(row="4-1-x", ablation="learning rate 1.0", lr=1.0, seeds_of="4-1")
    assert "base" not in config.raw(path) and config.raw(path)["lr"] == 1.0
    assert config.raw("4-1") == yaml.safe_load(BASE)                     # a row of the paper: its YAML as written


def test_an_ablation_keeps_the_base_rows_paper_numbers_with_its_own_weight_count():
    ga, row = config.load("4-1-ga"), config.load("4-1")
    assert ga.paper["weights"] == config.architecture(ga).n_weights() == 88          # gates biased only
    assert row.paper["weights"] == config.architecture(row).n_weights() == 93        # Table 10
    assert dict(ga.paper, weights=93) == row.paper


BAD_ABLATIONS = [  # (id, file text, the message after "PATH: ")
    ("unknown base", 'row: 4-1-x\nbase: 9z\nablation: "x"\nlr: 1.0\n',
     "key 'base': expected an existing row (tasks/configs/ROW.yaml), got '9z'"),
    ("base not a row name", 'row: 4-1-x\nbase: [4-1]\nablation: "x"\nlr: 1.0\n',
     "key 'base': expected an existing row (tasks/configs/ROW.yaml), got ['4-1']"),
    ("override equal to the base", 'row: 4-1-x\nbase: 4-1\nablation: "x"\nlr: 0.5\n',
     "key 'lr': equals the base row's value 0.5; leave it out"),
    ("override equal to the base's default", 'row: 4-1-x\nbase: 4-1\nablation: "x"\nabs_test: online\n',
     "key 'abs_test': equals the base row's value 'online'; leave it out"),
    ("null where the base has the default", 'row: 4-1-x\nbase: 4-1\nablation: "x"\noutput_error: null\n',
     "key 'output_error': equals the base row's value 'eq19'; leave it out"),
    ("no ablation line", "row: 4-1-x\nbase: 4-1\nlr: 1.0\n",
     "key 'ablation': required with 'base' (one line: what this row changes with respect to row 4-1)"),
    ("empty ablation line", 'row: 4-1-x\nbase: 4-1\nablation:\nlr: 1.0\n',
     "key 'ablation': required with 'base' (one line: what this row changes with respect to row 4-1)"),
    ("seeds_of naming no row", 'row: 4-1-x\nbase: 4-1\nablation: "x"\nseeds_of: 9z\nlr: 1.0\n',
     "key 'seeds_of': expected an existing row (tasks/configs/ROW.yaml), got '9z'"),
    ("a paper block", 'row: 4-1-x\nbase: 4-1\nablation: "x"\nlr: 1.0\npaper:\n  weights: 93\n',
     "key 'paper': inherited from the base row 4-1; leave it out"),
    ("a bad override", 'row: 4-1-x\nbase: 4-1\nablation: "x"\nlr: fast\n',
     "key 'lr': expected a finite number > 0, got 'fast'"),
    ("an override the base's model forbids", 'row: rtrl-p4-x\nbase: rtrl-p4-lr1\nablation: "x"\nblocks: 2\n',
     "key 'blocks': expected no such key for model 'rnn' (only the 1997 LSTM has it), got 2"),
    ("no row", 'base: 4-1\nablation: "x"\nlr: 1.0\n',
     "key 'row': expected a non-empty string (row id, e.g. 4-1; equals the file name), required here, got None"),
]


@pytest.mark.parametrize("case, text, expected", [pytest.param(*c, id=c[0]) for c in BAD_ABLATIONS])
def test_loader_rejects_a_bad_ablation_naming_file_and_key(tmp_path, case, text, expected):
    row = config.parse(text).get("row") or "4-1-x"
    path = tmp_path / f"{row}.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        config.load(path)
    assert str(e.value) == f"{path}: {expected}"


def test_an_ablation_of_an_ablation_and_a_loop_of_bases(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CONFIG_DIR", tmp_path)
    for row in ("4-1", "4-1-ga"):
        (tmp_path / f"{row}.yaml").write_text((CONFIG_DIR / f"{row}.yaml").read_text())
    (tmp_path / "4-1-ga-lr1.yaml").write_text('row: 4-1-ga-lr1\nbase: 4-1-ga\nablation: "x"\nlr: 1.0\n')
    cfg = config.load("4-1-ga-lr1")
    assert (cfg.bias, cfg.lr, cfg.seeds_of, cfg.paper["weights"]) == ("ga", 1.0, "4-1", 88)
    (tmp_path / "4-1-p.yaml").write_text('row: 4-1-p\nbase: 4-1-q\nablation: "x"\nlr: 1.0\n')
    (tmp_path / "4-1-q.yaml").write_text('row: 4-1-q\nbase: 4-1-p\nablation: "x"\nlr: 2.0\n')
    with pytest.raises(ConfigError) as e:
        config.load("4-1-p")
    assert str(e.value) == f"{tmp_path / '4-1-q.yaml'}: key 'base': row '4-1-p' is in a loop of bases (4-1-p -> 4-1-q -> 4-1-p)"


@pytest.mark.parametrize("row, key, value, message", [
    ("6a", "abs_streak", 5, "key 'abs_streak': expected no such key for stopping rule 'ST3' (read by ABS), got 5"),
    ("2a", "beta", 0.1, "key 'beta': expected no such key for stopping rule 'ABS' (read by ST3), got 0.1"),
    ("4-1", "reber_train", 5, "key 'reber_train': expected no such key for task 'adding' (read by reber), got 5"),
    ("4-1", "variant", "2a", "key 'variant': expected no such key for task 'adding' (read by long_lag, two_sequence, temporal_order), got '2a'"),
    ("2a", "variant", "3a", "key 'variant': expected one of ['2a', '2b', '2c'] (the variants of task 'long_lag'), got '3a'"),
    ("6a", "variant", "6c", "key 'variant': expected one of ['6a', '6b'] (the variants of task 'temporal_order'), got '6c'"),
])
def test_a_key_the_rows_task_or_stop_ignores_or_a_foreign_variant_is_refused(row, key, value, message):
    with pytest.raises(ConfigError, match="^x.yaml: " + re.escape(message) + "$"):
        config.validate(dict(config.raw(row), **{key: value}), "x.yaml")
