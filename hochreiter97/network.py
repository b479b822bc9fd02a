"""The public object: build a 1997 LSTM, run it, train it online, save and load it.

    >>> from hochreiter97 import Architecture, Network
    >>> arch = Architecture(n_in=2, n_out=1, blocks=2, block_size=2, bias="all",
    ...                     in_gate_bias=(-3.0, -6.0))           # Experiment 4, Table 10
    >>> net = Network.build(arch, seed=0)
    >>> net.n_weights
    93
    >>> outputs = net.train(inputs, targets, mask, lr=0.5)       # one sequence, online

Sequences are arrays: inputs (L, n_in), targets (L, n_out), mask (L,) bool marking
the steps that carry a target. Every sequence starts from the reset state (all
activations, cell states and accumulators zero; SPEC §1.4, §2.4).

One-hot inputs may be given as their symbols instead: an integer array (L,), symbols[t]
the input unit that is 1 at step t (the dense rows are `one_hot(symbols, n_in)`). The
numbers are those of the dense rows, to the bit; the kernel never makes the rows
(kernel.sequence_symbols), which matters when they are large (Experiment 2c: 1004 units).

`net.weights` is a dict of float64 arrays named w_in, w_out, w_c, w_h, w_k: rows
are receiving units, columns sending units in the order of
`architecture.py` (inputs, cells block-major, input gates, output gates,
hidden units, bias last). `net.arch.source_names()` names the columns.

Two back ends compute the same thing: "kernel" (numba, the default) and
"reference" (plain numpy, the oracle). Nothing else knows which one runs.
"""
from __future__ import annotations

import json
import math

import numpy as np

from . import kernel, reference
from .architecture import Architecture, WEIGHT_NAMES, init_weights

TIMINGS = ("step", "sequence", "late")    # "late": Hochreiter's simulator (reading jku); see train
OUTPUT_ERRORS = ("eq19", "xent")      # "xent": an ablation, e_k = t - y in place of eq. (19)


class Network:
    def __init__(self, arch: Architecture, weights: dict, backend: str = "kernel"):
        if backend not in ("kernel", "reference"):
            raise ValueError(f"backend: expected 'kernel' or 'reference', got {backend!r}")
        shapes = arch.shapes()
        if set(weights) != set(WEIGHT_NAMES):
            raise ValueError(f"weights: expected the arrays {WEIGHT_NAMES}, got {sorted(weights)}")
        self.weights = {}
        for name in WEIGHT_NAMES:
            a = np.ascontiguousarray(weights[name], dtype=np.float64)
            if a.shape != shapes[name]:
                raise ValueError(f"weights[{name!r}]: expected shape {shapes[name]}, got {a.shape}")
            self.weights[name] = a.copy()
        _check_finite(self.weights, "weights")
        self.arch = arch
        self.backend = backend
        self._dims = {(e, late): kernel.pack_dims(arch, e, late) for e in OUTPUT_ERRORS for late in (False, True)}

    @classmethod
    def build(cls, arch: Architecture, seed=0, backend: str = "kernel") -> "Network":
        """Weights uniform in [-init_range, init_range], gate biases as the architecture fixes them."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        return cls(arch, init_weights(arch, rng), backend)

    @property
    def n_weights(self) -> int:
        return self.arch.n_weights()

    # --- sequences ---
    def run(self, inputs) -> np.ndarray:
        """Outputs y^k(t) for every step, (L, n_out); the weights do not change.
        inputs: (L, n_in) floats, or (L,) integer symbols (module docstring)."""
        inputs, _, _ = self._check(inputs, None, None)
        return self._sequence(inputs, None, None, 0.0, learn=False)[0]

    def run_set(self, inputs, starts) -> np.ndarray:
        """Outputs of many sequences at once, weights frozen: sequence i is rows starts[i]:starts[i+1]
        of inputs (dense rows, every sequence's one after another) and of the outputs returned.
        The numbers are run()'s on each sequence, to the bit; the kernel runs them in one call."""
        inputs, _, _ = self._check(inputs, None, None)
        starts = np.ascontiguousarray(starts, dtype=np.int64)
        if inputs.ndim != 2 or starts.ndim != 1 or len(starts) < 1 or starts[0] != 0 or starts[-1] != len(inputs) \
                or np.any(np.diff(starts) < 0):
            raise ValueError(f"starts: expected non-decreasing offsets from 0 to {len(inputs)} into dense inputs")
        outputs = np.empty((len(inputs), self.arch.n_out))
        if self.backend == "reference":
            for a, b in zip(starts[:-1], starts[1:]):
                outputs[a:b] = self.run(inputs[a:b])
            return outputs
        w_ = tuple(self.weights[name] for name in WEIGHT_NAMES)
        status = kernel.sequences_frozen(w_, self._dims["eq19", False], inputs, starts, outputs)
        if status == kernel.INPUTS_NON_FINITE:
            _check_values(inputs, None, None)         # raises, naming the value
        return outputs

    def new_pending(self) -> dict:
        """What timing "late" carries from one sequence to the next: the summed changes not yet applied."""
        return {"dw": {name: np.zeros_like(a) for name, a in self.weights.items()}, "started": False}

    def train(self, inputs, targets, mask=None, lr=0.1, timing="step", output_error="eq19", pending=None) -> np.ndarray:
        """Present one sequence and learn online with learning rate lr (alpha).
        inputs: (L, n_in) floats, or (L,) integer symbols of one-hot inputs (module docstring).

        timing "step" (default): the weights change at every step that has a target,
        as in RTRL. "sequence": the changes are summed and applied at the end.
        SPEC §2.4: the paper leaves this open; the two differ only where targets
        come before the end (Experiments 1, 2a, 2b). "late" (Hochreiter's simulator,
        reading jku): summed, and a sequence's sum lands after the forward and backward
        pass of the next sequence's first step, with that step's change; `pending`
        (new_pending(), kept by the caller) carries it between sequences. output_error "eq19" (default)
        is the paper's e_k = f'(net_k)(t - y); "xent" (an ablation, not the paper)
        drops f', the error of cross-entropy at logistic outputs. Returns the outputs,
        (L, n_out), as computed during the presentation.
        """
        if timing not in TIMINGS:
            raise ValueError(f"timing: expected one of {TIMINGS}, got {timing!r}")
        inputs, targets, mask = self._check(inputs, targets, mask)
        lr = _check_lr(lr)
        if timing == "step":
            outputs, _, finite = self._sequence(inputs, targets, mask, lr, learn=True, apply=True,
                                                output_error=output_error)
        elif timing == "late":
            if pending is None:
                raise ValueError("timing 'late': pass pending=net.new_pending(), kept from sequence to sequence")
            outputs, _, finite = self._sequence(inputs, targets, mask, lr, learn=True, apply=True,
                                                output_error=output_error, pending=pending)
        else:
            outputs, dw, _ = self._sequence(inputs, targets, mask, lr, learn=True, apply=False,
                                            output_error=output_error)
            for name in WEIGHT_NAMES:
                self.weights[name] += dw[name]
            finite = False                            # not known yet
        if not finite:
            _check_finite(self.weights, "weights after training (diverged, or set to a non-finite value)")
        return outputs

    def weight_changes(self, inputs, targets, mask=None, lr=1.0, output_error="eq19") -> dict:
        """The summed truncated weight changes of one sequence, weights held fixed.

        With lr = 1 this is -1/2 dE/dw of E = sum_t sum_k (t^k - y^k)^2 on the
        truncated graph (eqs. 16-28; the 1/2 because eq. 19 drops the 2 of dE/dy).
        """
        inputs, targets, mask = self._check(inputs, targets, mask)
        return self._sequence(inputs, targets, mask, _check_lr(lr), learn=True, apply=False,
                              output_error=output_error)[1]

    def _sequence(self, inputs, targets, mask, lr, learn, apply=False, output_error="eq19", pending=None):
        """(outputs, summed weight changes or None when applied, True if the weights are known finite).
        pending: timing "late" (train)."""
        if output_error not in OUTPUT_ERRORS:
            raise ValueError(f"output_error: expected one of {OUTPUT_ERRORS}, got {output_error!r}")
        w = self.weights
        if self.backend == "reference":
            if inputs.ndim == 1:
                inputs = one_hot(inputs, self.arch.n_in)
            _check_values(inputs, targets, mask)
            outputs, dw, w_after = reference.run_sequence(self.arch, w, inputs, targets, mask, lr,
                                                          timing="step" if pending is None else "late",
                                                          apply=learn and apply, output_error=output_error,
                                                          pending=pending)
            if learn and apply:
                for name in WEIGHT_NAMES:
                    w[name][...] = w_after[name]
            return outputs, dw, False
        L = len(inputs)
        outputs = np.empty((L, self.arch.n_out))
        if targets is None:
            targets, mask = np.zeros((L, self.arch.n_out)), np.zeros(L, dtype=np.bool_)
        w_ = (w["w_in"], w["w_out"], w["w_c"], w["w_h"], w["w_k"])           # WEIGHT_NAMES, spelled out: fast
        if pending is not None:                       # timing "late": the sum so far, landing after step 0
            dw = pending["dw"]
        else:
            dw = w if apply or not learn else {name: np.zeros_like(a) for name, a in w.items()}   # not learning: never written
        dw_ = w_ if dw is w else (dw["w_in"], dw["w_out"], dw["w_c"], dw["w_h"], dw["w_k"])
        run = kernel.sequence_symbols if inputs.ndim == 1 else kernel.sequence   # symbols, or dense rows
        dims = self._dims[output_error, pending is not None and learn and pending["started"]]
        status = run(w_, dims, inputs, targets, mask, lr, learn, dw_, outputs)
        if pending is not None and learn and status == kernel.OK:
            pending["started"] = True
        if status == kernel.SYMBOL_OUT_OF_RANGE:
            one_hot(inputs, self.arch.n_in)           # raises, naming the symbol
        if status in (kernel.INPUTS_NON_FINITE, kernel.TARGETS_NON_FINITE):
            _check_values(inputs, targets, mask)      # raises, naming the value
        return outputs, (None if dw is w or pending is not None else dw), status == kernel.OK   # the kernel checked w

    def _check(self, inputs, targets, mask):
        inputs = np.asarray(inputs)
        if inputs.ndim == 1 and inputs.dtype.kind in "iu":                  # symbols of one-hot inputs
            inputs = np.ascontiguousarray(inputs, dtype=np.int64)          # their range: checked by the kernel
        else:
            inputs = np.ascontiguousarray(inputs, dtype=np.float64)
            if inputs.ndim != 2 or inputs.shape[1] != self.arch.n_in:
                raise ValueError(f"inputs: expected shape (L, {self.arch.n_in}) or integer symbols (L,), "
                                 f"got {inputs.shape}")
        if targets is None:
            return inputs, None, None
        targets = np.ascontiguousarray(targets, dtype=np.float64)
        if targets.shape != (len(inputs), self.arch.n_out):
            raise ValueError(f"targets: expected shape ({len(inputs)}, {self.arch.n_out}), got {targets.shape}")
        mask = np.ones(len(inputs), dtype=np.bool_) if mask is None else np.ascontiguousarray(mask, dtype=np.bool_)
        if mask.shape != (len(inputs),):
            raise ValueError(f"mask: expected shape ({len(inputs)},), got {mask.shape}")
        return inputs, targets, mask          # finite values: checked by _check_values or the kernel

    # --- files ---
    def save(self, path) -> None:
        """One .npz: the five weight arrays and the architecture as JSON."""
        np.savez(path, architecture=json.dumps(self.arch.to_dict()), **self.weights)

    @classmethod
    def load(cls, path, backend: str = "kernel") -> "Network":
        with np.load(path, allow_pickle=False) as z:
            if "architecture" not in z:
                raise ValueError(f"{path}: no 'architecture' entry; not a file written by Network.save")
            arch = Architecture.from_dict(json.loads(str(z["architecture"])))
            return cls(arch, {name: z[name] for name in WEIGHT_NAMES}, backend)


def one_hot(symbols, n_in) -> np.ndarray:
    """The dense inputs (L, n_in) of one-hot inputs given as symbols (L,): row t is 1 at unit symbols[t]."""
    symbols = np.asarray(symbols)
    bad = np.flatnonzero((symbols < 0) | (symbols >= n_in))
    if len(bad):
        raise ValueError(f"inputs: symbol {symbols[bad[0]]} at step {bad[0]} is not an input unit 0 .. {n_in - 1}")
    inputs = np.zeros((len(symbols), n_in))
    inputs[np.arange(len(symbols)), symbols] = 1.0
    return inputs


def _check_values(inputs, targets, mask) -> None:
    _check_finite({"inputs": inputs}, "sequence")
    if targets is not None:
        _check_finite({"targets": targets[mask]}, "sequence")


def _check_finite(arrays: dict, what: str) -> None:
    for name, a in arrays.items():
        if not np.all(np.isfinite(a)):
            bad = np.argwhere(~np.isfinite(a))[0]
            raise ValueError(f"{what}: {name} holds a non-finite value ({a[tuple(bad)]}) at index {tuple(int(i) for i in bad)}")


def _check_lr(lr) -> float:
    lr = float(lr)
    if not math.isfinite(lr) or lr < 0:
        raise ValueError(f"lr: expected a finite learning rate >= 0, got {lr}")
    return lr
