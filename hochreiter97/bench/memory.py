"""Memory while training one sequence: the rule (local in time) beside BPTT on the same net.

The paper (§4, footnote 3; §6): the learning rule is local in space and time, so no
activation stack grows with the sequence; BPTT must keep every step's activations
until the backward pass. Measured here, for the 93-weight net of Experiment 4 on
adding-problem sequences of length T:

  * peak_mb: the learning rule, kernel.sequence, one sequence;
  * train_peak_mb: Network.train on it, which also allocates and returns the
    outputs of every step (8 bytes per output unit and step, like the inputs);
  * bptt_peak_mb: `bptt`, reverse mode over the same sequence (the truncated backward
    pass of baselines/lstm97_full.py), which stores the activations of every step in
    (T, ...) arrays.

What "peak" means: the resident set's high-water mark (Linux VmHWM, reset through
/proc/self/clear_refs just before the call) minus the resident set at that moment.
The sequence (inputs, targets, mask) exists before the reset and is not counted;
what the call allocates is: for the rule, its O(W) state (and, for sparse inputs
only, the active-input lists: 8 bytes per step plus 16 per non-zero input); for
BPTT, the stored activations. The resolution is the allocator's: a few hundred kB
taken from memory the process already holds do not show. Each T runs in a fresh process
(`python -m hochreiter97.bench.memory T`), so that memory freed by an earlier
measurement cannot be reused unseen.

`bptt` computes the same truncated gradient as the rule (tests/test_bench.py checks
it against Network.weight_changes); the full, untruncated BPTT of the same module
stores the same activations, so its memory grows the same way.
"""
import json
import re
import subprocess
import sys

import numpy as np

from .. import kernel
from ..architecture import WEIGHT_NAMES
from ..baselines import lstm97_full
from ..baselines.common import output_errors
from ..network import Network

ROW = "4-1"                      # the 93-weight net of Experiment 4, adding-problem sequences


def bptt(arch, w, inputs, targets, mask):
    """-1/2 dE/dw on the truncated graph by reverse mode (baselines/lstm97_full.py, truncate=True),
    which stores every step's activations in (T, ...) arrays before going back."""
    trace = lstm97_full.forward(arch, w, inputs)
    return lstm97_full.backward(arch, w, trace, output_errors(trace, targets, mask), truncate=True)[0]


def _status(key):
    return int(re.search(rf"{key}:\s+(\d+) kB", open("/proc/self/status").read()).group(1))


def _reset_peak():
    """Reset the high-water mark of the resident set; return the resident set (kB)."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return _status("VmRSS")


def measure(T, seed=0) -> dict:
    """Peak memory of one training sequence of length about T, rule and BPTT (this process)."""
    from tasks import FAMILIES
    from .. import config
    cfg = config.load(ROW)
    arch = config.architecture(cfg)
    rng = np.random.default_rng(seed)
    x, y, m = FAMILIES[cfg.task].generate(rng, T=T)
    net = Network.build(arch, rng)
    w = {name: a.copy() for name, a in net.weights.items()}
    net.train(x[:10], y[:10], m[:10], lr=cfg.lr)        # loads the compiled kernel
    ws, outputs = tuple(net.weights[name] for name in WEIGHT_NAMES), np.full((len(x), arch.n_out), 0.5)  # touched
    peaks = []                                             # smallest first: what one frees, the next may reuse
    for call in (lambda: kernel.sequence(ws, net._dims["eq19", False], x, y, m, cfg.lr, True, ws, outputs),
                 lambda: net.train(x, y, m, lr=cfg.lr),
                 lambda: bptt(arch, w, x, y, m)):
        before = _reset_peak()
        call()
        peaks.append((_status("VmHWM") - before) / 1024)
    return {"T": T, "length": len(x), "peak_mb": peaks[0], "train_peak_mb": peaks[1], "bptt_peak_mb": peaks[2],
            "sequence_mb": (x.nbytes + y.nbytes + m.nbytes) / 2**20}


def measure_in_fresh_process(T, seed=0) -> dict:
    out = subprocess.run([sys.executable, "-m", "hochreiter97.bench.memory", str(T), str(seed)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 0)))
