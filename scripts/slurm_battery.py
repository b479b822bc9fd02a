#!/usr/bin/env python
"""Table rows on a SLURM cluster, through dask-jobqueue (pip install -e '.[cluster]'; docs/cluster.md).

    python scripts/slurm_battery.py 6a 6b 4-1 4-2 --jobs 4 --cores 16 --memory 32GB \\
        --walltime 24:00:00 --shared /scratch/$USER/hochreiter97-checkpoints [--queue Q] [--account A]

Run it from the repository root on the login node (or in a long-lived job of its own): it is
the client. It submits --jobs SLURM jobs, each one Dask worker process per core (a trial is
one single-threaded task), then reproduces the rows one after another, each row's trials as
tasks on those workers (hochreiter97.reproduce.reproduce(row, scheduler=client,
checkpoint_dir=shared)). Results are written by this process, under its row folder locks,
into --out (default: results/ for a row's protocol, results/scratch/ otherwise) exactly as
`python run.py reproduce` writes them. Running trials checkpoint into --shared, a folder
every node sees at the same path: a worker lost (node failure, a job at its walltime) has
its trial rescheduled on another worker, resuming there. Ctrl-C stops it (exit 130); the
same command again resumes. --print-job-script shows the sbatch script and submits nothing.
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))                    # the checkout's hochreiter97 and tasks, installed or not


def parse(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("rows", nargs="+", metavar="ROW", help="row ids (python run.py list)")
    p.add_argument("--jobs", type=int, default=2, help="SLURM jobs to submit (default 2)")
    p.add_argument("--cores", type=int, default=16, help="cores per job: as many worker processes (default 16)")
    p.add_argument("--memory", default="32GB", help="memory per job (default 32GB; a trial needs well under 1 GB)")
    p.add_argument("--walltime", default="24:00:00", help="per job (default 24:00:00)")
    p.add_argument("--queue", default=None, help="SLURM partition")
    p.add_argument("--account", default=None, help="SLURM account")
    p.add_argument("--prologue", action="append", default=[], metavar="LINE",
                   help="a line run before the worker starts, e.g. 'source ~/venv/bin/activate' (repeatable)")
    p.add_argument("--renew", action="store_true",
                   help="keep --jobs jobs up (cluster.adapt): a job reaching its walltime is replaced; its workers "
                        "leave 10 minutes early and their trials resume elsewhere from their checkpoints")
    p.add_argument("--shared", required=True, help="checkpoint folder on a file system every node sees at this path")
    p.add_argument("--out", default=None, help="results folder (default as run.py reproduce)")
    p.add_argument("--trials", type=int, default=None, help="the first N trials (default: the paper's count)")
    p.add_argument("--seed", type=int, default=0, help="root seed (default 0)")
    p.add_argument("--checkpoint-every", type=float, default=300.0, metavar="SECONDS",
                   help="how often a running trial saves its state into --shared (default 300)")
    p.add_argument("--print-job-script", action="store_true", help="print the sbatch script and exit")
    return p.parse_args(argv)


def seconds(walltime: str) -> int:
    """[D-]HH:MM:SS (or MM:SS) in seconds."""
    days, _, rest = walltime.rpartition("-")
    parts = [int(x) for x in rest.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    h, m, s = parts
    return ((int(days or 0) * 24 + h) * 60 + m) * 60 + s


def slurm_cluster(args):
    from dask_jobqueue import SLURMCluster
    extra = []
    if args.renew:                               # leave before SLURM kills the job, staggered (dask-jobqueue's advice)
        extra = ["--lifetime", f"{max(60, seconds(args.walltime) - 600)}s", "--lifetime-stagger", "4m"]
    return SLURMCluster(cores=args.cores, processes=args.cores, memory=args.memory, walltime=args.walltime,
                        queue=args.queue, account=args.account, job_name="hochreiter97",
                        job_script_prologue=[f"cd {shlex.quote(str(ROOT))}", *args.prologue],
                        worker_extra_args=extra, log_directory=str(Path(args.shared) / "slurm-logs"))


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    from distributed import Client
    from hochreiter97 import report, reproduce, results
    plans = [reproduce.prepare(row, trials=args.trials, seed=args.seed, out=args.out) for row in args.rows]
    with slurm_cluster(args) as cluster:
        if args.print_job_script:
            print(cluster.job_script())
            return 0
        if args.renew:
            cluster.adapt(minimum_jobs=args.jobs, maximum_jobs=args.jobs)
        else:
            cluster.scale(jobs=args.jobs)
        with Client(cluster) as client:
            print(f"scheduler {cluster.scheduler_address}; dashboard {cluster.dashboard_link}", flush=True)
            failed = 0
            for row, (_, _, rowdir, _) in zip(args.rows, plans):
                try:
                    s = reproduce.reproduce(row, trials=args.trials, seed=args.seed, out=args.out,
                                            scheduler=client, checkpoint_dir=args.shared,
                                            checkpoint_seconds=args.checkpoint_every,
                                            command="python " + " ".join(map(shlex.quote, sys.argv)))
                except results.Interrupted as e:
                    print(e, file=sys.stderr)
                    return 130
                except results.RunError as e:            # this row cannot go on; the others can
                    print(f"{row}: error: {e}", file=sys.stderr)
                    failed += 1
                    continue
                print(f"{row}: {s['successes']} of {s['trials']} trials succeeded  [{rowdir}]", flush=True)
    for out in sorted({str(rowdir.parent) for _, _, rowdir, _ in plans}):
        report.write_readme(out)
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
