"""The reference time step (reference.py) compiled with numba: one call runs a whole sequence.

Same contract as `reference.run_sequence`, same equations, fused per step:
forward (6)-(9), accumulators (25) and (27), and, at steps with a target,
errors (19)-(23) and weight changes (22), (26), (28). Float64 throughout; the
buffers are allocated once per sequence, never per step.

Weight changes are *added* into the arrays dw_in ... dw_k. To change the
weights at every step that has a target, the caller passes the weight arrays
themselves as dw_* (every error of a step is computed before any weight of that
step changes, so the aliasing is safe; tests/test_kernel.py checks it against
the reference). To sum the changes of a sequence, it passes zeroed arrays.

`dims` packs the structure: (n_in, C, S, H, K, output_gate, connectivity_B, squash_2ab).
"""
import numpy as np
from numba import njit

DIM_NAMES = ("n_in", "C", "S", "H", "K", "output_gate", "connectivity_B", "squash_2ab")


def pack_dims(arch):
    return np.array([arch.n_in, arch.blocks, arch.block_size, arch.hidden, arch.n_out,
                     int(arch.output_gate), int(arch.connectivity == "B"), int(arch.squash == "2ab")],
                    dtype=np.int64)


@njit(cache=True, inline="always")
def _sigma(x):
    if x >= 0.0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.exp(x)
    return e / (1.0 + e)


@njit(cache=True)
def sequence(w_in, w_out, w_c, w_h, w_k, dims, inputs, targets, mask, alpha, learn,
             dw_in, dw_out, dw_c, dw_h, dw_k, outputs):
    n_in, C, S, H, K = dims[0], dims[1], dims[2], dims[3], dims[4]
    has_og, conn_B, sq2ab = dims[5] == 1, dims[6] == 1, dims[7] == 1
    I_in, I_out, I_c, I_h, J = w_in.shape[1], w_out.shape[1], w_c.shape[2], w_h.shape[1], w_k.shape[1]
    I0 = n_in if conn_B else n_in + C * S + C + w_out.shape[0] + H
    J_c = n_in if conn_B else 0                                   # column of the first cell in v
    u = np.zeros(I0 + 1)
    u[I0] = 1.0                                                   # bias unit
    v = np.zeros(J_c + C * S + H + 1)
    v[J_c + C * S + H] = 1.0
    net_in = np.zeros(C); y_in = np.zeros(C)
    net_out = np.zeros(C); y_out = np.ones(C)
    net_c = np.zeros((C, S)); s_c = np.zeros((C, S)); y_c = np.zeros((C, S))
    net_h = np.zeros(H); y_h = np.zeros(H)
    y_k = np.zeros(K); e_k = np.zeros(K); e_h = np.zeros(H); e_out = np.zeros(C)
    back = np.zeros((C, S)); e_s = np.zeros((C, S))
    ds_dw_in = np.zeros((C, S, I_in)); ds_dw_c = np.zeros((C, S, I_c))

    for t in range(inputs.shape[0]):
        for m in range(n_in):
            u[m] = inputs[t, m]
            if conn_B:
                v[m] = inputs[t, m]
        for j in range(C):                                        # (7)
            a = 0.0
            for m in range(I_in):
                a += w_in[j, m] * u[m]
            net_in[j] = a
            y_in[j] = _sigma(a)
        if has_og:                                                # (8)
            for j in range(C):
                a = 0.0
                for m in range(I_out):
                    a += w_out[j, m] * u[m]
                net_out[j] = a
                y_out[j] = _sigma(a)
        for j in range(C):
            fin = y_in[j] * (1.0 - y_in[j])                       # f'_in
            for c in range(S):
                a = 0.0
                for m in range(I_c):
                    a += w_c[j, c, m] * u[m]
                net_c[j, c] = a                                   # (9)
                sg = _sigma(a)
                if sq2ab:
                    gc, dgc = sg, sg * (1.0 - sg)
                else:
                    gc, dgc = 4.0 * sg - 2.0, 4.0 * sg * (1.0 - sg)
                s_c[j, c] += y_in[j] * gc                         # (9) CEC
                hs = s_c[j, c] if sq2ab else 2.0 * _sigma(s_c[j, c]) - 1.0
                y_c[j, c] = y_out[j] * hs                         # (9)
                v[J_c + j * S + c] = y_c[j, c]
                a_in = gc * fin
                a_c = dgc * y_in[j]
                for m in range(I_in):                             # (25)
                    ds_dw_in[j, c, m] += a_in * u[m]
                for m in range(I_c):                              # (27)
                    ds_dw_c[j, c, m] += a_c * u[m]
        for i in range(H):                                        # (6)
            a = 0.0
            for m in range(I_h):
                a += w_h[i, m] * u[m]
            net_h[i] = a
            y_h[i] = _sigma(a)
            v[J_c + C * S + i] = y_h[i]
        for k in range(K):                                        # output units
            a = 0.0
            for m in range(J):
                a += w_k[k, m] * v[m]
            y_k[k] = _sigma(a)
            outputs[t, k] = y_k[k]

        if learn and mask[t]:
            for k in range(K):                                    # (19)
                e_k[k] = y_k[k] * (1.0 - y_k[k]) * (targets[t, k] - y_k[k])
            for i in range(H):                                    # (20)
                a = 0.0
                for k in range(K):
                    a += w_k[k, J_c + C * S + i] * e_k[k]
                e_h[i] = y_h[i] * (1.0 - y_h[i]) * a
            for j in range(C):
                eo = 0.0
                for c in range(S):
                    a = 0.0
                    for k in range(K):
                        a += w_k[k, J_c + j * S + c] * e_k[k]
                    back[j, c] = a
                    if sq2ab:
                        hs, dhs = s_c[j, c], 1.0
                    else:
                        sg = _sigma(s_c[j, c])
                        hs, dhs = 2.0 * sg - 1.0, 2.0 * sg * (1.0 - sg)
                    eo += hs * a
                    e_s[j, c] = y_out[j] * dhs * a                # (23)
                e_out[j] = y_out[j] * (1.0 - y_out[j]) * eo       # (21)
            # every error of this step is known: now the weight changes (dw may alias w)
            for k in range(K):                                    # (22), l = k
                for m in range(J):
                    dw_k[k, m] += alpha * e_k[k] * v[m]
            for i in range(H):                                    # (22), l = i
                for m in range(I_h):
                    dw_h[i, m] += alpha * e_h[i] * u[m]
            if has_og:
                for j in range(C):                                # (22), l = out_j
                    for m in range(I_out):
                        dw_out[j, m] += alpha * e_out[j] * u[m]
            for j in range(C):
                for c in range(S):
                    a = alpha * e_s[j, c]
                    for m in range(I_in):                         # (26)
                        dw_in[j, m] += a * ds_dw_in[j, c, m]
                    for m in range(I_c):                          # (28)
                        dw_c[j, c, m] += a * ds_dw_c[j, c, m]

        if not conn_B:                                            # y(t) becomes y(t-1) of the next step
            for j in range(C):
                for c in range(S):
                    u[n_in + j * S + c] = y_c[j, c]
                u[n_in + C * S + j] = y_in[j]
            if has_og:
                for j in range(C):
                    u[n_in + C * S + C + j] = y_out[j]
            for i in range(H):
                u[I0 - H + i] = y_h[i]
