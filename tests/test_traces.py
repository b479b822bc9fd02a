"""Traces (reproduce --trace K): shapes, probe points, and values equal to independent runs of the same sequence."""
import numpy as np

from hochreiter97 import reference, reproduce, training
from hochreiter97.studies import traces as trace_study
from hochreiter97.studies.hooks import HOOKS
from hochreiter97.baselines import lstm97_full
from hochreiter97.network import Network
from tasks import FAMILIES
from hochreiter97 import config


def traced(tmp_path, row="4-1", cap=1500, k=3):
    cfg = config.load(row).replace(max_sequences=cap, test_size=2)
    path = tmp_path / "trace.npz"
    rec = training.run_trial(cfg, seed=0, trial=0, trace=k, trace_path=path, hooks=HOOKS)
    return cfg, rec, dict(np.load(path))


def test_trace_shapes_and_points(tmp_path):
    cfg, rec, z = traced(tmp_path)
    assert list(z["at"]) == [0, 1000, -1]                      # probes 0 and 1000 (cap 1500), then the end
    P, L = len(z["at"]), z["lengths"].max()
    arch = config.architecture(cfg)
    C, S = arch.blocks, arch.block_size
    shapes = {"s_c": (P, L, C, S), "y_in": (P, L, C), "y_out": (P, L, C), "y_c": (P, L, C, S),
              "e_s": (P, L, C, S), "y_k": (P, L, 1), "ops": (P, L), "inputs": (P, L, 2), "mask": (P, L)}
    for key, shape in shapes.items():
        assert z[key].shape == shape, key
    for i, n in enumerate(z["lengths"]):
        assert np.all(np.isfinite(z["s_c"][i, :n])) and np.all(np.isnan(z["s_c"][i, n:]))
        e = z["e_s"][i, :n]
        assert np.all(e[~z["mask"][i, :n]] == 0) and np.all(e[z["mask"][i, :n]] != 0)   # e_s only with a target


def test_trace_equals_the_presentation_and_independent_errors(tmp_path):
    cfg, _, z = traced(tmp_path, cap=10, k=1)
    st = training.new_trial(cfg, 0, 0)                         # the first sequence, the initial weights
    x, y, m, _ = training._draw(cfg, st, training._generator(cfg, FAMILIES[cfg.task]), config.task_params(cfg))
    n = len(x)
    assert np.array_equal(z["inputs"][0, :n], x)
    arch = config.architecture(cfg)
    net = Network(arch, st.weights)
    out = net.train(x, y, m, lr=cfg.lr, timing=cfg.timing)  # what the kernel showed during training
    assert np.abs(z["y_k"][0, :n] - out).max() <= 1e-12
    assert np.abs(z["y_k"][0, :n] - reference.run_sequence(arch, st.weights, x, y, m, cfg.lr, apply=True)[0]).max() <= 1e-12
    fw = lstm97_full.forward(arch, st.weights, x)           # the same forward pass by another module
    assert np.abs(z["s_c"][0, :n] - fw["s_c"].reshape(z["s_c"][0, :n].shape)).max() <= 1e-12
    assert np.abs(z["y_in"][0, :n] - fw["y_in"]).max() <= 1e-12
    e_k = fw["y_k"] * (1 - fw["y_k"]) * (y - fw["y_k"]) * m[:, None]
    d_s = lstm97_full.backward(arch, st.weights, fw, e_k, truncate=True)[1]
    last = np.flatnonzero(m)[-1]                               # 4-1: one target, at the end: d_s = e_s there
    assert np.allclose(z["e_s"][0, last], d_s[last], rtol=1e-10, atol=1e-15)


def test_trace_operation_counts(tmp_path):
    cfg, _, z = traced(tmp_path, cap=10, k=1)
    arch = config.architecture(cfg)
    state = reference.new_state(arch)           # every weight once, s_c and y_c, the accumulators (25), (27)
    forward = arch.n_weights() + 2 * arch.cells + state["ds_dw_in"].size + state["ds_dw_c"].size
    assert sum(arch.step_ops(False).values()) == forward
    n, m = z["lengths"][0], z["mask"][0]
    assert np.all(z["ops"][0, :n][~m[:n]] == forward)
    assert np.all(z["ops"][0, :n][m[:n]] == sum(arch.step_ops(True).values()))
    assert sum(arch.step_ops(True).values()) > forward


def test_reproduce_trace_and_plot(tmp_path, monkeypatch):
    small = config.load("6a").replace(max_sequences=1200, test_size=2)
    monkeypatch.setattr(config, "load", lambda r: small)
    reproduce.reproduce("6a", trials=1, seed=0, workers=1, out=tmp_path, show=False, trace=2,
                        hooks=HOOKS)
    z = np.load(tmp_path / "6a" / "trace-0.npz")
    assert list(z["at"]) == [0, 1000, -1]
    assert [p.name for p in trace_study.plot("6a", tmp_path)] == ["traces-0.png"]


def test_cells_at_end_reads_the_last_target_step():
    from hochreiter97.studies import traces
    cfg = config.load("6a")
    arch = config.architecture(cfg)
    w = Network.build(arch, seed=3).weights
    seqs = [FAMILIES["temporal_order"].generate(np.random.default_rng(i), **config.task_params(cfg)) for i in range(3)]
    m = np.zeros(len(seqs[0][0]), bool)
    m[20] = True                                               # a target before the end: read there, not at the end
    seqs[0] = (seqs[0][0], seqs[0][1], m)
    got = traces.cells_at_end(arch, w, seqs)
    s_at = []
    for x, y, mask in seqs:                                    # independently: the recorded trace of each sequence
        rec = traces.record(arch, w, x, y, mask, alpha=0.0)
        s_at.append(rec["s_c"][np.flatnonzero(mask)[-1]].ravel())
    s_at = np.array(s_at)
    assert got["n"] == 3
    np.testing.assert_allclose(got["abs_s_c"], np.abs(s_at).mean(0), atol=1e-4)
    ratio = 4 * (1 / (1 + np.exp(-s_at))) * (1 - 1 / (1 + np.exp(-s_at)))   # h'(s)/h'(0) for h = 2 sigma - 1
    np.testing.assert_allclose(got["dh_ratio"], ratio.mean(0), rtol=1e-2)


def test_cells_at_end_sees_a_saturated_cell():
    from hochreiter97.studies import traces
    cfg = config.load("6a")
    arch = config.architecture(cfg)
    w = Network.build(arch, seed=3).weights
    w["w_in"][0, -1] = 20.0                                    # block 0's input gate open ...
    w["w_c"][0, 0, -1] = 20.0                                  # ... and cell 0.0 fed +2 every step: s_c = 2 t
    x, y, m = FAMILIES["temporal_order"].generate(np.random.default_rng(0), **config.task_params(cfg))
    got = traces.cells_at_end(arch, w, [(x, y, m)])
    assert got["abs_s_c"][0] > 150 and got["dh_ratio"][0] < 1e-30
    assert all(r > 0.5 for r in got["dh_ratio"][2:])           # block 1 untouched: near h'(0)
