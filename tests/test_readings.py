"""Readings: Hochreiter's simulator's conventions in the core (reading jku), and readings applied to rows."""
import numpy as np
import pytest

from hochreiter97 import Architecture, Network, readings, reference
from hochreiter97.architecture import init_weights
from hochreiter97 import config, models, results

JKU = dict(bias="all", init_range=0.5, in_gate_bias=(-1.0, -2.0), gate_bias_init="add", reset_activation=0.5)


def problem(seed, L=12, every=True):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(L, 2)), rng.uniform(size=(L, 1))
    m = np.ones(L, bool) if every else np.arange(L) == L - 1
    return x, y, m


def test_listed_gate_biases_are_added_to_the_random_draw_of_the_same_stream():
    arch = Architecture(2, 1, 2, 2, **JKU)
    added = init_weights(arch, np.random.default_rng(3))
    drawn = init_weights(Architecture(2, 1, 2, 2, bias="all", init_range=0.5), np.random.default_rng(3))
    assert np.array_equal(added["w_in"][:, -1], drawn["w_in"][:, -1] + [-1.0, -2.0])
    assert np.array_equal(added["w_in"][:, :-1], drawn["w_in"][:, :-1])
    set_ = init_weights(Architecture(2, 1, 2, 2, bias="all", init_range=0.5, in_gate_bias=(-1.0, -2.0)),
                        np.random.default_rng(3))
    assert np.array_equal(set_["w_in"][:, -1], [-1.0, -2.0])


@pytest.mark.parametrize("backend", ["kernel", "reference"])
def test_the_first_step_reads_activations_of_one_half(backend):
    arch = Architecture(2, 1, 2, 2, **JKU)
    w = init_weights(arch, np.random.default_rng(1))
    x = np.array([[0.3, -0.7]])
    u = np.concatenate([x[0], np.full(arch.I0 - 2, 0.5), [1.0]])           # x(0), y(-1) = 0.5, bias
    y_in = 1 / (1 + np.exp(-(w["w_in"] @ u)))
    y_out = 1 / (1 + np.exp(-(w["w_out"] @ u)))
    s = y_in[:, None] * (4 / (1 + np.exp(-(w["w_c"] @ u))) - 2)           # s_c(0) = 0 + y_in g(net_c)
    v = np.concatenate([(y_out[:, None] * (2 / (1 + np.exp(-s)) - 1)).ravel(), [1.0]])
    expected = 1 / (1 + np.exp(-(w["w_k"] @ v)))
    assert np.allclose(Network(arch, w, backend).run(x)[0], expected, rtol=1e-13)


@pytest.mark.parametrize("backend", ["kernel", "reference"])
def test_the_hidden_layers_bias_unit_reads_one_half_at_the_first_step_and_one_after(backend):
    """lstm.c: the outputs' bias unit is a hidden unit held at 1.0, which gates and cells read at t-1."""
    arch = Architecture(2, 1, 2, 2, hidden_bias=True, **JKU)
    w = init_weights(arch, np.random.default_rng(6))
    x = np.random.default_rng(7).normal(size=(3, 2))
    out = Network(arch, w, backend).run(x)
    state, y_b = reference.new_state(arch), []
    for t in range(3):
        y_b.append(reference.sources(arch, state, x[t])[arch.I0 - 1])
        state, act = reference.forward_step(arch, w, state, x[t])
        assert np.allclose(out[t], act["y_k"], rtol=1e-13)
    assert y_b == [0.5, 1.0, 1.0] and arch.source_names()[arch.I0 - 1] == "hidden bias"
    moved = {k: a.copy() for k, a in w.items()}
    moved["w_in"][:, arch.I0 - 1] += 1.0                                      # the unit's weights do act
    assert not np.allclose(Network(arch, moved, backend).run(x), out)


def test_the_hidden_layers_bias_unit_needs_biased_outputs_and_full_connectivity():
    with pytest.raises(ValueError, match="hidden_bias: needs biased outputs"):
        Architecture(2, 1, 2, 2, bias="ga", hidden_bias=True)
    with pytest.raises(ValueError, match="hidden_bias: needs biased outputs"):
        Architecture(2, 1, 2, 2, bias="all", connectivity="B", hidden_bias=True)
    assert Architecture(2, 1, 2, 2, bias="all", hidden_bias=True).n_weights() == \
        Architecture(2, 1, 2, 2, bias="all").n_weights() + 2 + 2 + 4          # one column for each gate and cell


@pytest.mark.parametrize("row, hidden_bias", [("4-1", True), ("6a", True), ("1-2", False), ("2a", False), ("3a-2", False)])
def test_jku_puts_the_bias_unit_in_the_hidden_layer_where_the_outputs_are_biased(row, hidden_bias):
    cfg = readings.apply(config.load(row), "jku")
    assert cfg.architecture.hidden_bias is hidden_bias
    assert ("hidden_bias" in results.fingerprint(cfg, 0)["config"]) is hidden_bias   # other rows keep their records


@pytest.mark.parametrize("backend", ["kernel", "reference"])
def test_late_timing_lands_a_sequences_sum_after_the_next_sequences_first_step(backend):
    """Composed from weight changes at fixed weights: after A then B, w = w0 + dw(A; w0) + dw(B's step 0; w0)."""
    arch = Architecture(2, 1, 2, 2, **JKU)
    w0 = init_weights(arch, np.random.default_rng(2))
    (xa, ya, ma), (xb, yb, mb) = problem(4), problem(5)
    net = Network(arch, w0, backend)
    pending = net.new_pending()
    net.train(xa, ya, ma, lr=0.4, timing="late", pending=pending)
    fixed = Network(arch, w0, "reference")
    assert all(np.array_equal(net.weights[k], w0[k]) for k in w0)           # nothing lands during the first sequence
    dw_a = fixed.weight_changes(xa, ya, ma, lr=0.4)
    assert all(np.allclose(pending["dw"][k], dw_a[k], rtol=1e-12, atol=1e-15) for k in w0)
    out_b = net.train(xb, yb, mb, lr=0.4, timing="late", pending=pending)
    assert np.allclose(out_b[0], fixed.run(xb)[0], rtol=1e-13)              # step 0 of B: the old weights
    first = np.arange(len(xb)) == 0
    dw_b0 = fixed.weight_changes(xb[:1], yb[:1], first[:1], lr=0.4)
    after_b0 = {k: w0[k] + dw_a[k] + dw_b0[k] for k in w0}
    assert all(np.allclose(net.weights[k], after_b0[k], rtol=1e-12, atol=1e-15) for k in w0)
    # the rest of B: its state from step 0 (old weights), then the landed weights; their sum is pending now
    state, act = reference.forward_step(arch, w0, reference.new_state(arch), xb[0])
    rest = {k: np.zeros_like(a) for k, a in w0.items()}
    for t in range(1, len(xb)):
        state, act = reference.forward_step(arch, after_b0, state, xb[t])
        assert np.allclose(out_b[t], act["y_k"], rtol=1e-12)
        for k, d in reference.weight_changes(arch, after_b0, state, act, yb[t], 0.4).items():
            rest[k] += d
    assert all(np.allclose(pending["dw"][k], rest[k], rtol=1e-10, atol=1e-14) for k in w0)


def test_late_timing_needs_its_pending_sum():
    net = Network(Architecture(2, 1, 2, 2, **JKU), init_weights(Architecture(2, 1, 2, 2, **JKU), np.random.default_rng(0)))
    with pytest.raises(ValueError, match="timing 'late': pass pending=net.new_pending()"):
        net.train(*problem(1), lr=0.1, timing="late")


def test_a_reading_changes_only_its_keys_and_labels_the_folder():
    cfg = config.load("2a")
    end = readings.apply(cfg, "end")
    assert {k for k, v in end.to_dict().items() if v != getattr(cfg, k)} == {"abs_at", "reading"} and end.abs_at == "end"
    assert readings.apply(config.load("2b"), "2b-as-2a").construction_window == 100
    start = readings.apply(cfg, "cell-from-start")
    assert start.construction_window == 0 and start.trials == 10 and "500,000" in start.cap_note


@pytest.mark.parametrize("row, name, message", [
    ("6a", "end", "--reading end: does not concern row 6a"),
    ("2a", "nope", "--reading nope: no such reading (readings: end, "),
    ("6a", "2b-as-2a", "--reading 2b-as-2a: does not concern row 6a"),
])
def test_a_reading_that_does_not_concern_the_row_is_refused(row, name, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        readings.apply(config.load(row), name)


def test_reber_distinct_draws_sets_of_different_strings_and_the_rows_sets_repeat():
    from hochreiter97 import training
    cfg = config.load("1-1")
    train, _ = training.new_trial(cfg, 0, 0).reber_sets
    assert len(set(train)) < len(train) / 2                              # independent draws repeat strings
    train, test = training.new_trial(readings.apply(cfg, "reber-distinct"), 0, 0).reber_sets
    assert len(set(train)) == len(train) == 256 and len(set(test)) == len(test) == 256
    assert not set(train) & set(test)
    with pytest.raises(ValueError, match="does not concern row 4-1"):
        readings.apply(config.load("4-1"), "reber-distinct")


def test_the_report_judges_a_reading_beside_its_row(tmp_path):
    import json
    from hochreiter97 import report

    def summary(folder, successes, mean, reading=None):
        (tmp_path / folder).mkdir()
        s = {"row": folder, "trials": 18, "successes": successes, "reading": reading, "cap_note": None,
             "sequences": {"mean": mean, "median": mean, "min": mean, "max": mean} if successes else None,
             "test": {"n": 0}}
        (tmp_path / folder / "summary.json").write_text(json.dumps(s))

    summary("2a", 18, 67000.0)
    summary("2a@end", 18, 7000.0, reading="end")
    text = report.fidelity_markdown(tmp_path, figures=False)
    assert "**0 of 37 rows in range**" in text
    assert "reading `end`: run on 1 of the 7 paper rows it concerns, 1 of them in range; it brings 2a into range" in text
    assert "| 2a | success rate 100; success after 5,040 | 18 (paper 18) | 18 | 67,000 " in text
    assert "`end`: in range, mean 7,000" in text


def test_jku_on_table_2s_rtrl_sums_to_the_sequence_end_from_one_half():
    cfg = readings.apply(config.load("rtrl-p4-lr10"), "jku")
    assert (cfg.timing, cfg.reset_activation) == ("sequence", 0.5)
    assert models.wrap_cfg(cfg)["timing"] == "sequence" and models.wrap_cfg(cfg)["y0"] == 0.5
    plain = config.load("rtrl-p4-lr10")
    assert (plain.timing, plain.reset_activation) == (None, None)           # the committed rows' configs, unchanged
    with pytest.raises(ValueError, match="--reading jku: does not concern row bptt-p100"):
        readings.apply(config.load("bptt-p100"), "jku")
    with pytest.raises(config.ConfigError, match="timing"):
        config.validate(dict(config.load("bptt-p100").to_dict(), timing="sequence"))
