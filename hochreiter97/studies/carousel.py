"""Error flow made visible: the constant error carousel against its competitors (`python run.py carousel`).

What is measured
----------------
One fixed input sequence and, per model, one fixed untrained net. At the last step t a
unit error is injected at output unit 0, e_0(t) = 1 (every other e_k(tau) = 0), and
carried back by each model's own backward pass. Since errors are d(.) = -1/2 dE/d(.)
and e_k = d net_k (eq. 19), this is the loss E = -2 net_0(t), and the error arriving at
the state of step t-q is the sensitivity

    curve[q] = || d net_0(t) / d state(t-q) ||_2 ,        q = 1 ... 1000,

the Euclidean norm over the state's units, "state(t-q)" being the value computed at
step t-q (a perturbation added right after it is computed, as verify.unrolled injects):

    name          model                                        state       derivative
    rnn-small     Table 2's net, recurrent weight w = 3.2      y_h         full (BPTT)
    rnn-large     Table 2's net, recurrent weight w = 5.0      y_h         full (BPTT)
    lstm97        the 1997 LSTM, row 2c-9's net                s_c         truncated graph (eqs. 12-15), the paper's rule
    lstm97-full   the same net, same weights                   s_c         full (BPTT through every path)
    lstm-forget   LSTM with forget gate, H = 2                 c           full (BPTT)
    gru           GRU, H = 2                                   h           full (BPTT)

By eq. (35) the lstm97 curve is flat: under truncation d s_c(t)/d s_c(t-1) = 1 (eq. 30),
so the error at s_c is y_out(t) h'(s_c(t)) w_{0c} (eq. 23) at every lag. In the
conventional net each step back multiplies the error by f'(net) w (§3.1; eqs. 1-2 of
the paper); in the gated cells of later years by the forget (update) gate, plus the
paths through the recurrent connections.

Settings (all stated in carousel.json as well)
----------------------------------------------
* Sequence: one Experiment 2c sequence (tasks/long_lag.py) with p = 50 distractors and
  q = 1000, drawn with seed 0: one-hot over 54 symbols, b x|y, 1000 + k distractors, e.
  t is its last step (the one reading e, where 2c's only target sits).
* lstm97, lstm97-full: row 2c-9's architecture (Table 10: 54 in, 2 out, 2 blocks of 1
  cell, connectivity F, no biases, h in [-1,1], g in [-2,2], 364 weights), weights
  drawn as Network.build draws them (uniform in [-0.2, 0.2]) with seed 0.
* rnn-small, rnn-large: the Table 2 net (1 self-recurrent logistic hidden unit, outputs
  and hidden unit fed by all layers below, no biases) on 54 inputs, 2 outputs; other
  weights uniform in [-0.2, 0.2], seed 0; then the recurrent weight set to w and the
  input weights into the hidden unit to -w/2 for every symbol after the first (0 for
  the first, b). The net input of the hidden unit is then exactly 0 at every step
  (y_h = 1/2), where f' takes its largest value 1/4: each step back multiplies the error
  by exactly w/4 = 0.8 (w = 3.2 < 4, vanishing) or 1.25 (w = 5 > 4, exploding). For the
  logistic unit |w| > 4 and net = 0 are both needed to explode (the paper's §3.1);
  y_h = 1/2 is then an unstable fixed point of the forward dynamics, held only because
  every input cancels the self-connection exactly.
* lstm-forget: hidden = 2 (as many cells as lstm97), weights uniform in [-0.2, 0.2],
  seed 0, forget-gate biases +1 (baselines/lstm_forget.py).
* gru: hidden = 2, weights uniform in [-0.2, 0.2], seed 0, update-gate biases +1, so that
  it keeps its state initially as much as the forget-gate LSTM (z = f = sigma(1)); with
  the usual bias 0 the error falls below float64's range before q = 1000 (the
  "variants" entry of carousel.json gives the numbers).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..architecture import Architecture
from ..baselines import GRU, LSTMForget, RNN, gru, lstm97_full, lstm_forget, rnn
from ..squash import dh
from . import output

NAMES = ("rnn-small", "rnn-large", "lstm97", "lstm97-full", "lstm-forget", "gru")
LAGS = 1000
ROW_2C9 = Architecture(n_in=54, n_out=2, blocks=2, block_size=1, connectivity="F", bias="none",
                       init_range=0.2)                              # Table 10 row 2c-9 (tasks/configs/2c-9.yaml)


def sequence(seed=0, p=50, q=LAGS):
    """The fixed input sequence: one Experiment 2c sequence, (L, p+4) one-hot."""
    from tasks import long_lag
    inputs, _, _ = long_lag.generate(np.random.default_rng(seed), "2c", p=p, q=q)
    return inputs


def table2_net(n_in, n_out, w_rec, seed=0, first_symbol=None):
    """Table 2's net held at net_h = 0 (see the module docstring); w_rec = None: as initialised."""
    net = RNN.build(n_in, n_out, hidden=1, seed=seed, init_range=0.2, trainer="bptt")
    if w_rec is not None:
        net.weights["w_h"][0, :n_in] = -w_rec / 2                     # cancels w_rec * y_h(t-1) = w_rec / 2
        net.weights["w_h"][0, first_symbol] = 0.0                   # y_h(-1) = 0: nothing to cancel at the first step
        net.weights["w_h"][0, n_in] = w_rec                         # the self-connection
    return net


def models(inputs, seed=0, gru_update_bias=1.0, forget_bias=1.0):
    """name -> (forward, backward, weights, cfg, state name), every net fixed."""
    n_in, K = inputs.shape[1], ROW_2C9.n_out
    first = int(np.argmax(inputs[0]))
    lstm97 = lstm97_full.LSTM97Full.build(ROW_2C9, seed=seed)
    lf = LSTMForget.build(n_in, K, hidden=2, seed=seed, init_range=0.2, forget_bias=forget_bias)
    gr = GRU.build(n_in, K, hidden=2, seed=seed, init_range=0.2, update_bias=gru_update_bias)
    out = {}
    for name, w_rec in (("rnn-small", 3.2), ("rnn-large", 5.0)):
        net = table2_net(n_in, K, w_rec, seed, first)
        out[name] = (rnn.forward, rnn.backward, net.weights, net.cfg, "y_h")
    for name, truncate in (("lstm97", True), ("lstm97-full", False)):
        out[name] = (lstm97.forward, lstm97.backward, lstm97.weights, lstm97_full.LSTM97Full.config(ROW_2C9, truncate), "s_c")
    out["lstm-forget"] = (lstm_forget.forward, lstm_forget.backward, lf.weights, lf.cfg, "c")
    out["gru"] = (gru.forward, gru.backward, gr.weights, gr.cfg, "h")
    return out


def error_flow(forward, backward, w, cfg, inputs, output=0):
    """Errors at the state, (L, n_state), after e_output(t) = 1 at t = L-1; and the forward trace."""
    trace = forward(w, inputs, cfg)
    e_k = np.zeros_like(trace["y_k"])
    e_k[-1, output] = 1.0                                           # the unit error at the output, e_0(t) = 1
    _, d_state = backward(w, trace, e_k, cfg)
    return d_state.reshape(len(inputs), -1), trace


def by_lag(d_state, lags):
    """||error at state(t-q)||_2 for q = 0 .. lags."""
    return np.linalg.norm(d_state[::-1][:lags + 1], axis=1)


def carousel(seed=0, lags=LAGS) -> dict:
    """Every curve, and what is needed to read the figure, as one dict (written as carousel.json)."""
    inputs = sequence(seed, q=lags)
    if len(inputs) <= lags:
        raise ValueError(f"a sequence of {len(inputs)} steps is too short for lags up to {lags}")
    curves, entry, found = {}, {}, {}
    for name, (fwd, bwd, w, cfg, _) in models(inputs, seed).items():
        d_state, trace = error_flow(fwd, bwd, w, cfg, inputs)
        norms = by_lag(d_state, lags)
        curves[name], entry[name] = norms[1:].tolist(), float(norms[0])
        found[name] = (d_state, trace)
    d_c, lf = found["lstm-forget"]
    gates = np.cumprod(lf["f"][::-1], axis=0)                       # row q-1: f(t) f(t-1) ... f(t-q+1)
    direct = np.linalg.norm(d_c[-1] * gates[:lags], axis=1)         # the path c(t-q) -> c(t) alone
    tr97 = found["lstm97"][1]
    return {
        "description": ("Error reaching the state at t-q after a unit error e_0(t) = 1 at output unit 0 at the last "
                        "step t: ||d net_0(t) / d state(t-q)||_2, state = y_h (rnn), s_c (lstm97), c (lstm-forget), "
                        "h (gru). lstm97: on the truncated graph of the paper's rule (eqs. 12-15); every other "
                        "curve: the full gradient. See hochreiter97/studies/carousel.py."),
        "lags": list(range(1, lags + 1)),
        "curves": curves,
        "entry": entry,
        "lstm-forget_forget_gate_path": direct.tolist(),
        "settings": {
            "sequence": (f"Experiment 2c (tasks/long_lag.py), p = 50, q = {lags}, seed {seed}: {len(inputs)} steps, "
                         f"one-hot over {inputs.shape[1]} symbols; t = {len(inputs) - 1}, the step reading e"),
            "rnn-small": ("Table 2 net: 54 in, 2 out, 1 self-recurrent logistic hidden unit, no bias, init uniform "
                          f"[-0.2, 0.2], seed {seed}; then w_rec = 3.2 and input->hidden weights -1.6 (0 for the "
                          "first symbol b): net_h = 0 at every step, factor w_rec f'(0) = 0.8 per step back"),
            "rnn-large": "as rnn-small with w_rec = 5.0, input->hidden weights -2.5: factor 1.25 per step back",
            "lstm97": (f"row 2c-9 net (Table 10: 364 weights, F, no biases), init uniform [-0.2, 0.2], seed {seed}; "
                       "error at s_c on the truncated graph"),
            "lstm97-full": "the same net and weights; error at s_c, full gradient",
            "lstm-forget": f"H = 2, init uniform [-0.2, 0.2], seed {seed}, forget-gate biases +1; error at c",
            "gru": f"H = 2, init uniform [-0.2, 0.2], seed {seed}, update-gate biases +1; error at h",
            "lstm97_at_t": {"s_c": tr97["s_c"][-1].ravel().tolist(), "y_out": tr97["y_out"][-1].tolist(),
                            "h_prime": dh(tr97["s_c"][-1].ravel()).tolist()},
        },
        "variants": variants(inputs, seed, lags),
    }


def variants(inputs, seed, lags, at=(1, 10, 100, 1000)):
    """The settings not plotted: the paper's initial weights for the conventional net, gate biases 0."""
    K = ROW_2C9.n_out
    plain = table2_net(inputs.shape[1], K, None, seed)
    lf = LSTMForget.build(inputs.shape[1], K, hidden=2, seed=seed, init_range=0.2, forget_bias=0.0)
    gr = GRU.build(inputs.shape[1], K, hidden=2, seed=seed, init_range=0.2, update_bias=0.0)
    out = {}
    for name, fwd, bwd, net in (("rnn, as initialised in [-0.2, 0.2]", rnn.forward, rnn.backward, plain),
                                ("lstm-forget, forget-gate bias 0", lstm_forget.forward, lstm_forget.backward, lf),
                                ("gru, update-gate bias 0", gru.forward, gru.backward, gr)):
        norms = by_lag(error_flow(fwd, bwd, net.weights, net.cfg, inputs)[0], lags)
        zero = np.flatnonzero(norms == 0.0)
        out[name] = {"at_lag": {str(q): float(norms[q]) for q in at if q <= lags},
                     "underflows_to_0_at_lag": int(zero[0]) if zero.size else None}
    return out


# ---------------------------------------------------------------- files: carousel.json, carousel.png, README.md
LABELS = {
    "rnn-small": "conventional net, w = 3.2 (factor 0.8 per step)",
    "rnn-large": "conventional net, w = 5.0 (factor 1.25 per step)",
    "lstm97": "1997 LSTM, truncated rule: error in s_c",
    "lstm97-full": "1997 LSTM, full gradient: error in s_c",
    "lstm-forget": "LSTM with forget gate (bias +1): error in c",
    "gru": "GRU (update bias +1): error in h",
}
COLORS = {"rnn-small": "tab:blue", "rnn-large": "tab:orange", "lstm97": "tab:green", "lstm97-full": "tab:red",
          "lstm-forget": "tab:purple", "gru": "tab:brown"}


def plot(result, path):
    """Top: every curve, log scale. Bottom: the two 1997 curves relative to their entry value, linear."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax, low) = plt.subplots(2, 1, figsize=(9, 7.5), height_ratios=(3, 1.2), sharex=True)
    q = result["lags"]
    for name in NAMES:
        ax.semilogy(q, result["curves"][name], label=f"{name}: {LABELS[name]}", lw=2.2 if "lstm97" in name else 1.6,
                    ls="--" if name == "lstm97-full" else "-", color=COLORS[name])
    ax.semilogy(q, result["lstm-forget_forget_gate_path"], color="grey", ls=":", lw=1.4,
                label="lstm-forget, the path through the forget gates alone")
    ax.set_yticks([10.0 ** k for k in range(-150, 101, 25)])
    ax.set_ylabel("|| d net_0(t) / d state(t-q) ||  (log scale)")
    ax.set_title("Error flow back in time after a unit error at the output at t")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    for name in ("lstm97", "lstm97-full"):
        low.plot(q, [v / result["entry"][name] for v in result["curves"][name]], lw=2,
                 ls="--" if name == "lstm97-full" else "-", color=COLORS[name], label=name)
    low.set_ylabel("relative to q = 0")
    low.set_xlabel("lag q: steps back from the output error at t")
    low.set_xlim(0, q[-1])
    low.set_ylim(bottom=0)
    low.grid(True, alpha=0.3)
    low.legend(fontsize=8, loc="lower left")
    fig.text(0.99, 0.005, result["command"], ha="right", va="bottom", fontsize=7, color="grey")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _g(x):
    return f"{x:.3g}"


def _at(variant, q):
    """A variant's value at lag q, formatted; a dash when q is beyond the lags computed."""
    return _g(variant["at_lag"][str(q)]) if str(q) in variant["at_lag"] else "–"


def readme(result, command) -> str:
    c, e, q_max = result["curves"], result["entry"], result["lags"][-1]
    at = [q for q in (1, 10, 100, 1000) if q <= q_max]
    rows = [f"| {n} | {_g(e[n])} | " + " | ".join(_g(c[n][q - 1]) for q in at)
            + f" | {_g((c[n][-1] / c[n][0]) ** (1 / (q_max - 1)))} |" for n in NAMES]
    flat = max(abs(v / c["lstm97"][0] - 1) for v in c["lstm97"])
    full = [c["lstm97-full"][q - 1] / c["lstm97"][q - 1] for q in at]
    at_t = result["settings"]["lstm97_at_t"]
    s_c, y_out, h_prime = at_t["s_c"], at_t["y_out"], at_t["h_prime"]
    var = result["variants"]
    direct = result["lstm-forget_forget_gate_path"]
    per_step = lambda v: (v[-1] / v[0]) ** (1 / (q_max - 1))      # geometric mean factor from q = 1 to q_max
    rnn0 = var["rnn, as initialised in [-0.2, 0.2]"]
    return f"""# The constant error carousel, measured

Generated by `{command}` (hochreiter97/studies/carousel.py); one fixed sequence and untrained nets, no randomness
beyond the seeds stated. Files: `carousel.json` (`lags`, `curves`, and the settings), `carousel.png`.

**What is measured.** At the last step t of one sequence ({result['settings']['sequence']}), a unit
error e_0(t) = 1 is put on output unit 0 and carried back by each model's own backward pass. The curve at lag q is
the norm of the error arriving at the model's state at t-q, i.e. ||d net_0(t) / d state(t-q)||: the cell state s_c
for the 1997 LSTM (on the truncated graph of the paper's rule for `lstm97`, through every path for
`lstm97-full`), c for the LSTM with forget gate, h for the GRU, the hidden activation y_h for the conventional net.
Settings of every net: `carousel.json` → `settings`, and the docstring of hochreiter97/studies/carousel.py.

![error flow](carousel.png)

| curve | q = 0 (entry) | {' | '.join(f'q = {q}' for q in at)} | mean factor per step |
|---|---|{'---|' * len(at)}---|
""" + "\n".join(rows) + f"""

**Reading it against the paper (SPEC §2.6; eqs. 30–41).**

* `lstm97` is flat: {_g(c['lstm97'][0])} at every lag from 1 to {q_max} (largest relative deviation {flat:.1e}; the
  lower panel of the figure). On the truncated graph d s_c(t)/d s_c(t-1) = 1 (eq. 30), so the error in the carousel
  is passed back unscaled (eq. 35). It is scaled once, on entry, by y_out(t) h'(s_c(t)) (eq. 23; the first factor of
  eqs. 40–41). Its level is low here because the untrained cells have drifted: s_c(t) = ({_g(s_c[0])}, {_g(s_c[1])}),
  h'(s_c(t)) = ({_g(h_prime[0])}, {_g(h_prime[1])}), y_out(t) = ({_g(y_out[0])}, {_g(y_out[1])}) — the paper's
  internal state drift (§2.6 observation 2, SPEC §3). The exit factors of eqs. (40)–(41), y_in g' or g f'_in at
  t-q, scale the error only where it leaves the carousel into the weights; they are not part of this curve.
* `lstm97-full` is the same net with the paths the rule cuts (eqs. 34, 38–39: through y_c, y_in, y_out of t-1 into
  the gates and cells). Relative to `lstm97` it is {', '.join(f'{r:.3g}' for r in full)} at
  q = {', '.join(map(str, at))}: near the truncated value over short lags, drifting away over long ones. Constant
  flow is proved only for the truncated version (paper §6, SPEC §2.7).
* `rnn-small` and `rnn-large` are the conventional net of Table 2 held where f' is largest (net input 0, f' = 1/4):
  each step back multiplies the error by f'(net) w = 0.8 or 1.25 (the table's last column), the paper's §3.1
  analysis: |f' w| < 1 vanishes exponentially in q, |f' w| > 1 blows up. For the logistic unit f' <= 1/4, so
  blowing up needs |w| > 4 and a net input near 0 at every step. With the paper's own initial weights (uniform in
  [-0.2, 0.2]) the same net passes back {_at(rnn0, 1)} at q = 1, {_at(rnn0, 10)} at q = 10,
  and 0 in float64 from q = {rnn0['underflows_to_0_at_lag']} on.
* `lstm-forget`: the carousel's fixed weight 1 is replaced by the forget gate. The dotted line is the path
  c(t-q) -> c(t) through the forget gates alone, ||d_c(t) * f(t) ... f(t-q+1)||: {_g(per_step(direct))} per step,
  {_g(direct[-1])} at q = {q_max}. The full error decays more slowly ({_g(per_step(c['lstm-forget']))} per step)
  because the paths through h and the gates add to it. With forget-gate bias 0 the error is
  {_at(var['lstm-forget, forget-gate bias 0'], 100)} at q = 100 and 0 in float64 from
  q = {var['lstm-forget, forget-gate bias 0']['underflows_to_0_at_lag']} on.
* `gru`: the update gate z plays the forget gate's part ({_g(per_step(c['gru']))} per step). With update-gate bias 0
  (the usual initialisation) the error is {_at(var['gru, update-gate bias 0'], 100)} at q = 100 and 0 in
  float64 from q = {var['gru, update-gate bias 0']['underflows_to_0_at_lag']} on.

These are untrained nets: the curves show how each architecture passes error back at the start of learning, not
what a trained net does.
"""


def write(out="results/carousel", command="python run.py carousel", seed=0, lags=LAGS) -> list:
    """carousel.json, carousel.png and README.md in `out`. Returns the paths."""
    result = carousel(seed, lags)
    result["command"] = command
    json_path, readme_path = output.write(out, "carousel.json", result, readme(result, command))
    plot(result, Path(out) / "carousel.png")
    return [json_path, Path(out) / "carousel.png", readme_path]
