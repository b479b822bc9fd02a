"""Results that cannot be lost or mixed: faults injected into real `run.py reproduce` processes.

Each case runs the command line in a subprocess on a small row (6a with a 12,000-sequence
cap, from a YAML file in the test's folder), breaks it (kill -9 of the parent or of a
worker, SIGINT, a second run, a corrupt file, an edited config) and runs the same command
again: the row must end identical to an uninterrupted run, every trial finished before
the fault must still be there unchanged, and nothing of another config may enter it.
"""
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import run
from hochreiter97 import reproduce, results
from hochreiter97 import config

ROOT = Path(__file__).resolve().parents[1]
TIMING = ("wall_seconds", "steps_per_second")


def small_row(folder, **changes) -> Path:
    """tests' copy of row 6a: 3 trials of at most 12,000 sequences (about 2 s each), 50 test sequences."""
    lines = (ROOT / "tasks" / "configs" / "6a.yaml").read_text().splitlines()
    values = {"max_sequences": 12000, "test_size": 50, **changes}
    text = "\n".join(f"{line.split(':')[0]}: {values[line.split(':')[0]]}" if line.split(":")[0] in values else line
                     for line in lines)
    path = Path(folder) / "6a.yaml"
    path.write_text(text + "\n")
    return path


def command(row_yaml, out, *extra):
    return [sys.executable, str(ROOT / "run.py"), "reproduce", str(row_yaml), "--trials", "3", "--out", str(out),
            "--checkpoint-every", "0.2", *extra]


def start(args, cwd):
    return subprocess.Popen(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(args, cwd):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r


def records(rowdir) -> dict:
    """The row's trials without their timing: what must not depend on faults."""
    out = {}
    for p in sorted(Path(rowdir).glob("trial-*.json")):
        rec = json.loads(p.read_text())
        out[p.name] = {k: v for k, v in rec.items() if k not in TIMING}
    for p in sorted(Path(rowdir).glob("weights-*.npz")):
        with np.load(p) as w:
            out[p.name] = {k: w[k].tolist() for k in sorted(w)}
    return out


def last_line(err) -> str:
    """The message after the progress bars (tqdm draws on stderr)."""
    return err.replace("\r", "\n").strip().splitlines()[-1]


def children(pid) -> list:
    """PIDs whose parent is pid (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def alive(pid) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(predicate, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run that every faulted run must end equal to."""
    folder = tmp_path_factory.mktemp("reference")
    row = small_row(folder)
    finish(command(row, folder / "out", "--workers", "2"), folder)
    return records(folder / "out" / "6a")


def a_trial_is_running(rowdir):
    return lambda: any(Path(rowdir).glob("checkpoint-*.pkl"))


# ---------------------------------------------------------------- kill -9, SIGINT
@pytest.mark.parametrize("point", [0, 1, 2])
def test_kill_9_of_the_parent_loses_nothing_and_leaves_no_worker(point, tmp_path, reference):
    row, out = small_row(tmp_path), tmp_path / "out"
    rowdir = out / "6a"
    p = start(command(row, out, "--workers", "2"), tmp_path)
    assert wait_for(a_trial_is_running(rowdir))
    time.sleep(random.Random(point).uniform(0.0, 2.5))
    workers = children(p.pid)
    before = records(rowdir)
    p.kill()
    p.wait()
    assert wait_for(lambda: not any(alive(w) for w in workers), 30), "orphaned workers still run"
    after = records(rowdir)
    assert all(after[name] == value for name, value in before.items())      # nothing finished is lost
    finish(command(row, out, "--workers", "2"), tmp_path)
    assert records(rowdir) == reference


@pytest.mark.parametrize("point", [0, 1])
def test_kill_9_of_a_worker_then_the_same_command_ends_identical(point, tmp_path, reference):
    row, out = small_row(tmp_path), tmp_path / "out"
    rowdir = out / "6a"
    p = start(command(row, out, "--workers", "2"), tmp_path)
    assert wait_for(a_trial_is_running(rowdir))
    time.sleep(random.Random(10 + point).uniform(0.0, 2.0))
    workers = children(p.pid)
    if workers:
        os.kill(random.Random(point).choice(workers), signal.SIGKILL)
    _, err = p.communicate(timeout=120)
    assert p.returncode in (0, 2), err
    if p.returncode == 2:
        assert "run.py reproduce: error: " in last_line(err) and "a worker process died" in last_line(err)
    finish(command(row, out, "--workers", "2"), tmp_path)
    assert records(rowdir) == reference


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigint_checkpoints_every_running_trial_and_the_same_command_resumes(workers, tmp_path, reference):
    row, out = small_row(tmp_path), tmp_path / "out"
    rowdir = out / "6a"
    p = start(command(row, out, "--workers", workers, "--checkpoint-every", "600"), tmp_path)
    seen = []
    reader = threading.Thread(target=lambda: seen.extend(iter(lambda: p.stderr.read(1), "")), daemon=True)
    reader.start()                                    # the progress bars: how far the trials are
    assert wait_for(lambda: any(int(n) >= 1000 for n in re.findall(r"(\d+) seq", "".join(seen))))
    os.killpg(p.pid, signal.SIGINT)                   # as Ctrl-C, mid-trial, well before a 600 s checkpoint
    p.wait(timeout=60)
    reader.join(timeout=10)
    err = "".join(seen)
    assert p.returncode == 130, err
    assert "run.py reproduce: " in last_line(err) and "interrupted" in last_line(err)
    saved = [results.load_checkpoint(c).n for c in rowdir.glob("checkpoint-*.pkl")]
    assert saved and all(n > 0 for n in saved)        # the work done is kept, not the last 60 s lost
    finish(command(row, out, "--workers", workers), tmp_path)
    assert records(rowdir) == reference


# ---------------------------------------------------------------- one run per folder
def test_a_second_run_on_a_held_folder_exits_naming_the_holder(tmp_path):
    row, out = small_row(tmp_path), tmp_path / "out"
    first = start(command(row, out, "--workers", "1"), tmp_path)
    try:
        assert wait_for(lambda: (out / "6a" / ".lock.owner").exists())
        second = subprocess.run(command(row, out, "--workers", "1"), cwd=tmp_path, capture_output=True, text=True)
        assert second.returncode == 2
        assert second.stderr == (f"run.py reproduce: error: {out / '6a'}: another run holds this folder "
                                 f"(PID {first.pid}); wait for it to end, or run into another --out\n")
    finally:
        first.kill()
        first.wait()


# ---------------------------------------------------------------- corrupt files, changed configs
def test_a_truncated_trial_record_or_checkpoint_is_named_with_the_command_that_discards_it(tmp_path, monkeypatch):
    row, out = small_row(tmp_path, max_sequences=200, test_size=5), tmp_path / "out"
    assert run.main(["reproduce", str(row), "--trials", "2", "--workers", "1", "--out", str(out)]) == 0
    rowdir = out / "6a"
    record = rowdir / "trial-1.json"
    record.write_text(record.read_text()[:100])
    untouched = {p.name: p.read_bytes() for p in rowdir.iterdir() if p.is_file()}
    r = subprocess.run(command(row, out), cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert f"{record}: not a readable trial record" in r.stderr and f"`rm {record}`" in r.stderr
    assert {p.name: p.read_bytes() for p in rowdir.iterdir() if p.is_file()} == untouched
    record.unlink()
    (rowdir / "checkpoint-2.pkl").write_bytes(b"\x80\x05garbage")
    r = subprocess.run(command(row, out), cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert f"{rowdir / 'checkpoint-2.pkl'}: not a readable checkpoint" in r.stderr and "`rm " in r.stderr


def test_a_changed_config_is_refused_before_anything_is_written_naming_the_key(tmp_path):
    row, out = small_row(tmp_path, max_sequences=200, test_size=5), tmp_path / "out"
    assert run.main(["reproduce", str(row), "--trials", "1", "--workers", "1", "--out", str(out)]) == 0
    rowdir = out / "6a"
    untouched = {p.name: p.read_bytes() for p in rowdir.iterdir() if p.is_file()}
    small_row(tmp_path, max_sequences=200, test_size=5, lr=0.3)            # the row's YAML edited
    r = subprocess.run(command(row, out), cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "made under another config (lr: 0.5 -> 0.3)" in r.stderr
    assert {p.name: p.read_bytes() for p in rowdir.iterdir() if p.is_file()} == untouched


def test_a_checkpoint_of_another_seed_is_not_resumed(tmp_path, monkeypatch):
    row, out = small_row(tmp_path, max_sequences=200, test_size=5), tmp_path / "out"
    cfg = config.load(row)
    rowdir = out / "6a"
    rowdir.mkdir(parents=True)
    st = reproduce.training.new_trial(cfg, 0, 0)
    st.fingerprint = results.fingerprint(cfg, 0)
    results.save_pickle(st, rowdir / "checkpoint-0.pkl")
    with pytest.raises(results.RunError, match=r"checkpoint-0.pkl: this checkpoint was made under another config \(seed: 0 -> 1\)"):
        reproduce.reproduce(str(row), trials=1, seed=1, workers=1, out=out, show=False)
    assert sorted(p.name for p in rowdir.iterdir()) == ["checkpoint-0.pkl"]   # no config.yaml written


def test_a_summary_is_computed_only_from_trials_of_its_fingerprint(tmp_path):
    row, out = small_row(tmp_path, max_sequences=200, test_size=5), tmp_path / "out"
    s = reproduce.reproduce(str(row), trials=2, seed=0, workers=1, out=out, show=False)
    rowdir = out / "6a"
    rec = json.loads((rowdir / "trial-0.json").read_text())
    assert rec["fingerprint"] == results.fingerprint(config.load(row), 0)
    rec["fingerprint"]["config"]["lr"] = 9.0
    rec["fingerprint"]["hash"] = "0" * 16                                  # a trial of another config smuggled in
    (rowdir / "trial-0.json").write_text(json.dumps(rec))
    with pytest.raises(results.RunError, match="lr: 9.0 -> 0.5"):
        reproduce.reproduce(str(row), trials=2, seed=0, workers=1, out=out, show=False)
    assert json.loads((rowdir / "summary.json").read_text()) == s


# ---------------------------------------------------------------- committed results
def test_a_run_that_is_not_the_protocol_writes_to_scratch_and_never_into_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)                       # results/ of this folder stands for the committed one
    assert run.main(["reproduce", "6a", "--trials", "1", "--max-sequences", "100", "--workers", "1"]) == 0
    assert (tmp_path / "results" / "scratch" / "6a" / "trial-0.json").exists()
    assert not (tmp_path / "results" / "6a").exists()
    for argv in (["reproduce", "6a", "--trials", "2", "--out", "results"],
                 ["reproduce", "6a", "--seed", "3", "--out", "results"],
                 ["reproduce", "6a", "--max-sequences", "10", "--out", "./results"]):
        assert run.main(argv) == 2
        err = capsys.readouterr().err
        assert "is not the row's protocol" in err and err.count("\n") == 1
    assert not (tmp_path / "results" / "6a").exists()


def test_bench_quick_never_writes_over_the_full_benchmark(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    seen = []
    monkeypatch.setattr("hochreiter97.bench.speed.run", lambda quick, out: seen.append(out) or {"plots": []})
    monkeypatch.setattr("hochreiter97.bench.speed.summary", lambda result: "")
    assert run.main(["bench", "--quick"]) == 0 and seen == [str(Path("results/scratch/complexity"))]
    assert run.main(["bench", "--quick", "--out", "results/complexity"]) == 2
    assert "holds the committed full benchmark" in capsys.readouterr().err
    assert run.main(["bench"]) == 0 and seen[-1] == str(Path("results/complexity"))


# ---------------------------------------------------------------- bad input: one line, exit 2, nothing written
@pytest.mark.parametrize("argv, expected", [
    (["reproduce", "6a", "--trials", "0"], "argument --trials: expected an integer >= 1, got 0"),
    (["reproduce", "6a", "--trials", "-1"], "argument --trials: expected an integer >= 1, got -1"),
    (["reproduce", "6a", "--max-sequences", "0"], "argument --max-sequences: expected an integer >= 1, got 0"),
    (["reproduce", "6a", "--workers", "0"], "argument --workers: expected an integer >= 1, got 0"),
    (["reproduce", "6a", "--seed", "-5"], "argument --seed: expected an integer >= 0, got -5"),
    (["reproduce", "6a", "--checkpoint-every", "0"], "argument --checkpoint-every: expected a finite number > 0, got 0"),
    (["reproduce", "6x"], "unknown row '6x'; nearest: 6b, 6a"),
    (["reproduce", "4-1-lr"], "unknown row '4-1-lr'; nearest: 4-1-lr5, 4-1-lr1"),
    (["reproduce", "6a", "--trials", "2", "--out", "a-file"], "--out a-file: is a file, expected a folder"),
    (["reproduce", "6a", "--trials", "2", "--out", "/proc/no-such-place"], "/proc/no-such-place/6a: cannot be made"),
    (["sample", "6a", "--n", "0"], "argument --n: expected an integer >= 1, got 0"),
    (["sample", "2c-5", "--n", "10000000"], "--n 10000000: would build about"),
    (["plateau", "4-1", "--lr", "inf"], "argument --lr: expected a finite number > 0, got inf"),
    (["plateau", "6x", "--lr", "1"], "unknown row '6x'"),
    (["wait", "4-1", "--trials", "0"], "argument --trials: expected an integer >= 1, got 0"),
    (["misses", "nope"], "unknown row 'nope'"),
])
def test_bad_input_gets_one_line_and_status_2_before_any_file_is_written(argv, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("")
    r = subprocess.run([sys.executable, str(ROOT / "run.py"), *argv], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and expected in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_sample_reports_the_file_it_writes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run.main(["sample", "6a", "--n", "2", "--out", "NAME"]) == 0
    assert capsys.readouterr().out.startswith("NAME.npz: 2 sequences")
    assert (tmp_path / "NAME.npz").exists() and not (tmp_path / "NAME").exists()
