"""Experiments 3a, 3b, 3c: noise and signal on the same channel (paper §5.3, Experiment 3; Tables 4-6).

The paper's rule
----------------
3a (Bengio et al.'s "2-sequence problem"). Two classes, probability 0.5 each; one
   real-valued input line. Only the first N elements carry information: all +1.0
   (class 1) or all -1.0 (class 2). Elements at t > N are Gaussian, mean 0, variance
   0.2. Target at the sequence end: 1.0 (class 1) or 0.0 (class 2). Correct: absolute
   error at the end < 0.2. Length random between T and T + T/10 (no T/2-long
   sequences, unlike Bengio et al.). Table 4: (T, N) = (100, 3), (100, 1), (1000, 3).
3b As 3a, plus Gaussian noise (mean 0, variance 0.2) on the informative elements t <= N.
   Table 5: (100, 3), (100, 1), (1000, 1).
3c As 3a, but targets 0.2 (class 1) and 0.8 (class 2) with Gaussian noise of mean 0 and
   variance 0.1 on the target (st. dev. 0.32). The net must learn the conditional
   expectation; misclassified: |output - noise-free target| > 0.1. Table 6: (100, 3), (100, 1).

Coding: inputs (L, 1), the element read at step t; targets (L, 1), zero except the
last row; mask True at the last step only. info: "label" (1 or 2), "clean_target"
(the noise-free target, which 3c's evaluation uses), "length".

[INTERP] choices
----------------
* Length: uniform integer in [T, T + T//10], inclusive (T = 100: 100..110).
* 3c: the informative inputs are noise-free, since 3c is "like 3a".
* Noise is drawn with standard deviation sqrt(0.2) (inputs) and sqrt(0.1) (3c target):
  the paper gives variances.

One drawn instance (``generate(np.random.default_rng(1), "3b", T=10, N=3)``)
-----------------------------------------------------------------------------
    step t    0      1      2      3      4      5      6      7      8      9
    input    -0.85  -1.58  -0.60  +0.20  -0.24  +0.26  +0.16  +0.13  +0.01  +0.24
             |-- class 2: -1 + noise ---|----------- N(0, 0.2) noise -------------
    target    .      .      .      .      .      .      .      .      .     0.0
    mask      F      F      F      F      F      F      F      F      F      T
(length 10, drawn from 10..11; 3a would show exactly -1, -1, -1 in steps 0-2, and 3c
the same inputs with target 0.8 + N(0, 0.1) at step 9.)

Trivial baseline
----------------
A net that ignores the first N elements can do no better than a constant 0.5: error
0.5 > 0.2 in 3a/3b and |0.5 - 0.2| = 0.3 > 0.1 in 3c, so every sequence is
misclassified. Floors no net can beat: in 3b even the Bayes classifier gets the sign
wrong with probability Phi(-1 / sqrt(0.2 / N)) = 0.0127 for N = 1 (5.4e-5 for N = 3),
and an error below 0.2 needs the right sign: compare Table 5's 0.015 and 0.012 for
N = 1. In 3c the mean squared error against the noisy target cannot go below the
target-noise variance 0.1.
"""
import numpy as np

VARIANTS = ("3a", "3b", "3c")
NOISE_VAR = 0.2         # variance of the non-informative elements (and of 3b's input noise)
TARGET_NOISE_VAR = 0.1  # variance of 3c's target noise
TARGETS = {"3a": (1.0, 0.0), "3b": (1.0, 0.0), "3c": (0.2, 0.8)}  # (class 1, class 2)


def input_names(variant="3a", T=100, N=3):
    """One real-valued input line."""
    return ["value"]


def output_names(variant="3a", T=100, N=3):
    """One output unit, coding the class (3a/3b) or its expected target (3c)."""
    return ["class"]


def generate(rng, variant="3a", T=100, N=3, info=False):
    """One sequence of Task 3a/3b/3c as (inputs, targets, mask[, info])."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    length = int(rng.integers(T, T + T // 10 + 1))
    label = 1 if rng.random() < 0.5 else 2
    x = rng.normal(0.0, np.sqrt(NOISE_VAR), size=length)
    signal = 1.0 if label == 1 else -1.0
    x[:N] = signal + (x[:N] if variant == "3b" else 0.0)  # only 3b keeps noise there
    clean = TARGETS[variant][label - 1]
    target = clean
    if variant == "3c":
        target += rng.normal(0.0, np.sqrt(TARGET_NOISE_VAR))
    targets = np.zeros((length, 1))
    targets[-1, 0] = target
    mask = np.zeros(length, dtype=bool)
    mask[-1] = True
    if not info:
        return x[:, None], targets, mask
    return x[:, None], targets, mask, {"label": label, "clean_target": clean, "length": length}
