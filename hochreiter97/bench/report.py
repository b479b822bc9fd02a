"""The figures and README.md of `run.py bench`, drawn from the result it writes to bench.json.

Every number in README.md comes from that result; the prose around it is fixed, and
where it states a conclusion (met, missed, grows, stays) it is chosen by the numbers.
"""
from pathlib import Path

import numpy as np


def write(result: dict, out: Path) -> list:
    """speed.png, memory.png, battery.png and README.md in out; their paths."""
    import matplotlib
    matplotlib.use("Agg")
    paths = [speed(result, out / "speed.png"), memory(result, out / "memory.png"),
             battery(result, out / "battery.png")]
    (out / "README.md").write_text(readme(result))
    return paths + [out / "README.md"]


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
        if r["kind"] == "table10" and r["arch"] in ("4-1", "2c-1", "2c-5", "2a", "1-1", "6b"):
            ax[0].annotate(r["arch"], (r["weights"], r["us_per_step"]), fontsize=7, xytext=(3, -9),
                           textcoords="offset points")
    ax[0].set(xscale="log", yscale="log", xlabel="weights W", ylabel="µs per time step (training)",
              title="Time per step")
    fig.legend(*ax[0].get_legend_handles_labels(), fontsize=8, loc="lower center", ncol=3)
    ax[1].set(xscale="log", xlabel="weights W", ylabel="ns per weight and step",
              title="Time per weight and step")
    ax[1].axhline(0.8, color="0.5", lw=0.8, ls=":")
    ax[1].text(60, 0.85, "0.8 ns (the target, W ≥ 5,000)", fontsize=7, color="0.4")
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


def _table(header, rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def readme(result) -> str:
    recs, fit, b, m = result["records"], result["fit"], result["battery"], result["machine"]
    dense = sorted((r for r in recs if r["kind"] == "dense"), key=lambda r: r["weights"])
    rows = [r for r in recs if r["kind"] == "table10"]
    out = ["# Speed, operation count and memory of the learning rule\n",
           f"Generated by `{result['command']}` on {result['date']} in {result['seconds']:.0f} s"
           + (" (a quick run: a few rows and sizes; untimed rows borrow a timed row's speed)" if result["quick"] else "")
           + f". Machine: {m['cpu']}, {m['cores']} cores, numba {m['numba']}, numpy {m['numpy']}. "
           f"Load average {result['load_before'][0]:.2f} before and {result['load_after'][0]:.2f} after: the machine "
           "was shared with other jobs, so every time below is the fastest of several presentations of each "
           f"sequence ({result['timing']}). Data: `bench.json`; figures: `speed.png`, `memory.png`, `battery.png`.\n",
           "## The targets\n",
           _table(["target", "measured", ""], [(t["target"], t["measured"], "met" if t["met"] else "**missed**")
                                             for t in result["targets"]]), ""]
    # --- time against eq. (29)
    ratio_c = [r["ops_counted"] / r["weights"] for r in recs]
    ratio_29 = [r["ops_eq29"] / r["weights"] for r in recs]
    out += ["## Time per step against eq. (29) and the O(W) claim (`speed.png`)\n",
            "Eq. (29) puts the update cost of a step at K + 2KH + KC + 2KSC + HI + CI + 4CSI multiply-adds, "
            "O(W): the same order as the number of weights. The right panel of `speed.png` shows both counts "
            f"per weight: eq. (29) / W lies between {min(ratio_29):.2f} and {max(ratio_29):.2f}, and what "
            f"reference.py counts in a step with a target (`costs.counted`, the forward pass included, which "
            f"eq. (29) leaves out) between {min(ratio_c):.2f} and {max(ratio_c):.2f}, over every architecture "
            "here: constant ratios, so both are O(W).\n"]
    if dense:
        out += [f"The dense sweep ({len(dense)} nets, {dense[0]['weights']:,} to {dense[-1]['weights']:,} weights, "
                "every input non-zero, target at the end) measures the claim: time per step = "
                f"{fit['intercept_us']:.3f} µs + {fit['ns_per_weight']:.3f} ns × W, R² = {fit['r2']:.4f}. "
                f"Per weight and step the cost falls from {dense[0]['ns_per_weight_step']:.2f} ns at "
                f"{dense[0]['weights']:,} weights ({dense[0]['us_per_step']:.3f} µs per step, mostly what every "
                "step costs whatever W: one exp per unit, loop and call overhead) to "
                f"{dense[-1]['ns_per_weight_step']:.2f} ns at {dense[-1]['weights']:,}: linear in W, "
                f"as the paper says. A step without a target does {dense[-1]['ops_counted_no_target'] / dense[-1]['weights']:.2f} "
                "multiply-adds per weight there (forward sums and the accumulators (25), (27)), so one costs about "
                f"{fit['ns_per_weight'] * dense[-1]['weights'] / dense[-1]['ops_counted_no_target']:.2f} ns."
                + (" The fit's intercept is above the smallest net's time: below a few thousand weights "
                   "the loops are too short to vectorise fully and the time grows more slowly than W, so the "
                   "line describes large nets." if fit["intercept_us"] > dense[0]["us_per_step"] else "") + "\n"]
    out += ["Every Table 10 row, on its own task's sequences (µs per step: the kernel alone, and through "
            "`Network.train` with the dense input arrays the task generators make):\n",
            _table(["row", "W", "inputs", "µs/step kernel", "µs/step Network.train", "ns/(W·step)",
                    "eq. (29)", "counted", "numpy ×", "mean length"],
                   [(r["arch"], f"{r['weights']:,}", "one-hot" if r["inputs"] == "sparse" else "dense",
                     f"{r['us_per_step']:.3f}", f"{r['us_per_step_api']:.3f}", f"{r['ns_per_weight_step']:.2f}",
                     f"{r['ops_eq29']:,}", f"{r['ops_counted']:,}", f"{r['numpy_ratio']:.0f}",
                     f"{r['mean_length']:.0f}") for r in rows]), ""]
    sparse = sorted((r for r in rows if r["arch"].startswith("2c")), key=lambda r: r["weights"])
    if len(sparse) >= 2:
        lo, hi = sparse[0], sparse[-1]
        out += [f"One-hot rows do not follow W. Rows 2c-x have {lo['weights']:,} to {hi['weights']:,} weights "
                f"(54 to 1,004 inputs) and take {min(r['us_per_step'] for r in sparse):.3f} to "
                f"{max(r['us_per_step'] for r in sparse):.3f} µs per step in the kernel: with one active input "
                "a step reads only that input's column besides the recurrent ones, and the accumulators of "
                "inputs that are zero do not change (eqs. (25), (27) add g·f′·0). The O(W) work of (26) and "
                "(28) is done at target steps only, once per sequence here. Eq. (29) is an upper bound; "
                "for local input codes the rule is cheaper. Through `Network.train` the dense (L, n_in) "
                "input array is still read once per step to find the active input (8 bytes per input "
                f"unit): {hi['arch']} {hi['us_per_step_api']:.3f} µs against {lo['arch']} "
                f"{lo['us_per_step_api']:.3f} µs. Generating those arrays costs more than training on them "
                f"({hi['arch']}: {hi.get('generate_us_per_step', float('nan')):.1f} µs per step in tasks/).\n"]
    ratios = [r["numpy_ratio"] for r in recs]
    out += [f"The numpy reference (reference.py, one numpy call per equation) is {min(ratios):.0f} to "
            f"{max(ratios):.0f} times slower, measured in the same run on the same sequences. "
            + (result["torch"] + "." if result["torch"] != "measured" else
               "PyTorch nn.LSTM trained by BPTT on sequences of the same length: ratios in bench.json.") + "\n"]
    # --- memory
    mem = result["memory"]
    if len(mem) >= 2:
        a, z = mem[0], mem[-1]
        per_step = (z["bptt_peak_mb"] - a["bptt_peak_mb"]) * 2**20 / (z["length"] - a["length"])
        out += ["## Memory (`memory.png`)\n",
                "Peak memory while training one sequence of the adding problem (the 93-weight net of rows 4-x), "
                "beyond the sequence's own arrays; each length in a fresh process (bench_memory.py says how).\n",
                _table(["T", "length", "the rule (kernel)", "Network.train", "BPTT", "the sequence itself"],
                       [(f"{x['T']:,}", f"{x['length']:,}", f"{x['peak_mb']:.2f} MB", f"{x['train_peak_mb']:.2f} MB",
                         f"{x['bptt_peak_mb']:.2f} MB", f"{x['sequence_mb']:.2f} MB") for x in mem]), "",
                f"BPTT grows by about {per_step:.0f} bytes per step: every step's sources, gate activations, "
                "cell inputs and states and outputs must wait for the backward pass. The rule "
                + ("does not grow" if z["peak_mb"] <= max(0.1, 2 * a["peak_mb"]) else "**grows**")
                + f" ({a['peak_mb']:.2f} MB at T = {a['T']:,}, {z['peak_mb']:.2f} MB at T = {z['T']:,}): its state "
                "is the activations of one step and the 2·C·S·I accumulators, O(W), whatever the length: "
                "the paper's \"local in space and time\". `Network.train` also returns the outputs of "
                "every step, 8 bytes per output unit and step, like the inputs it is given.\n"]
    # --- battery
    top = sorted(b["rows"], key=lambda r: -r["core_hours"])[:6]
    rep = [r for r in b["rows"] if r.get("reproduced_sequences_mean")]
    out += ["## The battery (`battery.png`)\n",
            f"The paper's experiments at the speeds measured here: for every row, the paper's sequences to "
            f"the end of training (its mean over trials; `st2` for 3a-3c, whose training ran to ST2) × "
            f"the mean sequence length × the trials × µs per step through `Network.train`, summed: "
            f"{b['battery_hours'] * b['cores']:.2f} core-hours, **{b['battery_hours']:.2f} hours on "
            f"{b['cores']} cores** ({b['battery_hours_kernel']:.2f} h at the kernel's own speed). The largest "
            "shares: " + ", ".join(f"{r['row']} {r['core_hours']:.2f}" for r in top) + " core-hours.\n",
            "What the estimate leaves out:\n",
            f"* Generating the sequences: with the time the task generators take, "
            f"{b['battery_hours_with_generation']:.2f} hours on {b['cores']} cores. The largest generation shares: "
            + ", ".join(f"{r['row']} {r['core_hours_generate']:.2f}" for r in
                        sorted(b["rows"], key=lambda r: -r["core_hours_generate"])[:3])
            + " core-hours (the long-lag generators build dense one-hot arrays, p + 4 columns per step).",
            "* Test sets and stopping checks (2,560 to 10,000 test sequences, ST1/ST2 test sets during training), "
            "and the training loop's bookkeeping per sequence."]
    if rep:
        out += ["* Our reproductions need other numbers of sequences than the paper's: "
                + "; ".join(f"row {r['row']}: {r['reproduced_sequences_mean']:,.0f} (mean of "
                            f"{r['reproduced_successes']} successful of {r['reproduced_trials']} trials) against "
                            f"the paper's {r['sequences']:,}, {r['reproduced_sequences_mean'] / r['sequences']:.1f}×"
                            for r in rep)
                + " (results/ROW/summary.json). The estimate above uses the paper's numbers, as the issue "
                "defines it; scale a row by its ratio for ours. The training loop of those runs did "
                + "; ".join(f"{r['training_loop_us_per_step']:.2f} µs per step on {r['row']}" for r in rep
                            if r.get("training_loop_us_per_step"))
                + ", everything included (generation, judging, test sets; the kernel of the day of the run)."]
    out += ["", "## Repeat\n", "```", "python run.py bench            # this page, bench.json and the figures (minutes)",
            "python run.py bench --quick    # a few rows and sizes, seconds (tests/test_bench.py runs it)",
            "python run.py verify           # the kernel against the numpy reference, 1e-12", "```", ""]
    return "\n".join(out)
