"""The 1997 LSTM time step and its truncated learning rule in plain numpy: THE ORACLE.

One equation per line, tagged with its number in Appendix A.1 of the paper
(SPEC §1.2, §2.3). Nothing here is optimised; `kernel.py` computes the same
step compiled and is tested against this file.

A time step is the three-stage step of the experiments (paper §5 intro, SPEC §1.3):
put x(t) on the inputs; compute the hidden units (gates, cells, conventional
hidden units) from x(t) and the hidden activations of step t-1; compute the
output units from the cell outputs of step t.

Notation (paper symbol -> code name -> shape -> meaning). C blocks, S cells per
block, K outputs, H conventional hidden units; I_in, I_out, I_c, I_h, J the
number of sources of each unit group (architecture.py):

    y^u(t-1), x(t)      u          (I0+1,)        what gates, cells and hidden units read: x(t), y(t-1), 1
    y_b(t-1)            y_b        (0,) or (1,)   the hidden layer's bias unit as read at t (hidden_bias, jku)
    y^u(t)              v          (J0+1,)        what output units read: [x(t) if "B"], y_c(t), y_h(t), 1
    w_{in_j m}          w_in       (C, I_in)      input-gate weights
    w_{out_j m}         w_out      (C, I_out)     output-gate weights ((0, I_out) without output gates)
    w_{c_j^v m}         w_c        (C, S, I_c)    cell weights
    w_{i m}             w_h        (H, I_h)       conventional hidden-unit weights
    w_{k m}             w_k        (K, J)         output-unit weights
    net_in_j, y^in_j    net_in, y_in     (C,)     input gate, eq. (7)
    net_out_j, y^out_j  net_out, y_out   (C,)     output gate, eq. (8); y_out = 1 without output gates
    net_c_j^v           net_c      (C, S)         cell net input, eq. (9)
    s_c_j^v             s_c        (C, S)         cell state, the constant error carousel, eq. (9)
    y^c_j^v             y_c        (C, S)         cell output, eq. (9)
    net_i, y^i          net_h, y_h (H,)           conventional hidden unit, eq. (6)
    net_k, y^k          net_k, y_k (K,)           output unit (logistic; "linear" output_unit: an ablation)
    f'_k(net_k)         df_k       (K,)           its derivative, read by eq. (19)
    t^k                 target     (K,)           target
    e_k                 e_k        (K,)           output error, eq. (19)
    e_i                 e_h        (H,)           hidden-unit error, eq. (20)
    e_out_j             e_out      (C,)           output-gate error, eq. (21)
    e_s_c_j^v           e_s        (C, S)         error at the cell state, eq. (23)
    ds_c/dw_{in_j m}    ds_dw_in   (C, S, I_in)   accumulator of eq. (25), one row per cell
    ds_c/dw_{c_j^v m}   ds_dw_c    (C, S, I_c)    accumulator of eq. (27)
    Delta w             dw         dict like w    weight changes, eqs. (22), (26), (28)
    alpha               alpha      scalar         learning rate

Error convention: E(t) = sum_k (t^k - y^k)^2 (16) but e_k = f'(net_k)(t^k - y^k) (19),
so at alpha = 1 the weight change is -1/2 dE(t)/dw (truncated). The factor 2 is
absorbed into the paper's learning rates (SPEC §2.3).

The multiply-adds of every line, by equation, are products of the arrays' shapes:
Architecture.step_ops (architecture.py) counts them; see `bench/costs.py`.
"""
import numpy as np

from .squash import f, df, g, dg, h, dh

RULE_VERSION = 1     # the rule's arithmetic as verified; raise it when a change alters any trial's numbers


def new_state(arch):
    """Activations, cell states and accumulators at the start of a sequence: all zero (SPEC §1.4, §2.4);
    the activations y(t-1) at arch.reset_activation (0.5 in Hochreiter's simulator, reading jku)."""
    C, S = arch.blocks, arch.block_size
    shapes = arch.shapes()
    y0 = arch.reset_activation
    return {
        "y_c": np.full((C, S), y0), "y_in": np.full(C, y0), "y_out": np.full(arch.n_out_gates, y0),
        "y_h": np.full(arch.hidden, y0), "y_b": np.full(int(arch.hidden_bias), y0), "s_c": np.zeros((C, S)),
        "ds_dw_in": np.zeros((C, S, shapes["w_in"][1])),
        "ds_dw_c": np.zeros((C, S, shapes["w_c"][2])),
    }


def sources(arch, state, x):
    """u(t): x(t), then (under "F") the hidden activations of step t-1, then the bias unit 1."""
    if arch.connectivity == "B":
        return np.concatenate([x, [1.0]])
    return np.concatenate([x, state["y_c"].ravel(), state["y_in"], state["y_out"], state["y_h"], state["y_b"], [1.0]])


def forward_step(arch, w, state, x):
    """One time step: eqs. (6)-(9), the output units, and the accumulators (25), (27).

    Returns (state at t, activations at t). `state` (at t-1) is not modified.
    """
    sq = arch.squash
    C = arch.blocks
    u = sources(arch, state, x)                                     # y^u(t-1) with x(t): stage 1
    I_in, I_c, I_h = w["w_in"].shape[1], w["w_c"].shape[2], w["w_h"].shape[1]
    net_in = w["w_in"] @ u[:I_in]                                   # (7)
    y_in = f(net_in)                                                # (7)
    net_out = w["w_out"] @ u[:w["w_out"].shape[1]]                  # (8)
    y_out = f(net_out) if arch.output_gate else np.ones(C)          # (8); no output gate: the cell output is h(s_c)
    net_c = w["w_c"] @ u[:I_c]                                      # (9)
    s_c = state["s_c"] + y_in[:, None] * g(net_c, sq)               # (9) the CEC: self-weight 1, no forget gate
    y_c = y_out[:, None] * h(s_c, sq)                               # (9)
    net_h = w["w_h"] @ u[:I_h]                                      # (6)
    y_h = f(net_h)                                                  # (6)
    ds_dw_in = state["ds_dw_in"] + (g(net_c, sq) * df(net_in)[:, None])[:, :, None] * u[:I_in]   # (25)
    ds_dw_c = state["ds_dw_c"] + (dg(net_c, sq) * y_in[:, None])[:, :, None] * u[:I_c]          # (27)
    v = output_sources(arch, x, y_c, y_h)                           # stage 3: outputs read y_c(t)
    net_k = w["w_k"] @ v[:w["w_k"].shape[1]]                        # output unit
    linear = arch.output_unit == "linear"                           # an ablation, not the paper
    y_k = net_k if linear else f(net_k)                             # output unit: f_k = f (eq. 3), or the identity
    df_k = np.ones_like(net_k) if linear else df(net_k)             # f'_k(net_k), read by (19)
    state_t = {"y_c": y_c, "y_in": y_in, "y_out": y_out[:arch.n_out_gates], "y_h": y_h,
               "y_b": np.ones(int(arch.hidden_bias)), "s_c": s_c,
               "ds_dw_in": ds_dw_in, "ds_dw_c": ds_dw_c}
    act = {"u": u, "v": v, "net_in": net_in, "net_out": net_out, "y_out": y_out, "net_c": net_c,
           "net_h": net_h, "net_k": net_k, "y_k": y_k, "df_k": df_k}
    return state_t, act


def output_sources(arch, x, y_c, y_h):
    """v(t): [x(t) under "B"], the cell outputs and hidden units of step t, then the bias unit 1."""
    head = [x] if arch.connectivity == "B" else []
    return np.concatenate(head + [y_c.ravel(), y_h, [1.0]])


def output_error_k(act, target, output_error="eq19"):
    """e_k of one step with a target: eq. (19), f'_k(net_k)(t^k - y^k); or the ablation "xent",
    t^k - y^k (the error of cross-entropy at logistic outputs, not the paper)."""
    e_k = target - act["y_k"]
    if output_error == "eq19":
        e_k = act["df_k"] * e_k                                     # (19)
    return e_k


def cell_state_error(arch, w, state_t, act, e_k):
    """(sum_k w_{k c_j^v} e_k, e_s): the error reaching each cell's output, and at its state, eq. (23)."""
    C, S = arch.blocks, arch.block_size
    w_kc = w["w_k"][:, arch.cell_columns].reshape(-1, C, S)         # w_{k c_j^v}
    back = np.einsum("kjv,k->jv", w_kc, e_k)                        # sum_k w_{k c_j^v} e_k, shared by (21) and (23)
    e_s = act["y_out"][:, None] * dh(state_t["s_c"], arch.squash) * back   # (23)
    return back, e_s


def weight_changes(arch, w, state_t, act, target, alpha, output_error="eq19"):
    """The truncated weight changes of one step with a target: eqs. (19)-(28).

    output_error "xent" is an ablation, not the paper: e_k = t^k - y^k (the error of
    cross-entropy at logistic outputs) in place of (19); everything downstream is unchanged.
    """
    sq = arch.squash
    cells = arch.cell_columns                                       # columns of the cells in v
    w_ki = w["w_k"][:, cells.stop:cells.stop + arch.hidden]         # w_{k i}
    s_c = state_t["s_c"]
    e_k = output_error_k(act, target, output_error)                 # (19), or the ablation
    e_h = df(act["net_h"]) * (w_ki.T @ e_k)                         # (20)
    back, e_s = cell_state_error(arch, w, state_t, act, e_k)        # (23), and the sum (21) shares
    e_out = df(act["net_out"]) * (h(s_c, sq) * back).sum(axis=1)[:arch.n_out_gates]  # (21)
    dw = {
        "w_k": alpha * np.outer(e_k, act["v"][:w["w_k"].shape[1]]),                  # (22), l = k
        "w_h": alpha * np.outer(e_h, act["u"][:w["w_h"].shape[1]]),                  # (22), l = i
        "w_out": alpha * np.outer(e_out, act["u"][:w["w_out"].shape[1]]),             # (22), l = out_j
        "w_in": alpha * np.einsum("jv,jvm->jm", e_s, state_t["ds_dw_in"]),           # (26)
        "w_c": alpha * e_s[:, :, None] * state_t["ds_dw_c"],                         # (28)
    }
    return dw


def run_sequence(arch, w, inputs, targets=None, mask=None, alpha=0.0, timing="step", apply=False,
                 output_error="eq19", pending=None):
    """Present one sequence from reset state; optionally learn.

    timing "step": the weights change at every step that carries a target (RTRL
    style, the default); "sequence": the changes are summed and applied at the
    sequence end. SPEC §2.4: the paper does not say which; they differ only where
    targets occur before the end (Experiments 1, 2a, 2b). "late" (Hochreiter's
    simulator, reading jku): the changes are summed, and the sum of a sequence lands
    after the forward and backward pass of the next sequence's first step, together
    with that step's own change; `pending` carries it from sequence to sequence
    ({"dw": dict like w, "started": whether a sequence has been presented}; updated here).
    output_error: see weight_changes.

    Returns (outputs (L, K), summed weight changes dict, weights after the sequence).
    `w` itself is never modified; with apply=False the weights are held fixed and
    the weights returned are `w`.
    """
    w_now = {k: a.copy() for k, a in w.items()} if apply else w
    total = {k: np.zeros_like(a) for k, a in w.items()}
    state = new_state(arch)
    outputs = np.zeros((len(inputs), arch.n_out))
    for t, x in enumerate(inputs):
        state, act = forward_step(arch, w_now, state, x)
        outputs[t] = act["y_k"]
        if mask is not None and mask[t]:
            dw = weight_changes(arch, w_now, state, act, targets[t], alpha, output_error=output_error)
            for k in total:
                total[k] += dw[k]
                if apply and timing == "step":
                    w_now[k] += dw[k]
        if apply and timing == "late" and t == 0 and pending["started"]:   # the previous sum lands now
            for k in total:
                w_now[k] += pending["dw"][k] + total[k]
                total[k] = np.zeros_like(total[k])
    if apply and timing == "sequence":
        for k in total:
            w_now[k] += total[k]
    if apply and timing == "late":
        pending["dw"], pending["started"] = {k: a.copy() for k, a in total.items()}, True
    return outputs, total, w_now
