"""Traces during training: every step of one presented sequence, recorded with the oracle (reference.py).

`run.py reproduce ROW --trace K` records, in each trial, K training sequences at the probe
points of training.py (sequences 0, 1000, 2000, 4000, ...: the sequence about to be
presented, with the weights of that moment) and one fresh sequence with the weights at the
end of training. Recording does not change the trial: the kernel still trains; the
reference presents the same sequence to a copy of the weights, with the row's
learning rate and timing, so the recorded outputs are the kernel's (to 1e-12).

Per step t (paper symbol -> key -> shape):

    s_c^v_j(t)     s_c      (L, C, S)    cell states, the carousel (9)
    y^in_j(t)      y_in     (L, C)       input gates (7)
    y^out_j(t)     y_out    (L, C)       output gates (8); 1 without output gates
    y^c^v_j(t)     y_c      (L, C, S)    cell outputs (9)
    e_s^v_j(t)     e_s      (L, C, S)    error at the cell state (23), at steps with a target; 0 elsewhere
    y^k(t)         y_k      (L, K)       outputs
                   ops      (L,)         multiply-adds of the step: forward, accumulators (25), (27),
                                         and at target steps the weight changes (19)-(28) (Architecture.step_ops)

Saved as results/ROW/trace-K.npz (trial K): each array stacked over the P recorded
sequences and padded with NaN to the longest (`lengths` gives each length), with
`at` (sequences presented before it; -1 for the end-of-training sequence), `inputs`,
`targets`, `mask`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import config, reference, training
from ..squash import dh

FIELDS = ("s_c", "y_in", "y_out", "y_c", "e_s", "y_k", "ops")


def error_at_state(arch, w, state_t, act, target, output_error="eq19"):
    """e_s of one step with a target, as reference.weight_changes computes it."""
    e_k = reference.output_error_k(act, target, output_error)      # (19), or the ablation
    return reference.cell_state_error(arch, w, state_t, act, e_k)[1]      # (23)


def record(arch, w, inputs, targets, mask, alpha, timing="step", output_error="eq19") -> dict:
    """Present one sequence to a copy of w with the reference step and rule; every step's quantities."""
    L, C, S = len(inputs), arch.blocks, arch.block_size
    rec = {"s_c": np.zeros((L, C, S)), "y_in": np.zeros((L, C)), "y_out": np.zeros((L, C)),
           "y_c": np.zeros((L, C, S)), "e_s": np.zeros((L, C, S)), "y_k": np.zeros((L, arch.n_out)),
           "ops": np.zeros(L)}
    w_now = {k: a.copy() for k, a in w.items()}
    total = {k: np.zeros_like(a) for k, a in w.items()}
    state = reference.new_state(arch)
    for t in range(L):
        state, act = reference.forward_step(arch, w_now, state, inputs[t])
        for key in ("s_c", "y_in", "y_c"):
            rec[key][t] = state[key]
        rec["y_out"][t] = act["y_out"]
        rec["y_k"][t] = act["y_k"]
        if mask[t]:
            rec["e_s"][t] = error_at_state(arch, w_now, state, act, targets[t], output_error)
            dw = reference.weight_changes(arch, w_now, state, act, targets[t], alpha, output_error)
            for k in w_now:
                total[k] += dw[k]
                if timing == "step":
                    w_now[k] += dw[k]                                # the next step runs on the new weights
        rec["ops"][t] = sum(arch.step_ops(bool(mask[t])).values())
    return rec


def cells_at_end(arch, w, sequences) -> dict:
    """Where the carousel sits when it is read: at the last target step of each sequence
    (weights frozen, the oracle's forward step), per cell (block-major), the mean |s_c|
    and the mean of h'(s_c)/h'(0), the factor by which the cell's error e_s (23), and
    with it every change of its input-gate and cell weights (26), (28), is scaled.
    A ratio near 0 is the internal state drift of the paper's §4: the cell is saturated,
    and the gradient through it has vanished."""
    abs_s, ratio = [], []
    for x, _, m, *_ in sequences:
        state, last = reference.new_state(arch), np.flatnonzero(m)[-1]
        for t in range(last + 1):
            state, _ = reference.forward_step(arch, w, state, x[t])
        abs_s.append(np.abs(state["s_c"]).ravel())
        ratio.append((dh(state["s_c"], arch.squash) / dh(np.zeros(1), arch.squash)).ravel())
    return {"n": len(abs_s), "abs_s_c": [round(float(v), 4) for v in np.mean(abs_s, axis=0)],
            "dh_ratio": [float(f"{v:.3g}") for v in np.mean(ratio, axis=0)]}


def stack(points: list) -> dict:
    """The recorded sequences of one trial as padded arrays (see the module docstring)."""
    L = max(len(p["inputs"]) for p in points)

    def pad(a, fill):
        out = np.full((L,) + a.shape[1:], fill, dtype=float if fill is np.nan else a.dtype)
        out[:len(a)] = a
        return out
    arrays = {key: np.stack([pad(p[key], np.nan) for p in points]) for key in FIELDS + ("inputs", "targets")}
    arrays["mask"] = np.stack([pad(p["mask"], False) for p in points])
    arrays["lengths"] = np.array([len(p["inputs"]) for p in points])
    arrays["at"] = np.array([p["at"] for p in points])
    return arrays


def relevant_steps(cfg, inputs) -> np.ndarray:
    """Steps whose input must be stored (for marking in plots): the task's relevant inputs."""
    task, L = cfg.task, len(inputs)
    if task in ("adding", "multiplication"):
        return np.flatnonzero(inputs[:, 1] == 1.0)                  # the marked pairs
    if task == "temporal_order":
        return np.flatnonzero(inputs[:, 6:8].sum(axis=1) > 0)       # X or Y (inputs E B a b c d X Y)
    if task == "long_lag":
        return np.array([1 if cfg.variant == "2c" else 0])       # the x|y to remember
    if task == "two_sequence":
        return np.arange(min(cfg.N, L))                          # the N informative elements
    if task == "reber":
        return np.array([1])                                        # the T|P repeated before the end
    return np.array([], dtype=int)


# ---------------------------------------------------------------- what a trial records through training.Hooks
CELL_PROBES = 100                  # fresh sequences behind a record's cells_at_end, at most ...
CELL_STEPS = 20000                 # ... as many as fit in this many steps (the oracle is slow: 2c-5 gets 19)


def trace_sequence(cfg, weights, x, y, m) -> dict:
    """One presented sequence of the row's net, recorded (reproduce --trace)."""
    return record(config.architecture(cfg), weights, x, y, m, cfg.lr, cfg.timing, cfg.output_error)


def cells_record(cfg, st) -> dict:
    """The trial record's cells_at_end (drift: how saturated each cell is when read), 1997 LSTM rows only."""
    if cfg.model != "lstm97":
        return {}
    seqs = training.fixed_sequences(cfg, st.seed, st.trial, "final_test", CELL_PROBES)
    lengths = np.cumsum([len(s[0]) for s in seqs])
    seqs = seqs[:max(1, int(np.searchsorted(lengths, CELL_STEPS, side="right")))]
    return {"cells_at_end": cells_at_end(config.architecture(cfg), st.weights, seqs)}



# ---------------------------------------------------------------- the figure (run.py plot ROW --traces)
def plot(row, out="results") -> list:
    """One figure per trial of `reproduce ROW --trace K`: a row of panels per recorded sequence.

    Left: the cell states s_c over the sequence (drift: |s_c| grows, h'(s_c) vanishes).
    Middle: input gates (solid) and output gates (dashed) per block; grey lines mark the
    task's relevant inputs (relevant_steps), dots the gates' values there.
    Right: y_out h'(s_c), the factor scaling the error entering each cell (eqs. 40-41),
    and |e_s| at the steps with a target (dots). Titles give each step's operation count.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    import yaml

    rowdir = Path(out) / row
    files = sorted(rowdir.glob("trace-*.npz"))
    if not files:
        raise ValueError(f"{rowdir}: no traces (run: python run.py reproduce {row} --trace K)")
    cfg = config.validate(yaml.safe_load((rowdir / "config.yaml").read_text()), str(rowdir / "config.yaml"))
    written = []
    for path in files:
        z = np.load(path)
        P = len(z["at"])
        fig, axes = plt.subplots(P, 3, figsize=(13, 2.3 * P), squeeze=False)
        for i in range(P):
            L = int(z["lengths"][i])
            t = np.arange(L)
            s_c, y_in, y_out = z["s_c"][i, :L], z["y_in"][i, :L], z["y_out"][i, :L]
            C, S = s_c.shape[1:]
            marks = relevant_steps(cfg, z["inputs"][i, :L])
            when = "end of training" if z["at"][i] < 0 else f"before sequence {int(z['at'][i]):,}"
            ax = axes[i, 0]
            for j in range(C):
                for v in range(S):
                    ax.plot(t, s_c[:, j, v], lw=0.9, label=f"s_c {j}.{v}")
            ax.set_ylabel(when, fontsize=8)
            ax = axes[i, 1]
            for j in range(C):
                line, = ax.plot(t, y_in[:, j], lw=0.9, label=f"y_in {j}")
                ax.plot(t, y_out[:, j], lw=0.9, ls="--", color=line.get_color(), label=f"y_out {j}")
                ax.plot(marks, y_in[marks, j], "o", ms=3, color=line.get_color())
            for m in marks:
                for a in axes[i, :2]:
                    a.axvline(m, color="0.6", lw=0.6, zorder=0)
            ax.set_ylim(-0.02, 1.02)
            ax = axes[i, 2]
            scale = y_out[:, :, None] * dh(s_c, cfg.squash)
            e_s, mask = np.abs(z["e_s"][i, :L]), z["mask"][i, :L]
            for j in range(C):
                for v in range(S):
                    line, = ax.plot(t, scale[:, j, v], lw=0.9)
                    ax.plot(t[mask], e_s[mask, j, v], "o", ms=3, color=line.get_color())
            ax.set_yscale("log")
            ops = z["ops"][i, :L]
            axes[i, 2].set_title(f"ops/step {int(ops.min())}–{int(ops.max())}", fontsize=8, loc="right")
        axes[0, 0].set_title("cell states s_c")
        axes[0, 1].set_title("input gates (—), output gates (--); | relevant inputs")
        axes[0, 2].set_title("y_out h'(s_c); |e_s| at targets (dots)", loc="left")
        for j, ax in enumerate(axes[0]):
            if j < 2:
                ax.legend(fontsize=6, ncol=2, loc="best")
        for ax in axes[-1]:
            ax.set_xlabel("step t of the sequence")
        fig.suptitle(f"{row}: traces of trial {path.stem.split('-')[-1]}"
                     + (f" ({cfg.ablation})" if cfg.ablation else ""), fontsize=10)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / P))                # room for the title
        png = rowdir / f"{path.stem.replace('trace', 'traces')}.png"
        fig.savefig(png, dpi=110)
        plt.close(fig)
        written.append(png)
    return written
