"""Experiments 6a and 6b: temporal order (paper §5.6, Experiment 6; Table 9).

The paper's rule
----------------
Classify sequences; elements and targets are one-hot. A sequence starts with E, ends
with B (the trigger) and otherwise consists of symbols drawn at random from
{a, b, c, d}, except at the relevant positions, which hold X or Y. Length random
between 100 and 110.
6a: two relevant positions, t1 in 10..20 and t2 in 50..60. Classes
    XX -> Q, XY -> R, YX -> S, YY -> U (4 output units).
6b: three, t1 in 10..20, t2 in 33..43, t3 in 66..76. Classes XXX -> Q, XXY -> R,
    XYX -> S, XYY -> U, YXX -> V, YXY -> A, YYX -> B, YYY -> C (8 output units).
Error only at the end; correct if every output unit's final absolute error < 0.3.

Coding: inputs (L, 8), every element including the final B; targets (L, n_classes),
zero except the last row, the class one-hot; mask True at the last step only (input B).
info: "positions" (1-based, as in the paper), "relevant" (e.g. "XY"), "label" (class
index), "class" (its letter), "sequence" (the symbols as a string), "length".

[INTERP] choices (SPEC §6.8)
----------------------------
* Input order E, B, a, b, c, d, X, Y (the paper gives none): the order of mention.
* Positions count from 1 with E at position 1, so B is at position L. This is the
  reading under which Table 10's minimal lags come out: 6a 100 - 60 = 40, 6b 100 - 76
  = 24 (and the text's "at least 30" between t1 = 20 and t2 = 50).
* Lengths and positions are uniform integers in inclusive ranges.
* Each relevant symbol is X or Y with probability 0.5, independently, so the classes
  are equally likely; filler symbols are uniform over {a, b, c, d}.
* Class index = the X/Y pattern read as a binary number (X = 0, Y = 1, first symbol
  most significant), which reproduces the paper's listing order Q, R, S, U, (V, A, B, C).

One drawn instance (``generate(np.random.default_rng(0), "6a", info=True)``)
-----------------------------------------------------------------------------
    position  1  2  3  4 ... 15 16 17 ... 50 51 52 ... 108 109
    step t    0  1  2  3 ... 14 15 16 ... 49 50 51 ... 107 108
    symbol    E  c  b  b ... c  Y  c  ... d  X  b  ...  c   B      length 109
    positions (16, 51); relevant "YX" -> class S (index 2)
    inputs    one-hot rows over E B a b c d X Y (109 x 8)
    targets   zero rows, then (Q, R, S, U) = (0, 0, 1, 0) at step 108 (input B); mask only there

Trivial baseline
----------------
A net that ignores X and Y outputs 1/4 (6a) or 1/8 (6b) on every unit: the error on
the true class's unit is 0.75 (0.875) > 0.3, so no sequence is correct. Remembering
only which symbols occurred, not their order, cannot separate R from S (XY vs YX):
at best half the 6a sequences (Q and U) are correct.
"""
import numpy as np

SYMBOLS = "EBabcdXY"
LENGTHS = (100, 110)
WINDOWS = {"6a": ((10, 20), (50, 60)), "6b": ((10, 20), (33, 43), (66, 76))}
CLASSES = {"6a": "QRSU", "6b": "QRSUVABC"}
VARIANTS = tuple(WINDOWS)


def _check(variant):
    if variant not in WINDOWS:
        raise ValueError(f"variant must be one of {tuple(WINDOWS)}, not {variant!r}")


def input_names(variant="6a"):
    """The symbol coded by each input unit: E, B, a, b, c, d, X, Y."""
    return list(SYMBOLS)


def output_names(variant="6a"):
    """The class coded by each output unit: Q R S U (6a); Q R S U V A B C (6b)."""
    _check(variant)
    return list(CLASSES[variant])


def generate(rng, variant="6a", info=False):
    """One temporal-order sequence as (inputs, targets, mask[, info])."""
    _check(variant)
    windows = WINDOWS[variant]
    length = int(rng.integers(LENGTHS[0], LENGTHS[1] + 1))
    seq = rng.integers(2, 6, size=length)              # a, b, c, d
    seq[0], seq[-1] = 0, 1                              # E first, B last
    positions = [int(rng.integers(lo, hi + 1)) for lo, hi in windows]
    xy = rng.integers(2, size=len(windows))             # 0 = X, 1 = Y
    seq[np.array(positions) - 1] = 6 + xy               # position 1 is index 0
    label = int(xy @ (2 ** np.arange(len(xy))[::-1]))   # binary, first symbol high
    inputs = np.zeros((length, len(SYMBOLS)))
    inputs[np.arange(length), seq] = 1.0
    targets = np.zeros((length, len(CLASSES[variant])))
    targets[-1, label] = 1.0
    mask = np.zeros(length, dtype=bool)
    mask[-1] = True
    if not info:
        return inputs, targets, mask
    facts = {"positions": tuple(positions), "relevant": "".join("XY"[v] for v in xy),
             "label": label, "class": CLASSES[variant][label],
             "sequence": "".join(SYMBOLS[i] for i in seq), "length": length}
    return inputs, targets, mask, facts
