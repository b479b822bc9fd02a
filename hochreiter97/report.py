"""Tables and plots generated from results/*/summary.json and trial-K.json: never typed by hand."""
from __future__ import annotations

import json
from pathlib import Path

from . import config
from . import fidelity, readings, results


def _fmt(x, digits=0):
    if x is None:
        return "–"
    if isinstance(x, float) and digits:
        return f"{x:.{digits}g}"
    return f"{x:,.0f}" if isinstance(x, (int, float)) else str(x)


def _paper_result(paper: dict) -> str:
    parts = []
    for key in ("success_rate", "success_after", "st1", "st2", "stop"):
        if key in paper:
            val = paper[key]
            parts.append(f"{key.replace('_', ' ')} {val:,}" if isinstance(val, (int, float))
                         else f"{key.replace('_', ' ')} {val}")
    return "; ".join(parts) or "no figures (the row's config says why)"


def _paper_test(paper: dict) -> str:
    for key in ("wrong_test", "fraction_misclassified", "mse", "avg_difference"):
        if key in paper:
            return f"{key.replace('_', ' ')} {paper[key]}"
    return "–"


def summaries(out="results") -> list:
    found = {p.parent.name: json.loads(p.read_text()) for p in Path(out).glob("*/summary.json")}
    order = {row: i for i, row in enumerate(config.rows())}
    return [found[r] for r in sorted(found, key=lambda r: (order.get(r.split("@")[0], 1e9), r))]


def _label(s) -> str:
    """The task column: the row's title, marked when the row is an ablation or a reading or stopped at a stated cap."""
    text = s["title"] or s["task"]
    if s.get("reading"):
        text = f"**reading** `{s['reading']}`; {text}"
    if s.get("ablation"):
        text = f"**ablation**: {s['ablation']}; {text}"
    if s.get("cap_note"):
        text += f" (cap {s['max_sequences']:,} sequences: cap_note in summary.json)"
    return text


def _trials(s) -> str:
    """Trials finished, of how many the command asked for, and the paper's count where it differs."""
    text = str(s["trials"])
    if s["trials"] != s["trials_planned"]:
        text += f" of {s['trials_planned']}"
    try:
        paper = config.load(s["row"].split("@")[0]).trials       # ROW@MODEL: the row's count
    except config.ConfigError:
        paper = None
    if paper is not None and paper != s["trials_planned"]:
        text += f" (paper: {paper})"
    return text


def table_markdown(out="results") -> str:
    """The side-by-side table: the paper's numbers beside this run's, one line per row."""
    lines = ["| row | task | W | trials | successes | sequences to success: mean (min–max) | paper | "
             "test (ours) | test (paper) | command |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for s in summaries(out):
        seq = s["sequences"]
        ours = f"{_fmt(seq['mean'])} ({_fmt(seq['min'])}–{_fmt(seq['max'])})" if seq else "–"
        if s.get("st1"):
            ours = f"ST1 {_fmt(s['st1']['mean'])}, ST2 {ours}"
        if s.get("error_below_beta_at"):              # ST3: its error condition alone, first met
            ours += f"; error < β first after {_fmt(s['error_below_beta_at']['mean'])}"
        t = s["test"]
        test = (f"{t['wrong_mean']:.1f} of {t['n']} wrong (max {t['wrong_max']}), MSE {t['mse_mean']:.2g}"
                if t.get("wrong_mean") is not None else "–")
        lines.append(f"| {s['row']} | {_label(s)} | {s['weights']} | {_trials(s)} | "
                     f"{s['successes']} | {ours} | {_paper_result(s['paper'])} | {test} | "
                     f"{_paper_test(s['paper'])} | `{s['command']}` |")
    return "\n".join(lines)


def _trial_points(rowdir: Path) -> tuple:
    """(sequences to success of each successful trial, number of failed trials) of a run folder."""
    recs = results.finished_trials(rowdir).values()
    return [r["sequences"] for r in recs if r["success"]], sum(not r["success"] for r in recs)


def _best_reading(row, by_folder, paper, trials) -> tuple:
    """(name, verdict) of the reading run of this row that comes closest to the paper's figures."""
    runs = [(f.split("@", 1)[1], fidelity.verdict(s, paper, trials)) for f, s in by_folder.items()
            if f.startswith(row + "@") and s.get("reading")]
    if not runs:
        return None, None
    return max(runs, key=lambda nv: (nv[1]["in_range"], nv[1]["rate"] or 0, -(nv[1]["ratio"] or 1e9)))


def fidelity_markdown(out="results", figures=True) -> str:
    """The fidelity report: the score, then one table per paper table, paper rows only."""
    out = Path(out)
    by_folder = {s["row"]: s for s in summaries(out)}
    rows = fidelity.paper_rows(config.load, config.rows())
    cause = fidelity.causes(Path(__file__).resolve().parents[1] / "docs" / "findings.md")
    judged, per_table = {}, {}
    for row in rows:
        cfg = config.load(row)
        s = by_folder.get(row)
        v = fidelity.verdict(s, cfg.paper, cfg.trials) if s else dict(in_range=False, text="not run")
        name, rv = _best_reading(row, by_folder, cfg.paper, cfg.trials)
        judged[row] = (cfg, s, v, name, rv)
        per_table.setdefault(cfg.table, []).append(row)
    n_in = sum(v["in_range"] for _, _, v, _, _ in judged.values())
    lines = [f"**{n_in} of {len(rows)} rows in range** under the paper's configuration (the rows' YAML files).", ""]
    readings_run = sorted({f.split("@", 1)[1] for f, s in by_folder.items() if s.get("reading")})
    for name in readings_run:
        runs = [(r, fidelity.verdict(by_folder[f"{r}@{name}"], judged[r][0].paper, judged[r][0].trials))
                for r in rows if f"{r}@{name}" in by_folder]
        better = [r for r, v in runs if v["in_range"] and not judged[r][2]["in_range"]]
        concerned = [r for r in rows if readings.READINGS[name].concerns(judged[r][0])] if name in readings.READINGS else []
        best = " — the best-supported reading, " + readings.BEST_SUPPORTED[1] if name == readings.BEST_SUPPORTED[0] else ""
        lines.append(f"* reading `{name}`{best}: run on {len(runs)} of the {len(concerned)} paper rows it concerns, "
                     f"{sum(v['in_range'] for _, v in runs)} of them in range"
                     + (f"; it brings {', '.join(better)} into range" if better else "; it brings no row into range"))
    lines += ["", "Each reading's source: `python run.py list --readings` and docs/spec.md §7. "
              "A row is in range when it ran at the paper's trial count, its success rate is at most "
              f"{fidelity.RATE_SLACK} points below the paper's (100 % where the paper gives a mean but no rate; a "
              "paper rate of 0 % is matched only when no trial succeeds), and its mean sequences to success is at "
              f"most {fidelity.MEAN_FACTOR}x the paper's (ST2 for 3a-3c). Each row's cause links to its section of "
              "[docs/findings.md](../docs/findings.md).", ""]
    for table in sorted(per_table):
        lines += [f"### {fidelity.TABLES[table]}", ""]
        if figures:
            lines += [f"![{fidelity.TABLES[table]}](fidelity/table-{table}.png)", ""]
        lines += ["| row | paper | trials | successes | mean (median; min–max) | test | verdict | best reading | cause |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for row in per_table[table]:
            cfg, s, v, name, rv = judged[row]
            seq = (s or {}).get("sequences")
            ours = (f"{_fmt(seq['mean'])} ({_fmt(seq['median'])}; {_fmt(seq['min'])}–{_fmt(seq['max'])})"
                    if seq else "–")
            t = (s or {}).get("test", {})
            test = (f"{t['wrong_mean']:.1f} of {t['n']} wrong" if t.get("wrong_mean") is not None else "–")
            trials = f"{s['trials']} (paper {cfg.trials})" if s else f"– (paper {cfg.trials})"
            best = f"`{name}`: {rv['text']}" + (f", mean {_fmt(rv['mean'])}" if rv["mean"] else "") if name else "–"
            why = cause.get(row)
            why = f"[{why[0]}](../docs/findings.md#{why[1]})" if why and why[0] else "–"
            verdict = ("**in range**" if v["in_range"] else v["text"])
            if s and s.get("cap_note"):
                verdict += f" (cap {s['max_sequences']:,})"
            lines.append(f"| {row} | {_paper_result(cfg.paper)} | {trials} | {s['successes'] if s else '–'} | "
                         f"{ours} | {test} | {verdict} | {best} | {why} |")
        lines.append("")
    return "\n".join(lines)


def plot_fidelity(out="results") -> list:
    """One figure per paper table: every trial's sequences to success (failures at the cap, x), the paper's
    mean and its 1.5x band, log scale; the paper's configuration and the best reading side by side."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    by_folder = {s["row"]: s for s in summaries(out)}
    rows = fidelity.paper_rows(config.load, config.rows())
    tables = {}
    for row in rows:
        tables.setdefault(config.load(row).table, []).append(row)
    folder = out / "fidelity"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table, trows in sorted(tables.items()):
        fig, ax = plt.subplots(figsize=(max(4.5, 0.9 * len(trows) + 2), 3.8))
        labels = set()
        for i, row in enumerate(trows):
            cfg = config.load(row)
            _, mean_p = fidelity.paper_target(cfg.paper)
            if mean_p:
                ax.fill_between([i - 0.35, i + 0.35], mean_p, fidelity.MEAN_FACTOR * mean_p, color="0.85", lw=0,
                                label=None if "band" in labels else f"paper mean to {fidelity.MEAN_FACTOR}x")
                ax.plot([i - 0.35, i + 0.35], [mean_p] * 2, "k-", lw=1.2, label=None if "band" in labels else None)
                labels.add("band")
            name, _ = _best_reading(row, by_folder, cfg.paper, cfg.trials)
            for dx, folder_name, color, label in ((-0.12, row, "tab:blue", "paper's configuration"),
                                                   (0.12, f"{row}@{name}" if name else None, "tab:orange", "best reading")):
                if folder_name is None or folder_name not in by_folder or not (out / folder_name).is_dir():
                    continue
                ok, failed = _trial_points(out / folder_name)
                cap = by_folder[folder_name]["max_sequences"]
                jitter = [dx + 0.06 * ((k % 5) - 2) / 2 for k in range(len(ok))]
                ax.plot([i + j for j in jitter], ok, "o", ms=3.5, color=color, alpha=0.8,
                        label=None if label in labels else label)
                labels.add(label)
                if failed:
                    ax.plot([i + dx] * failed, [cap] * failed, "x", ms=5, color=color,
                            label=None if "failed" in labels else "failed (at the cap)")
                    labels.add("failed")
                if folder_name != row:                    # name the reading beside its dots
                    ax.annotate(name, (i + dx, max(ok + ([cap] if failed else []))), xytext=(2, 4),
                                textcoords="offset points", fontsize=6, color=color)
        ax.set_xticks(range(len(trows)), trows, rotation=30 if len(trows) > 4 else 0, fontsize=8)
        ax.set(yscale="log", ylabel="sequences to success", title=fidelity.TABLES[table])
        ax.title.set_fontsize(9)
        ax.legend(fontsize=7, loc="best")
        fig.tight_layout()
        path = folder / f"table-{table}.png"
        fig.savefig(path, dpi=110, metadata={"Software": None})
        plt.close(fig)
        written.append(path)
    return written


def write_readme(out="results", figures=None) -> Path:
    """results/README.md: the fidelity report first (the score, one table per paper table), then every run.
    figures: draw the report's figures (default: for the committed results/ only)."""
    out = Path(out)
    figures = (out.resolve() == Path("results").resolve()) if figures is None else figures
    if figures:
        plot_fidelity(out)
    path = out / "README.md"
    path.write_text(
        "# Does the 1997 LSTM do what the paper says?\n\n"
        "Generated by `python run.py table` from the `*/summary.json` and `trial-K.json` files in this folder; "
        "do not edit. The paper's figures come from each row's config (`tasks/configs/ROW.yaml`).\n\n"
        + fidelity_markdown(out, figures) +
        "\n## Every run\n\n"
        "Every row run, each with the command that produced it: the paper's rows, Table 2's competitors "
        "(rtrl-*, bptt-*: the conventional net of Experiment 2a), ablations (marked **ablation**; ROW@MODEL: "
        "another network on the row's task and protocol) and readings (ROW@NAME, `python run.py list --readings`). "
        "\"Sequences to success\" counts training sequence presentations until the row's stopping rule held, "
        "over the successful trials; for ST3 rows it also gives when the window's mean error first fell below "
        "β (the rule's error condition; the rest of the run waits for its 2,000 correct sequences).\n\n"
        + table_markdown(out) + "\n")
    return path


def plot_row(row, out="results") -> list:
    """Learning curves of every trial (stop marked) and the distribution of sequences to success."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rowdir = Path(out) / row
    recs = [json.loads(p.read_text()) for p in sorted(rowdir.glob("trial-*.json"))]
    if not recs:
        raise ValueError(f"{rowdir}: no finished trials to plot (run: python run.py reproduce {row})")
    summary = json.loads((rowdir / "summary.json").read_text()) if (rowdir / "summary.json").exists() else {}
    fig, ax = plt.subplots(figsize=(7, 4))
    for r in recs:
        line, = ax.plot(r["curve"]["sequences"], r["curve"]["error"], lw=0.8, alpha=0.8)
        if r["success"]:
            ax.axvline(r["sequences"], color=line.get_color(), ls=":", lw=0.8)
        if r.get("error_below_beta_at") is not None:   # ST3: its error condition alone first met
            ns, at = r["curve"]["sequences"], r["error_below_beta_at"]
            i = min(range(len(ns)), key=lambda j: abs(ns[j] - at))      # the curve point nearest to it
            ax.plot(at, r["curve"]["error"][i], "o", ms=3, color=line.get_color())
    beta = any(r.get("error_below_beta_at") is not None for r in recs)
    ax.set(xlabel="training sequences", ylabel="training error E per sequence", yscale="log",
           title=f"{row}: learning curves ({len(recs)} trials)\ndotted: stop"
                 + ("; dot: the window's mean E first < β (ST3)" if beta else ""))
    fig.tight_layout()
    curves = rowdir / "curves.png"
    fig.savefig(curves, dpi=120)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    seqs = [r["sequences"] for r in recs if r["success"]]
    if seqs:
        ax.hist(seqs, bins=min(20, max(5, len(seqs))), color="tab:blue", alpha=0.8, label="this run")
    paper = summary.get("paper", {}).get("success_after") or summary.get("paper", {}).get("st2")
    if isinstance(paper, (int, float)):
        ax.axvline(paper, color="k", ls="--", label=f"paper mean {paper:,}")
    ax.set(xlabel="sequences to success", ylabel="trials", title=f"{row}: {len(seqs)} of {len(recs)} trials succeeded")
    ax.legend()
    fig.tight_layout()
    dist = rowdir / "success.png"
    fig.savefig(dist, dpi=120)
    plt.close(fig)
    return [curves, dist]
