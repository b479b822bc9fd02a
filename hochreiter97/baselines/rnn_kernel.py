"""Table 2's conventional net (rnn.py) compiled with numba: the same RTRL and BPTT, fast enough for 5 million sequences.

rnn.py is the readable version and the oracle; this file computes the same numbers
(tested to 1e-12 in tests/test_rnn_kernel.py) with two savings that change nothing:

  * the inputs of Experiment 2 are one-hot, so at each step only the nonzero inputs
    are visited: net_k and the output-weight change cost O(K (nnz + H)), not O(K n_in);
  * no arrays are allocated per step.

Layout as in rnn.py: u(t) = [x(t) | y_h(t-1) | 1 if bias] (I columns), read by the hidden
units w_h (H, I); v(t) = [x(t) | y_h(t) | 1 if bias] (J = I columns), read by the outputs
w_k (K, J). P (H, H, I) holds the RTRL sensitivities p^i_{am} = d y_h_i / d w_h[a, m].
For Table 2 (H = 1) P is one row of I numbers: RTRL costs O(I + K) per step.

    run(w_h, w_k, inputs, bias, outputs, y0)                                 outputs only
    rtrl(w_h, w_k, inputs, targets, mask, lr, apply, bias, dw_h, dw_k, outputs, y0)
          apply: change w_h, w_k in place at every step with a target (real-time learning);
          else: add the changes, weights fixed, to dw_h, dw_k (lr * -1/2 dE/dw)
    bptt(w_h, w_k, inputs, targets, mask, bias, d_h, d_k, outputs, y0)    -1/2 dE/dw into d_h, d_k

y0: y_h(-1), the hidden activation a sequence starts from (0; 0.5 under reading jku).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def _sigma(x):
    """Logistic, overflow-free (squash.sigma)."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@njit(cache=True)
def _sources(inputs, t, y_h, bias, u, active):
    """u(t) = [x(t) | y_h(t-1) | 1]; the nonzero inputs' indices into active; returns their count."""
    n_in, H = inputs.shape[1], y_h.shape[0]
    na = 0
    for m in range(n_in):
        u[m] = inputs[t, m]
        if u[m] != 0.0:
            active[na] = m
            na += 1
    for l in range(H):
        u[n_in + l] = y_h[l]
    if bias:
        u[n_in + H] = 1.0
    return na


@njit(cache=True)
def _hidden(w_h, u, active, na, n_in, bias, net_h, y_h):
    """net_h = w_h u(t) (6), over the nonzero inputs, the recurrent columns and the bias; y_h = f(net_h)."""
    H, I = w_h.shape
    for i in range(H):
        s = 0.0
        for q in range(na):
            m = active[q]
            s += w_h[i, m] * u[m]
        for m in range(n_in, I):
            s += w_h[i, m] * u[m]
        net_h[i] = s
        y_h[i] = _sigma(s)


@njit(cache=True)
def _outputs(w_k, u, y_h, active, na, n_in, bias, net_k, y_k):
    """v(t) = [x(t) | y_h(t) | 1]; net_k = w_k v(t); y_k = f(net_k)."""
    K, H = w_k.shape[0], y_h.shape[0]
    for k in range(K):
        s = 0.0
        for q in range(na):
            m = active[q]
            s += w_k[k, m] * u[m]
        for l in range(H):
            s += w_k[k, n_in + l] * y_h[l]
        if bias:
            s += w_k[k, n_in + H]
        net_k[k] = s
        y_k[k] = _sigma(s)


@njit(cache=True)
def run(w_h, w_k, inputs, bias, outputs, y0=0.0):
    """Outputs y_k(t) of one sequence from the reset state; weights unchanged."""
    L, n_in = inputs.shape
    H, I = w_h.shape
    K = w_k.shape[0]
    u, active = np.zeros(I), np.zeros(n_in, np.int64)
    net_h, y_h, net_k, y_k = np.zeros(H), np.full(H, y0), np.zeros(K), np.zeros(K)
    for t in range(L):
        na = _sources(inputs, t, y_h, bias, u, active)
        _hidden(w_h, u, active, na, n_in, bias, net_h, y_h)
        _outputs(w_k, u, y_h, active, na, n_in, bias, net_k, y_k)
        outputs[t] = y_k


@njit(cache=True)
def rtrl(w_h, w_k, inputs, targets, mask, lr, apply, bias, dw_h, dw_k, outputs, y0=0.0):
    """RTRL over one sequence (rnn.rtrl_sequence, step for step)."""
    L, n_in = inputs.shape
    H, I = w_h.shape
    K = w_k.shape[0]
    P, P_new = np.zeros((H, H, I)), np.zeros((H, H, I))        # d y_h(0) / d w_h = 0: reset state
    u, active = np.zeros(I), np.zeros(n_in, np.int64)
    net_h, y_h, net_k, y_k = np.zeros(H), np.full(H, y0), np.zeros(K), np.zeros(K)
    e_k, dy_h = np.zeros(K), np.zeros(H)
    gw_h = w_h if apply else dw_h                               # where the changes go
    gw_k = w_k if apply else dw_k
    for t in range(L):
        na = _sources(inputs, t, y_h, bias, u, active)
        _hidden(w_h, u, active, na, n_in, bias, net_h, y_h)
        for i in range(H):                                      # P(t) = f'(net_h)(w_hh P(t-1) + delta u)
            d = y_h[i] * (1.0 - y_h[i])
            for a in range(H):
                for m in range(I):
                    s = u[m] if a == i else 0.0
                    for l in range(H):
                        s += w_h[i, n_in + l] * P[l, a, m]
                    P_new[i, a, m] = d * s
        P, P_new = P_new, P
        _outputs(w_k, u, y_h, active, na, n_in, bias, net_k, y_k)
        outputs[t] = y_k
        if not mask[t]:
            continue
        for k in range(K):
            e_k[k] = y_k[k] * (1.0 - y_k[k]) * (targets[t, k] - y_k[k])     # (19)
        for i in range(H):                                      # error at y_h(t) from the outputs at t
            s = 0.0
            for k in range(K):
                s += w_k[k, n_in + i] * e_k[k]
            dy_h[i] = s
        for k in range(K):                                      # (22), l = k: only nonzero sources change
            c = lr * e_k[k]
            for q in range(na):
                m = active[q]
                gw_k[k, m] += c * u[m]
            for l in range(H):
                gw_k[k, n_in + l] += c * y_h[l]
            if bias:
                gw_k[k, n_in + H] += c
        for a in range(H):                                      # sum_i dy_h_i p^i_am
            for m in range(I):
                s = 0.0
                for i in range(H):
                    s += dy_h[i] * P[i, a, m]
                gw_h[a, m] += lr * s


@njit(cache=True)
def bptt(w_h, w_k, inputs, targets, mask, bias, d_h, d_k, outputs, y0=0.0):
    """BPTT over one sequence (rnn.forward + rnn.backward): -1/2 dE/dw added to d_h, d_k."""
    L, n_in = inputs.shape
    H, I = w_h.shape
    K = w_k.shape[0]
    U, Y_h = np.zeros((L, I)), np.zeros((L, H))
    act, n_act = np.zeros((L, n_in), np.int64), np.zeros(L, np.int64)
    E_k = np.zeros((L, K))
    net_h, y_h, net_k, y_k = np.zeros(H), np.full(H, y0), np.zeros(K), np.zeros(K)
    for t in range(L):                                          # forward, keeping what backward reads
        na = _sources(inputs, t, y_h, bias, U[t], act[t])
        n_act[t] = na
        _hidden(w_h, U[t], act[t], na, n_in, bias, net_h, y_h)
        _outputs(w_k, U[t], y_h, act[t], na, n_in, bias, net_k, y_k)
        Y_h[t] = y_h
        outputs[t] = y_k
        if mask[t]:
            for k in range(K):
                E_k[t, k] = y_k[k] * (1.0 - y_k[k]) * (targets[t, k] - y_k[k])   # (19)
    e_h_next, e_h, dy_h = np.zeros(H), np.zeros(H), np.zeros(H)
    for t in range(L - 1, -1, -1):
        if mask[t]:
            for k in range(K):                                  # (22), l = k
                c = E_k[t, k]
                for q in range(n_act[t]):
                    m = act[t, q]
                    d_k[k, m] += c * U[t, m]
                for l in range(H):
                    d_k[k, n_in + l] += c * Y_h[t, l]
                if bias:
                    d_k[k, n_in + H] += c
        for i in range(H):                                      # from the outputs at t and the hidden units at t+1
            s = 0.0
            for k in range(K):
                s += w_k[k, n_in + i] * E_k[t, k]
            for l in range(H):
                s += w_h[l, n_in + i] * e_h_next[l]
            dy_h[i] = s
        for i in range(H):
            e_h[i] = Y_h[t, i] * (1.0 - Y_h[t, i]) * dy_h[i]     # (20)
            for q in range(n_act[t]):                           # (22), l = i
                m = act[t, q]
                d_h[i, m] += e_h[i] * U[t, m]
            for m in range(n_in, I):
                d_h[i, m] += e_h[i] * U[t, m]
        e_h_next, e_h = e_h, e_h_next
