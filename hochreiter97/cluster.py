"""A row's trials on a Dask distributed cluster (optional extra: pip install -e '.[cluster]').

    python run.py reproduce 6a --scheduler tcp://HOST:8786 --checkpoint-dir /shared/ckpt
    reproduce.reproduce("6a", scheduler=client_or_cluster_or_address, checkpoint_dir=...)

The local process pool stays the default (reproduce.py); `distributed` is imported only
when a scheduler is given. Each pending trial is one Dask task (`run_task`), which runs
training.run_trial on a worker with the row's config, seed, trial index and fingerprint,
checkpoints every checkpoint_seconds into the checkpoint folder, and returns the record,
the final weights (and the trace, with --trace): a worker writes nothing into the results.
The client -- the process that called reproduce, holding the row folder's lock -- writes
each finished trial atomically as the local pool does (trace-K.npz, weights-K.npz,
trial-K.json), removes its checkpoint and rewrites summary.json; the records are identical
(timing aside) to the local pool's, since a trial's seeds derive from (seed, row, trial).

Checkpoints: by default in the row folder itself (checkpoint-K.pkl, as the local pool;
right for a LocalCluster on this machine); with checkpoint_dir (a folder every worker sees
at the same path) in checkpoint_dir/ROW-HASH/, HASH the run's fingerprint, so that folders
of different configs or seeds never meet. A checkpoint left in the row folder by a local
run is moved there and resumed.

Faults: a worker that dies mid-trial is replaced by Dask, and its task rescheduled on
another worker (up to the scheduler's distributed.scheduler.allowed-failures, default 3;
`retries` covers exceptions raised in a task); it resumes from the trial's last checkpoint
and ends with the same numbers. SIGINT/SIGTERM on the client: the trials not started are
cancelled; a running task sees its cancellation on its worker (checked every half second),
saves its checkpoint and ends, shortly after the client has raised results.Interrupted (a
worker running an older distributed whose task state cannot be read finishes the trial,
checkpointing every checkpoint_seconds, and its result is dropped). Run the same command
again to resume: finished trials are kept, the others resume from their checkpoints.
"""
from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import yaml
from tqdm import tqdm

from . import results, training
from .results import Interrupted, RunError, write_json

RETRIES = 3                  # resubmissions of a task that raised; a dead worker's task is rescheduled by the scheduler
POLL = 0.1                   # seconds between looks at the futures (a signal is seen within this)
INSTALL = "pip install -e '.[cluster]'"


def import_distributed():
    """The `distributed` module, or a one-line RunError naming the extra to install."""
    try:
        import distributed
    except ImportError as e:
        raise RunError(f"--scheduler runs trials on a Dask cluster, which needs the cluster extra ({e}): "
                       f"{INSTALL}") from None
    return distributed


def connect(distributed, scheduler):
    """(client, whether we made it and must close it) for an address, a Client or a cluster object."""
    if isinstance(scheduler, distributed.Client):
        return scheduler, False
    try:
        return distributed.Client(scheduler, set_as_default=False), True
    except (OSError, TimeoutError) as e:
        raise RunError(f"--scheduler {scheduler}: cannot connect ({type(e).__name__}: {e})") from None


def checkpoint_folder(rowdir, fp, checkpoint_dir=None) -> Path:
    """Where a run's checkpoints live: the row folder, or checkpoint_dir/ROW-HASH (absolute: workers elsewhere)."""
    folder = Path(rowdir) if checkpoint_dir is None else Path(checkpoint_dir) / f"{Path(rowdir).name}-{fp['hash']}"
    return Path(os.path.abspath(folder))


# ---------------------------------------------------------------- on a worker
def _cancelled():
    """On a Dask worker: a callable that becomes true once this task is no longer wanted (cancelled,
    or its client gone), looked up in the worker's task state at most every half second; None elsewhere."""
    try:
        from distributed import get_worker
        worker = get_worker()
        key, tasks = worker.get_current_task(), worker.state.tasks
    except Exception:                                  # not on a worker, or a distributed without these
        return None
    seen = {"at": 0.0, "cancelled": False}

    def cancelled():
        now = time.monotonic()
        if now - seen["at"] >= 0.5:
            ts = tasks.get(key)
            seen.update(at=now, cancelled=ts is None or ts.state in ("cancelled", "released", "forgotten"))
        return seen["cancelled"]
    return cancelled


def run_task(cfg, seed, k, checkpoint, checkpoint_seconds, trace, fp, hooks=None):
    """One trial on a worker: (k, record, weights, trace bytes), or (k, None, None, None) when cancelled
    (its checkpoint then saved). Writes only its checkpoint; weights and trace pass through a private
    temporary folder and come back in the result."""
    here = results.fingerprint(cfg, seed)
    if here["hash"] != fp["hash"]:
        raise RunError(f"trial {k}: this worker's hochreiter97 makes another fingerprint "
                       f"({'; '.join(results.differences(fp, here)) or 'the code'}): install the client's version on the workers")
    Path(checkpoint).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"hochreiter97-trial-{k}-") as tmp:
        weights_path, trace_path = Path(tmp) / "weights.npz", Path(tmp) / "trace.npz"
        rec = training.run_trial(cfg, seed, k, checkpoint=checkpoint, checkpoint_seconds=checkpoint_seconds,
                                 trace=trace, trace_path=trace_path, weights_path=weights_path, fingerprint=fp,
                                 interrupted=_cancelled(), hooks=hooks)
        if rec is None:
            return k, None, None, None
        with np.load(weights_path) as z:
            weights = {name: z[name] for name in z.files}
        return k, rec, weights, trace_path.read_bytes() if trace else None


# ---------------------------------------------------------------- on the client
def _write_trial(rowdir, ckpts, k, rec, weights, trace_bytes) -> None:
    """A finished trial into the row folder, as the local pool writes it; then its checkpoints go."""
    if trace_bytes is not None:
        tmp = rowdir / f"trace-{k}.npz.tmp.{os.getpid()}"
        tmp.write_bytes(trace_bytes)
        os.replace(tmp, rowdir / f"trace-{k}.npz")
    training.save_weights(weights, rowdir / f"weights-{k}.npz")
    write_json(rowdir / f"trial-{k}.json", rec)
    for p in ckpts:
        p.unlink(missing_ok=True)


def _adopt_local_checkpoints(rowdir, ckdir, pending) -> None:
    """Checkpoints a local run left in the row folder, moved into the shared folder to be resumed there."""
    if ckdir == Path(os.path.abspath(rowdir)):
        return
    for k in pending:
        src, dst = rowdir / f"checkpoint-{k}.pkl", ckdir / f"checkpoint-{k}.pkl"
        if src.exists() and not dst.exists():
            tmp = ckdir / f"checkpoint-{k}.pkl.tmp.{os.getpid()}"
            tmp.write_bytes(src.read_bytes())
            os.replace(tmp, dst)
            src.unlink()


def reproduce(row, trials=None, seed=0, workers=None, out=None, checkpoint_seconds=60.0, show=True, command=None,
              model=None, trace=0, max_sequences=None, reading=None, scheduler=None, checkpoint_dir=None,
              hooks=None) -> dict:
    """reproduce.reproduce with each pending trial a task on the Dask cluster of `scheduler` (an address
    such as tcp://host:8786, a distributed.Client, or a cluster object: LocalCluster, SLURMCluster, ...).
    workers is ignored: as many trials run at once as the cluster has worker threads. hooks (training.Hooks)
    travel with each task: the workers need the same package installed."""
    if scheduler is None:
        raise RunError("--checkpoint-dir is for runs on a Dask cluster: give --scheduler ADDRESS too")
    distributed = import_distributed()
    from . import reproduce as local
    cfg, trials, rowdir, fp = local.prepare(row, trials, seed, out, model, trace, max_sequences, reading)
    ckdir = checkpoint_folder(rowdir, fp, checkpoint_dir)
    local.preflight_checkpoints(ckdir, fp)              # read-only, before anything is written
    client, own = connect(distributed, scheduler)
    try:
        with results.held(rowdir):
            done = local._preflight(rowdir, fp)           # again: the folder is ours now
            local.preflight_checkpoints(ckdir, fp)
            (rowdir / "config.yaml").write_text(yaml.safe_dump(cfg.to_dict(), sort_keys=False))
            pending = [k for k in range(trials) if k not in done]
            if pending:
                ckdir.mkdir(parents=True, exist_ok=True)
                _adopt_local_checkpoints(rowdir, ckdir, pending)
            return _run(client, cfg, seed, trials, rowdir, ckdir, fp, pending, checkpoint_seconds, show,
                        command, trace, hooks)
    finally:
        if own:
            client.close()


def _run(client, cfg, seed, trials, rowdir, ckdir, fp, pending, checkpoint_seconds, show, command, trace,
         hooks=None) -> dict:
    """Submit the pending trials, write each as it finishes; the summary after every one."""
    from .reproduce import write_summary

    interrupt = threading.Event()
    main = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.signal(sig, lambda signum, frame: interrupt.set())
                for sig in (signal.SIGINT, signal.SIGTERM)} if main else {}
    token = uuid.uuid4().hex[:8]
    futures = {client.submit(run_task, cfg, seed, k, str(ckdir / f"checkpoint-{k}.pkl"), checkpoint_seconds, trace,
                             fp, hooks, key=f"{rowdir.name}-trial-{k}-{token}", retries=RETRIES, pure=False): k
               for k in pending}
    failed = {}
    bar = tqdm(total=len(pending), desc=f"{cfg.row} trials on the cluster", unit=" trial", disable=not show,
               dynamic_ncols=True)
    try:
        remaining = dict(futures)
        while remaining and not interrupt.is_set():
            ready = [f for f in remaining if f.done()]
            if not ready:
                time.sleep(POLL)
                continue
            for f in ready:
                k = remaining.pop(f)
                if f.status != "finished":                 # "error" (KilledWorker too), or cancelled elsewhere
                    failed[k] = f.exception() if f.status == "error" else RuntimeError(f"task {f.status}")
                    continue
                _, rec, weights, trace_bytes = f.result()
                if rec is not None:
                    _write_trial(rowdir, (ckdir / f"checkpoint-{k}.pkl", rowdir / f"checkpoint-{k}.pkl"),
                                 k, rec, weights, trace_bytes)
                    write_summary(cfg, rowdir, trials, seed, command, hooks)
                bar.update(1)
        if interrupt.is_set():
            client.cancel(list(remaining))
            write_summary(cfg, rowdir, trials, seed, command, hooks)
            raise Interrupted(f"{rowdir}: interrupted; finished trials are kept, the others cancelled on the cluster "
                              f"(running ones checkpoint into {ckdir} as their workers see it): "
                              "run the same command again to resume")
    finally:
        bar.close()
        client.cancel([f for f in futures if not f.done()])
        for sig, h in handlers.items():
            signal.signal(sig, h)
    if failed:
        k, e = min(failed.items())
        write_summary(cfg, rowdir, trials, seed, command, hooks)
        raise RunError(f"{rowdir}: trial {k} failed on the cluster ({type(e).__name__}: {e})"
                       + (f" and {len(failed) - 1} more" if len(failed) > 1 else "")
                       + "; finished trials are kept and the others resume from their checkpoints: "
                         "run the same command again")
    return write_summary(cfg, rowdir, trials, seed, command, hooks)
