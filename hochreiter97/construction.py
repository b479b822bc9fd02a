"""Experiment 2a's sequential network construction: the memory cell joins "when the error stops decreasing".

The paper's remedy for the abuse problem (§4, used in Experiment 2a; SPEC §6.5): the net
starts without its cell and input gate, and they are added once the training error has
stopped falling. The rule the paper leaves open is the row's: the mean error E of the last
`construction_window` sequences fell by less than `construction_min_gain` (relative) from
the previous window's mean. The training loop calls the three functions below when a row
has `construction_window > 0`; every other row never reaches them.

Before the cell joins, its net input is -1e4 (g = 0 exactly: s_c stays 0, and g' = 0 keeps
its weights still) and no output reads it: the cell is absent. When it joins, its weights,
its input gate's weights and the outputs' weights from it are drawn like initial weights,
from the trial's own weight generator.
"""
from __future__ import annotations


def start(st, arch) -> None:
    """A trial of a constructed row: the cell absent, the error windows empty."""
    st.cell_present = False
    st.construction = {"sum": 0.0, "count": 0, "previous": None}
    st.weights["w_c"][...] = -1e4
    st.weights["w_k"][:, arch.cell_columns] = 0.0


def stopped_decreasing(cfg, st, E) -> bool:
    """After one more training sequence of error E: has the error stopped decreasing?"""
    c = st.construction
    c["sum"] += E
    c["count"] += 1
    if c["count"] < cfg.construction_window:
        return False
    mean = c["sum"] / c["count"]
    if c["previous"] is not None and mean > c["previous"] * (1 - cfg.construction_min_gain):
        return True
    c.update(sum=0.0, count=0, previous=mean)
    return False


def add_cell(st, arch) -> None:
    """The cell and its input gate join, with fresh weights from the trial's weight generator."""
    rng, a = st.rng_weights, arch.init_range
    w = st.weights
    w["w_c"][...] = rng.uniform(-a, a, size=w["w_c"].shape)
    w["w_in"][...] = rng.uniform(-a, a, size=w["w_in"].shape)
    cols = arch.cell_columns
    w["w_k"][:, cols] = rng.uniform(-a, a, size=w["w_k"][:, cols].shape)
    st.cell_present = True
    st.cell_joined_at = st.n
