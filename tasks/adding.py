"""Experiment 4: the adding problem (paper §5.4, Experiment 4; Table 7).

The paper's rule
----------------
Each element is a pair: a value drawn uniformly from [-1, 1] and a marker in
{1.0, 0.0, -1.0}. Lengths are random between T and T + T/10. Exactly two pairs are
marked 1.0: first one of the first ten pairs, chosen at random (its value is X_1);
then one of "the first T/2 - 1 still unmarked pairs" (its value is X_2). All other
markers are 0, except the first and last pair, whose markers are -1. "In the rare
case where the first pair of the sequence gets marked, we set X_1 to zero." Error
only at the end; target 0.5 + (X_1 + X_2) / 4.0. Correct: absolute error < 0.04.
Table 7: T = 100, 500, 1000 with minimal lags T/2 = 50, 250, 500.

NOT the "adding problem" of later papers (values in [0, 1], one marker per half,
MSE): never compare their numbers with these.

Coding: inputs (L, 2), columns (value, marker); targets (L, 1), zero except the last
row; mask True at the last step only. info: "x1_pos", "x2_pos" (0-based, in draw
order), "x1", "x2" (their values after the first-pair rule), "target", "length".

[INTERP] choices
----------------
* Length: uniform integer in [T, T + T//10], inclusive.
* X_2's candidates (SPEC §6.6): the positions 0, 1, 2, ... in order, without X_1's,
  cut to the first T//2 - 1; X_2 is uniform over them. So X_2 lies in the first T/2
  pairs, and the lag from X_2 to the last step is at least T/2, Table 7's minimal lag.
  (Markers -1 are assigned after the draws, so the first pair counts as unmarked.)
* A marked first pair keeps marker +1 (the -1 goes to unmarked first/last pairs only)
  and its value is set to 0. X_2 can land on the first pair too (when X_1 did not);
  the paper's X_1 is then read as "the value of the marked first pair", and that value
  is 0. The target is symmetric in X_1 and X_2, so the naming does not matter.
* ``marker_positions`` and ``marked_pairs`` are shared with Experiment 5.

One drawn instance (``generate(np.random.default_rng(0), T=20, info=True)``)
---------------------------------------------------------------------------
    step t   0     1     2     3     4     5     6     7    ...  20    21
    value  -0.92 -0.97 +0.63 +0.83 +0.21 +0.46 +0.09 +0.87 ... +0.34 +0.29
    marker  -1     0     0     0    +1     0    +1     0   ...   0    -1
    target   .     .     .     .     .     .     .     .   ...   .    0.575
X_1 was drawn at step 6 (0.087), X_2 at step 4 (0.213): X_2 may precede X_1. Length
22 (from 20..22); target 0.5 + (0.087 + 0.213) / 4 = 0.575 at step 21, mask True only
there; lag from X_2's step to the target >= T/2 = 10. (With seed 2, X_2 lands on step
0: value 0.00, marker +1.)

Trivial baseline
----------------
A net that remembers nothing outputs the mean target 0.5: mean absolute error 1/6 =
0.167, MSE 1/24 = 0.042, and only about 15 % of sequences within 0.04. Remembering
only one of the two values leaves mean absolute error 1/8.
"""
import numpy as np


def draw_length(rng, T):
    """Sequence length, uniform integer in [T, T + T//10]."""
    return int(rng.integers(T, T + T // 10 + 1))


def marker_positions(rng, T):
    """(X_1 position, X_2 position), 0-based, by the rule in the module docstring."""
    i1 = int(rng.integers(10))               # one of the first ten pairs
    j = int(rng.integers(T // 2 - 1))        # j-th of the first T//2 - 1 unmarked pairs
    return i1, j + (j >= i1)                 # skip X_1's position


def marked_pairs(rng, T, low, high, first_value):
    """(values, markers, i1, i2): values uniform in [low, high], markers +1/0/-1.

    A marked first pair gets the value first_value (0.0 for adding, 1.0 for
    multiplication) and keeps marker +1.
    """
    if T < 20:
        raise ValueError(f"need T >= 20 so the first ten pairs lie in the first half, got {T}")
    length = draw_length(rng, T)
    i1, i2 = marker_positions(rng, T)
    values = rng.uniform(low, high, size=length)
    markers = np.zeros(length)
    markers[[0, -1]] = -1.0
    markers[[i1, i2]] = 1.0
    if markers[0] == 1.0:
        values[0] = first_value
    return values, markers, i1, i2


def pack(values, markers, target):
    """(inputs, targets, mask) with inputs columns (value, marker) and the target at the end."""
    inputs = np.empty((len(values), 2))
    inputs[:, 0], inputs[:, 1] = values, markers
    targets = np.zeros((len(values), 1))
    targets[-1, 0] = target
    mask = np.zeros(len(values), dtype=bool)
    mask[-1] = True
    return inputs, targets, mask


def marked_sequence(rng, T, low, high, first_value, combine, info):
    """Adding's and multiplication's shared body: draw the pairs, combine X_1 and X_2 into the target, pack."""
    values, markers, i1, i2 = marked_pairs(rng, T, low, high, first_value=first_value)
    x1, x2 = float(values[i1]), float(values[i2])
    target = combine(x1, x2)
    inputs, targets, mask = pack(values, markers, target)
    if not info:
        return inputs, targets, mask
    facts = {"x1_pos": i1, "x2_pos": i2, "x1": x1, "x2": x2, "target": target,
             "length": len(values)}
    return inputs, targets, mask, facts


def generate(rng, T=100, info=False):
    """One adding-problem sequence as (inputs, targets, mask[, info])."""
    return marked_sequence(rng, T, -1.0, 1.0, 0.0, lambda x1, x2: 0.5 + (x1 + x2) / 4.0, info)


def input_names(T=100):
    """The two input units: the value and the marker of each pair."""
    return ["value", "marker"]


def output_names(T=100):
    """One output unit: the scaled sum 0.5 + (X_1 + X_2) / 4."""
    return ["sum"]
