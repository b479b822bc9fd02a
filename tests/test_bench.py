"""`run.py bench`: what it writes, and the pieces it is built from. No timing is asserted."""
import json

import numpy as np
import pytest

import run
from hochreiter97 import Network
from hochreiter97.bench import memory as bench_memory, speed as bench
from hochreiter97.verify import VARIANTS, _problem, rel_error


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("complexity")
    assert run.main(["bench", "--quick", "--out", str(out)]) == 0
    return out, json.loads((out / "bench.json").read_text())


def test_quick_run_writes_the_issue_keys(quick):
    out, result = quick
    assert result["quick"] is True
    assert {r["arch"] for r in result["records"]} >= {"4-1", "2c-1", "2c-5"}
    for r in result["records"]:
        for key in ("weights", "us_per_step", "ns_per_weight_step", "ops_eq29", "ops_counted"):
            assert r[key] > 0, (r["arch"], key)
        assert np.isclose(r["ns_per_weight_step"], r["us_per_step"] * 1e3 / r["weights"])
        assert r["numpy_ratio"] > 0 and r["us_per_step_api"] > 0
    assert any(r["arch"].startswith("dense-") for r in result["records"])
    assert result["fit"]["ns_per_weight"] > 0 and 0.0 <= result["fit"]["r2"] <= 1.0
    for m in result["memory"]:
        assert m["T"] > 0 and m["peak_mb"] >= 0 and m["bptt_peak_mb"] >= 0
    assert result["battery_hours"] > 0
    assert len(result["targets"]) == 4 and all(isinstance(t["met"], bool) for t in result["targets"])
    assert len(result["load_before"]) == 3
    for name in ("speed.png", "memory.png", "battery.png"):
        assert (out / name).stat().st_size > 10_000


def test_bptt_stores_the_sequence_and_the_rule_does_not(quick):
    longest = quick[1]["memory"][-1]                   # T = 10,000: BPTT keeps about 2.7 MB
    assert longest["bptt_peak_mb"] > 1.0 + 2 * longest["peak_mb"]


@pytest.mark.parametrize("name", [n for n, a in VARIANTS.items() if a.hidden == 0])
def test_bptt_of_the_memory_comparison_computes_the_rules_gradient(name):
    arch = VARIANTS[name]
    for end_only in (True, False):
        w, x, y, m = _problem(arch, 7, 20, end_only)
        err, where = rel_error(bench_memory.bptt(arch, w, x, y, m), Network(arch, w).weight_changes(x, y, m))
        assert err < 1e-10, where


def test_linear_fit_of_a_line():
    fit = bench.linear_fit([1, 2, 3, 10], [3.5, 5.5, 7.5, 21.5])
    assert np.isclose(fit["slope"], 2.0) and np.isclose(fit["intercept"], 1.5) and np.isclose(fit["r2"], 1.0)


def test_battery_rows_are_the_papers_and_each_has_its_number():
    from hochreiter97 import config
    rows = bench.paper_rows()
    assert len(rows) == 31 and "4-1" in rows and "2c-9" in rows
    assert not any("@" in r or r.startswith(("rtrl", "bptt")) or r.endswith(("igb0", "noog")) for r in rows)
    for row in rows:
        n, source = bench.paper_sequences(config.load(row))
        assert n > 0 and source.startswith("paper"), row


def test_dense_sweep_spans_the_issues_range():
    W = [bench.dense_arch(b).n_weights() for b in bench.DENSE_BLOCKS]
    assert W == sorted(W) and 50 <= W[0] <= 100 and 15_000 <= W[-1] <= 25_000


def test_end_to_end_measures_the_loop_beside_the_kernel_and_names_the_rows_above_1_5x():
    from hochreiter97.bench import endtoend
    m = endtoend.measure_row("6a", steps=3000, kernel_steps=2000)
    assert m["steps"] > 2000 and m["us_per_step_loop"] > 0 and m["ratio"] == m["us_per_step_loop"] / m["us_per_step_kernel"]
    rnn = endtoend.measure_row("rtrl-p4-lr10", steps=2000)
    assert rnn["us_per_step_kernel"] is None and rnn["ratio"] is None       # the baselines: the loop only
    text = endtoend.markdown({"command": "C", "date": "D", "load_before": [1.0], "load_after": [1.0], "rows": [
        dict(m, row="a", ratio=1.4), dict(m, row="b", ratio=2.0), rnn]})
    assert "| a | lstm97 |" in text and "Rows above 1.5x the kernel: b.\n" in text
    assert m["us_per_sequence_outside"] == (m["us_per_step_loop"] - m["us_per_step_kernel"]) * m["steps"] / m["sequences"]
    assert f"about {m['us_per_sequence_outside']:.0f} µs per sequence in the median row above" in text


def test_trials_in_lockstep_equal_the_same_trials_one_at_a_time():
    from tasks import FAMILIES
    from hochreiter97 import config
    from hochreiter97.bench import lockstep
    cfg = config.load("4-1")
    arch, family, params = config.architecture(cfg), FAMILIES["adding"], config.task_params(cfg)
    rng = np.random.default_rng(3)
    nets = [Network.build(arch, rng) for _ in range(5)]
    ws = lockstep.stack([n.weights for n in nets])
    for _ in range(3):
        batch = [family.generate(rng, **params) for _ in range(5)]
        xs = np.zeros((max(len(x) for x, _, _ in batch), 2, 5))
        for n, (x, _, _) in enumerate(batch):
            xs[:len(x), :, n] = x
        out = np.zeros((1, 5))
        lockstep.train_lockstep(*ws, xs, np.array([len(x) for x, _, _ in batch]),
                                np.ascontiguousarray(np.stack([y[-1] for _, y, _ in batch], -1)), cfg.lr, out)
        single = [net.train(x, y, m, lr=cfg.lr)[-1, 0] for net, (x, y, m) in zip(nets, batch)]
        assert np.allclose(out[0], single, rtol=1e-12, atol=0)
    for k, name in enumerate(("w_in", "w_out", "w_c", "w_k")):
        ref = np.stack([n.weights[name] for n in nets], -1)
        assert np.max(np.abs(ws[k] - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_lockstep_is_projected_onto_reproduces_loop():
    from hochreiter97.bench import lockstep
    m = lambda n, lock, single: {"trials": n, "us_per_trial_step_lockstep": lock, "us_per_trial_step_single": single,
                                 "speedup": single / lock}
    rows = [{"row": "a", "loop_us_per_step": 1.0, "by_trials": [m(1, 0.5, 0.3), m(16, 0.1, 0.3)]},
            {"row": "b", "loop_us_per_step": 0.4, "by_trials": [m(16, 0.05, 0.35)]}]
    text = "\n".join(lockstep.end_to_end_projection({"rows": rows}))
    assert "a: reproduce's loop takes 1.000 µs per step, of which the single call about 0.300; with lockstep's " \
           "best (16 trials) in its place, 0.800: 1.25x" in text
    assert "0.100: 4.00x" in text and "Rows where lockstep would pay 1.5x end to end: b;" in text
