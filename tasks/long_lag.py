"""Experiments 2a, 2b, 2c: sequences with long time lags (paper §5.2, Experiment 2; Tables 2-3).

The paper's rule
----------------
2a (noise-free). Symbols a_1 .. a_{p-1}, a_p = x, a_{p+1} = y, one-hot (p+1 input and
   p+1 output units). Two sequences, each with probability 0.5:
   (y, a_1, ..., a_{p-1}, y) and (x, a_1, ..., a_{p-1}, x). The net predicts the next
   symbol at every step; to predict the last one it must store the first for p steps.
2b (no local regularities). As 2a, but the middle is a random sequence
   a_{i1} .. a_{i(p-1)} over a_1 .. a_{p-1}. Every next element is predicted; only the
   final x / y is fully predictable. Success is judged at the sequence end only.
2c (very long lags). Symbols a_1 .. a_p (distractors), a_{p+1} = e (trigger),
   a_{p+2} = b, a_{p+3} = x, a_{p+4} = y; p+4 input units, 2 output units. A sequence:
   (1) a prefix b, x|y, then q distractors; (2) repeatedly, with probability 9/10 a
   distractor, with probability 1/10 an e (stop); (3) after e, the x|y of position 2.
   Error only at the end: predict the last symbol, which always follows e. Minimal lag
   q+1. 20 trials per (p, q); Table 3 rows (q, p) from (50, 50) to (1000, 50).

Coding: row t of inputs is the symbol read at step t, row t of targets the symbol the
output at step t must predict (the next one). 2a/2b: inputs = sequence[:-1],
targets = sequence[1:], mask all True (p steps). 2c: inputs = everything up to and
including e, the only target one-hot over (x, y) at the step whose input is e.

The inputs are one-hot, so `generate_symbols` can give them compactly: symbols[t] is
the input unit that is 1 at step t (inputs = one-hot rows of symbols). It makes the
same draws as `generate` and gives the same sequence; 2c's dense inputs are up to
1013 x 1004 floats, its symbols 1013 integers. The training loop feeds the symbols
to the network (Network.train takes either form).

[INTERP] choices
----------------
* 2b: each middle symbol is drawn uniformly and independently from a_1 .. a_{p-1}.
  2b's targets are the actual next symbols at every step, as in 2a (the paper: "every
  next sequence element has to be predicted"); info["final_step"] names the step whose
  prediction decides success.
* 2c: the paper's index bound "1 <= i <= q" is read as p, the number of distractors
  (q/p reaches 20 in Table 3, and Table 3 calls p "# random inputs"). Distractors are
  uniform over a_1 .. a_p.
* 2c: the two outputs code x and y locally; the target sits at the step whose input
  is e (the paper: the last symbol "always occurs after the trigger symbol e").
* 2c: the paper states expected length q+14 and (q+10)/p occurrences per distractor;
  its own process gives q+13 and (q+9)/p (SPEC §4.4). We implement the process. The
  number k of extra distractors is drawn at once as Geometric(1/10) - 1, which has the
  same distribution as the coin flips of step (2).

Drawn instances (p = 5, q = 3; generate(np.random.default_rng(1), variant, p=5, q=3))
-----------------------------------------------------------------------------------
2a:  sequence  x a1 a2 a3 a4 x        p+1 = 6 symbols, over a1 a2 a3 a4 x y
     step t    0  1  2  3  4
     inputs    x  a1 a2 a3 a4         one-hot rows (5 x 6)
     targets   a1 a2 a3 a4 x          one-hot rows (5 x 6); mask all True
                                      info["final_step"] = 4 decides success
2b:  sequence  x a3 a4 a4 a1 x        middle uniform over a1..a4; only the end is predictable
2c:  sequence  b x a3 a5 a5 a2 a2 e x     q = 3 distractors, then k = 2 more, then e
     step t    0 1 2  3  4  5  6  7
     inputs    b x a3 a5 a5 a2 a2 e       one-hot over a1..a5 e b x y (8 x 9)
     targets   (x, y) = (1, 0) at step 7 only (input e); info["target_step"] = 7

Trivial baseline
----------------
A net that forgets the first (2a/2b) or second (2c) element can only output 0.5 on
both x and y at the final prediction: absolute error 0.5 > 0.25 (2a/2b, ABS(0.25)) or
> 0.2 (2c, ABS(0.2)), so no sequence is ever correct. In 2a everything else is
predictable from the previous symbol alone; in 2b the middle predictions cannot beat
1/(p-1) per symbol, whatever the net remembers.
"""
import numpy as np

VARIANTS = ("2a", "2b", "2c")


def _one_hot(idx, n):
    x = np.zeros((len(idx), n))
    x[np.arange(len(idx)), idx] = 1.0
    return x


def _check(variant, p, q):
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, not {variant!r}")
    if p < 2 or (variant == "2c" and q < 0):
        raise ValueError(f"need p >= 2 (and q >= 0 for 2c), got p={p}, q={q}")


def input_names(variant="2a", p=100, q=100):
    """The symbol coded by each input unit: a1..a(p-1), x, y (2a/2b); a1..ap, e, b, x, y (2c)."""
    _check(variant, p, q)
    if variant == "2c":
        return [f"a{i}" for i in range(1, p + 1)] + ["e", "b", "x", "y"]
    return [f"a{i}" for i in range(1, p)] + ["x", "y"]


def output_names(variant="2a", p=100, q=100):
    """The symbol coded by each output unit: as the inputs (2a/2b); x, y (2c)."""
    return ["x", "y"] if variant == "2c" else input_names(variant, p, q)


def _sequence_2ab(rng, variant, p):
    """Indices into input_names: first = x (p-1) or y (p), middle, first again."""
    first = p - 1 + int(rng.integers(2))
    if variant == "2a":
        middle = np.arange(p - 1)
    else:
        middle = rng.integers(p - 1, size=p - 1)
    return np.concatenate(([first], middle, [first]))


def _sequence_2c(rng, p, q):
    """Indices into input_names: b, x|y, q + k distractors, e, x|y."""
    e, b, x = p, p + 1, p + 2
    first = x + int(rng.integers(2))
    k = int(rng.geometric(0.1)) - 1  # extra distractors before e: P(k) = 0.1 * 0.9**k
    distractors = rng.integers(p, size=q + k)
    return np.concatenate(([b, first], distractors, [e, first])), k


def _targets_2c(seq, p):
    """One target over (x, y) at the step reading e (the last input); mask marks that step."""
    targets = np.zeros((len(seq) - 1, 2))
    targets[-1, seq[-1] - (p + 2)] = 1.0
    mask = np.zeros(len(seq) - 1, dtype=bool)
    mask[-1] = True
    return targets, mask


def generate_symbols(rng, variant="2a", p=100, q=100, info=False):
    """generate() with the inputs as symbols: (symbols, targets, mask[, info]), symbols (L,) int64.

    The same draws from rng as generate(), and the same sequence: generate's inputs are
    the one-hot rows of symbols (row t is 1 at unit symbols[t]); targets, mask and info
    are generate's.
    """
    _check(variant, p, q)
    if variant == "2c":
        seq, k = _sequence_2c(rng, p, q)
        targets, mask = _targets_2c(seq, p)
        facts = {"sequence": seq, "label": "xy"[seq[-1] - (p + 2)], "k": k,
                 "target_step": len(seq) - 2}
    else:
        seq = _sequence_2ab(rng, variant, p)
        targets = _one_hot(seq[1:], p + 1)
        mask = np.ones(len(seq) - 1, dtype=bool)
        facts = {"sequence": seq, "label": "xy"[seq[-1] - (p - 1)], "final_step": len(seq) - 2}
    symbols = np.ascontiguousarray(seq[:-1], dtype=np.int64)
    return (symbols, targets, mask, facts) if info else (symbols, targets, mask)


def generate(rng, variant="2a", p=100, q=100, info=False):
    """One sequence of Task 2a/2b/2c as (inputs, targets, mask[, info]). q is used by 2c only."""
    symbols, targets, mask, facts = generate_symbols(rng, variant, p, q, info=True)
    inputs = _one_hot(symbols, p + 4 if variant == "2c" else p + 1)     # len(input_names(...))
    return (inputs, targets, mask, facts) if info else (inputs, targets, mask)
