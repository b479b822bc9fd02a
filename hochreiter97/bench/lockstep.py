"""Trials in lockstep, measured: N trials of one net advanced together, trials the innermost dimension.

    python run.py bench --lockstep          results/complexity/lockstep.json and lockstep.md

A prototype for the question "does advancing several trials in one compiled call raise the
throughput per core?", on the nets of Experiment 4 (connectivity F, every non-input unit
biased, output gates, g in [-2,2], h in [-1,1], logistic outputs, a target at the end of
each sequence, weights changed at the target step). Each trial n has its own weights, its
own sequence and its own length; steps past a trial's length leave it untouched. The
arithmetic is the kernel's (eqs. 7-9, 19, 21-23, 25-28), written with the trial index last
so that the inner loops run over trials; tests/test_bench.py checks it against
Network.train trial by trial. Not used by reproduce: the measurement decides whether it
should be (keep it only where it raises per-core throughput 1.5x or more).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
from numba import njit

from .. import config
from ..network import Network
from . import endtoend


@njit(cache=True, fastmath={"reassoc", "contract"})
def train_lockstep(w_in, w_out, w_c, w_k, x, lengths, target, alpha, out):
    """One sequence per trial, trained online. w_in, w_out (C, I, N); w_c (C, S, I, N); w_k (K, J, N);
    x (L, n_in, N) padded; lengths (N,); target (K, N) at each trial's last step; out (K, N) the
    outputs there. I = n_in + C*S + 2C + 1 (bias last); J = C*S + 1."""
    C, I, N = w_in.shape
    S, K, n_in = w_c.shape[1], w_k.shape[0], x.shape[1]
    u = np.zeros((I, N))
    u[I - 1, :] = 1.0
    s = np.zeros((C, S, N))
    ds_in = np.zeros((C, S, I, N))
    ds_c = np.zeros((C, S, I, N))
    y_in, y_out = np.zeros((C, N)), np.zeros((C, N))
    sig_c, sig_s, y_c = np.zeros((C, S, N)), np.zeros((C, S, N)), np.zeros((C, S, N))
    y_k, e_k = np.zeros((K, N)), np.zeros((K, N))
    e_out, e_s = np.zeros((C, N)), np.zeros((C, S, N))
    for t in range(x.shape[0]):
        for n in range(N):
            if t < lengths[n]:
                for m in range(n_in):
                    u[m, n] = x[t, m, n]
        for j in range(C):
            a_in, a_out = np.zeros(N), np.zeros(N)
            for m in range(I):
                for n in range(N):
                    a_in[n] += w_in[j, m, n] * u[m, n]                   # (7)
                    a_out[n] += w_out[j, m, n] * u[m, n]                 # (8)
            for n in range(N):
                y_in[j, n] = 1.0 / (1.0 + np.exp(-a_in[n]))
                y_out[j, n] = 1.0 / (1.0 + np.exp(-a_out[n]))
            for c in range(S):
                a_c = np.zeros(N)
                for m in range(I):
                    for n in range(N):
                        a_c[n] += w_c[j, c, m, n] * u[m, n]               # (9)
                for n in range(N):
                    sig_c[j, c, n] = 1.0 / (1.0 + np.exp(-a_c[n]))
        for j in range(C):
            for c in range(S):
                for n in range(N):
                    if t < lengths[n]:
                        g = 4.0 * sig_c[j, c, n] - 2.0
                        s[j, c, n] += y_in[j, n] * g                      # (9) the CEC
                        sig_s[j, c, n] = 1.0 / (1.0 + np.exp(-s[j, c, n]))
                        y_c[j, c, n] = y_out[j, n] * (2.0 * sig_s[j, c, n] - 1.0)
                for m in range(I):
                    for n in range(N):
                        if t < lengths[n]:
                            sg = sig_c[j, c, n]
                            ds_in[j, c, m, n] += (4.0 * sg - 2.0) * y_in[j, n] * (1.0 - y_in[j, n]) * u[m, n]   # (25)
                            ds_c[j, c, m, n] += 4.0 * sg * (1.0 - sg) * y_in[j, n] * u[m, n]                    # (27)
        for n in range(N):
            if t != lengths[n] - 1:
                continue
            for k in range(K):
                net = w_k[k, C * S, n]
                for j in range(C):
                    for c in range(S):
                        net += w_k[k, j * S + c, n] * y_c[j, c, n]
                y_k[k, n] = 1.0 / (1.0 + np.exp(-net))
                out[k, n] = y_k[k, n]
                e_k[k, n] = y_k[k, n] * (1.0 - y_k[k, n]) * (target[k, n] - y_k[k, n])          # (19)
            for j in range(C):
                eo = 0.0
                for c in range(S):
                    back = 0.0
                    for k in range(K):
                        back += w_k[k, j * S + c, n] * e_k[k, n]
                    h = 2.0 * sig_s[j, c, n] - 1.0
                    eo += h * back
                    e_s[j, c, n] = y_out[j, n] * 2.0 * sig_s[j, c, n] * (1.0 - sig_s[j, c, n]) * back   # (23)
                e_out[j, n] = y_out[j, n] * (1.0 - y_out[j, n]) * eo                                 # (21)
            for k in range(K):
                for j in range(C):
                    for c in range(S):
                        w_k[k, j * S + c, n] += alpha * e_k[k, n] * y_c[j, c, n]                      # (22), l = k
                w_k[k, C * S, n] += alpha * e_k[k, n]
            for j in range(C):
                for m in range(I):
                    w_out[j, m, n] += alpha * e_out[j, n] * u[m, n]                                  # (22), l = out_j
                    for c in range(S):
                        w_in[j, m, n] += alpha * e_s[j, c, n] * ds_in[j, c, m, n]                    # (26)
                        w_c[j, c, m, n] += alpha * e_s[j, c, n] * ds_c[j, c, m, n]                   # (28)
        for n in range(N):
            if t < lengths[n]:
                for j in range(C):
                    for c in range(S):
                        u[n_in + j * S + c, n] = y_c[j, c, n]
                    u[n_in + C * S + j, n] = y_in[j, n]
                    u[n_in + C * S + C + j, n] = y_out[j, n]


def stack(weights: list) -> tuple:
    """Per-trial weight dicts -> the lockstep arrays (trial index last)."""
    return tuple(np.ascontiguousarray(np.stack([w[name] for w in weights], axis=-1))
                 for name in ("w_in", "w_out", "w_c", "w_k"))


def measure(row="4-1", trials=(1, 4, 8, 16, 32), sequences=200, seed=0, rounds=3) -> dict:
    """Microseconds per trial-step: N trials in lockstep against N single-trial kernel calls."""
    from tasks import FAMILIES
    cfg = config.load(row)
    arch, family, params = config.architecture(cfg), FAMILIES[cfg.task], config.task_params(cfg)
    rng = np.random.default_rng(seed)
    out = []
    for N in trials:
        nets = [Network.build(arch, rng) for _ in range(N)]
        seqs = [[family.generate(rng, **params) for _ in range(N)] for _ in range(sequences)]
        ws = stack([n.weights for n in nets])
        batches = []
        for batch in seqs:
            L = max(len(x) for x, _, _ in batch)
            xs = np.zeros((L, arch.n_in, N))
            for n, (x, _, _) in enumerate(batch):
                xs[:len(x), :, n] = x
            batches.append((xs, np.array([len(x) for x, _, _ in batch]),
                            np.ascontiguousarray(np.stack([y[-1] for _, y, _ in batch], axis=-1)), np.zeros((1, N))))
        train_lockstep(*ws, *batches[0][:3], cfg.lr, batches[0][3])        # compiled code in
        steps = sum(int(lengths.sum()) for _, lengths, _, _ in batches)
        lock = single = np.inf
        for _ in range(rounds):                                             # alternating; the fastest of each
            t0 = time.perf_counter()
            for xs, lengths, target, o in batches:
                train_lockstep(*ws, xs, lengths, target, cfg.lr, o)
            lock = min(lock, time.perf_counter() - t0)
            t0 = time.perf_counter()
            for batch in seqs:
                for net, (x, y, m) in zip(nets, batch):
                    net.train(x, y, m, lr=cfg.lr)
            single = min(single, time.perf_counter() - t0)
        out.append({"trials": N, "steps": steps, "us_per_trial_step_lockstep": lock / steps * 1e6,
                    "us_per_trial_step_single": single / steps * 1e6, "speedup": single / lock})
    return {"row": row, "weights": arch.n_weights(), "sequences_per_trial": sequences, "by_trials": out}


def run(out="results/complexity", progress=print) -> dict:
    load = os.getloadavg()
    result = {"command": "python run.py bench --lockstep", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
              "load_before": list(load), "rows": [measure("4-1"), measure("4-2")]}
    for r in result["rows"]:                           # reproduce's own loop, now, for the projection
        r["loop_us_per_step"] = endtoend.measure_row(r["row"])["us_per_step_loop"]
    result["load_after"] = list(os.getloadavg())
    for r in result["rows"]:
        for m in r["by_trials"]:
            progress(f"{r['row']} N={m['trials']:3}: lockstep {m['us_per_trial_step_lockstep']:.3f} us per trial-step, "
                     f"single {m['us_per_trial_step_single']:.3f}: {m['speedup']:.2f}x")
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lockstep.json").write_text(json.dumps(result, indent=1))
    lines = ["# Trials in lockstep: N trials of one net in one compiled call", "",
             f"Generated by `{result['command']}` on {result['date']} (load average before {load[0]:.2f}); "
             "hochreiter97/bench/lockstep.py says what is compared. Single: the same trials, one "
             "Network.train call per sequence (the kernel with its Python call).", "",
             "| row | weights | trials N | µs per trial-step, lockstep | µs per trial-step, single | speedup |",
             "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        for m in r["by_trials"]:
            lines.append(f"| {r['row']} | {r['weights']} | {m['trials']} | {m['us_per_trial_step_lockstep']:.3f} | "
                         f"{m['us_per_trial_step_single']:.3f} | {m['speedup']:.2f}x |")
    best = max(m["speedup"] for r in result["rows"] for m in r["by_trials"])
    lines += ["", f"Best speedup of the compiled call: {best:.2f}x."]
    lines += end_to_end_projection(result)
    (folder / "lockstep.md").write_text("\n".join(lines) + "\n")
    return result


def end_to_end_projection(result) -> list:
    """What lockstep would make of reproduce's own loop: the loop's time per step, measured in the same run
    (bench/endtoend.py's measure_row), with the single call's share replaced by lockstep's best, per row.
    The rule: keep lockstep where this reaches 1.5x."""
    lines, paying = [""], []
    for r in result["rows"]:
        m = max(r["by_trials"], key=lambda m: m["speedup"])
        loop = r["loop_us_per_step"]
        projected = max(loop - m["us_per_trial_step_single"], 0.0) + m["us_per_trial_step_lockstep"]
        ratio = loop / projected
        if ratio >= 1.5:
            paying.append(r["row"])
        lines.append(f"End to end, {r['row']}: reproduce's loop takes {loop:.3f} µs per step, of which the single "
                     f"call about {m['us_per_trial_step_single']:.3f}; with lockstep's best ({m['trials']} trials) in "
                     f"its place, {projected:.3f}: {ratio:.2f}x. Drawing, judging and each trial's stopping rule "
                     "stay per sequence in Python.")
    return lines + ["", f"Rows where lockstep would pay 1.5x end to end: {', '.join(paying) or 'none'}"
                    + ("; it is not wired into reproduce." if not paying else
                       "; wiring it into reproduce (each trial stopping on its own rule) is not done yet.")]
