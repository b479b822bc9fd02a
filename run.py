#!/usr/bin/env python
"""Command line for the hochreiter97 replication. Thin: the work lives in hochreiter97/ and tasks/.

    python run.py                      demonstration: row 6a, 3 trials, then the side-by-side table
    python run.py list                 every table row: task, weights, trials, the paper's result
    python run.py reproduce ROW ...    train a row the paper's way; run again to resume
    python run.py sample ROW           task instances as arrays (.npz)
    python run.py table                regenerate results/README.md
    python run.py plot ROW             learning curves and sequences-to-success, as PNG
    python run.py verify               check the learning rule against independent implementations
    python run.py carousel             error flow back in time: 1997 LSTM vs conventional net, forget-gate LSTM, GRU
    python run.py drift                internal state drift of every row's untrained nets, beside its trials' end
    python run.py drift --by-trial ROW each finished trial's own start beside its outcome
    python run.py misses ROW ...       where trained nets miss: output error by target (Experiments 4, 5)
    python run.py plateau ROW --lr ..|--T ..  sequences until the error leaves chance, against lr or T
    python run.py wait ROW ...         what ST3's stop waits for: misses counted while trials train (Experiment 4)
"""
import argparse
import sys


def cmd_list(args) -> int:
    from tasks import config
    from hochreiter97 import models, report
    w = max(len(row) for row in config.rows())
    print(f"{'row':{w}} {'task':15} {'weights':>7} {'trials':>6}  paper")
    for row in config.rows():
        cfg = config.load(row)
        print(f"{row:{w}} {cfg['task']:15} {models.n_weights(cfg):>7} {cfg['trials']:>6}  "
              f"{report._paper_result(cfg['paper'])}")
    return 0


def cmd_reproduce(args) -> int:
    from hochreiter97 import reproduce, report
    for row in args.rows:
        command = " ".join(["python run.py reproduce", row] + (["--trials", str(args.trials)] if args.trials else [])
                           + ["--seed", str(args.seed)] + (["--model", args.model] if args.model else [])
                           + (["--trace", str(args.trace)] if args.trace else [])
                           + (["--max-sequences", str(args.max_sequences)] if args.max_sequences else [])
                           + (["--out", args.out] if args.out != "results" else []))
        s = reproduce.reproduce(row, trials=args.trials, seed=args.seed, workers=args.workers, out=args.out,
                                command=command, model=args.model, trace=args.trace, max_sequences=args.max_sequences)
        seq = s["sequences"]
        print(f"{row}: {s['successes']} of {s['trials']} trials succeeded"
              + (f"; sequences to success mean {seq['mean']:,.0f} (min {seq['min']:,}, max {seq['max']:,})" if seq else "")
              + f"; paper: {report._paper_result(s['paper'])}")
    report.write_readme(args.out)
    return 0


def cmd_sample(args) -> int:
    import numpy as np
    from tasks import FAMILIES, config
    cfg = config.load(args.row)
    family, params = FAMILIES[cfg["task"]], config.task_params(cfg)
    rng = np.random.default_rng(args.seed)
    seqs = [family.generate(rng, **params) for _ in range(args.n)]
    L = max(len(x) for x, _, _ in seqs)
    inputs = np.zeros((args.n, L, cfg["n_in"]))
    targets = np.zeros((args.n, L, cfg["n_out"]))
    mask = np.zeros((args.n, L), bool)
    for i, (x, y, m) in enumerate(seqs):
        inputs[i, :len(x)], targets[i, :len(x)], mask[i, :len(x)] = x, y, m
    np.savez(args.out, inputs=inputs, targets=targets, mask=mask, lengths=np.array([len(x) for x, _, _ in seqs]),
             input_names=np.array(family.input_names(**params)), output_names=np.array(family.output_names(**params)))
    print(f"{args.out}: {args.n} sequences of row {args.row}, max length {L}")
    return 0


def cmd_table(args) -> int:
    from hochreiter97 import report
    path = report.write_readme(args.out)
    print(report.table_markdown(args.out))
    print(f"\nwritten: {path}")
    return 0


def cmd_plot(args) -> int:
    from hochreiter97 import report
    paths = report.plot_traces(args.row, args.out) if args.traces else report.plot_row(args.row, args.out)
    for path in paths:
        print(f"written: {path}")
    return 0


def cmd_verify(args) -> int:
    from hochreiter97 import verify
    print("Verifying the truncated learning rule (float64; relative to the largest entry of each weight array)")
    return 0 if verify.run_all() else 1


def cmd_carousel(args) -> int:
    from hochreiter97 import diagnostics
    command = "python run.py carousel" + (f" --out {args.out}" if args.out != "results/carousel" else "")
    for path in diagnostics.write(args.out, command=command):
        print(f"written: {path}")
    return 0


def cmd_drift(args) -> int:
    from pathlib import Path
    from tasks import config
    from hochreiter97 import drift
    command = "python run.py drift" + (f" --out {args.out}" if args.out != "results/drift" else "")
    if args.by_trial:
        try:
            paths = drift.write_by_trial(args.by_trial, Path(args.out) / "trials",
                                         command=command + " --by-trial " + " ".join(args.by_trial))
        except (ValueError, config.ConfigError) as e:
            raise SystemExit(str(e))
    else:
        paths = drift.write(args.out, command=command)
    for path in paths:
        print(f"written: {path}")
    return 0


def cmd_misses(args) -> int:
    from hochreiter97 import misses
    command = "python run.py misses " + " ".join(args.rows) + (f" --out {args.out}" if args.out != "results/misses" else "")
    try:
        paths = misses.write(args.rows, args.out, command=command)
    except ValueError as e:
        raise SystemExit(str(e))
    for path in paths:
        print(f"written: {path}")
    return 0


def cmd_plateau(args) -> int:
    from tasks import config
    from hochreiter97 import plateau
    key = "lr" if args.lr else "T"
    values = args.lr or args.T
    trials = list(range(args.trials)) if args.trials else args.trial
    command = plateau.command_line(args.row, key, values, trials, args.cap, args.out)
    try:
        result = plateau.sweep(args.row, key, values, trials=trials, cap=args.cap, command=command, out=args.out)
        for v, ns in zip(result["values"], result["sequences"]):
            print(f"{args.row} {key} {v:g}: error below beta first after "
                  + ", ".join(f"{n:,}" if n is not None else "no (cap)" for n in ns) + f" (trials {trials})")
        for path in plateau.write(result, args.out):
            print(f"written: {path}")
    except (ValueError, config.ConfigError) as e:
        raise SystemExit(str(e))
    return 0


def cmd_wait(args) -> int:
    from tasks import config
    from hochreiter97 import wait
    if args.trials < 1:
        raise SystemExit(f"wait: --trials {args.trials}: expected at least 1")
    command = wait.command_line(args.rows, args.trials, args.out)
    try:
        for row in args.rows:
            for t in wait.run(row, args.trials, out=args.out, command=command)["trials"]:
                w = t["wait"]
                print(f"{row} trial {t['trial']}: error below beta after {t['error_below_beta_at']}, "
                      f"stop {t['stop']}; in the wait {w['wrong']} of {w['sequences']:,} wrong "
                      f"({w['extreme_wrong']} with extreme targets)")
        paths = wait.write(args.out)
    except (ValueError, config.ConfigError) as e:
        raise SystemExit(str(e))
    for path in paths:
        print(f"written: {path}")
    return 0


def cmd_bench(args) -> int:
    from hochreiter97 import bench
    result = bench.run(quick=args.quick, out=args.out)
    print("\n" + bench.summary(result))
    print(f"\nwritten: {args.out}/bench.json, " + ", ".join(result["plots"]))
    return 0


def cmd_demo(args) -> int:
    """The main job: a demonstration in about a minute."""
    from hochreiter97 import report, reproduce
    out = "results/demo"
    print("Demonstration: row 6a (temporal order, Table 9), 3 trials, the paper's protocol.\n"
          f"Results in {out}/; the full row is `python run.py reproduce 6a` (20 trials).\n")
    reproduce.reproduce("6a", trials=3, seed=0, out=out, command="python run.py")
    report.write_readme(out)
    print(report.table_markdown(out))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("list", help="every table row")
    p = sub.add_parser("reproduce", help="train rows the paper's way (resumable)")
    p.add_argument("rows", nargs="+", metavar="ROW")
    p.add_argument("--trials", type=int, default=None, help="default: the paper's count for the row")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=None, help="parallel processes (default: all cores)")
    p.add_argument("--out", default="results")
    p.add_argument("--model", choices=["lstm-forget", "gru", "rnn"], default=None,
                   help="ablation: train this network instead of the 1997 LSTM (results in OUT/ROW@MODEL)")
    p.add_argument("--trace", type=int, default=0, metavar="K",
                   help="record K sequences per trial (at sequences 0, 1000, 2000, 4000, ...) and one at the end")
    p.add_argument("--max-sequences", type=int, default=None, metavar="N",
                   help="a short run: cap training at N sequences (stated in the results; use another --out)")
    p = sub.add_parser("sample", help="task instances as arrays")
    p.add_argument("row")
    p.add_argument("--n", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="sample.npz")
    p = sub.add_parser("table", help="regenerate results/README.md")
    p.add_argument("--out", default="results")
    p = sub.add_parser("plot", help="learning curves and sequences to success")
    p.add_argument("row")
    p.add_argument("--traces", action="store_true",
                   help="instead: the traces of reproduce --trace (cell states, gates at the relevant inputs)")
    p.add_argument("--out", default="results")
    sub.add_parser("verify", help="check the learning rule (BPTT, finite differences, properties, kernel)")
    p = sub.add_parser("carousel", help="error reaching the state q = 1..1000 steps back, six models (log plot + JSON)")
    p.add_argument("--out", default="results/carousel")
    p = sub.add_parser("drift", help="cells saturated by internal state drift at initialization, every row (JSON + table)")
    p.add_argument("--out", default="results/drift")
    p.add_argument("--by-trial", nargs="+", metavar="ROW", help="instead: each finished trial of these rows, "
                   "its own start beside its outcome (OUT/trials/ROW.md)")
    p = sub.add_parser("misses", help="output error by target bin, from the trials' final weights (Experiments 4, 5)")
    p.add_argument("rows", nargs="+", metavar="ROW")
    p.add_argument("--out", default="results/misses")
    p = sub.add_parser("plateau", help="sequences until the error leaves chance, against lr or T (ST3 rows)")
    p.add_argument("row")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--lr", type=float, nargs="+", help="learning rates to try")
    g.add_argument("--T", type=int, nargs="+", help="sequence lengths to try (adding rows)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--trial", type=int, nargs="+", default=[0], help="which trials (default: 0)")
    g.add_argument("--trials", type=int, default=None, help="the first N trials")
    p.add_argument("--cap", type=int, default=None, help="default: the row's max_sequences")
    p.add_argument("--out", default="results/plateau")
    p = sub.add_parser("wait", help="what ST3's stop waits for: misses counted while trials train (adding rows)")
    p.add_argument("rows", nargs="+", metavar="ROW")
    p.add_argument("--trials", type=int, default=3, help="the first N trials (default 3)")
    p.add_argument("--out", default="results/wait")
    p = sub.add_parser("bench", help="speed per step and per weight, eq. (29), memory vs BPTT, the battery's hours")
    p.add_argument("--quick", action="store_true", help="a few rows and sizes, in seconds (for tests)")
    p.add_argument("--out", default="results/complexity")
    args = parser.parse_args(argv)
    commands = {"list": cmd_list, "reproduce": cmd_reproduce, "sample": cmd_sample, "table": cmd_table,
                "plot": cmd_plot, "verify": cmd_verify, "carousel": cmd_carousel, "drift": cmd_drift, "misses": cmd_misses,
                "plateau": cmd_plateau, "wait": cmd_wait, "bench": cmd_bench,
                None: cmd_demo}
    return commands[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
