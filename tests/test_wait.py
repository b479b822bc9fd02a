"""What ST3's stop waits for: misses counted while a trial trains (hochreiter97/studies/wait.py)."""
import copy
import json
import math

import numpy as np
import pytest

import run
from hochreiter97 import training
from hochreiter97.studies import wait
from tasks import FAMILIES
from hochreiter97 import config
from hochreiter97.config import task_params

LOAD = config.load


def small(**kw):
    return LOAD("4-1").replace(**{"T": 30, "window": 20, "beta": 0.03, "max_sequences": 300, "test_size": 3, **kw})


def test_watching_does_not_change_the_trial():
    cfg = small()
    plain = training.train_until_stop(cfg, training.new_trial(cfg, 0, 1))
    seen = []
    watched = training.train_until_stop(cfg, training.new_trial(cfg, 0, 1), watch=lambda *a: seen.append(a[-1]))
    assert len(seen) == plain.n == watched.n == 300
    for name, w in plain.weights.items():
        np.testing.assert_array_equal(w, watched.weights[name])


def test_a_watched_trial_stops_where_its_record_does():
    cfg = small(beta=0.02, max_sequences=20000)
    rec = training.run_trial(cfg, seed=0, trial=0)
    r = wait.watch_trial(cfg, 0, block=1000)
    assert r["success"] and rec["success"] and r["stop"] == rec["sequences"] == r["sequences"] == 17320
    assert r["error_below_beta_at"] == rec["error_below_beta_at"] is not None
    assert r["blocks"][-1][0] == r["sequences"] and sum(b[1] for b in r["blocks"]) >= r["wait"]["wrong"]
    assert r["wait"]["sequences"] == r["sequences"] - r["error_below_beta_at"]


def test_counts_agree_with_the_trial_stepped_one_sequence_at_a_time():
    """block = 1: every sequence's counts, against a recount that trains one sequence per call,
    reads correctness from the trial's own window and the target from a copy of its generator."""
    cfg = small(max_sequences=120)
    r = wait.watch_trial(cfg, 0, block=1)
    st = training.new_trial(cfg, 0, 0)
    run_ = 0
    for n in range(1, 121):
        x, y, m = FAMILIES["adding"].generate(copy.deepcopy(st.rng_data), **task_params(cfg))
        st.done = False
        st = training.train_until_stop(cfg.replace(max_sequences=n), st)
        correct = st.window[-1][1]
        extreme = not 0.1 <= y[np.flatnonzero(m)[-1], 0] <= 0.9
        run_ = run_ + 1 if correct else 0
        assert r["blocks"][n - 1] == [n, int(not correct), int(extreme), int(extreme and not correct), run_]
    assert sum(b[2] for b in r["blocks"]) > 0 and sum(b[1] for b in r["blocks"]) > 0     # both kinds occur


def test_calm_finds_the_stop_windows_extreme_and_the_first_window_as_calm():
    spread = np.array([0.1, 0.45, 0.2, 0.3, 0.1, 0.2, 0.25, 0.1, 0.3])      # |t - 0.5| of sequences 1..9
    c = wait.calm(spread, 0, 3)
    assert c["v"] == 0.3 and c["first_calm_window"] == 5 and c["beyond_v"] == pytest.approx(1 / 9)
    assert c["expected"] == pytest.approx(wait.expected_wait(1 / 9, 3))
    later = wait.calm(spread, 5, 3)                        # the window may reach back before `start`
    assert later["first_calm_window"] == 6 and later["beyond_v"] == 0.0


def test_a_successful_trials_calm_window_is_its_stop_or_earlier():
    r = wait.watch_trial(small(beta=0.02, max_sequences=20000), 0, block=1000)
    c = r["calm"]
    assert r["error_below_beta_at"] < c["first_calm_window"] <= r["stop"] and 0 < c["v"] <= 0.5


@pytest.mark.parametrize("p, w, expected", [(0.5, 2, 6.0), (0.5, 1, 2.0), (0.0, 2000, 2000.0), (0.2, 3, 1 / 0.8 + 1 / 0.8 ** 2 + 1 / 0.8 ** 3)])
def test_expected_wait_for_a_run_of_w(p, w, expected):
    """Two heads in a row take 6 fair flips on average; in general 1/q + 1/q^2 + ... + 1/q^w."""
    assert wait.expected_wait(p, w) == pytest.approx(expected)


@pytest.mark.parametrize("p", [0.3, 0.9, 1.0])
def test_expected_wait_that_overflows_a_float_is_infinite_not_an_error(p):
    """0.7^2000 underflows to 0: the wait is astronomically long, so inf, and the table prints it."""
    assert wait.expected_wait(p, 2000) == math.inf
    assert wait.expected_wait(0.01, 2000) == pytest.approx((1 - 0.99 ** 2000) / (0.01 * 0.99 ** 2000))


def test_expected_wait_against_simulation():
    rng = np.random.default_rng(1)
    p, w, ns = 0.05, 20, []
    for _ in range(4000):
        n = run_ = 0
        while run_ < w:
            n += 1
            run_ = run_ + 1 if rng.random() >= p else 0
        ns.append(n)
    assert np.mean(ns) == pytest.approx(wait.expected_wait(p, w), rel=0.05)


@pytest.mark.parametrize("row", ["6a", "5-1", "3a-1"])
def test_rows_other_than_adding_are_refused_by_name(row):
    with pytest.raises(ValueError, match=f"^row {row}: wait reads the adding rows"):
        wait.check_row(LOAD(row))


def test_finished_trials_are_kept_and_the_folder_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "load", lambda row: small(row=row))
    calls = []

    def fake(cfg, k, seed=0):
        calls.append(k)
        if k == 2 and len(calls) == 3:
            raise KeyboardInterrupt                       # the session ends during trial 2
        blocks = [[5000, 40, 200, 30, 50], [10000, 10, 190, 8, 900], [12000, 0, 80, 0, 2000]]
        return {"trial": k, "seed": seed, "success": True, "stop": 12000, "sequences": 12000,
                "calm": {"v": 0.31, "beyond_v": 0.01, "first_calm_window": 11000, "expected": 12345.6},
                "error_below_beta_at": 5000, "block": wait.BLOCK, "blocks": blocks,
                "wait": {"sequences": 7000, "wrong": 10, "extreme": 270, "extreme_wrong": 8, "miss_rate": 10 / 7000}}

    monkeypatch.setattr(wait, "watch_trial", fake)
    with pytest.raises(KeyboardInterrupt):
        wait.run("4-1", 3, out=tmp_path)
    assert [t["trial"] for t in json.loads((tmp_path / "4-1.json").read_text())["trials"]] == [0, 1]
    calls.clear()
    wait.run("4-1", 3, out=tmp_path)
    assert calls == [2]                                   # trials 0 and 1 are not re-run
    paths = wait.write(tmp_path)
    assert [p.name for p in paths] == ["4-1.png", "README.md"] and paths[0].stat().st_size > 0
    text = paths[1].read_text()
    assert "`python run.py wait 4-1 --trials 3 --out " in text
    # last 50,000 sequences, blocks after error < β at 5,000: the last two, 10 wrong of 7,000, 8 of them extreme
    p = 10 / 7000
    assert (f"| 0 | 5,000 | 12,000 | 7,000 | 0.0014 / {p:.4f} | 80% | {wait.expected_wait(p, 20):,.0f} | "
            "0.5 ± 0.310 | 11,000 | 12,346 |") in text


def test_cli_refuses_a_row_that_is_not_adding(capsys):
    assert run.main(["wait", "6a", "--trials", "1"]) == 2
    assert capsys.readouterr().err.startswith("run.py wait: error: row 6a: wait reads the adding rows")


def test_cli_refuses_fewer_than_one_trial(capsys):
    with pytest.raises(SystemExit) as e:
        run.main(["wait", "4-1", "--trials", "0"])
    assert e.value.code == 2
    assert capsys.readouterr().err == "run.py wait: error: argument --trials: expected an integer >= 1, got 0\n"
