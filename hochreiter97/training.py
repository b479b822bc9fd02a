"""The one online training loop every experiment shares, with the paper's stopping rules.

Plain online gradient descent at the row's learning rate: one sequence is
generated (or drawn from Experiment 1's fixed training set), presented once with
learning on, judged, and the stopping rule looks at it. Activations and
accumulators are reset at every sequence (Network does this). Then the row's test.

Stopping rules (config key `stop`; SPEC §4, Table 11), all counting training
sequence presentations:

  ST3     (4, 6)  the `window` (2000) most recent sequences all correct and their
                  average training error < beta. Checked after every sequence. The
                  record also keeps when the second condition alone first held
                  (`error_below_beta_at`): the error has fallen; the rest is the streak.
  NSEQ    (5)     fewer than n_seq of the `window` most recent sequences wrong.
                  Checked after every sequence, once `window` have been seen.
  ST1ST2  (3)     on a fixed test set of st_test_size (256) sequences: ST1 at most
                  st1_max_wrong misclassified; ST2 = ST1 and mean absolute error
                  < st2_mean_abs. Training stops at ST2; ST1's count is kept beside it.
  ABS     (2)     abs_streak (10,000) successive training sequences whose absolute
                  error is < correct_threshold at every judged output ("end": the last
                  target step; "every": every target step). "Success after" is the
                  number of sequences before that streak began. Checked every sequence.
                  abs_test "frozen" (SPEC §6.3's other reading): instead, on the test
                  grid below, abs_streak fresh sequences with the weights frozen (the
                  first wrong one ends the test); success after = sequences seen then.
  REBER   (1)     (tasks/reber.correct) every symbol of every string of the training and test sets predicted
                  correctly: the units of the possible next symbols are the most active.

Rules on a test set (ST1ST2, REBER, frozen ABS) are checked every max(check_min, check_fraction
* sequences seen) sequences, so a stop is reported at most check_fraction (0.5%)
late. Every other rule is checked after every sequence.

Probes: before the sequences numbered 0, 1000, 2000, 4000, ... (doubling) are
presented, a trial can record a trace of that presentation (reproduce --trace K,
the first K probes) and what the caller's probe measures (studies/carry.py: for Table 2's net on 2a,
how far back the first symbol still reaches), both through the caller's Hooks. Neither changes the trial.

A trial's whole state (weights, random generators, windows, counters, curve) is
one picklable TrialState; `run_trial` saves it every `checkpoint_seconds` and resumes
from it, ending with the same numbers as an uninterrupted run.
"""
from __future__ import annotations

import math
import os
import time
import zlib
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
from numba import njit

from tasks import FAMILIES, reber
from .config import architecture, task_params
from . import construction, models, results
from .network import one_hot

CURVE_POINTS = 1000
WRONG_EXAMPLES = 20                # wrong test sequences kept in a trial's record
PROBE_FIRST = 1000                                     # probes at sequences 0, 1000, 2000, 4000, ...


@dataclass(frozen=True)
class Hooks:
    """What a trial records beyond the protocol, passed in by the caller (studies/hooks.py: HOOKS).

    trace(cfg, weights, x, y, m) -> dict   one presented sequence's internals (reproduce --trace K)
    stack(traces) -> dict of arrays        the recorded sequences as trace-K.npz holds them
    record(cfg, st) -> dict                fields added to the finished trial's record (cells_at_end, ...)
    probe(cfg, weights) -> dict | None     a measurement at the probes and at the end, None where it does
                                           not concern the row (the record's carry_history and carry)
    summary(cfg, records) -> dict          fields added to the row's summary.json (reproduce.summarize)
    """
    trace: Optional[Callable] = None
    stack: Optional[Callable] = None
    record: Optional[Callable] = None
    probe: Optional[Callable] = None
    summary: Optional[Callable] = None


@dataclass
class TrialState:
    """A trial's whole state: what a checkpoint pickles and a resumed run continues from.
    new_trial builds it; the optional fields stay None where the row does not use them."""
    n: int                              # training sequences presented so far
    done: bool                          # training has ended (stopped or max_sequences reached)
    success: bool                       # the stopping rule was met
    weights: dict                       # weight name -> array, trained in place
    rng_weights: np.random.Generator    # weights drawn after the start (2a's cell when it joins)
    rng_data: np.random.Generator       # the training sequences
    window: deque                       # (ST3 error measure, correct) of the `window` most recent sequences
    window_E: float                     # sum of the window's error measures
    window_wrong: int                   # wrong sequences in the window
    streak: int                         # successive correct training sequences (ABS online)
    next_check: int                     # n at which a rule on a test set is checked next
    st1: Optional[int]                  # n at which ST1 first held (ST1ST2)
    stop_at: Optional[int]              # "success after" when it is not n (ABS online: before the streak)
    curve: list                         # learning-curve points (n, mean E since the previous point)
    curve_stride: int                   # sequences per curve point (doubles as the curve is merged)
    curve_acc: list                     # [sum of E, count] since the last curve point
    seconds: float                      # training wall time so far, over all resumptions
    steps: int                          # time steps presented so far
    trace_left: int                     # probes still to trace (reproduce --trace K)
    traces: list                        # the traced probes (Hooks.trace records)
    carries: list                       # what Hooks.probe measured at the probes (studies/carry.py)
    next_probe: Optional[int]           # n of the next probe, None when no more
    fingerprint: Optional[dict]         # results.fingerprint of the run; a checkpoint of another is refused
    cell_present: Optional[bool] = None          # 2a (construction): the cell has joined
    construction: Optional[dict] = None          # 2a: {"sum", "count", "previous"} of E over construction windows
    cell_joined_at: Optional[int] = None         # 2a: n at which the cell joined
    rng_abs_test: Optional[np.random.Generator] = None   # ABS frozen: the fresh test sequences
    reber_sets: Optional[Any] = None             # Experiment 1: (training strings, test strings)
    beta_at: Optional[int] = None                # ST3: n at which the window's error first fell below beta
    pending: Optional[dict] = None               # timing "late" (reading jku): the unapplied weight changes
    row: Optional[str] = None                    # the trial's row, seed and index
    seed: Optional[int] = None
    trial: Optional[int] = None


# ---------------------------------------------------------------- seeds
def trial_seeds(seed: int, row: str, trial: int) -> dict:
    """Independent generators for weights, training data and tests, from (seed, row, trial)."""
    root = np.random.SeedSequence([seed, zlib.crc32(row.encode()), trial])
    weights, data, stop_test, final_test, abs_test = root.spawn(5)   # child i is the same whatever the count
    return {"weights": weights, "data": data, "stop_test": stop_test, "final_test": final_test,
            "abs_test": abs_test}


def seed_row(cfg) -> str:
    """The row whose seeds a trial draws: its own, or (key seeds_of) the row an ablation varies,
    so that ablation and row see the same sequences and, where shapes agree, the same initial weights."""
    return cfg.seeds_of or cfg.row


# ---------------------------------------------------------------- judging one sequence
def judge(cfg, outputs, targets, mask, info):
    """(E, correct, mean |error|) of one presented sequence.

    E = sum over target steps of sum_k (t^k - y^k)^2 (eq. 16). Correct: every judged
    output within correct_threshold of its target; judged steps are the target steps
    (abs_at "every") or the last one. 3c judges against the noise-free target.
    Called once per training sequence, so numpy's reductions are called directly:
    np.add.reduce is what np.sum and np.mean reduce with (mean = sum / count).
    Where fewer than 8 values are added up (one target step of a few outputs: every row
    but Experiments 1, 2a and 2b), _judge_few computes the same numbers compiled: numpy adds
    fewer than 8 values one after another, in order, as it does (tests/test_training.py).
    """
    last_only = cfg.stop != "ABS" or cfg.abs_at == "end"
    clean = info.get("clean_target") if info is not None else None
    few = _judge_few(outputs, targets, mask, last_only, np.zeros(outputs.shape[1]) if clean is None
                     else np.broadcast_to(np.asarray(clean, dtype=np.float64), outputs.shape[1:]).copy(),
                     clean is not None, -1.0 if cfg.correct_threshold is None else cfg.correct_threshold)
    if few[3]:
        return few[0], few[1], few[2]
    return _judge_numpy(cfg, outputs, targets, mask, clean, last_only)


def _judge_numpy(cfg, outputs, targets, mask, clean, last_only):
    """judge() in numpy, for any number of target steps and outputs."""
    mask = np.asarray(mask, dtype=bool)
    out = outputs[mask]                                    # the target steps
    err = out - targets[mask]
    E = float(np.add.reduce(err * err, axis=None))
    if last_only:
        out, err = out[-1:], err[-1:]
    if clean is not None:
        err = out - clean
    abs_err = np.abs(err)
    threshold = cfg.correct_threshold                   # None for Exp. 1, judged by tasks/reber.correct
    correct = threshold is None or bool(np.logical_and.reduce(abs_err < threshold, axis=None))
    return E, correct, float(np.add.reduce(abs_err, axis=None) / abs_err.size)


@njit(cache=True)
def _judge_few(outputs, targets, mask, last_only, clean, has_clean, threshold):
    """judge() compiled, where its sums add fewer than 8 values: (E, correct, mae, True); otherwise
    (0, False, 0, False) and judge() computes them. threshold < 0: none (every output correct)."""
    K = outputs.shape[1]
    n_t = 0
    last = -1
    for t in range(mask.shape[0]):
        if mask[t]:
            n_t += 1
            last = t
    if n_t == 0 or n_t * K >= 8:
        return 0.0, False, 0.0, False
    E, first = 0.0, True
    for t in range(mask.shape[0]):                     # eq. (16), added in order like numpy below 8 values
        if mask[t]:
            for k in range(K):
                e = outputs[t, k] - targets[t, k]
                E = e * e if first else E + e * e
                first = False
    correct, abs_sum, n, first = True, 0.0, 0, True
    for t in range(mask.shape[0]):
        if mask[t] and (t == last or not last_only):
            for k in range(K):
                a = abs(outputs[t, k] - (clean[k] if has_clean else targets[t, k]))
                correct = correct and (threshold < 0 or a < threshold)
                abs_sum = a if first else abs_sum + a
                first = False
                n += 1
    return E, correct, abs_sum / n, True


def evaluate(cfg, net, sequences):
    """Frozen weights: wrong count, mean |error| at the judged step, MSE at the target steps,
    and the first WRONG_EXAMPLES wrong sequences' target and output at their last target step
    (where a row's nets fail: e.g. adding's sums near +-2).

    sequences: a list of (x, y, m, info), or a TestSet made of one. Where every sequence has
    one target step, dense inputs and the net runs sets (the 1997 LSTM: Network.run_set), the
    outputs come from one compiled call and are judged as arrays: judge()'s numbers, added up
    in the same order."""
    test = sequences if isinstance(sequences, TestSet) else TestSet(sequences)
    if test.one_target and hasattr(net, "run_set"):
        return _evaluate_set(cfg, net, test)
    wrong, abs_sum, sq_sum, n_sq, examples = 0, 0.0, 0.0, 0, []
    for x, y, m, info in test.sequences:
        out = net.run(x)
        E, correct, mae = judge(cfg, out, y, m, info)
        wrong += not correct
        abs_sum += mae
        sq_sum += E
        n_sq += int(m.sum()) * y.shape[1]
        if not correct and len(examples) < WRONG_EXAMPLES:
            last = np.flatnonzero(m)[-1]
            examples.append({"target": [round(float(v), 5) for v in y[last]],
                             "output": [round(float(v), 5) for v in out[last]]})
    return _evaluation(len(test.sequences), wrong, abs_sum, sq_sum, n_sq, examples)


def _evaluation(n, wrong, abs_sum, sq_sum, n_sq, examples) -> dict:
    return {"n": n, "wrong": wrong, "fraction_wrong": wrong / n if n else 0.0,
            "mean_abs_error": abs_sum / n if n else 0.0, "mse": sq_sum / n_sq if n_sq else 0.0,
            "wrong_examples": examples}


class TestSet:
    """Fixed test sequences prepared once for evaluate(): their inputs one after another
    (sequence i: rows starts[i]:starts[i+1]), and for sequences with one target step each,
    that step's row, its target and the target it is judged against (3c: the noise-free one)."""
    __test__ = False                                   # not a pytest class

    def __init__(self, sequences):
        self.sequences = sequences
        ys = [y for _, y, _, _ in sequences]
        self.one_target = bool(sequences) and all(np.asarray(x).ndim == 2 and int(np.count_nonzero(m)) == 1
                                                  for x, _, m, _ in sequences) and ys[0].shape[1] <= 8
        if not self.one_target:
            return
        lengths = [len(x) for x, _, _, _ in sequences]
        self.starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.inputs = np.concatenate([np.asarray(x, dtype=np.float64) for x, _, _, _ in sequences])
        last = [int(np.flatnonzero(m)[-1]) for _, _, m, _ in sequences]
        self.rows = self.starts[:-1] + np.array(last, dtype=np.int64)
        self.targets = np.array([y[t] for y, t in zip(ys, last)])
        self.judged = np.array([np.reshape(info["clean_target"], -1) if info is not None and "clean_target" in info
                                else y[t] for (_, y, _, info), t in zip(sequences, last)], dtype=np.float64)


def _evaluate_set(cfg, net, test):
    out = net.run_set(test.inputs, test.starts)[test.rows]          # (n, K): each sequence's target step
    err = out - test.targets
    E = np.add.reduce(err * err, axis=1)                            # eq. (16) over the one target step
    abs_err = np.abs(out - test.judged)
    threshold = cfg.correct_threshold
    correct = (np.ones(len(out), dtype=bool) if threshold is None
               else np.logical_and.reduce(abs_err < threshold, axis=1))
    mae = np.add.reduce(abs_err, axis=1) / abs_err.shape[1]
    abs_sum = sq_sum = 0.0
    for a, e in zip(mae.tolist(), E.tolist()):                     # in order, as evaluate's loop adds them
        abs_sum += a
        sq_sum += e
    examples = [{"target": [round(float(v), 5) for v in test.targets[i]],
                 "output": [round(float(v), 5) for v in out[i]]}
                for i in np.flatnonzero(~correct)[:WRONG_EXAMPLES]]
    return _evaluation(len(out), int(np.count_nonzero(~correct)), abs_sum, sq_sum, out.size, examples)


def frozen_streak(cfg, net, rng) -> int:
    """Fresh sequences from rng judged with the weights frozen, up to the first wrong one
    or abs_streak in all: how many were correct (ABS with abs_test "frozen")."""
    generate, params = _generator(cfg, FAMILIES[cfg.task]), task_params(cfg)
    for k in range(cfg.abs_streak):
        x, y, m, info = generate(rng, **params, info=True)
        if not judge(cfg, net.run(x), y, m, info)[1]:
            return k
    return cfg.abs_streak


# ---------------------------------------------------------------- the trial
def new_trial(cfg, seed: int, trial: int, trace: int = 0) -> TrialState:
    """The complete state of a trial before its first sequence; `trace` sequences to record at the probes."""
    seeds = trial_seeds(seed, seed_row(cfg), trial)
    net = models.build(cfg, np.random.default_rng(seeds["weights"]))   # the row's model (config key `model`)
    if trace and cfg.model != "lstm97":
        raise ValueError(f"row {cfg.row}: traces record the 1997 LSTM's cells (reference.py), not model {cfg.model!r}")
    st = TrialState(row=cfg.row, seed=seed, trial=trial, n=0, done=False, success=False,
                    weights=net.weights, rng_weights=np.random.default_rng(seeds["weights"].spawn(1)[0]),
                    rng_data=np.random.default_rng(seeds["data"]), window=deque(maxlen=cfg.window),
                    window_E=0.0, window_wrong=0, streak=0, next_check=cfg.check_min,
                    st1=None, stop_at=None, curve=[], curve_stride=1, curve_acc=[0.0, 0],
                    seconds=0.0, steps=0, trace_left=trace, traces=[], carries=[],
                    next_probe=0,
                    fingerprint=None)
    if cfg.construction_window > 0:                  # 2a: the cell joins later (construction.py)
        construction.start(st, architecture(cfg))
    if cfg.stop == "ABS" and cfg.abs_test == "frozen":   # fresh test sequences, never reused
        st.rng_abs_test = np.random.default_rng(seeds["abs_test"])
    if cfg.task == "reber":
        pair_rng = np.random.SeedSequence([seed, zlib.crc32(seed_row(cfg).encode()), 10_000 + trial // cfg.reber_inits])
        st.reber_sets = reber.datasets(np.random.default_rng(pair_rng), cfg.reber_train, cfg.reber_test,
                                          distinct=cfg.reber_distinct)
    return st


def _generator(cfg, family):
    """The task's generate, or its generate_symbols where it has one and the model is the 1997
    LSTM: the same draws and sequence, the one-hot inputs as symbols (Network takes both; the
    kernel then skips the dense rows: Experiment 2c's are 8 MB a sequence)."""
    if cfg.model == "lstm97" and hasattr(family, "generate_symbols"):
        return family.generate_symbols
    return family.generate


def _draw(cfg, st, generate, params, encoded=None):
    """The next training sequence (x, y, m, info); x as `generate` (_generator) gives it.
    encoded: Experiment 1's strings already encoded (a dict kept by the caller; the arrays are only read)."""
    if cfg.task == "reber":
        train = st.reber_sets[0]
        s = train[st.rng_data.integers(len(train))]
        if encoded is None:
            return (*reber.encode(s, target=cfg.reber_target), None)
        if s not in encoded:
            encoded[s] = reber.encode(s, target=cfg.reber_target)
        return (*encoded[s], None)
    return generate(st.rng_data, **params, info=True)


def _observe(cfg, st, E, correct, measure):
    """Windows, streaks and the learning curve after one training sequence.

    The window keeps each sequence's ST3 error measure (config st3_error) and whether it was correct.
    """
    win = st.window
    if len(win) == win.maxlen:
        old_measure, old_correct = win[0]
        st.window_E -= old_measure
        st.window_wrong -= not old_correct
    win.append((measure, correct))
    st.window_E += measure
    st.window_wrong += not correct
    st.streak = st.streak + 1 if correct else 0
    acc = st.curve_acc
    acc[0] += E
    acc[1] += 1
    if acc[1] == st.curve_stride:
        st.curve.append((st.n, acc[0] / acc[1]))
        st.curve_acc = [0.0, 0]
        if len(st.curve) >= 2 * CURVE_POINTS:        # keep it short: merge pairs, double the stride
            st.curve = merge_curve(st.curve, 2)
            st.curve_stride *= 2
    if st.construction is not None and not st.cell_present and construction.stopped_decreasing(cfg, st, E):
        return "construct"
    return None


def merge_curve(curve, size):
    """Learning-curve points (n, mean E over the sequences since the previous point's n) merged
    `size` at a time into points of the same kind: the last n, the mean weighted by sequences."""
    out, start = [], 0
    for i in range(0, len(curve), size):
        ns, es = zip(*curve[i:i + size])
        counts = np.diff((start,) + ns)                 # sequences behind each point
        out.append((ns[-1], float(np.dot(counts, es) / counts.sum())))
        start = ns[-1]
    return out


def _stopped(cfg, st, net, stop_tests, encoded=None):
    """Apply the row's stopping rule after sequence n; True when training ends."""
    rule, n = cfg.stop, st.n
    full = len(st.window) == cfg.window
    if rule == "ST3":
        low = full and st.window_E / len(st.window) < cfg.beta
        if low and st.beta_at is None:
            st.beta_at = n                           # the error condition alone, first met (the record keeps it)
        return low and st.window_wrong == 0
    if rule == "NSEQ":
        return full and st.window_wrong < cfg.n_seq
    if rule == "ABS" and cfg.abs_test == "online":
        if st.streak >= cfg.abs_streak:
            st.stop_at = n - cfg.abs_streak
            return True
        return False
    if n < st.next_check:
        return False
    st.next_check = n + max(cfg.check_min, int(cfg.check_fraction * n))
    if rule == "REBER":
        train, test = st.reber_sets
        return reber.correct(net.run, train, encoded) and reber.correct(net.run, test, encoded)
    if rule == "ABS":                                   # frozen: abs_streak fresh sequences, all correct
        return frozen_streak(cfg, net, st.rng_abs_test) == cfg.abs_streak
    result = evaluate(cfg, net, stop_tests)          # ST1ST2
    if result["wrong"] <= cfg.st1_max_wrong:
        if st.st1 is None:
            st.st1 = n
        return result["mean_abs_error"] < cfg.st2_mean_abs
    return False


def fixed_sequences(cfg, seed, trial, purpose, n):
    """n sequences from the trial's own generator for `purpose` ("stop_test" or "final_test")."""
    rng = np.random.default_rng(trial_seeds(seed, seed_row(cfg), trial)[purpose])
    family = FAMILIES[cfg.task]
    return [family.generate(rng, **task_params(cfg), info=True) for _ in range(n)]


def _stop_tests(cfg, seed, trial):
    if cfg.stop != "ST1ST2":
        return None
    return TestSet(fixed_sequences(cfg, seed, trial, "stop_test", cfg.st_test_size))


def train_until_stop(cfg, st, checkpoint=None, checkpoint_seconds=60.0, progress=None, max_wall=None, watch=None,
                     interrupted=None, hooks=None):
    """Run the trial's training loop from state st to its stop (or to max_wall seconds, or until
    interrupted() is true: then the state is checkpointed and returned unfinished).
    watch(st, out, y, m, correct), if given, sees every training sequence once judged (wait.py);
    it must not change st."""
    net = models.wrap(cfg, st.weights)
    st.weights = net.weights                        # the network trains the state's arrays in place
    train_kw = models.train_kwargs(cfg)                # lr, and the 1997 LSTM's timing
    if train_kw.get("timing") == "late":               # reading jku: the unapplied sum travels with the trial
        if st.pending is None:
            st.pending = net.new_pending()
        train_kw["pending"] = st.pending
    family, params = FAMILIES.get(cfg.task), task_params(cfg)
    generate, st3 = _generator(cfg, family), cfg.st3_error
    stop_tests = _stop_tests(cfg, st.seed, st.trial)
    encoded = {}                                       # Experiment 1: each string of the sets encoded once
    t0 = last_save = time.perf_counter()
    seconds0 = st.seconds
    while not st.done:
        x, y, m, info = _draw(cfg, st, generate, params, encoded)
        if st.n == st.next_probe:
            _probe(cfg, st, net, x, y, m, hooks)
        out = net.train(x, y, m, **train_kw)
        st.n += 1
        st.steps += len(x)
        E, correct, mae = judge(cfg, out, y, m, info)
        if watch is not None:
            watch(st, out, y, m, correct)
        measure = E if st3 == "sse" else mae if st3 == "mae" else E / (cfg.n_out * int(m.sum()))   # "mse"
        if _observe(cfg, st, E, correct, measure) == "construct":
            construction.add_cell(st, architecture(cfg))
        if _stopped(cfg, st, net, stop_tests, encoded):
            st.done, st.success = True, True
            st.stop_at = st.stop_at if st.stop_at is not None else st.n
        elif st.n >= cfg.max_sequences:
            st.done = True
        now = time.perf_counter()
        st.seconds = seconds0 + now - t0
        if progress is not None and (st.n % 100 == 0 or st.done):
            progress(st)
        if checkpoint is not None and now - last_save >= checkpoint_seconds and not st.done:
            save_state(st, checkpoint)
            last_save = now
        if not st.done and ((max_wall is not None and now - t0 >= max_wall)
                               or (interrupted is not None and interrupted())):
            if checkpoint is not None:
                save_state(st, checkpoint)
            return st
    return st


def _probe(cfg, st, net, x, y, m, hooks):
    """Before sequence n is presented: its trace (while --trace asks for more) and the probe hook's numbers."""
    n = st.n
    if x.ndim == 1:                                    # symbols: traces keep the dense inputs
        x = one_hot(x, cfg.n_in)
    if st.trace_left > 0:
        if hooks is None or hooks.trace is None:
            raise ValueError(f"row {cfg.row}: traces asked for, but no trace hook given (training.Hooks)")
        rec = hooks.trace(cfg, net.weights, x, y, m)
        st.traces.append(dict(rec, at=n, inputs=x, targets=y, mask=m))
        st.trace_left -= 1
    probe = hooks.probe(cfg, net.weights) if hooks is not None and hooks.probe is not None else None
    if probe is not None:
        st.carries.append(dict(probe, at=n))
    more = st.trace_left > 0 or probe is not None
    st.next_probe = (PROBE_FIRST if n < PROBE_FIRST else 2 * n) if more else None


def final_trace(cfg, st, hooks):
    """The end-of-training trace: a fresh sequence (the trial's first final-test sequence), final weights."""
    x, y, m, _ = fixed_sequences(cfg, st.seed, st.trial, "final_test", 1)[0]
    rec = hooks.trace(cfg, st.weights, x, y, m)
    return dict(rec, at=-1, inputs=x, targets=y, mask=m)


def final_test(cfg, st) -> dict:
    """The row's test after the stop: test_size fresh sequences, weights frozen."""
    if not st.success or cfg.test_size == 0:
        return {}
    net = models.wrap(cfg, st.weights)
    return evaluate(cfg, net, fixed_sequences(cfg, st.seed, st.trial, "final_test", cfg.test_size))


def trial_record(cfg, st, test, hooks=None) -> dict:
    """What trial-K.json holds."""
    points = st.curve + ([(st.n, st.curve_acc[0] / st.curve_acc[1])] if st.curve_acc[1] else [])
    curve = merge_curve(points, max(1, math.ceil(len(points) / CURVE_POINTS)))
    rec = {"row": cfg.row, "trial": st.trial, "seed": st.seed, "success": st.success,
           "sequences": st.stop_at if st.success else None, "sequences_presented": st.n,
           "test": test, "wall_seconds": round(st.seconds, 3), "time_steps": st.steps,
           "steps_per_second": st.steps / st.seconds if st.seconds > 0 else None,
           "curve": {"sequences": [int(a) for a, _ in curve], "error": [float(b) for _, b in curve],
                     "error_measure": "E = sum_k (t_k - y_k)^2 summed over target steps, per sequence; each point "
                                        "the mean over the sequences since the previous point"}}
    if st.fingerprint is not None:
        rec["fingerprint"] = st.fingerprint
    if cfg.stop == "ST1ST2":
        rec["st1"] = st.st1
    if cfg.stop == "ST3":                           # when its "average training error < beta" first held
        rec["error_below_beta_at"] = st.beta_at
    if st.cell_present is not None:                  # 2a (construction_window > 0): False until the cell joins
        rec["cell_joined_at"] = st.cell_joined_at
    if hooks is not None and hooks.record is not None:  # what the caller's studies record (studies/hooks.py)
        rec.update(hooks.record(cfg, st))
    probe = hooks.probe(cfg, st.weights) if hooks is not None and hooks.probe is not None else None
    if probe is not None:
        rec["carry"] = probe
    if st.carries:
        rec["carry_history"] = st.carries
    return rec


# ---------------------------------------------------------------- checkpoints
def save_state(st, path) -> None:
    """Atomically: write beside, then rename."""
    results.save_pickle(st, path)


def save_weights(weights: dict, path) -> None:
    """A trial's final weights, atomically: np.load(path) gives them back by name (w_in, w_c, ...)."""
    tmp = f"{path}.tmp.npz"
    np.savez(tmp, **weights)
    os.replace(tmp, path)


def load_state(path) -> TrialState:
    return results.load_checkpoint(path)


def run_trial(cfg, seed: int, trial: int, checkpoint=None, checkpoint_seconds=60.0, progress=None, max_wall=None,
              trace: int = 0, trace_path=None, weights_path=None, fingerprint=None, interrupted=None, hooks=None):
    """Train one trial to its stop, resuming from `checkpoint` if it exists; return its record
    (or None when max_wall ran out or interrupted() became true first: the state is then in the checkpoint).
    trace > 0: record that many probes and the end of training into trace_path (.npz).
    weights_path: where to save the final weights (.npz, one array per weight name; save_weights).
    fingerprint (results.fingerprint): kept in the state and the record; a checkpoint of another is refused.
    hooks (Hooks): what the trial records beyond the protocol's fields (traces, cells_at_end)."""
    if checkpoint is not None and os.path.exists(checkpoint):
        st = load_state(checkpoint)
        if fingerprint is not None:
            results.check_fingerprint(checkpoint, st.fingerprint, fingerprint, "this checkpoint")
    else:
        st = new_trial(cfg, seed, trial, trace)
        st.fingerprint = fingerprint
    st = train_until_stop(cfg, st, checkpoint, checkpoint_seconds, progress, max_wall, interrupted=interrupted,
                          hooks=hooks)
    if not st.done:
        return None
    if trace and trace_path is not None:
        np.savez(trace_path, **hooks.stack(st.traces + [final_trace(cfg, st, hooks)]))
    if weights_path is not None:
        save_weights(st.weights, weights_path)
    return trial_record(cfg, st, final_test(cfg, st), hooks)
