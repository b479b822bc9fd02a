"""The command line (`python run.py ...` or `hochreiter97 ...`): parse, check, call the library, print.

    (no command)         demonstration: row 6a, 3 trials, then the side-by-side table (results/demo/)
    list                 every table row: task, weights, trials, the paper's result
    reproduce ROW ...    train rows the paper's way; run again to resume
    battery              every paper row at its protocol, longest first (--dry-run: the plan and its CPU-hours)
    sample ROW           task instances as arrays (.npz)
    table                regenerate results/README.md
    plot ROW             learning curves and sequences-to-success, as PNG
    verify               check the learning rule against independent implementations
    bench                speed per step and per weight, eq. (29), memory, the battery's hours
    carousel             error flow back in time: 1997 LSTM vs conventional net, forget-gate LSTM, GRU
    drift                internal state drift of every row's untrained nets (--by-trial ROW: each trial's start)
    misses ROW ...       where trained nets miss: output error by target (Experiments 4, 5)
    plateau ROW          sequences until the error leaves chance, against --lr or --T (ST3 rows)
    wait ROW ...         what ST3's stop waits for: misses counted while trials train (Experiment 4)

Every user error (a bad option, an unknown row, a config or results file that cannot be
used) is one line on stderr and exit status 2, before anything is written; an
interrupted run exits 130 with its running trials checkpointed.
"""
from __future__ import annotations

import argparse
import difflib
import os
import shlex
import sys
from pathlib import Path

PROG = "run.py"
SAMPLE_MAX_BYTES = 1 << 30          # `sample` refuses to build arrays larger than this


class UsageError(ValueError):
    """A command line that cannot be run: one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):                      # one line, not argparse's usage block
        self.exit(2, f"{self.prog}: error: {message}\n")


def _int_at_least(lo):
    def parse(text):
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer >= {lo}, got {text!r}") from None
        if v < lo:
            raise argparse.ArgumentTypeError(f"expected an integer >= {lo}, got {v}")
        return v
    return parse


def _positive_float(text):
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text}")
    return v


def command_line(argv) -> str:
    """The exact command that made an output, as its provenance."""
    return " ".join(["python", PROG] + [shlex.quote(a) for a in argv])


def check_rows(rows) -> None:
    """Every ROW names a row (or a config file); an unknown one gets the nearest names."""
    from . import config
    known = config.rows()
    for row in rows:
        if row in known or (row.endswith(".yaml") and Path(row).is_file()):
            continue
        near = difflib.get_close_matches(row, known, n=4, cutoff=0.5)
        raise UsageError(f"unknown row {row!r}" + (f"; nearest: {', '.join(near)}" if near else "")
                         + " (python run.py list shows every row)")


# ---------------------------------------------------------------- commands
def cmd_list(args) -> int:
    from . import config
    from . import models, readings, report
    if args.readings:
        for name, r in readings.READINGS.items():
            print(f"{name}: {r.what}\n  source: {r.source}\n  rows: "
                  + ", ".join(readings.concerned_rows(name, config.rows(), config.load)) + "\n")
        return 0
    w = max(len(row) for row in config.rows())
    print(f"{'row':{w}} {'task':15} {'weights':>7} {'trials':>6}  paper")
    for row in config.rows():
        cfg = config.load(row)
        print(f"{row:{w}} {cfg.task:15} {models.n_weights(cfg):>7} {cfg.trials:>6}  "
              f"{report._paper_result(cfg.paper)}")
    return 0


def cmd_reproduce(args) -> int:
    from . import report, reproduce
    from .studies import hooks as study_hooks
    check_rows(args.rows)
    plans = [reproduce.prepare(row, trials=args.trials, seed=args.seed, out=args.out, model=args.model,
                               trace=args.trace, max_sequences=args.max_sequences, reading=args.reading)
             for row in args.rows]
    for row, (_, _, rowdir, _) in zip(args.rows, plans):
        s = reproduce.reproduce(row, trials=args.trials, seed=args.seed, workers=args.workers, out=args.out,
                                hooks=study_hooks.HOOKS,
                                command=args.command, model=args.model, trace=args.trace,
                                max_sequences=args.max_sequences, checkpoint_seconds=args.checkpoint_every,
                                reading=args.reading, scheduler=args.scheduler, checkpoint_dir=args.checkpoint_dir)
        seq = s["sequences"]
        print(f"{row}: {s['successes']} of {s['trials']} trials succeeded"
              + (f"; sequences to success mean {seq['mean']:,.0f} (min {seq['min']:,}, max {seq['max']:,})" if seq else "")
              + f"; paper: {report._paper_result(s['paper'])}  [{rowdir}]")
    for out in sorted({str(rowdir.parent) for _, _, rowdir, _ in plans}):
        report.write_readme(out)
    return 0


def cmd_sample(args) -> int:
    import numpy as np
    from tasks import FAMILIES
    from . import config
    from .results import check_writable
    check_rows([args.row])
    out = args.out if args.out.endswith(".npz") else args.out + ".npz"    # np.savez's own rule, said aloud
    if Path(out).is_dir():
        raise UsageError(f"--out {args.out}: is a folder, expected a file name")
    check_writable(Path(out).parent)
    cfg = config.load(args.row)
    family, params = FAMILIES[cfg.task], config.task_params(cfg)
    rng = np.random.default_rng(args.seed)
    width = 8 * (cfg.n_in + cfg.n_out) + 1

    def check_size(length, what):
        size = args.n * length * width
        if size > SAMPLE_MAX_BYTES:
            raise UsageError(f"--n {args.n}: {what} {size / 1e9:.1f} GB of arrays ({args.n} sequences of "
                             f"{length} steps, {cfg.n_in} inputs); the limit is {SAMPLE_MAX_BYTES / 1e9:.1f} GB: ask for fewer")

    seqs = [family.generate(rng, **params)]
    check_size(len(seqs[0][0]), "would build about")
    seqs += [family.generate(rng, **params) for _ in range(args.n - 1)]
    L = max(len(x) for x, _, _ in seqs)
    check_size(L, "would build")
    inputs = np.zeros((args.n, L, cfg.n_in))
    targets = np.zeros((args.n, L, cfg.n_out))
    mask = np.zeros((args.n, L), bool)
    for i, (x, y, m) in enumerate(seqs):
        inputs[i, :len(x)], targets[i, :len(x)], mask[i, :len(x)] = x, y, m
    np.savez(out, inputs=inputs, targets=targets, mask=mask, lengths=np.array([len(x) for x, _, _ in seqs]),
             input_names=np.array(family.input_names(**params)), output_names=np.array(family.output_names(**params)))
    print(f"{out}: {args.n} sequences of row {args.row}, max length {L}")
    return 0


def cmd_table(args) -> int:
    from . import report
    path = report.write_readme(args.out)
    print(report.table_markdown(args.out))
    print(f"\nwritten: {path}")
    return 0


def cmd_plot(args) -> int:
    from . import report
    check_rows([args.row])
    from .studies import traces
    paths = traces.plot(args.row, args.out) if args.traces else report.plot_row(args.row, args.out)
    for path in paths:
        print(f"written: {path}")
    return 0


def cmd_verify(args) -> int:
    from . import verify
    print("Verifying the truncated learning rule (float64; relative to the largest entry of each weight array)")
    return 0 if verify.run_all() else 1


def cmd_carousel(args) -> int:
    from .studies import carousel as diagnostics
    for path in diagnostics.write(args.out, command=args.command):
        print(f"written: {path}")
    return 0


def cmd_drift(args) -> int:
    from .studies import drift
    if args.by_trial:
        check_rows(args.by_trial)
        paths = drift.write_by_trial(args.by_trial, Path(args.out) / "trials", command=args.command)
    elif args.sources:
        check_rows(args.sources)
        paths = drift.write_sources(args.sources, args.out, command=args.command)
    else:
        paths = drift.write(args.out, command=args.command)
    for path in paths:
        print(f"written: {path}")
    return 0


def cmd_misses(args) -> int:
    from .studies import misses
    check_rows(args.rows)
    for path in misses.write(args.rows, args.out, command=args.command):
        print(f"written: {path}")
    return 0


def cmd_plateau(args) -> int:
    from .studies import plateau
    check_rows([args.row])
    key = "lr" if args.lr else "T"
    values = args.lr or args.T
    trials = list(range(args.trials)) if args.trials else args.trial
    result = plateau.sweep(args.row, key, values, trials=trials, cap=args.cap, command=args.command, out=args.out)
    for v, ns in zip(result["values"], result["sequences"]):
        print(f"{args.row} {key} {v:g}: error below beta first after "
              + ", ".join(f"{n:,}" if n is not None else "no (cap)" for n in ns) + f" (trials {trials})")
    for path in plateau.write(result, args.out):
        print(f"written: {path}")
    return 0


def cmd_wait(args) -> int:
    from .studies import wait
    check_rows(args.rows)
    for row in args.rows:
        for t in wait.run(row, args.trials, out=args.out, command=args.command)["trials"]:
            w = t["wait"]
            print(f"{row} trial {t['trial']}: error below beta after {t['error_below_beta_at']}, "
                  f"stop {t['stop']}; in the wait {w['wrong']} of {w['sequences']:,} wrong "
                  f"({w['extreme_wrong']} with extreme targets)")
    for path in wait.write(args.out):
        print(f"written: {path}")
    return 0


def cmd_bench(args) -> int:
    from . import results
    from .bench import speed as bench
    full = results.RESULTS / "complexity"
    out = args.out or (results.SCRATCH / "complexity" if args.quick else full)
    if args.quick and Path(out).resolve() == full.resolve():
        raise UsageError(f"--quick --out {args.out}: {full}/ holds the committed full benchmark; "
                         f"leave out --out (writes {results.SCRATCH}/complexity/) or name another folder")
    if args.lockstep:
        from .bench import lockstep
        lockstep.run(out=str(args.out or full))
        print(f"\nwritten: {args.out or full}/lockstep.json, lockstep.md")
        return 0
    if args.end_to_end:
        from .bench import endtoend
        endtoend.run(out=str(args.out or full), steps=20_000 if args.quick else endtoend.STEPS)
        print(f"\nwritten: {args.out or full}/end_to_end.json, end_to_end.md")
        return 0
    result = bench.run(quick=args.quick, out=str(out))
    print("\n" + bench.summary(result))
    print(f"\nwritten: {out}/bench.json, " + ", ".join(result["plots"]))
    return 0


def cmd_battery(args) -> int:
    from . import battery, readings, report
    from .studies import hooks as study_hooks
    if args.reading is not None and args.reading not in readings.READINGS:
        raise UsageError(f"--reading {args.reading}: no such reading (readings: {', '.join(readings.READINGS)})")
    entries = battery.plan(args.reading)
    print(battery.describe(entries, args.reading))
    if args.dry_run:
        return 0
    battery.run(args.reading, workers=args.workers, hooks=study_hooks.HOOKS, scheduler=args.scheduler,
                checkpoint_dir=args.checkpoint_dir)
    print(f"\nwritten: {report.write_readme('results')}")
    return 0


def cmd_demo(args) -> int:
    """The main job: a demonstration in about a minute."""
    from . import report, reproduce
    from .studies import hooks as study_hooks
    out = "results/demo"
    print("Demonstration: row 6a (temporal order, Table 9), 3 trials, the paper's protocol.\n"
          f"Results in {out}/; the full row is `python run.py reproduce 6a` (20 trials).\n"
          "The first run compiles the kernels (about 40 s); later runs load them from the cache.\n")
    reproduce.reproduce("6a", trials=3, seed=0, out=out, command="python run.py", hooks=study_hooks.HOOKS)
    report.write_readme(out)
    print(report.table_markdown(out))
    return 0


# ---------------------------------------------------------------- the parser
def parser() -> Parser:
    p0 = Parser(prog=PROG, description="The hochreiter97 replication: " + __doc__.splitlines()[0],
                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n")[1])
    sub = p0.add_subparsers(dest="command_name", metavar="COMMAND", parser_class=Parser)
    pos, nonneg = _int_at_least(1), _int_at_least(0)
    p = sub.add_parser("list", help="every table row")
    p.add_argument("--readings", action="store_true", help="instead: every reading, its source and the rows it concerns")
    p = sub.add_parser("reproduce", help="train rows the paper's way (resumable)")
    p.add_argument("rows", nargs="+", metavar="ROW", help="row ids (python run.py list), or paths of row YAML files")
    p.add_argument("--trials", type=pos, default=None, help="the first N trials (default: the paper's count for the row)")
    p.add_argument("--seed", type=nonneg, default=0, help="the root seed (default 0, the committed results')")
    p.add_argument("--workers", type=pos, default=None, help="parallel processes (default: all cores)")
    p.add_argument("--out", default=None, help="results folder (default: results/ for a row's protocol, "
                   "results/scratch/ for any other run; a run that is not the protocol never writes into results/)")
    p.add_argument("--model", choices=["lstm-forget", "gru", "rnn"], default=None,
                   help="ablation: train this network instead of the 1997 LSTM (results in OUT/ROW@MODEL)")
    p.add_argument("--reading", default=None, metavar="NAME",
                   help="run the row under another reading of the paper (results in OUT/ROW@NAME; list --readings)")
    p.add_argument("--trace", type=nonneg, default=0, metavar="K",
                   help="record K sequences per trial (at sequences 0, 1000, 2000, 4000, ...) and one at the end")
    p.add_argument("--max-sequences", type=pos, default=None, metavar="N",
                   help="a short run: cap training at N sequences (stated in the results; not the protocol)")
    p.add_argument("--checkpoint-every", type=_positive_float, default=60.0, metavar="SECONDS",
                   help="save each running trial's state this often (default 60); SIGINT/SIGTERM save it at once")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run each trial as a task on this Dask scheduler (e.g. tcp://host:8786) instead of local "
                        "processes; needs pip install -e '.[cluster]' (docs/cluster.md)")
    p.add_argument("--checkpoint-dir", default=None, metavar="DIR",
                   help="with --scheduler: where workers checkpoint running trials, a folder every worker sees "
                        "at this path (default: the row folder, right for workers on this machine)")
    p = sub.add_parser("battery", help="every paper row and Table 2 competitor at its protocol, longest first (resumable)")
    p.add_argument("--reading", default=None, metavar="NAME", help="the rows a reading concerns, under it (ROW@NAME)")
    p.add_argument("--dry-run", action="store_true", help="print the plan and its estimated CPU-hours; run nothing")
    p.add_argument("--workers", type=pos, default=None, help="parallel processes per row (default: all cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run each trial as a task on this Dask scheduler instead of local processes (docs/cluster.md)")
    p.add_argument("--checkpoint-dir", default=None, metavar="DIR",
                   help="with --scheduler: a folder every worker sees, for the running trials' checkpoints")
    p = sub.add_parser("sample", help="task instances as arrays (.npz)")
    p.add_argument("row", metavar="ROW", help="row id")
    p.add_argument("--n", type=pos, default=10, help="how many sequences (default 10)")
    p.add_argument("--seed", type=nonneg, default=0, help="seed of the task generator (default 0)")
    p.add_argument("--out", default="sample.npz", help="file to write (.npz is added when missing)")
    p = sub.add_parser("table", help="regenerate results/README.md")
    p.add_argument("--out", default="results", help="the results folder to table (default results)")
    p = sub.add_parser("plot", help="learning curves and sequences to success")
    p.add_argument("row", metavar="ROW", help="row id")
    p.add_argument("--traces", action="store_true",
                   help="instead: the traces of reproduce --trace (cell states, gates at the relevant inputs)")
    p.add_argument("--out", default="results", help="the results folder holding ROW/ (default results)")
    sub.add_parser("verify", help="check the learning rule (BPTT, finite differences, properties, kernel)")
    p = sub.add_parser("carousel", help="error reaching the state q = 1..1000 steps back, six models (log plot + JSON)")
    p.add_argument("--out", default="results/carousel", help="folder to write (default results/carousel)")
    p = sub.add_parser("drift", help="cells saturated by internal state drift at initialization, every row (JSON + table)")
    p.add_argument("--out", default="results/drift", help="folder to write (default results/drift)")
    p.add_argument("--by-trial", nargs="+", metavar="ROW", help="instead: each finished trial of these rows, "
                   "its own start beside its outcome (OUT/trials/ROW.md)")
    p.add_argument("--sources", nargs="+", metavar="ROW", help="instead: the drift of these rows' untrained nets "
                   "with the gates' and cells' weights from some sources set to zero (OUT/sources.md)")
    p = sub.add_parser("misses", help="output error by target bin, from the trials' final weights (Experiments 4, 5)")
    p.add_argument("rows", nargs="+", metavar="ROW", help="row ids")
    p.add_argument("--out", default="results/misses", help="folder to write (default results/misses)")
    p = sub.add_parser("plateau", help="sequences until the error leaves chance, against lr or T (ST3 rows)")
    p.add_argument("row", metavar="ROW", help="row id")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--lr", type=_positive_float, nargs="+", help="learning rates to try")
    g.add_argument("--T", type=_int_at_least(2), nargs="+", help="sequence lengths to try (adding rows)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--trial", type=nonneg, nargs="+", default=[0], help="which trials (default: 0)")
    g.add_argument("--trials", type=pos, default=None, help="the first N trials")
    p.add_argument("--cap", type=pos, default=None, help="default: the row's max_sequences")
    p.add_argument("--out", default="results/plateau", help="folder to write (default results/plateau)")
    p = sub.add_parser("wait", help="what ST3's stop waits for: misses counted while trials train (adding rows)")
    p.add_argument("rows", nargs="+", metavar="ROW", help="row ids")
    p.add_argument("--trials", type=pos, default=3, help="the first N trials (default 3)")
    p.add_argument("--out", default="results/wait", help="folder to write (default results/wait)")
    p = sub.add_parser("bench", help="speed per step and per weight, eq. (29), memory vs BPTT, the battery's hours")
    p.add_argument("--quick", action="store_true", help="a few rows and sizes, in seconds (for tests)")
    p.add_argument("--lockstep", action="store_true", help="instead: N trials of Experiment 4's net advanced together "
                   "in one compiled call against one at a time (OUT/lockstep.json, .md)")
    p.add_argument("--end-to-end", action="store_true", help="instead: us per step through reproduce's own loop "
                   "beside the kernel alone, every paper row (OUT/end_to_end.json, .md)")
    p.add_argument("--out", default=None, help="folder to write (default results/complexity; "
                   "with --quick results/scratch/complexity)")
    return p0


COMMANDS = {"list": cmd_list, "reproduce": cmd_reproduce, "battery": cmd_battery, "sample": cmd_sample, "table": cmd_table,
            "plot": cmd_plot, "verify": cmd_verify, "carousel": cmd_carousel, "drift": cmd_drift,
            "misses": cmd_misses, "plateau": cmd_plateau, "wait": cmd_wait, "bench": cmd_bench, None: cmd_demo}


def main(argv=None) -> int:
    from .results import Interrupted
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser().parse_args(argv)
    args.command = command_line(argv)
    prog = f"{PROG} {args.command_name}" if args.command_name else PROG
    try:
        return COMMANDS[args.command_name](args)
    except BrokenPipeError:                            # the reader went away (| head): nothing to say
        return 0
    except Interrupted as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return 130
    except (ValueError, OSError) as e:                 # ConfigError, RunError, UsageError, a path: the user's to fix
        if os.environ.get("HOCHREITER97_TRACEBACK"):
            raise
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
