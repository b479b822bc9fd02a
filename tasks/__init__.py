"""Task generators for the experiments of Hochreiter & Schmidhuber (1997), §5.

One module per task family; each module is readable on its own and has the paper's
rule, its [INTERP] readings, one drawn instance and the trivial baseline in its
docstring.

    reber           Experiment 1       embedded Reber grammar
    long_lag        Experiments 2a-2c  noise-free / random / very long lags with distractors
    two_sequence    Experiments 3a-3c  2-sequence problem, noisy inputs, noisy targets
    adding          Experiment 4       adding problem
    multiplication  Experiment 5       multiplication problem
    temporal_order  Experiments 6a-6b  temporal order of 2 or 3 widely separated symbols

Common contract: ``generate(rng, **params, info=False) -> (inputs, targets, mask)``
with inputs float64 (L, n_in), targets float64 (L, n_out), mask bool (L,). Row t of
inputs is read at step t; row t of targets is the target of the output computed at
step t (after reading input t); steps without a target have a zero row and mask
False. With ``info=True`` a fourth element, a dict of facts for tests and evaluators.
``input_names(**params)`` and ``output_names(**params)`` name what each unit codes.
All randomness comes from the numpy Generator passed in. A family whose inputs are
one-hot may also have ``generate_symbols(rng, **params, info=False) -> (symbols,
targets, mask)``: the same draws and sequence, with symbols int64 (L,) the unit that
is 1 at each step (long_lag; the training loop gives them to the 1997 LSTM).
"""
from tasks import adding, long_lag, multiplication, reber, temporal_order, two_sequence

FAMILIES = {
    "reber": reber,
    "long_lag": long_lag,
    "two_sequence": two_sequence,
    "adding": adding,
    "multiplication": multiplication,
    "temporal_order": temporal_order,
}
