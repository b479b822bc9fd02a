"""Trials on a Dask cluster (hochreiter97/cluster.py): a LocalCluster of two worker processes
must end a row with the same records as the local process pool -- also when a worker is
killed mid-trial (Dask reschedules its task, which resumes from the shared checkpoint)
or the client is interrupted and the same call is made again.

The cluster tests are skipped when Dask's `distributed` is not installed (the `test` and
`cluster` extras bring it); the command line's errors are checked either way."""
import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

import run
from hochreiter97.studies.hooks import HOOKS
from hochreiter97 import reproduce, results
from hochreiter97 import config
from tests.test_safety import records, small_row, wait_for

TRIALS = 3


def row_yaml(folder, max_sequences):
    return small_row(folder, max_sequences=max_sequences, test_size=20)


def local_run(folder, max_sequences) -> dict:
    """The local pool's records of the row: what every cluster run must end equal to."""
    row = row_yaml(folder, max_sequences)
    reproduce.reproduce(str(row), trials=TRIALS, seed=0, workers=1, out=folder / "local", show=False, hooks=HOOKS)
    return records(folder / "local" / "6a")


@pytest.fixture(scope="module")
def reference_15000(tmp_path_factory) -> dict:
    return local_run(tmp_path_factory.mktemp("reference"), 15000)


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip(
        "distributed", reason="Dask's distributed is not installed (pip install -e '.[test]' or '.[cluster]')")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        yield cluster, client


def checkpoints(folder):
    return sorted(Path(folder).rglob("checkpoint-*.pkl"))


def test_a_local_cluster_ends_with_the_local_pools_records(dask_cluster, tmp_path):
    cluster, _ = dask_cluster
    reference = local_run(tmp_path, 4000)
    row, out = row_yaml(tmp_path, 4000), tmp_path / "cluster"
    s = reproduce.reproduce(str(row), trials=TRIALS, seed=0, out=out, show=False, hooks=HOOKS, scheduler=cluster)
    rowdir = out / "6a"
    assert records(rowdir) == reference
    assert s["trials"] == TRIALS and s == reproduce.summarize(config.load(row), results.finished_trials(rowdir), TRIALS, 0,
                                                             hooks=HOOKS)
    assert not checkpoints(rowdir)


def test_a_worker_killed_mid_trial_is_rescheduled_and_resumes_from_its_checkpoint(dask_cluster, reference_15000,
                                                                                    tmp_path):
    _, client = dask_cluster
    row, out, shared = row_yaml(tmp_path, 15000), tmp_path / "cluster", tmp_path / "shared"
    pids = client.run(os.getpid)                      # worker address -> process id
    killed = []                                       # (trial, its checkpoint's sequences when its worker died)

    def kill_a_busy_worker():
        if not wait_for(lambda: checkpoints(shared), 60):
            return
        time.sleep(0.5)                               # a few checkpoints in
        running = client.run(lambda dask_worker: [str(ts.key) for ts in dask_worker.state.executing])
        address, keys = next((a, keys) for a, keys in sorted(running.items()) if keys)
        os.kill(pids[address], signal.SIGKILL)
        k = int(keys[0].split("-trial-")[1].split("-")[0])
        killed.append((k, [results.load_checkpoint(p).n for p in shared.rglob(f"checkpoint-{k}.pkl")]))

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    reproduce.reproduce(str(row), trials=TRIALS, seed=0, out=out, show=False, hooks=HOOKS, scheduler=client,
                        checkpoint_dir=shared, checkpoint_seconds=0.2)
    killer.join()
    assert killed, "no checkpoint appeared in the shared folder"
    (k, saved), = killed
    assert len(saved) == 1 and 0 < saved[0] < 15000, f"trial {k} had no checkpoint to resume from when killed"
    assert records(out / "6a") == reference_15000
    assert not checkpoints(shared) and not checkpoints(out)


def test_sigint_cancels_the_cluster_run_and_the_same_call_resumes(dask_cluster, reference_15000, tmp_path):
    _, client = dask_cluster
    row, out = row_yaml(tmp_path, 15000), tmp_path / "cluster"
    rowdir = out / "6a"
    threading.Timer(1.0, lambda: wait_for(lambda: checkpoints(rowdir), 60)
                    and os.kill(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(results.Interrupted, match="interrupted"):
        reproduce.reproduce(str(row), trials=TRIALS, seed=0, out=out, show=False, hooks=HOOKS, scheduler=client,
                            checkpoint_seconds=0.2)

    def settled():                                    # the cancelled tasks saved their state and ended
        before = {p: p.stat().st_mtime_ns for p in checkpoints(rowdir)}
        time.sleep(1.0)
        return before == {p: p.stat().st_mtime_ns for p in checkpoints(rowdir)}
    assert wait_for(settled, 30)
    assert checkpoints(rowdir) and all(results.load_checkpoint(p).n > 0 for p in checkpoints(rowdir))
    reproduce.reproduce(str(row), trials=TRIALS, seed=0, out=out, show=False, hooks=HOOKS, scheduler=client,
                        checkpoint_seconds=0.2)
    assert records(rowdir) == reference_15000


# ---------------------------------------------------------------- the command line, with or without Dask
def test_scheduler_without_the_extra_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)        # as if not installed
    row = row_yaml(tmp_path, 100)
    argv = ["reproduce", str(row), "--trials", "1", "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1"]
    assert run.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install -e '.[cluster]'" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_checkpoint_dir_without_scheduler_is_refused(tmp_path, capsys):
    row = row_yaml(tmp_path, 100)
    argv = ["reproduce", str(row), "--trials", "1", "--out", str(tmp_path / "out"), "--checkpoint-dir", str(tmp_path)]
    assert run.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--checkpoint-dir is for runs on a Dask cluster" in err
    assert not (tmp_path / "out").exists()
