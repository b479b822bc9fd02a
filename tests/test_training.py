"""The training loop: judging, stopping rules, checkpoint/resume, the reproduce runner and its files."""
import json

import numpy as np
import pytest

from hochreiter97 import Network, kernel, models, report, reproduce, training
from hochreiter97.architecture import WEIGHT_NAMES
from hochreiter97.results import RunError
from hochreiter97.studies import traces
from hochreiter97.studies import drift
from hochreiter97.studies.hooks import HOOKS
from tasks import adding
from hochreiter97 import config


def small(row="6a", **overrides):
    return config.load(row).replace(**overrides)


def fresh(cfg):
    """The part of a trial's state that the windows, the curve and the stopping rules read."""
    return training.TrialState(
        window=training.deque(maxlen=cfg.window), window_E=0.0, window_wrong=0, streak=0,
        curve=[], curve_stride=1, curve_acc=[0.0, 0], n=0, stop_at=None,
        done=False, success=False, weights=None, rng_weights=None, rng_data=None, next_check=cfg.check_min,
        st1=None, seconds=0.0, steps=0, trace_left=0, traces=[], carries=[], next_probe=None, fingerprint=None)


def feed(cfg, outcomes):
    """Drive the stopping rule with synthetic (E, correct) outcomes; return the n it stopped at."""
    st = fresh(cfg)
    for E, correct in outcomes:
        st.n += 1
        training._observe(cfg, st, E, correct, E)
        if training._stopped(cfg, st, None, None):
            return st.stop_at or st.n
    return None


def test_st3_needs_a_full_window_all_correct_and_low_error():
    cfg = small(window=5, beta=0.1)
    assert feed(cfg, [(0.01, True)] * 4) is None                       # window not full
    assert feed(cfg, [(0.01, True)] * 5) == 5
    assert feed(cfg, [(0.01, False)] + [(0.01, True)] * 5) == 6        # the wrong one must leave the window
    assert feed(cfg, [(0.9, True)] + [(0.01, True)] * 8) == 6          # mean 0.188 at n=5, 0.01 at n=6
    assert feed(cfg, [(0.2, True)] * 50) is None                       # error never below beta


def observe_all(cfg, errors, correct=True):
    """Every sequence observed and the stopping rule applied, whether it stops or not; the state."""
    st = fresh(cfg)
    for E in errors:
        st.n += 1
        training._observe(cfg, st, E, correct, E)
        training._stopped(cfg, st, None, None)
    return st


def interval_means(curve, errors):
    """For each point (n, e): e and the mean of errors[prev n : n]."""
    starts = [0] + [n for n, _ in curve[:-1]]
    return [(e, float(np.mean(errors[a:n]))) for a, (n, e) in zip(starts, curve)]


def test_learning_curve_points_are_means_over_all_sequences_since_the_last_point(monkeypatch):
    """Halving merges neighbours (never drops them): each point is the mean error over its interval,
    and the intervals tile the sequences seen."""
    monkeypatch.setattr(training, "CURVE_POINTS", 4)
    errors = list(np.random.default_rng(0).uniform(0, 1, 203))
    st = observe_all(small(), errors)
    assert st.curve_stride == 32 and 4 <= len(st.curve) < 8
    assert st.curve[-1][0] + st.curve_acc[1] == 203
    for got, want in interval_means(st.curve, errors):
        assert got == pytest.approx(want, rel=1e-12)


def test_the_records_curve_ends_at_the_last_sequence_and_is_interval_means(monkeypatch):
    monkeypatch.setattr(training, "CURVE_POINTS", 5)
    errors, real = [], training.judge
    monkeypatch.setattr(training, "judge", lambda *a: (lambda r: errors.append(r[0]) or r)(real(*a)))
    rec = training.run_trial(small("4-1", max_sequences=77, test_size=3), seed=0, trial=0)
    c = rec["curve"]
    assert len(c["sequences"]) <= 5 and c["sequences"][-1] == rec["sequences_presented"] == 77
    errors = errors[:77]                                                  # the rest: the final test's
    for got, want in interval_means(list(zip(c["sequences"], c["error"])), errors):
        assert got == pytest.approx(want, rel=1e-12)


def test_st3_records_when_its_error_condition_alone_first_held():
    cfg = small(window=5, beta=0.1)
    assert observe_all(cfg, [0.5] * 6 + [0.01] * 20, correct=False).beta_at == 11  # window mean 0.108 at n = 10, 0.01 at 11
    assert observe_all(cfg, [0.5] * 30).beta_at is None
    assert observe_all(small("5-1"), [0.0] * 3000).beta_at is None                  # NSEQ: no beta


def test_nseq_counts_wrong_sequences_in_the_window():
    cfg = small("5-1", window=10, n_seq=3)
    pattern = [(0.0, False), (0.0, False), (0.0, False)] + [(0.0, True)] * 7
    assert feed(cfg, pattern) is None                                  # 3 wrong: not fewer than 3
    assert feed(cfg, pattern + [(0.0, True)]) == 11                    # one wrong left the window


def test_abs_reports_sequences_before_the_streak():
    cfg = small("2c-1", abs_streak=4)
    assert feed(cfg, [(0.0, False)] * 7 + [(0.0, True)] * 3 + [(0.0, False)] + [(0.0, True)] * 4) == 11


def test_frozen_abs_counts_fresh_sequences_up_to_the_first_wrong(monkeypatch):
    cfg = small("2c-1-frozen", abs_streak=10)
    verdicts = iter([True] * 5 + [False] + [True] * 10 + [False])
    monkeypatch.setattr(training, "judge", lambda *a: (0.0, next(verdicts), 0.0))
    net = Network.build(config.architecture(cfg), seed=0)
    rng = np.random.default_rng(0)
    assert training.frozen_streak(cfg, net, rng) == 5
    assert training.frozen_streak(cfg, net, rng) == 10
    assert training.frozen_streak(cfg, net, rng) == 0                  # a fresh test starts from nothing


def test_frozen_abs_stops_on_the_grid_and_leaves_training_alone(monkeypatch):
    """abs_test frozen: the online streak is ignored, the frozen test runs on the check grid,
    and the training sequences and weights are those of the online row."""
    grid = dict(max_sequences=60, check_min=5, check_fraction=1e-9, p=4, q=4, n_in=8)
    calls = []

    def fake_streak(cfg, net, rng):
        calls.append(rng.integers(1 << 30))                            # the test draws from its own generator
        return cfg.abs_streak if len(calls) == 4 else 0
    monkeypatch.setattr(training, "frozen_streak", fake_streak)
    cfg = small("2c-1-frozen", abs_streak=1, **grid)                    # online, a streak of 1 would stop at once
    st = training.train_until_stop(cfg, training.new_trial(cfg, 0, 0))
    assert st.success and st.stop_at == st.n == 20            # checks at 5, 10, 15, 20
    online = small("2c-1", abs_streak=10**6, **dict(grid, max_sequences=20))
    ref = training.train_until_stop(online, training.new_trial(online, 0, 0))
    assert ref.n == 20 and not ref.success
    for name in ref.weights:
        assert np.array_equal(ref.weights[name], st.weights[name]), name


def test_judge_thresholds_and_steps():
    cfg = small("2a")                                                  # ABS, abs_at every, threshold 0.25
    out, y, m = np.array([[0.9], [0.2], [0.1]]), np.array([[1.0], [0.0], [0.0]]), np.ones(3, bool)
    E, correct, _ = training.judge(cfg, out, y, m, {})
    assert E == pytest.approx(0.01 + 0.04 + 0.01) and correct
    out[1] = 0.3
    assert not training.judge(cfg, out, y, m, {})[1]                   # step 1 judged under "every"
    assert training.judge(cfg.replace(abs_at="end"), out, y, m, {})[1]    # only the last under "end"


def test_3c_is_judged_against_the_noise_free_target():
    cfg = small("3c-1")                                                # threshold 0.1
    out, y, m = np.array([[0.0], [0.25]]), np.array([[0.0], [0.6]]), np.array([False, True])
    assert training.judge(cfg, out, y, m, {"clean_target": 0.2})[1]
    assert not training.judge(cfg, out, y, m, {"clean_target": 0.8})[1]


def plain_judge(cfg, outputs, targets, mask, info):
    """judge as first written, with np.sum and np.mean: the numbers judge must give to the bit."""
    steps = np.flatnonzero(mask)
    err = outputs[steps] - targets[steps]
    E = float(np.sum(err ** 2))
    if cfg.stop != "ABS" or cfg.abs_at == "end":
        steps = steps[-1:]
    ref = targets[steps]
    if info is not None and "clean_target" in info:
        ref = np.full_like(ref, info["clean_target"])
    abs_err = np.abs(outputs[steps] - ref)
    threshold = cfg.correct_threshold
    return E, threshold is None or bool(np.all(abs_err < threshold)), float(abs_err.mean())


@pytest.mark.parametrize("row", ["2a", "2c-1", "4-1", "3c-1", "1-1"])  # ABS every, ABS end, ST3, noise-free target, Reber
def test_judge_gives_the_numbers_of_np_sum_and_np_mean(row):
    rng = np.random.default_rng(0)
    verdicts = set()
    for threshold in (0.3, 0.7):
        cfg = small(row, correct_threshold=None if row == "1-1" else threshold)
        for L, K in ((1, 1), (7, 2), (60, 7), (200, 13)):           # 200 x 13: numpy's pairwise sums
            out, y = rng.uniform(size=(L, K)), rng.uniform(size=(L, K))
            m = rng.random(L) < (0.5 if K > 1 else 1.0)
            m[-1] = True
            info = {"clean_target": 0.3} if row == "3c-1" else {}
            got, want = training.judge(cfg, out, y, m, info), plain_judge(cfg, out, y, m, info)
            assert type(got[0]) is float and type(got[2]) is float
            assert got == want and got[0].hex() == want[0].hex() and got[2].hex() == want[2].hex()
            verdicts.add(got[1])
    assert verdicts == ({True} if row == "1-1" else {True, False})


def same_trial(a, b):
    """Two trial states equal to the bit (wall time aside): weights, generators, windows, curve, counters."""
    a, b = vars(a), vars(b)
    assert set(a) == set(b)
    for key in a:
        if key == "seconds":
            continue
        if key.startswith("rng_") and a[key] is not None:
            assert a[key].bit_generator.state == b[key].bit_generator.state, key
        elif key == "weights":
            assert all(a[key][n].tobytes() == b[key][n].tobytes() for n in WEIGHT_NAMES)
        else:
            assert repr(a[key]) == repr(b[key]), key                   # floats by repr: every bit


def test_a_checkpoint_is_a_trial_state_and_an_old_dict_one_is_refused(tmp_path):
    """The state pickles whole and loads back; the plain dict checkpoints of older versions are refused in one line."""
    cfg = small(max_sequences=50)
    ckpt = tmp_path / "checkpoint.pkl"
    st = training.train_until_stop(cfg, training.new_trial(cfg, 0, 0), checkpoint=ckpt, max_wall=0.0)
    back = training.load_state(ckpt)
    assert isinstance(back, training.TrialState) and back.n == st.n == 1
    same_trial(st, back)
    training.save_state(dict(vars(st)), ckpt)                          # what an older version wrote
    with pytest.raises(RunError, match=r"written by an older version.*; discard it with `rm ") as e:
        training.load_state(ckpt)
    assert "\n" not in str(e.value)
    training.save_state([1, 2], ckpt)
    with pytest.raises(RunError, match=r"not a trial state \(a list\)"):
        training.load_state(ckpt)


def test_2c_trial_on_symbols_equals_the_dense_trial(tmp_path, monkeypatch):
    """The loop feeds 2c's symbols to the kernel (never its 8 MB one-hot rows); the dense rows give
    the same trial to the bit, and so does a run resumed from checkpoints after every few sequences."""
    cfg = small("2c-1", max_sequences=300, correct_threshold=0.5)      # 0.5: correct and wrong sequences
    calls = []
    real = kernel.sequence_symbols
    monkeypatch.setattr(kernel, "sequence_symbols", lambda *a: calls.append(1) or real(*a))
    fast = training.train_until_stop(cfg, training.new_trial(cfg, 0, 0))
    assert len(calls) == 300 and 0 < fast.window_wrong < 300
    ckpt = tmp_path / "checkpoint.pkl"
    st = training.train_until_stop(cfg, training.new_trial(cfg, 0, 0), checkpoint=ckpt, max_wall=0.0)
    while not st.done:
        st = training.train_until_stop(cfg, training.load_state(ckpt), checkpoint=ckpt, max_wall=0.002)
    same_trial(fast, st)
    monkeypatch.setattr(training, "_generator", lambda cfg, family: family.generate)   # the dense rows
    calls.clear()
    dense = training.train_until_stop(cfg, training.new_trial(cfg, 0, 0))
    assert not calls
    same_trial(fast, dense)


def test_reber_success_test_uses_the_legal_next_symbols():
    from tasks import reber

    class Oracle:                      # outputs a net would give: the legal next symbols most active
        def __init__(self, spoil=None):
            self.spoil = spoil

        def run(self, x):
            s = "".join(reber.SYMBOLS[i] for i in x.argmax(axis=1)) + "E"
            out = reber.legal_next(s).astype(float) * 0.5 + 0.1
            if self.spoil is not None:
                out[self.spoil] = out[self.spoil][::-1]
            return out

    strings = ["BTBTSSXXTVVETE", "BPBPVVEPE"]
    assert reber.correct(Oracle().run, strings)
    assert not reber.correct(Oracle(spoil=-2).run, strings)      # the long-lag step: T or P
    assert reber.mistakes(Oracle().run, strings) == {
        "strings": 2, "wrong_strings": 0, "wrong_steps": 0, "wrong_long_lag_steps": 0}
    assert reber.mistakes(Oracle(spoil=-2).run, strings) == {
        "strings": 2, "wrong_strings": 2, "wrong_steps": 2, "wrong_long_lag_steps": 2}
    assert reber.mistakes(Oracle(spoil=1).run, strings) == {      # after B T / B P: B (inner) only
        "strings": 2, "wrong_strings": 2, "wrong_steps": 2, "wrong_long_lag_steps": 0}


def test_reber_trial_records_where_the_success_test_fails():
    cfg = small("1-1", max_sequences=30, reber_train=8, reber_test=8)
    rec = training.run_trial(cfg, seed=0, trial=0, hooks=HOOKS)        # studies/reber_misses.py, through the hooks
    m = rec["reber_mistakes"]
    assert "reber_mistakes" not in training.run_trial(cfg, seed=0, trial=0)
    assert m["train"]["strings"] == m["test"]["strings"] == 8
    assert 0 <= m["test"]["wrong_long_lag_steps"] <= m["test"]["wrong_strings"] <= m["test"]["wrong_steps"]
    assert m["train"]["wrong_strings"] > 0                              # 30 sequences learn no grammar


def record_without_time(rec):
    rec = dict(rec)
    for key in ("wall_seconds", "steps_per_second"):
        rec.pop(key)
    return rec


def test_resume_ends_with_the_same_numbers(tmp_path):
    cfg = small(window=50, beta=0.5, max_sequences=3000, test_size=50)
    whole = training.run_trial(cfg, seed=3, trial=1)
    ckpt = tmp_path / "checkpoint.pkl"
    assert training.run_trial(cfg, 3, 1, checkpoint=ckpt, max_wall=0.0) is None    # stops after one sequence
    assert ckpt.exists()
    parts = 1
    while (rec := training.run_trial(cfg, 3, 1, checkpoint=ckpt, max_wall=0.05)) is None:
        parts += 1
    assert parts > 3
    assert record_without_time(rec) == record_without_time(whole)


def test_seeds_separate_trials_and_rows():
    a = training.trial_seeds(0, "6a", 0)["data"].generate_state(2)
    assert not np.array_equal(a, training.trial_seeds(0, "6a", 1)["data"].generate_state(2))
    assert not np.array_equal(a, training.trial_seeds(0, "6b", 0)["data"].generate_state(2))
    assert np.array_equal(a, training.trial_seeds(0, "6a", 0)["data"].generate_state(2))


def test_2a_cell_joins_when_the_error_stops_decreasing():
    cfg = small("2a", p=10, n_in=11, n_out=11, max_sequences=400, construction_window=50)
    st = training.new_trial(cfg, 0, 0)
    arch = config.architecture(cfg)
    cell_col = arch.J0 - arch.cells
    assert np.all(st.weights["w_k"][:, cell_col] == 0) and not st.cell_present
    st = training.train_until_stop(cfg, st)
    assert st.cell_present and 100 <= st.cell_joined_at <= 400
    assert np.any(st.weights["w_k"][:, cell_col] != 0)


def test_a_row_cut_off_part_way_has_a_summary_of_its_finished_trials(tmp_path, monkeypatch):
    cfg = small(window=50, beta=0.5, max_sequences=400, test_size=20)
    monkeypatch.setattr(config, "load", lambda row: cfg)
    run_one = reproduce._run_one

    def cut_off(cfg, seed, k, *args):
        if k == 2:
            raise KeyboardInterrupt                    # the session ends while trial 2 trains
        return run_one(cfg, seed, k, *args)

    monkeypatch.setattr(reproduce, "_run_one", cut_off)
    with pytest.raises(KeyboardInterrupt):
        reproduce.reproduce("6a", trials=3, seed=1, workers=1, out=tmp_path, show=False)
    summary = json.loads((tmp_path / "6a" / "summary.json").read_text())
    assert summary["trials"] == 2 and summary["trials_planned"] == 3
    monkeypatch.setattr(reproduce, "_run_one", run_one)
    whole = reproduce.reproduce("6a", trials=3, seed=1, workers=1, out=tmp_path, show=False)
    assert whole["trials"] == 3 == json.loads((tmp_path / "6a" / "summary.json").read_text())["trials"]


def test_reproduce_writes_results_independent_of_workers(tmp_path, monkeypatch):
    cfg = small(window=50, beta=0.5, max_sequences=400, test_size=20)
    monkeypatch.setattr(config, "load", lambda row: cfg)
    one = reproduce.reproduce("6a", trials=2, seed=1, workers=1, out=tmp_path / "a", show=False, hooks=HOOKS)
    two = reproduce.reproduce("6a", trials=2, seed=1, workers=2, out=tmp_path / "b", show=False, hooks=HOOKS)
    for k in range(2):
        ra = json.loads((tmp_path / "a" / "6a" / f"trial-{k}.json").read_text())
        rb = json.loads((tmp_path / "b" / "6a" / f"trial-{k}.json").read_text())
        assert record_without_time(ra) == record_without_time(rb)
    for key in ("row", "trials", "successes", "sequences", "test", "paper"):
        assert key in one and one[key] == two[key] or key == "command"
    assert one["paper"]["success_after"] == 31390
    for k in range(2):                                                  # the final weights, as the last state had them
        wa, wb = np.load(tmp_path / "a" / "6a" / f"weights-{k}.npz"), np.load(tmp_path / "b" / "6a" / f"weights-{k}.npz")
        assert sorted(wa) == sorted(WEIGHT_NAMES) and all(np.array_equal(wa[n], wb[n]) for n in WEIGHT_NAMES)
        cells = json.loads((tmp_path / "a" / "6a" / f"trial-{k}.json").read_text())["cells_at_end"]
        assert cells["n"] == traces.CELL_PROBES and len(cells["dh_ratio"]) == 4      # 6a: 100 x ~105 steps fit
    assert one["cells_saturated"]["dh_ratio_below"] == drift.SATURATED
    again = reproduce.reproduce("6a", trials=2, seed=1, workers=1, out=tmp_path / "a", show=False)
    assert again["sequences"] == one["sequences"]                       # finished trials are not rerun
    with pytest.raises(RunError, match="seed: 1 -> 2"):
        reproduce.reproduce("6a", trials=2, seed=2, workers=1, out=tmp_path / "a", show=False)
    with pytest.raises(RunError, match="max_sequences: 400 -> 300"):    # finished trials keep their cap
        reproduce.reproduce("6a", trials=3, seed=1, workers=1, out=tmp_path / "a", show=False, max_sequences=300)
    text = report.table_markdown(tmp_path / "a")
    assert "| 6a |" in text and "31,390" in text
    assert "| 2 (paper: 20) |" in text                                  # trials run beside the paper's count
    assert [p.name for p in report.plot_row("6a", tmp_path / "a")] == ["curves.png", "success.png"]


def test_summary_tallies_where_failed_reber_trials_fail():
    cfg = config.load("1-1")
    m = lambda steps, lag: {"strings": 256, "wrong_strings": 1, "wrong_steps": steps, "wrong_long_lag_steps": lag}
    rec = lambda ok, train, test: {"success": ok, "sequences": 10 if ok else None, "test": {}, "steps_per_second": 1.0,
                                   "reber_mistakes": {"train": train, "test": test}}
    records = {0: rec(False, m(3, 3), m(2, 2)), 1: rec(False, m(3, 3), m(5, 2)), 2: rec(True, m(0, 0), m(0, 0)),
               3: rec(False, m(4, 0), m(0, 0))}
    s = reproduce.summarize(cfg, records, 30, 0, hooks=HOOKS)
    assert s["failed_trials"] == {"recorded": 3, "long_lag_only": 1, "elsewhere_too": 2}
    assert "failed_trials" not in reproduce.summarize(cfg, {2: records[2]}, 30, 0, hooks=HOOKS)
    assert "failed_trials" not in reproduce.summarize(cfg, records, 30, 0)       # a study's field: through the hooks


@pytest.mark.parametrize("row", config.rows())
def test_every_row_runs(row):
    """Each row's trial runs under its own protocol (capped at a few sequences) and yields a record."""
    cfg = small(row, max_sequences=12, check_min=5, st_test_size=4, test_size=3, reber_train=8, reber_test=8)
    rec = training.run_trial(cfg, seed=0, trial=0)
    assert rec["sequences_presented"] <= 12 and rec["time_steps"] > 0
    assert rec["curve"]["sequences"] and all(np.isfinite(rec["curve"]["error"]))


def test_run_verify_exits_non_zero_on_a_failed_check(monkeypatch, capsys):
    import run
    from hochreiter97 import verify
    monkeypatch.setattr(verify, "CHECKS", [("always fails", lambda: (1.0, "here"), 1e-10)])
    assert run.main(["verify"]) == 1
    assert "FAIL  always fails" in capsys.readouterr().out


def test_evaluate_keeps_the_first_wrong_sequences_target_and_output():
    cfg = small("4-1")
    net = Network.build(config.architecture(cfg), seed=3)
    rng = np.random.default_rng(5)
    seqs = [adding.generate(rng, T=20, info=True) for _ in range(40)]
    res = training.evaluate(cfg, net, seqs)
    outs = [net.run(x)[-1, 0] for x, _, _, _ in seqs]
    wrong = [(y[-1, 0], o) for (x, y, m, _), o in zip(seqs, outs) if abs(o - y[-1, 0]) >= cfg.correct_threshold]
    assert res["wrong"] == len(wrong) > training.WRONG_EXAMPLES          # an untrained net: most are wrong
    assert len(res["wrong_examples"]) == training.WRONG_EXAMPLES
    for ex, (t, o) in zip(res["wrong_examples"], wrong):
        assert ex["target"] == [pytest.approx(t, abs=1e-5)] and ex["output"] == [pytest.approx(o, abs=1e-5)]


def test_run_trial_saves_the_final_weights(tmp_path):
    cfg = small(window=50, beta=0.5, max_sequences=150, test_size=5)
    training.run_trial(cfg, 0, 0, weights_path=tmp_path / "w.npz")
    st = training.train_until_stop(cfg, training.new_trial(cfg, 0, 0))
    saved = np.load(tmp_path / "w.npz")
    init = training.new_trial(cfg, 0, 0).weights
    for name in WEIGHT_NAMES:
        assert np.array_equal(saved[name], st.weights[name]), name
    assert not np.array_equal(saved["w_k"], init["w_k"])               # trained, not the initial weights


def test_summary_tallies_when_st3s_error_condition_first_held(tmp_path):
    cfg = config.load("4-1")
    rec = lambda ok, at: {"success": ok, "sequences": 100 if ok else None, "test": {}, "steps_per_second": 1.0,
                          "error_below_beta_at": at}
    s = reproduce.summarize(cfg, {0: rec(True, 40), 1: rec(True, 60), 2: rec(False, 10), 3: rec(True, None)}, 10, 0)
    assert s["error_below_beta_at"] == {"trials": 2, "mean": 50, "median": 50, "min": 40, "max": 60}
    assert "error_below_beta_at" not in reproduce.summarize(cfg, {0: rec(True, None)}, 10, 0)
    (tmp_path / "4-1").mkdir()
    reproduce.write_json(tmp_path / "4-1" / "summary.json", s)
    assert "100 (100–100); error < β first after 50 |" in report.table_markdown(tmp_path)


class _OneAtATime:
    """A net without run_set: evaluate() judges it one sequence at a time (the baselines' path)."""
    def __init__(self, net):
        self.net = net

    def run(self, x):
        return self.net.run(x)


@pytest.mark.parametrize("row", ["3c-1", "4-1", "3a-2", "2a", "6a"])
def test_a_test_set_judged_in_one_call_gives_the_sequence_by_sequence_figures(row):
    """Same wrong count, mean |error| and MSE to the bit (3c: against the noise-free target), so stops stay exact."""
    cfg = config.load(row)
    st = training.new_trial(cfg, 0, 0)
    net = models.wrap(cfg, st.weights)
    seqs = training.fixed_sequences(cfg, 0, 0, "final_test", 60)
    test = training.TestSet(seqs)
    assert test.one_target is (row != "2a")                             # 2a: targets at every step
    for threshold in (cfg.correct_threshold, 0.3):
        c = cfg.replace(correct_threshold=threshold) if threshold is not None else cfg
        assert training.evaluate(c, net, test) == training.evaluate(c, _OneAtATime(net), seqs)


@pytest.mark.parametrize("row", ["3c-1", "4-1", "6a", "6b", "2c-1", "5-2", "2a", "1-2"])
@pytest.mark.parametrize("abs_at", ["end", "every"])
def test_judge_compiled_for_few_values_gives_numpys_numbers_to_the_bit(row, abs_at):
    cfg = config.load(row)
    cfg = cfg.replace(stop="ABS", abs_at=abs_at, correct_threshold=cfg.correct_threshold or 0.3) \
        if abs_at == "every" else cfg
    rng = np.random.default_rng(5)
    for x, y, m, info in training.fixed_sequences(cfg, 0, 0, "final_test", 40):
        for out in (rng.uniform(size=y.shape), y + rng.normal(0, 0.1, size=y.shape)):
            clean = info.get("clean_target") if info is not None else None
            last_only = cfg.stop != "ABS" or cfg.abs_at == "end"
            want = training._judge_numpy(cfg, out, y, m, clean, last_only)
            assert training.judge(cfg, out, y, m, info) == want
            few = training._judge_few(out, y, m, last_only, np.zeros(y.shape[1]) if clean is None else
                                      np.full(y.shape[1], clean), clean is not None,
                                      cfg.correct_threshold if cfg.correct_threshold is not None else -1.0)
            assert few[3] is (int(m.sum()) * y.shape[1] < 8)                  # Experiments 1, 2a, 2b: numpy's
            if few[3]:
                assert few[:3] == want
