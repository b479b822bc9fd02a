"""Which network a row trains (config key `model`), built and wrapped for the training loop.

    lstm97       the paper's LSTM: Network (numba kernel), the truncated rule, timing per config
    rnn          Table 2's conventional net (baselines/rnn.py, numba), trainer "rtrl" or "bptt"
    lstm-forget  LSTM with forget gate (baselines/lstm_forget.py), full BPTT: ablation only
    gru          GRU (baselines/gru.py), full BPTT: ablation only

Every model has run(inputs), train(inputs, targets, mask, lr) and a `weights` dict of
float64 arrays that training changes in place; the trial state keeps that dict.
Only lstm97 reads `timing` (SPEC §2.4): RTRL changes the weights at every step with
a target, the BPTT trainers sum the changes and apply them at the sequence end.

The baselines read the row's topology: their outputs read the inputs directly when
the row's connectivity is "B" (as Table 2's net and 2a's LSTM), and have a bias when
the row's output units do ("all"); their gates always have one. Their initial weights
are uniform in the row's init_range, then lstm-forget's forget-gate biases +1 and gru's
update-gate biases 0 (the baselines' defaults).
"""
from __future__ import annotations

import numpy as np

from .config import architecture
from .baselines import GRU, LSTMForget, RNN
from .network import Network

MODELS = ("lstm97", "rnn", "lstm-forget", "gru")
BASELINES = {"rnn": RNN, "lstm-forget": LSTMForget, "gru": GRU}


def _baseline_kwargs(cfg) -> dict:
    """Keyword arguments of the baseline's build(), from the row's config."""
    kw = {"n_in": cfg.n_in, "n_out": cfg.n_out, "hidden": cfg.hidden, "init_range": float(cfg.init_range)}
    if cfg.model == "rnn":
        return dict(kw, bias=cfg.bias != "none", trainer=cfg.trainer, backend="numba", timing=cfg.timing or "step",
                    y0=float(cfg.reset_activation or 0.0))
    return dict(kw, outputs_read_inputs=cfg.connectivity == "B", output_bias=cfg.bias == "all")


def build(cfg, rng: np.random.Generator):
    """A new network for the row, weights drawn from rng (lstm97: exactly Network.build)."""
    if cfg.model == "lstm97":
        return Network.build(architecture(cfg), rng)
    return BASELINES[cfg.model].build(seed=rng, **_baseline_kwargs(cfg))


def wrap(cfg, weights: dict):
    """The row's network over existing weights (a copy: use model.weights afterwards)."""
    if cfg.model == "lstm97":
        return Network(architecture(cfg), weights)
    return BASELINES[cfg.model](weights, wrap_cfg(cfg))


def train_kwargs(cfg) -> dict:
    """What model.train takes besides (inputs, targets, mask): the learning rate, and lstm97's timing
    and output error (eq19, or the ablation xent)."""
    if cfg.model != "lstm97":
        return {"lr": cfg.lr}
    return {"lr": cfg.lr, "timing": cfg.timing, "output_error": cfg.output_error}


def n_weights(cfg) -> int:
    if cfg.model == "lstm97":
        return architecture(cfg).n_weights()
    cls = BASELINES[cfg.model]
    return int(sum(np.prod(s) for s in cls.shapes(wrap_cfg(cfg)).values()))


def wrap_cfg(cfg) -> dict:
    """The baseline's own config dict (shapes, flags)."""
    cls = BASELINES[cfg.model]
    return cls.build(seed=0, **dict(_baseline_kwargs(cfg), init_range=0.0)).cfg


def matched_hidden(cfg, model) -> int:
    """Hidden units H for `model` whose weight count is closest to the row's 1997 LSTM (ties: the smaller H)."""
    target = architecture(cfg).n_weights()
    best = None
    for H in range(1, 1000):
        W = n_weights(cfg.replace(model=model, hidden=H, trainer="bptt"))
        if best is None or abs(W - target) < abs(best[1] - target):
            best = (H, W)
        if W > target:
            break
    return best[0]


def ablation(cfg, model) -> dict:
    """The row with `model` in place of the 1997 LSTM (run.py reproduce ROW --model MODEL).

    Kept: the task, its seeds (the same training sequences), the stopping rule, the cap and
    the learning rate. Chosen: the hidden units whose weight count is closest to the row's
    LSTM (matched_hidden); for rnn the trainer BPTT (compiled; RTRL costs O(H^4) per step
    for H > 1). Dropped: what only the 1997 LSTM has (gates' fixed biases, block layout,
    timing, 2a's cell construction). lstm-forget and gru are numpy loops: slow.
    """
    from .config import LSTM_KEYS, validate
    if cfg.model != "lstm97":
        raise ValueError(f"row {cfg.row}: --model replaces the 1997 LSTM, but this row trains {cfg.model!r}")
    if model not in BASELINES:
        raise ValueError(f"--model: expected one of {list(BASELINES)}, got {model!r}")
    H = matched_hidden(cfg, model)
    raw = {k: v for k, v in cfg.to_dict().items() if k not in LSTM_KEYS and v is not None}
    raw.update(model=model, hidden=H, model_ablation=model, trainer="bptt" if model == "rnn" else None,
               ablation=f"{model} (H = {H}{', BPTT' if model == 'rnn' else ''}) in place of the 1997 LSTM "
                        f"({architecture(cfg).n_weights()} weights)")
    if model == "rnn":
        raw.update(connectivity="B", bias="none" if cfg.bias == "none" else "all")
    return validate({k: v for k, v in raw.items() if v is not None}, f"{cfg.row} --model {model}")
