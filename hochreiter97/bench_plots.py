"""The figures of `run.py bench`, drawn from the result it writes to bench.json."""
from pathlib import Path

import numpy as np


def plot_all(result: dict, out: Path) -> list:
    import matplotlib
    matplotlib.use("Agg")
    return [speed(result, out / "speed.png"), memory(result, out / "memory.png"),
            battery(result, out / "battery.png")]


def speed(result, path):
    import matplotlib.pyplot as plt
    recs = result["records"]
    dense = sorted((r for r in recs if r["kind"] == "dense"), key=lambda r: r["weights"])
    groups = [("dense sweep (dense inputs)", dense, "o-", "C0"),
              ("Table 10 rows, dense inputs", [r for r in recs if r["kind"] == "table10" and r["inputs"] == "dense"], "s", "C1"),
              ("Table 10 rows, one-hot inputs (sparse path)", [r for r in recs if r["kind"] == "table10" and r["inputs"] == "sparse"], "^", "C2")]
    fig, ax = plt.subplots(1, 3, figsize=(16, 4.8))
    for label, rs, style, color in groups:
        W = [r["weights"] for r in rs]
        ax[0].plot(W, [r["us_per_step"] for r in rs], style, color=color, label=label, ms=5)
        ax[1].plot(W, [r["ns_per_weight_step"] for r in rs], style, color=color, ms=5)
        ax[2].plot(W, [r["ops_counted"] / r["weights"] for r in rs], style, color=color, ms=5)
        ax[2].plot(W, [r["ops_eq29"] / r["weights"] for r in rs], style, color=color, ms=5, mfc="none", alpha=0.6)
    fit = result["fit"]
    W = np.array([r["weights"] for r in dense], float)
    ax[0].plot(W, fit["intercept_us"] + fit["ns_per_weight"] * 1e-3 * W, "k--", lw=1,
               label=f"fit over the sweep: {fit['ns_per_weight']:.3f} ns per weight, R$^2$ = {fit['r2']:.4f}")
    ax[0].plot([r["weights"] for r in recs], [r["numpy_us_per_step"] for r in recs], ".", color="0.6",
               label="numpy reference (reference.py), same sequences")
    for r in recs:
        if r["kind"] == "table10" and r["arch"] in ("4-1", "2c-1", "2c-5", "2a", "1-1", "6b", "3a-1"):
            ax[0].annotate(r["arch"], (r["weights"], r["us_per_step"]), fontsize=7, xytext=(3, -9),
                           textcoords="offset points")
    ax[0].set(xscale="log", yscale="log", xlabel="weights W", ylabel="µs per time step (training)",
              title="Time per step")
    fig.legend(*ax[0].get_legend_handles_labels(), fontsize=8, loc="lower center", ncol=3)
    ax[1].set(xscale="log", xlabel="weights W", ylabel="ns per weight and step",
              title="Time per weight and step")
    ax[1].axhline(0.8, color="0.5", lw=0.8, ls=":")
    ax[1].text(60, 0.85, "0.8 ns (issue's target, W ≥ 5,000)", fontsize=7, color="0.4")
    ax[2].set(xscale="log", xlabel="weights W", ylabel="multiply-adds per weight, one step with a target",
              title="Operation count / W: counted (filled), eq. (29) (open)")
    ax[2].set_ylim(bottom=0)
    machine = result["machine"]
    fig.suptitle(f"{result['command']}  —  {machine['cpu']}, load {result['load_before'][0]:.1f} "
                 f"({'quick' if result['quick'] else 'full'} run)", fontsize=9)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def memory(result, path):
    import matplotlib.pyplot as plt
    mem = result["memory"]
    T = [m["length"] for m in mem]
    fig, ax = plt.subplots(figsize=(6, 4.2))
    ax.plot(T, [m["bptt_peak_mb"] for m in mem], "o-", color="C3", label="BPTT (stores every step's activations)")
    ax.plot(T, [m["train_peak_mb"] for m in mem], "s--", color="C0", alpha=0.5,
            label="Network.train: the rule + the outputs it returns")
    ax.plot(T, [m["peak_mb"] for m in mem], "s-", color="C0", label="this learning rule (kernel.sequence)")
    ax.plot(T, [m["sequence_mb"] for m in mem], ":", color="0.5", label="the sequence itself (not counted)")
    ax.set(xscale="log", xlabel="sequence length T (93-weight net of Exp. 4, adding problem)",
           ylabel="peak memory beyond the sequence (MB)", title="Memory while training one sequence")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def battery(result, path):
    import matplotlib.pyplot as plt
    rows = result["battery"]["rows"]
    fig, ax = plt.subplots(figsize=(7, 0.22 * len(rows) + 1.5))
    y = np.arange(len(rows))
    train = [r["core_hours"] for r in rows]
    gen = [r["core_hours_generate"] for r in rows]
    ax.barh(y, train, color="C0", label="training (Network.train, measured µs per step)")
    ax.barh(y, gen, left=train, color="C0", alpha=0.3, label="generating the sequences (tasks/, not counted)")
    ax.set_yticks(y, [r["row"] for r in rows], fontsize=7)
    ax.invert_yaxis()
    b = result["battery"]
    ax.set(xlabel="core-hours: paper's sequences x mean length x trials x µs per step",
           title=f"The paper's battery: {b['battery_hours']:.2f} h on {b['cores']} cores "
                 f"({b['battery_hours_with_generation']:.2f} h with generation)")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
