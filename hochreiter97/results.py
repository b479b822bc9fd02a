"""The results/ROW layout, kept safe: atomic writes, fingerprints, one run per folder.

    results/ROW/        the row's committed run: written only by a run of its full protocol
    results/scratch/ROW anything else (fewer trials, another seed, a lower cap): the default there

A trial's record and its checkpoint carry the fingerprint of what made it: the
resolved config (every key that can change a number, hence not the descriptive
ones), the seed and the version of the learning rule. A row folder holds trials of
one fingerprint only; a run that would mix them is refused before it writes, with
the keys that differ named. A folder is held by one run at a time (a file lock).
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .reference import RULE_VERSION

RESULTS = Path("results")                  # the committed results, relative to the repository root
SCRATCH = RESULTS / "scratch"              # where runs that are not a row's protocol go by default (not tracked)
DESCRIPTIVE = ("title", "table", "paper", "cap_note", "ablation")   # keys that change no number of a trial
NEUTRAL = {"reset_activation": (0.0, None), "gate_bias_init": ("set", None), "reading": (None,),
           "reber_distinct": (False, None), "hidden_bias": (False, None)}   # keys at a value
# that was the only behaviour before they existed (None: a model without them): left out of the fingerprint,
# so that trials run before then keep theirs


class RunError(ValueError):
    """A run that must not go ahead: the message says why and what to do instead."""


class Interrupted(Exception):
    """A run stopped by a signal after checkpointing its running trials."""


# ---------------------------------------------------------------- atomic files
def write_text(path, text) -> None:
    """Atomically: a reader sees the old file or the whole new one."""
    tmp = Path(f"{path}.tmp.{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_json(path, obj, end="") -> None:
    """obj as JSON (indent 1, then `end`), atomically."""
    write_text(path, json.dumps(obj, indent=1) + end)


def save_pickle(obj, path) -> None:
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb") as fh:
        pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def _discard_hint(path, what) -> str:
    return f"discard it with `rm {path}` ({what})"


def load_checkpoint(path):
    """A running trial's saved state (training.TrialState); a file that cannot be read is named with
    the command that discards it. Checkpoints of the older plain-dict state are refused, not converted."""
    from .training import TrialState                            # training imports this module
    try:
        with open(path, "rb") as fh:
            st = pickle.load(fh)
        if isinstance(st, dict) and "n" in st:                 # the plain dict of before TrialState
            raise ValueError("a trial state written by an older version (a dict)")
        if not isinstance(st, TrialState):
            raise ValueError(f"not a trial state (a {type(st).__name__})")
    except Exception as e:                                       # truncated, corrupt or foreign: all unusable
        raise RunError(f"{path}: not a readable checkpoint ({type(e).__name__}: {e}); "
                       + _discard_hint(path, "the trial then starts over")) from None
    return st


def read_record(path) -> dict:
    try:
        rec = json.loads(Path(path).read_text())
        if not isinstance(rec, dict) or not isinstance(rec.get("trial"), int):
            raise ValueError("no trial number")
    except (OSError, ValueError) as e:
        raise RunError(f"{path}: not a readable trial record ({type(e).__name__}: {e}); "
                       + _discard_hint(path, "the trial is then run again")) from None
    return rec


def finished_trials(rowdir) -> dict:
    """trial index -> record, of every trial-K.json in rowdir."""
    out = {}
    for p in sorted(Path(rowdir).glob("trial-*.json")):
        rec = read_record(p)
        out[rec["trial"]] = rec
    return out


# ---------------------------------------------------------------- fingerprints
def fingerprint(cfg, seed: int) -> dict:
    """What made a trial: the resolved config's keys that can change its numbers, the seed, the rule's version."""
    values = cfg.to_dict()
    config = {k: values[k] for k in sorted(values) if k not in DESCRIPTIVE and values[k] not in NEUTRAL.get(k, ())}
    body = json.dumps({"config": config, "seed": seed, "rule": RULE_VERSION}, sort_keys=True, default=str)
    return {"hash": hashlib.sha256(body.encode()).hexdigest()[:16], "seed": seed, "rule": RULE_VERSION,
            "config": json.loads(json.dumps(config, default=str))}


def differences(old: dict, new: dict) -> list:
    """The keys in which two fingerprints differ, as 'key: old -> new'."""
    out = [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in ("seed", "rule") if old.get(k) != new.get(k)]
    a, b = old.get("config", {}), new.get("config", {})
    absent = "(absent)"
    out += [f"{k}: {a.get(k, absent)!r} -> {b.get(k, absent)!r}" for k in sorted(set(a) | set(b))
            if a.get(k, absent) != b.get(k, absent)]
    return out


def check_fingerprint(path, stored, fp, what) -> None:
    """Refuse a record or checkpoint made under another fingerprint, naming the keys that differ."""
    if stored is None:
        raise RunError(f"{path}: {what} carries no fingerprint, so what made it is unknown; "
                       + _discard_hint(path, "the trial is then run again"))
    if stored.get("hash") != fp["hash"]:
        diff = "; ".join(differences(stored, fp)) or "the learning rule's code"
        raise RunError(f"{path}: {what} was made under another config ({diff}); "
                       f"run into another --out, or {_discard_hint(path, 'the trial is then run again')}")


# ---------------------------------------------------------------- where a run may write
def is_committed(folder) -> bool:
    """Whether folder is the committed results/ (not scratch/ or elsewhere)."""
    return Path(folder).resolve() == RESULTS.resolve()


def check_writable(folder) -> None:
    """One line for an --out that names a file, or lies where nothing can be written."""
    p = Path(folder)
    if p.exists() and not p.is_dir():
        raise RunError(f"--out {folder}: is a file, expected a folder")
    q = p
    while not q.exists():
        q = q.parent
    if not q.is_dir() or not os.access(q, os.W_OK | os.X_OK):
        raise RunError(f"--out {folder}: cannot write below {q}")


@contextmanager
def held(folder):
    """Hold folder for this run: a second run on it exits at once, naming the holder's PID."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise RunError(f"{folder}: cannot be made ({e.strerror})") from None
    lock, owner = FileLock(folder / ".lock"), folder / ".lock.owner"
    try:
        lock.acquire(timeout=0)
    except Timeout:
        pid = owner.read_text().strip() if owner.exists() else "unknown"
        raise RunError(f"{folder}: another run holds this folder (PID {pid}); wait for it to end, "
                       "or run into another --out") from None
    try:
        owner.write_text(f"{os.getpid()}\n")
        yield folder
    finally:
        owner.unlink(missing_ok=True)
        lock.release()
