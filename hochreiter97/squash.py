"""The squashing functions f, g, h of Appendix A.1, eqs. (3)-(5), and their derivatives.

    f(x) = 1/(1+e^-x)        in [0, 1]    gates, output units, conventional hidden units   (3)
    h(x) = 2/(1+e^-x) - 1    in [-1, 1]   squashes the cell state s_c before output gating  (4)
    g(x) = 4/(1+e^-x) - 2    in [-2, 2]   squashes the cell net input net_c                 (5)

Variant "2ab" (Experiments 2a and 2b, SPEC §1.1): g is the logistic f in [0, 1] and h
is the identity. Table 10's caption swaps the ranges of g and h; the text and
eqs. (4)-(5) are followed here.

Every function is written through sigma(x) = 1/(1+e^-x), evaluated as
e^x/(1+e^x) for x < 0 so that no exp() overflows: |x| up to 1e4 and beyond is safe.
The derivative of each is expressed through sigma as well: f' = s(1-s),
h' = 2s(1-s), g' = 4s(1-s).
"""
import numpy as np


def sigma(x):
    """Logistic 1/(1+e^-x), overflow-free for any finite x."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))                      # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def f(x):
    return sigma(x)                             # (3)


def df(x):
    s = sigma(x)
    return s * (1.0 - s)


def g(x, variant="standard"):
    if variant == "2ab":
        return sigma(x)                         # 2a/2b: logistic in [0, 1]
    return 4.0 * sigma(x) - 2.0                 # (5)


def dg(x, variant="standard"):
    s = sigma(x)
    return s * (1.0 - s) if variant == "2ab" else 4.0 * s * (1.0 - s)


def h(x, variant="standard"):
    if variant == "2ab":
        return np.asarray(x, dtype=np.float64)  # 2a/2b: identity
    return 2.0 * sigma(x) - 1.0                 # (4)


def dh(x, variant="standard"):
    if variant == "2ab":
        return np.ones_like(np.asarray(x, dtype=np.float64))
    s = sigma(x)
    return 2.0 * s * (1.0 - s)
