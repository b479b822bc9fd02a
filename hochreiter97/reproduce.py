"""Reproduce a table row: its trials in parallel processes, results on disk, resumable.

Per row, under OUT/ROW/ (OUT: results/ for a run of the row's protocol, its paper's
trial count, seed 0 and cap; results/scratch/ for any other run unless --out says
where; a run that is not the protocol never writes into results/):

    config.yaml      the resolved config (every value used, defaults filled in)
    trial-K.json     one finished trial (written atomically, never rewritten), with its fingerprint
    checkpoint-K.pkl a running trial's state, saved every 60 s and on SIGINT/SIGTERM (deleted when it finishes)
    weights-K.npz    the final weights of trial K (np.load: one array per name, as Network.weights)
    trace-K.npz      with --trace: the recorded sequences of trial K (hochreiter97/studies/traces.py)
    summary.json     the row over its finished trials, beside the paper's numbers
    .lock            held while a run uses the folder (.lock.owner: its PID)

Running the same command again skips finished trials and resumes running ones from
their checkpoints; each trial's seeds derive from (seed, row, trial index), so the
numbers do not depend on --workers or on interruptions. Finished trials and
checkpoints made under another config, seed or rule version (results.fingerprint)
are refused before anything is written, with the keys that differ.

A reading (run.py reproduce ROW --reading NAME; readings.py): the row under another reading of the
paper, results under OUT/ROW@NAME/. Ablation `model` (run.py reproduce ROW --model gru): the row's task, protocol, learning
rate and seeds (so the same training sequences), but another network (config.ablation);
results under OUT/ROW@MODEL/, labelled as an ablation in the table.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import yaml
from tqdm import tqdm

from . import config
from . import models, readings, results, training
from .results import Interrupted, RunError, finished_trials, write_json

_INTERRUPT = threading.Event()      # set by SIGINT/SIGTERM, and in a worker by its parent's death
_BUSY = threading.Event()           # a worker is training a trial
_IN_WORKER = False


def _trial_path(rowdir, k):
    return Path(rowdir) / f"trial-{k}.json"


def _run_one(cfg, seed, k, rowdir, position, checkpoint_seconds, show, trace=0, fp=None, hooks=None):
    """Train trial k into rowdir; (k, record), or (k, None) when interrupted (its checkpoint written).
    A worker interrupted ends its process once the checkpoint is on disk."""
    bar = tqdm(desc=f"{cfg.row} trial {k}", unit=" seq", position=position, leave=False,
               disable=not show, dynamic_ncols=True, mininterval=0.5)

    def progress(st):
        bar.update(st.n - bar.n)
        if st.window:
            bar.set_postfix_str(f"err {st.window_E / len(st.window):.4g}", refresh=False)

    ckpt = Path(rowdir) / f"checkpoint-{k}.pkl"
    _BUSY.set()
    try:
        rec = training.run_trial(cfg, seed, k, checkpoint=ckpt, checkpoint_seconds=checkpoint_seconds,
                                 progress=progress, trace=trace, trace_path=Path(rowdir) / f"trace-{k}.npz",
                                 weights_path=Path(rowdir) / f"weights-{k}.npz", fingerprint=fp,
                                 interrupted=_INTERRUPT.is_set, hooks=hooks)
        bar.close()
        if rec is not None:
            write_json(_trial_path(rowdir, k), rec)
            ckpt.unlink(missing_ok=True)
    finally:
        _BUSY.clear()
    if rec is None and _IN_WORKER:
        os._exit(0)
    return k, rec


def _on_signal(signum, frame):
    _INTERRUPT.set()
    if _IN_WORKER and not _BUSY.is_set():
        os._exit(128 + signum)
    for child in multiprocessing.active_children():      # the parent: its workers checkpoint and end
        child.terminate()


def _watch_parent(parent: int):
    """In a worker: when the parent is gone (killed by any signal), checkpoint the trial and end."""
    while os.getppid() == parent:
        time.sleep(0.5)
    _INTERRUPT.set()
    deadline = time.monotonic() + 300
    while _BUSY.is_set() and time.monotonic() < deadline:
        time.sleep(0.1)
    os._exit(1)


def _worker_init(lock, parent):
    global _IN_WORKER
    _IN_WORKER = True
    tqdm.set_lock(lock)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def protocol_deviations(cfg, trials, seed, max_sequences) -> list:
    """How a run departs from the row's protocol (empty: it is the protocol)."""
    out = []
    if trials is not None and trials != cfg.trials:
        out.append(f"--trials {trials} (the row's protocol: {cfg.trials})")
    if seed != 0:
        out.append(f"--seed {seed} (the row's protocol: 0)")
    if max_sequences is not None and max_sequences != cfg.max_sequences:
        out.append(f"--max-sequences {max_sequences:,} (the row's cap: {cfg.max_sequences:,})")
    return out


def output_folder(cfg, out, deviations):
    """Where a run writes: results/ for a row's protocol, results/scratch/ by default for anything else;
    a run that is not the protocol never writes into the committed results/."""
    if out is None:
        return results.SCRATCH if deviations else results.RESULTS
    if deviations and results.is_committed(out):
        raise RunError(f"{cfg.row}: {', '.join(deviations)} is not the row's protocol, and {out}/ holds the "
                       f"committed protocol runs; leave out --out (writes {results.SCRATCH}/) or name another folder")
    return Path(out)


def preflight_checkpoints(folder, fp) -> None:
    """Read-only: every checkpoint in folder readable and made under fingerprint fp, or refused."""
    for p in sorted(Path(folder).glob("checkpoint-*.pkl")):
        results.check_fingerprint(p, results.load_checkpoint(p).fingerprint, fp, "this checkpoint")


def _preflight(rowdir, fp):
    """Read-only: the folder's finished trials and checkpoints, refused unless all are readable and
    made under fingerprint fp. Returns the finished trials."""
    done = finished_trials(rowdir)
    for k, rec in done.items():
        results.check_fingerprint(_trial_path(rowdir, k), rec.get("fingerprint"), fp, "this finished trial")
    preflight_checkpoints(rowdir, fp)
    return done


def write_summary(cfg, rowdir, trials, seed, command=None, hooks=None) -> dict:
    """summary.json over the folder's finished trials, rewritten after every one (a cut-off row still shows)."""
    summary = summarize(cfg, finished_trials(rowdir), trials, seed, command, hooks)
    write_json(Path(rowdir) / "summary.json", summary)
    return summary


def prepare(row, trials=None, seed=0, out=None, model=None, trace=0, max_sequences=None, reading=None):
    """Resolve a run without writing anything: (cfg, trials, row folder, fingerprint); every refusal here."""
    cfg = config.load(row)
    if model is not None:
        cfg = models.ablation(cfg, model)
    if reading is not None:
        cfg = readings.apply(cfg, reading)
    if trace and cfg.model != "lstm97":
        raise RunError(f"{row}: --trace records the 1997 LSTM's cells; model {cfg.model!r} has none")
    deviations = protocol_deviations(cfg, trials, seed, max_sequences)
    if max_sequences is not None and max_sequences != cfg.max_sequences:
        cfg = cfg.replace(max_sequences=max_sequences,
                   cap_note=f"a short run: --max-sequences {max_sequences:,} (the row's cap is {cfg.max_sequences:,}); "
                            "not the paper's protocol")
    out = output_folder(cfg, out, deviations)
    results.check_writable(out)
    rowdir = out / folder(cfg)
    fp = results.fingerprint(cfg, seed)
    _preflight(rowdir, fp)
    return cfg, cfg.trials if trials is None else trials, rowdir, fp


def reproduce(row, trials=None, seed=0, workers=None, out=None, checkpoint_seconds=60.0,
              show=True, command=None, model=None, trace=0, max_sequences=None, reading=None, hooks=None,
              scheduler=None, checkpoint_dir=None) -> dict:
    """Run the row's trials that are not finished yet; write and return its summary (rewritten
    as each trial finishes, so a row cut off part-way is tabled over its finished trials).

    out: None writes a run of the row's protocol into results/, anything else into results/scratch/.
    trace: record that many probes per trial (traces.py); max_sequences: a cap below the
    row's for a short run (stated in the summary as such). A signal (SIGINT, SIGTERM)
    checkpoints every running trial and raises Interrupted. hooks (training.Hooks): what each trial
    records beyond the protocol's fields; the command line passes studies/hooks.py's HOOKS.
    scheduler: each trial a task on a Dask cluster instead (cluster.py: an address, a Client or a cluster),
    checkpointing into checkpoint_dir (a folder the workers share; default the row folder)."""
    if scheduler is not None or checkpoint_dir is not None:
        from . import cluster
        return cluster.reproduce(row, trials=trials, seed=seed, out=out, checkpoint_seconds=checkpoint_seconds,
                                 show=show, command=command, model=model, trace=trace, max_sequences=max_sequences,
                                 reading=reading, scheduler=scheduler, checkpoint_dir=checkpoint_dir, hooks=hooks)
    cfg, trials, rowdir, fp = prepare(row, trials, seed, out, model, trace, max_sequences, reading)
    with results.held(rowdir):
        done = _preflight(rowdir, fp)                       # again: the folder is ours now
        (rowdir / "config.yaml").write_text(yaml.safe_dump(cfg.to_dict(), sort_keys=False))
        pending = [k for k in range(trials) if k not in done]
        workers = max(1, min(workers or os.cpu_count() or 1, len(pending) or 1))

        _INTERRUPT.clear()
        main = threading.current_thread() is threading.main_thread()
        handlers = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)} if main else {}
        try:
            if pending and workers == 1:
                for k in pending:
                    if _run_one(cfg, seed, k, rowdir, 0, checkpoint_seconds, show, trace, fp, hooks)[1] is not None:
                        write_summary(cfg, rowdir, trials, seed, command, hooks)
                    if _INTERRUPT.is_set():
                        break
            elif pending:
                tqdm.set_lock(multiprocessing.RLock())
                with ProcessPoolExecutor(workers, initializer=_worker_init,
                                         initargs=(tqdm.get_lock(), os.getpid())) as pool:
                    futures = [pool.submit(_run_one, cfg, seed, k, rowdir, i % workers, checkpoint_seconds, show,
                                           trace, fp, hooks) for i, k in enumerate(pending)]
                    for f in as_completed(futures):
                        try:
                            if f.result()[1] is not None:
                                write_summary(cfg, rowdir, trials, seed, command, hooks)
                        except BrokenProcessPool:
                            if not _INTERRUPT.is_set():
                                raise RunError(f"{rowdir}: a worker process died; finished trials are kept and "
                                               "running ones resume from their checkpoints: run the same command again") from None
            if _INTERRUPT.is_set():
                write_summary(cfg, rowdir, trials, seed, command, hooks)
                raise Interrupted(f"{rowdir}: interrupted; finished trials are kept and running ones checkpointed: "
                                  "run the same command again to resume")
        finally:
            for sig, h in handlers.items():
                signal.signal(sig, h)
        return write_summary(cfg, rowdir, trials, seed, command, hooks)


def folder(cfg) -> str:
    """ROW, ROW@MODEL for a model ablation, ROW@NAME under a reading (readings.py)."""
    return (cfg.row + (f"@{cfg.model_ablation}" if cfg.model_ablation else "")
            + (f"@{cfg.reading}" if cfg.reading else ""))


def _stats(values):
    if not values:
        return None
    return {"mean": statistics.fmean(values), "median": statistics.median(values),
            "min": min(values), "max": max(values)}


def summarize(cfg, records: dict, trials: int, seed: int, command=None, hooks=None) -> dict:
    """The row over its finished trials: successes, sequences to success, test figures, the paper's;
    and what hooks.summary adds (training.Hooks)."""
    recs = [records[k] for k in sorted(records) if k < trials]
    ok = [r for r in recs if r["success"]]
    tests = [r["test"] for r in ok if r["test"]]
    summary = {
        "row": folder(cfg), "title": cfg.title, "task": cfg.task, "stop": cfg.stop,
        "model": cfg.model + (f" ({cfg.trainer})" if cfg.trainer else ""), "ablation": cfg.ablation,
        "reading": cfg.reading,
        "max_sequences": cfg.max_sequences, "cap_note": cfg.cap_note,
        "weights": models.n_weights(cfg), "lr": cfg.lr, "seed": seed,
        "trials": len(recs), "trials_planned": trials, "successes": len(ok),
        "sequences": _stats([r["sequences"] for r in ok]),
        "test": {
            "n": tests[0]["n"] if tests else 0,
            "wrong_mean": statistics.fmean(t["wrong"] for t in tests) if tests else None,
            "wrong_max": max(t["wrong"] for t in tests) if tests else None,
            "fraction_wrong_mean": statistics.fmean(t["fraction_wrong"] for t in tests) if tests else None,
            "mse_mean": statistics.fmean(t["mse"] for t in tests) if tests else None,
            "mean_abs_error_mean": statistics.fmean(t["mean_abs_error"] for t in tests) if tests else None,
        },
        "steps_per_second": statistics.fmean(r["steps_per_second"] for r in recs) if recs else None,
        "paper": cfg.paper,
        "command": command or f"python run.py reproduce {cfg.row} --seed {seed}"
                              + ("" if trials == cfg.trials else f" --trials {trials}")
                              + (f" --model {cfg.model_ablation}" if cfg.model_ablation else "")
                              + (f" --reading {cfg.reading}" if cfg.reading else ""),
    }
    if hooks is not None and hooks.summary is not None:  # what the caller's studies add (studies/hooks.py)
        summary.update(hooks.summary(cfg, recs))
    if cfg.stop == "ST1ST2":
        summary["st1"] = _stats([r["st1"] for r in ok if r.get("st1") is not None])
    below = [r["error_below_beta_at"] for r in ok if r.get("error_below_beta_at") is not None]
    if below:                                          # ST3: when its error condition alone first held
        summary["error_below_beta_at"] = {"trials": len(below), **_stats(below)}
    return summary
