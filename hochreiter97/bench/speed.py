"""Speed of the learning rule and the paper's complexity claims, measured: `python run.py bench`.

Writes DIR/bench.json and plots (results/complexity/ by default; README.md there reads them).

  records   per architecture: every Table 10 row of the paper's battery (its own task's
            sequences, its learning rate and target timing) and a sweep of dense
            synthetic nets (connectivity F, n_in = 4C, blocks of 4, inputs uniform in
            [-1, 1], 100-1000 steps so that a call lasts about 1 ms, target at the end):
              us_per_step         the kernel alone: kernel.steps on sequences whose
                                  active-input lists were made beforehand, learning on,
                                  weights changed at the target steps
              us_per_step_api     Network.train on the same sequences (dense arrays in:
                                  value checks, the active-input scan, the Python call)
              ns_per_weight_step  us_per_step * 1000 / W
              ops_eq29, ops_counted   eq. (29), and the multiply-adds of reference.py (Architecture.step_ops)
                                  in a step with a target (costs.py)
              numpy_ratio         reference.py (per-step numpy) time / us_per_step, this run
              torch_ratio         nn.LSTM of about W weights trained by BPTT on sequences of
                                  the same length, per step / us_per_step (only when
                                  PyTorch is installed; it is no dependency)
  fit       us_per_step against W over the dense sweep: slope (ns per weight), R^2
  memory    peak memory training one sequence of length T, rule vs BPTT (bench_memory.py)
  battery   per row: the paper's sequences x mean length x trials x us per step through
            Network.train, summed over rows, divided by the cores (with the kernel's us, and
            with the time the task generators take, beside it)

Timing: perf_counter around each sequence's call, compiled code warmed up first. Every
sequence is presented `rounds` times from the same starting weights; per sequence the
fastest presentation counts (the machine is shared: a slower one was interrupted), and
us per step is the sum of those over the sum of lengths. The median over rounds is
kept beside it.
"""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from .. import kernel
from . import costs
from ..architecture import Architecture, WEIGHT_NAMES
from ..network import Network

DENSE_BLOCKS = (1, 2, 3, 4, 6, 8, 10, 12, 15, 18)       # about 70 .. 19,700 weights
QUICK_DENSE_BLOCKS = (1, 4, 10)
MEMORY_T = (100, 1_000, 10_000, 100_000)
QUICK_MEMORY_T = (100, 1_000, 10_000)
QUICK_ROWS = ("1-1", "2a", "2c-1", "2c-5", "3a-1", "4-1", "6a")
SEQUENCE_SOURCES = ("success_after", "st2")               # the paper's sequences to the end of training


def paper_rows() -> list:
    """The rows of the paper's battery: LSTM rows of Tables 1-9, no ablations, no competitors."""
    from .. import config
    return [r for r in config.rows()
            if config.load(r).model == "lstm97" and not config.load(r).ablation]


def dense_arch(blocks: int) -> Architecture:
    """A synthetic net: connectivity F, all biases, blocks of 4 cells, n_in = 4 * blocks, one output."""
    return Architecture(n_in=4 * blocks, n_out=1, blocks=blocks, block_size=4, bias="all")


def dense_sequences(arch, rng, n, L=1000):
    seqs = []
    for _ in range(n):
        m = np.zeros(L, bool)
        m[-1] = True
        seqs.append((rng.uniform(-1.0, 1.0, (L, arch.n_in)), rng.uniform(size=(L, arch.n_out)), m))
    return seqs


def row_sequences(cfg, rng, steps, max_bytes=150e6):
    """At least `steps` steps of the row's own sequences (fewer if they would pass max_bytes)."""
    from tasks import FAMILIES
    from .. import config
    family, params = FAMILIES[cfg.task], config.task_params(cfg)
    seqs, total, seconds = [], 0, 0.0
    while total < steps and (not seqs or (len(seqs) + 1) * seqs[0][0].nbytes < max_bytes):
        t0 = time.perf_counter()
        seqs.append(family.generate(rng, **params))
        seconds += time.perf_counter() - t0
        total += len(seqs[-1][0])
    return seqs, seconds / total * 1e6


def time_kernel(arch, w0, seqs, lr, rounds):
    """us per step of kernel.steps, active-input lists made beforehand; (fastest, median)."""
    dims = kernel.pack_dims(arch)
    w = tuple(w0[name].copy() for name in WEIGHT_NAMES)
    prepared = [(x, y, m, *kernel.active_inputs(x, y, m)[1:], np.empty((len(x), arch.n_out))) for x, y, m in seqs]

    def restart():                                       # every round from the same weights
        for a, name in zip(w, WEIGHT_NAMES):
            a[...] = w0[name]

    def call(x, y, m, ptr, idx, val, out):
        return lambda: kernel.steps(w, dims, x, ptr, idx, val, y, m, lr, True, w, out)

    calls = [call(*p) for p in prepared]
    calls[0]()                                           # compiled code in, caches warm
    best, sums = _fastest_with_restart(calls, rounds, restart)
    steps = sum(len(x) for x, _, _ in seqs)
    return best.sum() / steps * 1e6, float(np.median(sums)) / steps * 1e6


def _fastest_with_restart(calls, rounds, restart):
    best = np.full(len(calls), np.inf)
    sums = []
    for _ in range(rounds):
        restart()
        total = 0.0
        for i, call in enumerate(calls):
            t0 = time.perf_counter()
            call()
            dt = time.perf_counter() - t0
            best[i] = min(best[i], dt)
            total += dt
        sums.append(total)
    return best, np.array(sums)


def time_api(arch, w0, seqs, lr, timing, rounds):
    """us per step of Network.train on the dense arrays (fastest per sequence, summed)."""
    net = Network(arch, w0)

    def restart():
        for name in WEIGHT_NAMES:
            net.weights[name][...] = w0[name]

    calls = [(lambda x=x, y=y, m=m: net.train(x, y, m, lr=lr, timing=timing)) for x, y, m in seqs]
    calls[0]()
    best, _ = _fastest_with_restart(calls, rounds, restart)
    return best.sum() / sum(len(x) for x, _, _ in seqs) * 1e6


def time_numpy(arch, w0, seqs, lr, timing, max_steps):
    """us per step of the numpy reference (reference.py through Network), on the first max_steps steps."""
    net = Network(arch, w0, backend="reference")
    steps, seconds = 0, 0.0
    for x, y, m in seqs:
        x, y, m = x[:max_steps - steps], y[:max_steps - steps], m[:max_steps - steps]
        t0 = time.perf_counter()
        net.train(x, y, m, lr=lr, timing=timing)
        seconds += time.perf_counter() - t0
        steps += len(x)
        if steps >= max_steps:
            break
    return seconds / steps * 1e6


def time_torch(arch, length, sequences=5):
    """us per step of torch.nn.LSTM (about W weights) trained by full-sequence BPTT; None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    W = arch.n_weights()
    size = lambda hid: 4 * hid * (arch.n_in + hid + 2) + arch.n_out * (hid + 1)
    hidden = min(range(1, 512), key=lambda hid: abs(size(hid) - W))
    torch.set_num_threads(1)
    lstm, head = torch.nn.LSTM(arch.n_in, hidden), torch.nn.Linear(hidden, arch.n_out)
    opt = torch.optim.SGD(list(lstm.parameters()) + list(head.parameters()), lr=0.01)
    x, y = torch.rand(length, 1, arch.n_in), torch.rand(arch.n_out)
    best = np.inf
    for _ in range(sequences + 1):                       # the first one warms up
        t0 = time.perf_counter()
        opt.zero_grad()
        out, _ = lstm(x)
        loss = ((torch.sigmoid(head(out[-1, 0])) - y) ** 2).sum()
        loss.backward()
        opt.step()
        best = min(best, time.perf_counter() - t0)
    return best / length * 1e6


def record(name, arch, w0, seqs, lr, timing, rounds, numpy_steps, kind):
    """Every measurement of one architecture."""
    us, us_median = time_kernel(arch, w0, seqs, lr, rounds)
    api = time_api(arch, w0, seqs, lr, timing, rounds)
    numpy_us = time_numpy(arch, w0, seqs, lr, timing, numpy_steps)
    mean_length = float(np.mean([len(x) for x, _, _ in seqs]))
    torch_us = time_torch(arch, int(round(mean_length)))
    ops = costs.counted(arch)
    W = arch.n_weights()
    x0, y0, m0 = seqs[0]
    return {
        "arch": name, "kind": kind, "weights": W,
        "us_per_step": us, "us_per_step_median": us_median, "us_per_step_api": api,
        "ns_per_weight_step": us * 1e3 / W,
        "ops_eq29": costs.eq29(arch), "ops_counted": int(sum(ops.values())),
        "ops_counted_no_target": int(sum(v for k, v in ops.items() if k in costs.FORWARD)),
        "numpy_us_per_step": numpy_us, "numpy_ratio": numpy_us / us,
        "torch_us_per_step": torch_us, "torch_ratio": None if torch_us is None else torch_us / us,
        "inputs": "sparse" if len(kernel.active_inputs(x0, y0, m0)[1]) else "dense",
        "n_in": arch.n_in, "mean_length": mean_length, "sequences_timed": len(seqs),
        "steps_timed": int(sum(len(x) for x, _, _ in seqs)), "rounds": rounds,
    }


def linear_fit(x, y) -> dict:
    """Least squares y = a + b x; b, a and R^2."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    b, a = np.polyfit(x, y, 1)
    r2 = 1.0 - np.sum((y - (a + b * x)) ** 2) / np.sum((y - y.mean()) ** 2)
    return {"slope": float(b), "intercept": float(a), "r2": float(r2)}


def paper_sequences(cfg):
    """The paper's training sequences for the row (mean over trials), and where the number comes from."""
    for key in SEQUENCE_SOURCES:
        if cfg.paper.get(key) is not None:
            return int(cfg.paper[key]), f"paper: {key}"
    return int(cfg.max_sequences), "fallback: the config's max_sequences (no number in the paper)"


def _reproduced(row, results) -> dict:
    """What results/ROW/summary.json (run.py reproduce) says: mean sequences to success, training loop speed."""
    path = Path(results) / row / "summary.json"
    if not path.exists():
        return {}
    s = json.loads(path.read_text())
    seq = s.get("sequences") or {}
    return {"reproduced_sequences_mean": seq.get("mean"), "reproduced_successes": s.get("successes"),
            "reproduced_trials": s.get("trials"),
            "training_loop_us_per_step": 1e6 / s["steps_per_second"] if s.get("steps_per_second") else None}


def battery(rows, by_row, cores, results="results") -> dict:
    """Core-hours of the paper's battery at the measured speeds, per row and in total."""
    from .. import config
    per_row, totals = [], {"api": 0.0, "kernel": 0.0, "generate": 0.0}
    for row in rows:
        cfg, rec = config.load(row), by_row[row]
        n, source = paper_sequences(cfg)
        steps = n * rec["mean_length"] * cfg.trials
        hours = {k: steps * rec[u] / 3.6e9 for k, u in
                 (("api", "us_per_step_api"), ("kernel", "us_per_step"), ("generate", "generate_us_per_step"))}
        for k in totals:
            totals[k] += hours[k]
        per_row.append({"row": row, "sequences": n, "source": source, "mean_length": rec["mean_length"],
                        "trials": cfg.trials, "steps": steps, "us_per_step_api": rec["us_per_step_api"],
                        "core_hours": hours["api"], "core_hours_kernel": hours["kernel"],
                        "core_hours_generate": hours["generate"], **_reproduced(row, results)})
    return {"rows": per_row, "cores": cores, "battery_hours": totals["api"] / cores,
            "battery_hours_kernel": totals["kernel"] / cores,
            "battery_hours_with_generation": (totals["api"] + totals["generate"]) / cores}


def run(quick=False, out="results/complexity", progress=print, results="results") -> dict:
    from .. import config
    from . import memory as bench_memory
    load_before = os.getloadavg()
    started = time.time()
    rng = np.random.default_rng(0)
    rounds = 3 if quick else 15
    steps = 3_000 if quick else 50_000
    numpy_steps = 200 if quick else 2_000
    records, by_row = [], {}
    rows = paper_rows()
    timed_rows = [r for r in rows if r in QUICK_ROWS] if quick else rows
    for row in timed_rows:
        cfg = config.load(row)
        arch = config.architecture(cfg)
        seqs, gen_us = row_sequences(cfg, rng, steps)
        w0 = Network.build(arch, rng).weights
        rec = record(row, arch, w0, seqs, cfg.lr, cfg.timing, rounds, numpy_steps, "table10")
        rec["generate_us_per_step"] = gen_us
        records.append(rec)
        by_row[row] = rec
        progress(f"{row:6} W={rec['weights']:6d}  {rec['us_per_step']:7.3f} us/step kernel, "
                 f"{rec['us_per_step_api']:7.3f} via Network.train ({rec['inputs']} inputs), numpy x{rec['numpy_ratio']:.0f}")
    for blocks in (QUICK_DENSE_BLOCKS if quick else DENSE_BLOCKS):
        arch = dense_arch(blocks)
        W = arch.n_weights()
        L = int(np.clip(2_000_000 // W, 100, 1000))      # a call of about a millisecond: rarely interrupted
        seqs = dense_sequences(arch, rng, n=2 if quick else int(np.clip(3e7 // (W * L), 3, 30)), L=L)
        w0 = Network.build(arch, rng).weights
        rec = record(f"dense-{W}", arch, w0, seqs, 0.01, "step", rounds, numpy_steps, "dense")
        records.append(rec)
        progress(f"dense W={W:6d}  {rec['us_per_step']:7.3f} us/step, {rec['ns_per_weight_step']:.3f} ns per weight and step")
    dense = [r for r in records if r["kind"] == "dense"]
    fit = linear_fit([r["weights"] for r in dense], [r["us_per_step"] for r in dense])
    fit = {"ns_per_weight": fit["slope"] * 1e3, "intercept_us": fit["intercept"], "r2": fit["r2"],
           "over": "the dense sweep: us_per_step = intercept + slope * weights"}
    memory = []
    for T in (QUICK_MEMORY_T if quick else MEMORY_T):
        memory.append(bench_memory.measure_in_fresh_process(T))
        progress(f"memory T={T:>6}: rule {memory[-1]['peak_mb']:.2f} MB, BPTT {memory[-1]['bptt_peak_mb']:.2f} MB")
    cores = os.cpu_count() or 1
    if quick:                                            # rows not timed: the timed row of the same architecture
        by_row = _fill_untimed(rows, by_row)
    bat = battery(rows, by_row, cores, results)
    result = {
        "command": "python run.py bench" + (" --quick" if quick else "") + (f" --out {out}" if out != "results/complexity" else ""),
        "quick": quick, "date": time.strftime("%Y-%m-%d %H:%M:%S"), "seconds": time.time() - started,
        "machine": _machine(), "load_before": list(load_before), "load_after": list(os.getloadavg()),
        "timing": ("perf_counter per sequence call; each sequence presented `rounds` times from the same "
                   "weights; the fastest presentation of each sequence, summed, over the summed lengths"),
        "records": records, "fit": fit, "memory": memory,
        "battery_hours": bat["battery_hours"], "battery": bat,
        "torch": "measured" if any(r["torch_us_per_step"] is not None for r in records)
                 else "PyTorch not installed: the comparison with nn.LSTM was skipped",
    }
    result["targets"] = targets(result)
    path = Path(out)
    path.mkdir(parents=True, exist_ok=True)
    (path / "bench.json").write_text(json.dumps(result, indent=1))
    from . import report as bench_report
    result["plots"] = [str(p) for p in bench_report.write(result, path)]
    return result


def _fill_untimed(rows, by_row):
    from .. import config
    filled = dict(by_row)
    for row in rows:
        if row in filled:
            continue
        arch = config.architecture(config.load(row))
        same = [r for r in by_row if config.architecture(config.load(r)) == arch] or list(by_row)
        rec = dict(by_row[same[0]])
        seqs, gen_us = row_sequences(config.load(row), np.random.default_rng(1), 1)
        rec["mean_length"], rec["generate_us_per_step"] = float(len(seqs[0][0])), gen_us
        filled[row] = rec
    return filled


def _machine() -> dict:
    cpu = platform.processor()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import numba
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__, "system": platform.platform()}


def targets(result) -> list:
    """The speed targets, each with what this run measured."""
    recs = {r["arch"]: r for r in result["records"]}
    out = []
    adding = [recs[r] for r in ("4-1", "4-2", "4-3") if r in recs]
    if adding:
        worst = max(r["us_per_step"] for r in adding)
        out.append({"target": "<= 0.2 us per step, 93-weight net of rows 4-x, target at the end",
                    "measured": f"{worst:.3f} us (kernel; worst of {', '.join(r['arch'] for r in adding)}), "
                                f"{max(r['us_per_step_api'] for r in adding):.3f} us through Network.train",
                    "met": bool(worst <= 0.2)})
    big = [r for r in result["records"] if r["kind"] == "dense" and r["weights"] >= 5000]
    if big:
        worst = max(r["ns_per_weight_step"] for r in big)
        out.append({"target": "<= 0.8 ns per weight and step, dense nets of 5,000 weights or more",
                    "measured": f"{worst:.3f} ns (worst of {len(big)} sizes)", "met": bool(worst <= 0.8)})
    if "2c-1" in recs and "2c-5" in recs:
        k = recs["2c-5"]["us_per_step"] / recs["2c-1"]["us_per_step"]
        a = recs["2c-5"]["us_per_step_api"] / recs["2c-1"]["us_per_step_api"]
        out.append({"target": "one-hot inputs: 2c-5 (1004 inputs) within 1.5x of 2c-1 (54 inputs) per step",
                    "measured": f"{k:.2f}x (kernel), {a:.2f}x through Network.train (reads the dense input rows)",
                    "met": bool(k <= 1.5)})
    b = result["battery"]
    out.append({"target": "the paper's battery under 2 hours on 2 cores",
                "measured": f"{b['battery_hours'] * b['cores'] / 2:.2f} h on 2 cores (Network.train speeds; "
                            f"{b['battery_hours_with_generation'] * b['cores'] / 2:.2f} h with generating the sequences)",
                "met": bool(b["battery_hours"] * b["cores"] / 2 < 2.0)})
    return out


def summary(result) -> str:
    fit, lines = result["fit"], []
    lines.append(f"fit over the dense sweep: {fit['ns_per_weight']:.3f} ns per weight and step "
                 f"+ {fit['intercept_us']:.3f} us, R^2 = {fit['r2']:.4f}")
    for m in result["memory"]:
        lines.append(f"memory, T = {m['T']:>6}: rule {m['peak_mb']:.2f} MB, Network.train {m['train_peak_mb']:.2f} MB, "
                     f"BPTT {m['bptt_peak_mb']:.2f} MB")
    lines.append(f"load average before/after: {result['load_before'][0]:.2f} / {result['load_after'][0]:.2f}")
    for t in result["targets"]:
        lines.append(f"{'MET   ' if t['met'] else 'MISSED'}  {t['target']}: {t['measured']}")
    return "\n".join(lines)
