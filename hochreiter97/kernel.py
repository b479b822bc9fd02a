"""The reference time step (reference.py) compiled with numba: one call runs a whole sequence.

Same contract as `reference.run_sequence`, same equations, fused per step:
forward (6)-(9), accumulators (25) and (27), and, at steps with a target,
errors (19)-(23) and weight changes (22), (26), (28). Float64 throughout; the
buffers are allocated once per sequence, never per step.

    status = sequence(w, dims, inputs, targets, mask, alpha, learn, dw, outputs)

is active_inputs (check the values, list the non-zero inputs) and then steps
(the time steps; run.py bench times this part alone). One-hot inputs may come as
their symbols instead, symbols[t] the unit that is 1 at step t:

    status = sequence_symbols(w, dims, symbols, targets, mask, alpha, learn, dw, outputs)

is symbol_inputs, which writes down the lists active_inputs would find in the dense
rows (ptr = 0 .. L, idx = symbols, val = 1.0) without making or reading the rows, and
then the same steps: the same lists reach the same compiled loops, so the numbers are
the same to the bit (tests/test_kernel.py). For Experiment 2c's 1004 input units and
~1013 steps the dense rows are 8 MB a sequence, and scanning them cost more than the
steps themselves.

w and dw are tuples (w_in, w_out, w_c, w_h, w_k) of the arrays of
architecture.py. Weight changes are *added* into dw. To change the weights at
every step that has a target, the caller passes the weight arrays themselves as
dw (every error of a step is computed before any weight of that step changes,
so the aliasing is safe; tests/test_kernel.py checks it against the
reference). To sum the changes of a sequence, it passes zeroed arrays. The
status is OK, or says which values were not finite: the inputs or the targets
(then nothing was computed), or the weights w after the sequence; or, for symbols,
that one is not an input unit (nothing computed).

Where the speed comes from (measured: results/complexity/README.md):

  * Only active inputs are touched. `active_inputs` lists, once per sequence,
    the non-zero input units of every step (one-hot inputs: one per step). The
    sums over u(t) then read only those input columns and the recurrent ones, and
    the accumulators (25), (27) of an input column that is zero at step t stay as
    they are: they would add g(..) f'(..) * 0. This is exact, and the cost of a step
    no longer grows with the number of input units. Inputs with more than
    SPARSE_FRACTION non-zero take the dense loops; each case is compiled apart.
  * Sums may be added up in any order (fastmath "reassoc", "contract": the dot
    products vectorise, products and sums fuse). No other fastmath flag: exp,
    inf and nan keep IEEE semantics. Results differ from reference.py by rounding
    only, below 1e-12 relative (verify.py check d; tests/test_kernel.py). The
    flags are set on _sparse_steps and _dense_steps; the helpers are inlined into
    them by numba (inline="always"), which compiles them under the caller's flags.
    Loops run over slices from index 0: a loop from a variable start does not vectorise.
  * One sigmoid per unit and step: g and g' share sigma(net_c), h and h' share
    sigma(s_c), which the error step (21), (23) reuses.
  * A step runs in phases: all net inputs, then all squashing, then the
    accumulators (25) and (27) together in one pass over u(t), so that
    independent work sits side by side.

`dims` packs the structure: (n_in, C, S, H, K, output_gate, connectivity_B, squash_2ab,
output_xent, output_linear, reset_half, apply_after_first, hidden_bias). reset_half = 1: the activations
y(t-1) start each sequence at 0.5, not 0 (reading jku). apply_after_first = 1 (timing "late",
reading jku): dw arrives holding the previous sequence's summed changes; after step 0's
changes are added to it, w += dw and dw = 0; the rest of the sequence sums into dw again. hidden_bias = 1 (reading jku): u(t) holds one more
column before the bias, the hidden layer's bias unit y_b(t-1): the reset activation at step 0, then 1. output_xent = 1 is an ablation, not the paper: e_k = t^k - y^k
in place of eq. (19)'s f'_k(net_k)(t^k - y^k) (Network.train's output_error="xent").
output_linear = 1 is another (Architecture.output_unit "linear"): y^k = net_k, so f'_k = 1 in (19).
"""
import numpy as np
from numba import njit

DIM_NAMES = ("n_in", "C", "S", "H", "K", "output_gate", "connectivity_B", "squash_2ab", "output_xent", "output_linear",
             "reset_half", "apply_after_first", "hidden_bias")
FAST = {"reassoc", "contract"}        # the only fastmath flags used
SPARSE_FRACTION = 0.25                # active-input lists when at most this fraction of inputs is non-zero
OK, INPUTS_NON_FINITE, TARGETS_NON_FINITE, WEIGHTS_NON_FINITE, SYMBOL_OUT_OF_RANGE = 0, 1, 2, 3, 4


def pack_dims(arch, output_error="eq19", apply_after_first=False):
    return np.array([arch.n_in, arch.blocks, arch.block_size, arch.hidden, arch.n_out,
                     int(arch.output_gate), int(arch.connectivity == "B"), int(arch.squash == "2ab"),
                     int(output_error == "xent"), int(arch.output_unit == "linear"),
                     int(arch.reset_activation == 0.5), int(apply_after_first), int(arch.hidden_bias)],
                    dtype=np.int64)


@njit(cache=True, inline="always")
def _sigma(x):
    return 1.0 / (1.0 + np.exp(-x))          # x < -709: exp overflows to inf and sigma is 0.0, as it should


@njit(cache=True, inline="always")
def _dot(w, u, lo, hi, idx, val, a, b):
    """sum_m w[m] u[m] over the active inputs idx[a:b] (values val[a:b]) and the columns lo..hi-1."""
    s = 0.0
    for i in range(a, b):
        s += w[idx[i]] * val[i]
    w_, u_ = w[lo:hi], u[lo:hi]               # a loop from 0 over slices vectorises, one from lo does not
    for m in range(w_.shape[0]):
        s += w_[m] * u_[m]
    return s


@njit(cache=True, inline="always")
def _dot2(w1, w2, u, lo, hi, idx, val, a, b):
    """(_dot of w1, _dot of w2) in one pass over u; the gates of a block have the same sources."""
    s1 = s2 = 0.0
    for i in range(a, b):
        s1 += w1[idx[i]] * val[i]
        s2 += w2[idx[i]] * val[i]
    w1_, w2_, u_ = w1[lo:hi], w2[lo:hi], u[lo:hi]
    for m in range(u_.shape[0]):
        s1 += w1_[m] * u_[m]
        s2 += w2_[m] * u_[m]
    return s1, s2


@njit(cache=True, inline="always")
def _axpy(c, u, lo, hi, idx, val, a, b, out):
    """out[m] += c u[m] on the columns _dot reads; on the others u[m] = 0."""
    for i in range(a, b):
        out[idx[i]] += c * val[i]
    out_, u_ = out[lo:hi], u[lo:hi]
    for m in range(out_.shape[0]):
        out_[m] += c * u_[m]


@njit(cache=True, inline="always")
def _axpy2(c1, out1, c2, out2, u, lo, hi1, hi2, idx, val, a, b):
    """_axpy twice in one pass over u: out1 += c1 u on columns < hi1, out2 += c2 u on columns < hi2.

    hi1 and hi2 differ by the bias column when only the gates have one (bias code "ga").
    """
    for i in range(a, b):
        out1[idx[i]] += c1 * val[i]
        out2[idx[i]] += c2 * val[i]
    hi = min(hi1, hi2)
    o1, o2, u_ = out1[lo:hi], out2[lo:hi], u[lo:hi]
    for m in range(u_.shape[0]):
        o1[m] += c1 * u_[m]
        o2[m] += c2 * u_[m]
    for m in range(hi, hi1):
        out1[m] += c1 * u[m]
    for m in range(hi, hi2):
        out2[m] += c2 * u[m]


@njit(cache=True)
def active_inputs(inputs, targets, mask):
    """Check a sequence's values and list its non-zero inputs, in one pass: (status, ptr, idx, val).

    status is INPUTS_NON_FINITE or TARGETS_NON_FINITE (targets at masked steps) or
    OK. When at most SPARSE_FRACTION of the inputs are non-zero, the non-zero input
    units of step t are idx[ptr[t]:ptr[t+1]], their values val[ptr[t]:ptr[t+1]];
    otherwise ptr is empty and the steps read the rows of `inputs` whole. The lists
    are given up as soon as the non-zero fraction so far passes SPARSE_FRACTION, so
    dense inputs touch almost none of the (virtual) room reserved for them.
    """
    L, n = inputs.shape
    cap = int(SPARSE_FRACTION * L * n)
    ptr, idx, val = np.empty(L + 1, dtype=np.int64), np.empty(cap, dtype=np.int64), np.empty(cap)
    ptr[0], k, sparse = 0, 0, cap > 0
    for t in range(L):
        row = inputs[t]
        finite, nz, where = True, 0, 0
        for m in range(n):                    # one vectorised pass over the row
            x = row[m]
            finite &= x - x == 0.0            # false for inf and nan
            nz += x != 0.0
            where += m * (x != 0.0)           # the index itself when there is exactly one (one-hot)
        if not finite:
            return INPUTS_NON_FINITE, ptr[:0], idx[:0], val[:0]
        if mask[t]:
            for o in range(targets.shape[1]):
                if not targets[t, o] - targets[t, o] == 0.0:
                    return TARGETS_NON_FINITE, ptr[:0], idx[:0], val[:0]
        sparse = sparse and k + nz <= SPARSE_FRACTION * (t + 1) * n
        if not sparse:
            continue
        if nz == 1:
            idx[k], val[k] = where, row[where]
            k += 1
        elif nz > 1:
            for m in range(n):
                if row[m] != 0.0:
                    idx[k], val[k] = m, row[m]
                    k += 1
        ptr[t + 1] = k
    if not sparse:
        return OK, ptr[:0], idx[:0], val[:0]
    return OK, ptr, idx[:k], val[:k]


@njit(cache=True)
def symbol_inputs(symbols, n_in, targets, mask):
    """active_inputs for one-hot inputs given as symbols (row t of the inputs: 1 at unit
    symbols[t], 0 elsewhere), without the rows: (status, ptr, idx, val), the very lists
    active_inputs returns for those rows.

    One non-zero per row keeps active_inputs' lists while 1 <= SPARSE_FRACTION * n_in
    (n_in >= 4), for any L > 0: then ptr = 0, 1, .., L, idx = symbols, val = 1.0.
    Otherwise ptr is empty, as there, and the steps read dense rows (sequence_symbols
    makes them). status: SYMBOL_OUT_OF_RANGE (a symbol outside 0 .. n_in-1),
    TARGETS_NON_FINITE (targets at masked steps), or OK.
    """
    L = symbols.shape[0]
    ptr, idx, val = np.empty(L + 1, dtype=np.int64), np.empty(L, dtype=np.int64), np.ones(L)
    ptr[0] = 0
    for t in range(L):
        if not 0 <= symbols[t] < n_in:
            return SYMBOL_OUT_OF_RANGE, ptr[:0], idx[:0], val[:0]
        if mask[t]:
            for o in range(targets.shape[1]):
                if not targets[t, o] - targets[t, o] == 0.0:
                    return TARGETS_NON_FINITE, ptr[:0], idx[:0], val[:0]
        idx[t] = symbols[t]
        ptr[t + 1] = t + 1
    if not (L > 0 and 1 <= SPARSE_FRACTION * n_in):
        return OK, ptr[:0], idx[:0], val[:0]
    return OK, ptr, idx, val


@njit(cache=True, inline="always")
def _finite(a):
    ok = True
    for x in a.ravel():
        ok &= x - x == 0.0                    # false for inf and nan
    return ok


@njit(cache=True, inline="always")
def _land(w, dw):
    """w += dw, then dw = 0 (timing "late": the previous sequence's sum lands after the first step)."""
    a, b = w.reshape(-1), dw.reshape(-1)
    for i in range(a.shape[0]):
        a[i] += b[i]
        b[i] = 0.0


@njit(cache=True, inline="always")
def _steps(sparse, accumulate, w, dims, inputs, ptr, idx, val, targets, mask, alpha, learn, dw, outputs):
    """Every step of the sequence; `sparse` and `accumulate` are compile-time constants (see _sparse_steps,
    _dense_steps, _frozen_steps). accumulate False (weights frozen, learn False): the accumulators (25), (27),
    which no output reads, are skipped; every output is computed by the same lines as with them."""
    w_in, w_out, w_c, w_h, w_k = w
    dw_in, dw_out, dw_c, dw_h, dw_k = dw
    n_in, C, S, H, K = dims[0], dims[1], dims[2], dims[3], dims[4]
    has_og, conn_B, sq2ab, xent, linear = dims[5] == 1, dims[6] == 1, dims[7] == 1, dims[8] == 1, dims[9] == 1
    y0, land_after_first, hb = 0.5 * dims[10], dims[11] == 1, dims[12]
    I_in, I_out, I_c, I_h, J = w_in.shape[1], w_out.shape[1], w_c.shape[2], w_h.shape[1], w_k.shape[1]
    I0 = n_in if conn_B else n_in + C * S + C + w_out.shape[0] + H + hb
    J_c = n_in if conn_B else 0                                   # column of the first cell in v
    lo = n_in if sparse else 0                                    # first column of u read whole
    lo_v = lo if conn_B else 0                                    # ... of v (inputs feed outputs only under "B")
    u = np.zeros(I0 + 1)                                          # u(t): x(t), y(t-1), [y_b(t-1)], 1
    u[n_in:I0] = y0                                               # y(-1): the reset activation (0, or jku's 0.5)
    u[I0] = 1.0                                                   # bias unit
    v = np.zeros(J_c + C * S + H + 1)                             # v(t): [x(t)], y_c(t), y_h(t), 1
    v[J_c + C * S + H] = 1.0
    net_in = np.zeros(C); y_in = np.zeros(C)
    net_out = np.zeros(C); y_out = np.ones(C)                     # no output gate: y_out = 1
    net_c = np.zeros((C, S)); sig_c = np.zeros((C, S))            # sigma(net_c): g and g'
    s_c = np.zeros((C, S)); sig_s = np.zeros((C, S)); y_c = np.zeros((C, S))   # sigma(s_c): h and h'
    y_h = np.zeros(H)
    y_k = np.zeros(K); e_k = np.zeros(K); e_h = np.zeros(H); e_out = np.zeros(C); e_s = np.zeros((C, S))
    ds_dw_in = np.zeros((C, S, I_in)); ds_dw_c = np.zeros((C, S, I_c))

    for t in range(outputs.shape[0]):
        a = b = 0                                                 # active inputs idx[a:b]
        if sparse:
            a, b = ptr[t], ptr[t + 1]
        else:
            for m in range(n_in):                                 # stage 1: x(t) onto the inputs
                u[m] = inputs[t, m]
                if conn_B:
                    v[m] = inputs[t, m]
        a_v, b_v = (a, b) if conn_B else (0, 0)

        # stage 2, the hidden units; first every net input, from u(t)
        for j in range(C):
            if has_og:                                                        # both gates read u(t): one pass
                net_in[j], net_out[j] = _dot2(w_in[j], w_out[j], u, lo, I_in, idx, val, a, b)   # (7), (8)
            else:
                net_in[j] = _dot(w_in[j], u, lo, I_in, idx, val, a, b)        # (7)
            for c in range(S):
                net_c[j, c] = _dot(w_c[j, c], u, lo, I_c, idx, val, a, b)     # (9)
        for j in range(C):
            y_in[j] = _sigma(net_in[j])                                       # (7)
            if has_og:
                y_out[j] = _sigma(net_out[j])                                 # (8)
            for c in range(S):
                sig_c[j, c] = _sigma(net_c[j, c])
                g = sig_c[j, c] if sq2ab else 4.0 * sig_c[j, c] - 2.0         # g(net_c), eqs. (5), (9)
                s_c[j, c] += y_in[j] * g                                      # (9) the CEC
                if sq2ab:
                    y_c[j, c] = y_out[j] * s_c[j, c]                          # (9), h = identity
                else:
                    sig_s[j, c] = _sigma(s_c[j, c])
                    y_c[j, c] = y_out[j] * (2.0 * sig_s[j, c] - 1.0)          # (9), h(s_c), eq. (4)
                v[J_c + j * S + c] = y_c[j, c]
        for j in range(C if accumulate else 0):
            df_in = y_in[j] * (1.0 - y_in[j])                                 # f'_in(net_in)
            for c in range(S):
                sg = sig_c[j, c]
                g, dg = (sg, sg * (1.0 - sg)) if sq2ab else (4.0 * sg - 2.0, 4.0 * sg * (1.0 - sg))
                _axpy2(g * df_in, ds_dw_in[j, c], dg * y_in[j], ds_dw_c[j, c],    # (25), (27)
                       u, lo, I_in, I_c, idx, val, a, b)
        for i in range(H):
            y_h[i] = _sigma(_dot(w_h[i], u, lo, I_h, idx, val, a, b))         # (6)
            v[J_c + C * S + i] = y_h[i]
        # stage 3, the output units, from v(t)
        for k in range(K):
            net_k = _dot(w_k[k], v, lo_v, J, idx, val, a_v, b_v)
            y_k[k] = net_k if linear else _sigma(net_k)                       # output unit (linear: an ablation)
            outputs[t, k] = y_k[k]

        if learn and mask[t]:
            for k in range(K):
                e_k[k] = targets[t, k] - y_k[k]                               # ablation "xent", not (19)
                if not (xent or linear):
                    e_k[k] *= y_k[k] * (1.0 - y_k[k])                         # (19); linear: f'_k = 1
            for i in range(H):
                back = 0.0
                for k in range(K):
                    back += w_k[k, J_c + C * S + i] * e_k[k]
                e_h[i] = y_h[i] * (1.0 - y_h[i]) * back                       # (20)
            for j in range(C):
                eo = 0.0
                for c in range(S):
                    back = 0.0                                    # sum_k w_{k c_j^v} e_k, shared by (21), (23)
                    for k in range(K):
                        back += w_k[k, J_c + j * S + c] * e_k[k]
                    if sq2ab:
                        h, dh = s_c[j, c], 1.0
                    else:
                        h, dh = 2.0 * sig_s[j, c] - 1.0, 2.0 * sig_s[j, c] * (1.0 - sig_s[j, c])
                    eo += h * back
                    e_s[j, c] = y_out[j] * dh * back                          # (23)
                e_out[j] = y_out[j] * (1.0 - y_out[j]) * eo                   # (21)
            # every error of this step is known: now the weight changes (dw may alias w)
            for k in range(K):
                _axpy(alpha * e_k[k], v, lo_v, J, idx, val, a_v, b_v, dw_k[k])    # (22), l = k
            for i in range(H):
                _axpy(alpha * e_h[i], u, lo, I_h, idx, val, a, b, dw_h[i])        # (22), l = i
            if has_og:
                for j in range(C):
                    _axpy(alpha * e_out[j], u, lo, I_out, idx, val, a, b, dw_out[j])   # (22), l = out_j
            for j in range(C):
                for c in range(S):                        # every column: the accumulators hold the history
                    _axpy(alpha * e_s[j, c], ds_dw_in[j, c], 0, I_in, idx, val, 0, 0, dw_in[j])   # (26)
                    _axpy(alpha * e_s[j, c], ds_dw_c[j, c], 0, I_c, idx, val, 0, 0, dw_c[j, c])   # (28)
        if land_after_first and t == 0:                           # timing "late": dw holds the previous sum
            _land(w_in, dw_in)
            _land(w_out, dw_out)
            _land(w_c, dw_c)
            _land(w_h, dw_h)
            _land(w_k, dw_k)

        if not conn_B:                                            # y(t) becomes y(t-1) of the next step
            for j in range(C):
                for c in range(S):
                    u[n_in + j * S + c] = y_c[j, c]
                u[n_in + C * S + j] = y_in[j]
                if has_og:
                    u[n_in + C * S + C + j] = y_out[j]
            for i in range(H):
                u[I0 - hb - H + i] = y_h[i]
            if hb:
                u[I0 - 1] = 1.0                                   # the hidden layer's bias unit, from step 1 on


@njit(cache=True, fastmath=FAST)
def _sparse_steps(w, dims, ptr, idx, val, targets, mask, alpha, learn, dw, outputs):
    _steps(True, True, w, dims, np.empty((0, 0)), ptr, idx, val, targets, mask, alpha, learn, dw, outputs)


@njit(cache=True, fastmath=FAST)
def _dense_steps(w, dims, inputs, targets, mask, alpha, learn, dw, outputs):
    none = np.empty(0, dtype=np.int64)
    _steps(False, True, w, dims, inputs, none, none, np.empty(0), targets, mask, alpha, learn, dw, outputs)


@njit(cache=True, fastmath=FAST)
def _frozen_steps(w, dims, inputs, ptr, idx, val, outputs):
    """The steps of a sequence with the weights frozen, without the accumulators (sequences_frozen)."""
    L, K = outputs.shape
    targets, mask = np.zeros((L, K)), np.zeros(L, dtype=np.bool_)
    if ptr.shape[0] > 0:
        _steps(True, False, w, dims, np.empty((0, 0)), ptr, idx, val, targets, mask, 0.0, False, w, outputs)
    else:
        none = np.empty(0, dtype=np.int64)
        _steps(False, False, w, dims, inputs, none, none, np.empty(0), targets, mask, 0.0, False, w, outputs)


@njit(cache=True)
def steps(w, dims, inputs, ptr, idx, val, targets, mask, alpha, learn, dw, outputs):
    """The steps of a checked sequence with its active-input lists (ptr empty: dense)."""
    if ptr.shape[0] > 0:
        _sparse_steps(w, dims, ptr, idx, val, targets, mask, alpha, learn, dw, outputs)
    else:
        _dense_steps(w, dims, inputs, targets, mask, alpha, learn, dw, outputs)
    finite = _finite(w[0]) and _finite(w[1]) and _finite(w[2]) and _finite(w[3]) and _finite(w[4])
    return OK if finite else WEIGHTS_NON_FINITE


@njit(cache=True)
def sequence(w, dims, inputs, targets, mask, alpha, learn, dw, outputs):
    """One sequence: check it, list its active inputs, run its steps. Returns a status (module docstring)."""
    status, ptr, idx, val = active_inputs(inputs, targets, mask)
    if status != OK:
        return status
    return steps(w, dims, inputs, ptr, idx, val, targets, mask, alpha, learn, dw, outputs)


@njit(cache=True)
def sequences_frozen(w, dims, inputs, starts, outputs):
    """sequence() with the weights frozen, for many sequences in one call: sequence i is rows
    starts[i]:starts[i+1] of inputs and of outputs. Each runs the steps' own lines on a contiguous
    copy of its rows, less the accumulators no output reads, so the outputs are the same to the bit
    (tests/test_network.py checks them against run()). Returns the first status that is not OK, or OK."""
    K = outputs.shape[1]
    for i in range(starts.shape[0] - 1):
        a, b = starts[i], starts[i + 1]
        x = inputs[a:b].copy()
        out = np.empty((b - a, K))
        status, ptr, idx, val = active_inputs(x, np.zeros((b - a, K)), np.zeros(b - a, dtype=np.bool_))
        if status != OK:
            return status
        _frozen_steps(w, dims, x, ptr, idx, val, out)
        outputs[a:b] = out
    return OK


@njit(cache=True)
def sequence_symbols(w, dims, symbols, targets, mask, alpha, learn, dw, outputs):
    """sequence() for one-hot inputs given as symbols (module docstring): the same status and numbers."""
    status, ptr, idx, val = symbol_inputs(symbols, dims[0], targets, mask)
    if status != OK:
        return status
    inputs = np.zeros((0, 0))
    if ptr.shape[0] == 0:                         # too few input units for lists: the dense rows
        inputs = np.zeros((symbols.shape[0], dims[0]))
        for t in range(symbols.shape[0]):
            inputs[t, symbols[t]] = 1.0
    return steps(w, dims, inputs, ptr, idx, val, targets, mask, alpha, learn, dw, outputs)
