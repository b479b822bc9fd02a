"""The carousel measurement (hochreiter97/studies/carousel.py, `python run.py carousel`)."""
import json
from pathlib import Path

import numpy as np
import pytest

from hochreiter97 import verify
from hochreiter97.studies import carousel as diagnostics
from hochreiter97.architecture import Architecture, init_weights
from hochreiter97.baselines import lstm97_full
from hochreiter97.squash import dh

LAGS = 200                                              # the committed figure uses 1000; the properties hold at any


@pytest.fixture(scope="module")
def result():
    return diagnostics.carousel(seed=0, lags=LAGS)


def test_structure(result):
    assert result["lags"] == list(range(1, LAGS + 1))
    assert set(result["curves"]) == set(diagnostics.NAMES)
    assert all(len(c) == LAGS and all(np.isfinite(c)) and min(c) > 0 for c in result["curves"].values())


def test_lstm97_truncated_is_constant_and_set_on_entry(result):
    """Eq. (35): unscaled in the carousel; the level is y_out h'(s_c) w_{0c} at t (eq. 23)."""
    c = np.array(result["curves"]["lstm97"])
    assert np.abs(c / result["entry"]["lstm97"] - 1).max() < 1e-12, "error in s_c changes with the lag"
    at_t = result["settings"]["lstm97_at_t"]
    w = init_weights(diagnostics.ROW_2C9, np.random.default_rng(0))
    entry = np.linalg.norm(np.array(at_t["y_out"]) * dh(np.array(at_t["s_c"])) * w["w_k"][0])
    assert abs(entry / result["entry"]["lstm97"] - 1) < 1e-12


def test_conventional_net_vanishes_and_explodes_by_w_over_4(result):
    for name, factor in (("rnn-small", 0.8), ("rnn-large", 1.25)):
        c = np.array([result["entry"][name]] + result["curves"][name])
        assert np.abs(c[1:] / c[:-1] / factor - 1).max() < 1e-12, f"{name}: not {factor} per step"
    assert result["curves"]["rnn-small"][-1] < 1e-15 * result["curves"]["rnn-small"][0]
    assert result["curves"]["rnn-large"][-1] > 1e15 * result["curves"]["rnn-large"][0]


def test_gated_cells_decay(result):
    for name in ("lstm-forget", "gru"):
        c = result["curves"][name]
        assert c[-1] < 1e-15 * c[0], f"{name}: error at lag {LAGS} not far below lag 1"
    assert result["curves"]["lstm97-full"] != result["curves"]["lstm97"]


@pytest.mark.parametrize("truncated", [True, False], ids=["truncated", "full"])
def test_curve_is_d_net_d_state_by_finite_differences(truncated):
    """What the docstring says is measured: ||d net_0(t) / d s_c(t-q)||, here by perturbing s_c in verify.unrolled."""
    arch = Architecture(4, 2, 2, 1, bias="none", init_range=0.5)
    rng = np.random.default_rng(1)
    w, x = init_weights(arch, rng), rng.normal(size=(12, 4))
    config = lstm97_full.LSTM97Full.config(arch, truncated)
    d_state, _ = diagnostics.error_flow(lstm97_full.LSTM97Full.forward, lstm97_full.LSTM97Full.backward, w, config, x)
    frozen = [st["rec"] for st in verify.unrolled(arch, w, x)] if truncated else None
    for q in (0, 1, 5, 11):
        fd = []
        for j in range(2):
            eps = 1e-6
            plus = verify.unrolled(arch, w, x, frozen=frozen, inject=(11 - q, j, 0, eps))[-1]["net_k"][0]
            minus = verify.unrolled(arch, w, x, frozen=frozen, inject=(11 - q, j, 0, -eps))[-1]["net_k"][0]
            fd.append((plus - minus) / (2 * eps))
        assert np.allclose(d_state[11 - q], fd, rtol=1e-6, atol=1e-10), f"q={q}: {d_state[11 - q]} vs FD {fd}"


def test_write(tmp_path):
    paths = diagnostics.write(tmp_path, command="test", lags=50)
    data = json.loads(paths[0].read_text())
    assert set(data["curves"]) == set(diagnostics.NAMES) and data["lags"] == list(range(1, 51))
    assert paths[1].stat().st_size > 10000 and "test" in paths[2].read_text()


def test_committed_results_have_the_issue_structure():
    path = Path(__file__).parent.parent / "results" / "carousel" / "carousel.json"
    data = json.loads(path.read_text())
    assert data["lags"] == list(range(1, 1001))
    assert sorted(data["curves"]) == sorted(diagnostics.NAMES)
    assert all(len(c) == 1000 for c in data["curves"].values())
