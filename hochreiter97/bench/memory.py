"""Memory while training one sequence: the rule (local in time) beside BPTT on the same net.

The paper (§4, footnote 3; §6): the learning rule is local in space and time, so no
activation stack grows with the sequence; BPTT must keep every step's activations
until the backward pass. Measured here, for the 93-weight net of Experiment 4 on
adding-problem sequences of length T:

  * peak_mb: the learning rule, kernel.sequence, one sequence;
  * train_peak_mb: Network.train on it, which also allocates and returns the
    outputs of every step (8 bytes per output unit and step, like the inputs);
  * bptt_peak_mb: `bptt`, reverse mode over the same sequence, which stores the
    activations of every step in (T, ...) arrays, the least BPTT can keep.

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
it against Network.weight_changes); a full, untruncated BPTT would store the same
activations, so its memory grows the same way.
"""
import json
import re
import subprocess
import sys

import numpy as np

from .. import kernel, reference
from ..architecture import WEIGHT_NAMES
from ..network import Network
from ..squash import df, g, dg, h, dh

ROW = "4-1"                      # the 93-weight net of Experiment 4, adding-problem sequences


# Not verify.truncated_bptt: this copy keeps every step in (T, ...) arrays, the storage whose memory is measured.
def bptt(arch, w, inputs, targets, mask):
    """-1/2 dE/dw on the truncated graph by reverse mode, storing every step's activations.

    Forward: reference.forward_step, keeping per step only what the backward pass
    reads. Backward: error at the outputs, then through s_c alone back in time
    (eq. 30); every path through y(t-1) is cut, as in the rule. No hidden units.
    """
    if arch.hidden:
        raise ValueError("bptt: conventional hidden units are not supported")
    T, C, S, sq = len(inputs), arch.blocks, arch.block_size, arch.squash
    shapes = arch.shapes()
    I_in, I_out, I_c, J = shapes["w_in"][1], shapes["w_out"][1], shapes["w_c"][2], shapes["w_k"][1]
    U = np.zeros((T, arch.I0 + 1))                         # the stack BPTT keeps, one row per step
    V = np.zeros((T, arch.J0 + 1))
    Y_in, Y_out, Net_out = np.zeros((T, C)), np.zeros((T, C)), np.zeros((T, C))
    Net_c, S_c = np.zeros((T, C, S)), np.zeros((T, C, S))
    DF_k, Y_k = np.zeros((T, arch.n_out)), np.zeros((T, arch.n_out))
    state = reference.new_state(arch)
    for t in range(T):
        state, act = reference.forward_step(arch, w, state, inputs[t])
        U[t], V[t], Net_c[t], S_c[t] = act["u"], act["v"], act["net_c"], state["s_c"]
        Y_in[t], Y_out[t], Net_out[t, :arch.n_out_gates] = state["y_in"], act["y_out"], act["net_out"]
        DF_k[t], Y_k[t] = act["df_k"], act["y_k"]                # f'_k(net_k), y_k
    G = {name: np.zeros_like(a) for name, a in w.items()}
    cells = arch.cell_columns
    ds = np.zeros((C, S))                                  # error at s_c(t), carried back unscaled (eq. 30)
    for t in range(T - 1, -1, -1):
        if mask[t]:
            e_k = DF_k[t] * (targets[t] - Y_k[t])                                         # (19)
            G["w_k"] += np.outer(e_k, V[t, :J])
            dy_c = (w["w_k"][:, cells].T @ e_k).reshape(C, S)
            if arch.output_gate:
                e_out = df(Net_out[t]) * (dy_c * h(S_c[t], sq)).sum(axis=1)                # (21)
                G["w_out"] += np.outer(e_out, U[t, :I_out])
            ds = ds + dy_c * Y_out[t][:, None] * dh(S_c[t], sq)                            # (23)
        G["w_c"] += (ds * Y_in[t][:, None] * dg(Net_c[t], sq))[:, :, None] * U[t, :I_c]      # (27), (28)
        G["w_in"] += ((ds * g(Net_c[t], sq)).sum(axis=1) * Y_in[t] * (1 - Y_in[t]))[:, None] * U[t, :I_in]  # (25), (26)
    return G


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
