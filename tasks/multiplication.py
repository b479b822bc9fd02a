"""Experiment 5: the multiplication problem (paper §5.5, Experiment 5; Table 8).

The paper's rule
----------------
"Like the task in Section 5.4" (the adding problem, tasks/adding.py), except that the
value of each pair is drawn uniformly from [0, 1]; "in the rare case where the first
pair of the input sequence gets marked, we set X_1 to 1.0"; the target at the end is
the product X_1 * X_2. Correct: absolute error < 0.04. Table 8: T = 100, minimal lag
50; tested when fewer than n_seq = 140, then 13, of the 2000 most recent training
sequences have error > 0.04.

Coding: as adding.py: inputs (L, 2) columns (value, marker); targets (L, 1), zero
except the last row; mask True at the last step only; info "x1_pos", "x2_pos", "x1",
"x2", "target", "length".

[INTERP] choices
----------------
All of adding.py's, whose marker placement this module imports: length uniform in
[T, T + T//10]; X_2 uniform over the first T//2 - 1 positions other than X_1's; a
marked first pair (by either draw) keeps marker +1 and gets the value 1.0, the
neutral element of the product (as 0 is for the sum).

One drawn instance (``generate(np.random.default_rng(0), T=20, info=True)``)
---------------------------------------------------------------------------
    step t   0    1    2    3    4    5    6    7   ...  20   21
    value   0.04 0.02 0.81 0.91 0.61 0.73 0.54 0.94 ... 0.67 0.65
    marker  -1    0    0    0   +1    0   +1    0  ...   0   -1
    target   .    .    .    .    .    .    .    .  ...   .   0.330
X_1 at step 6 (0.544), X_2 at step 4 (0.607); target 0.544 * 0.607 = 0.330 at step 21.

Trivial baseline
----------------
A net that remembers nothing outputs the mean target E[X_1 X_2] = 1/4: MSE
1/9 - 1/16 = 7/144 = 0.049, mean absolute error 0.18, and at best about 28 % of
sequences within 0.04 (with the constant 0.04: products crowd near 0). Table 8's
MSEs 0.022 / 0.014 are measured against this 0.049.
"""
from tasks.adding import input_names, marked_sequence  # noqa: F401  (same two input units)


def generate(rng, T=100, info=False):
    """One multiplication-problem sequence as (inputs, targets, mask[, info])."""
    return marked_sequence(rng, T, 0.0, 1.0, 1.0, lambda x1, x2: x1 * x2, info)


def output_names(T=100):
    """One output unit: the product X_1 * X_2."""
    return ["product"]
