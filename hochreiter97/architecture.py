"""The Table 10 columns as a value, and the weight layout they imply.

SPEC §1.5 and Table 10. An `Architecture` holds every column of Table 10 that
shapes a network (plus conventional hidden units, eq. 6, which no experiment
uses). From it follow the *source vectors* that each unit group reads and so
the shape of every weight array.

Source vectors (one time step t of the experiments' three-stage step, SPEC §1.3):

    u(t) = [ x(t) | y_c(t-1) | y_in(t-1) | y_out(t-1) | y_h(t-1) | y_b(t-1) | 1 ]   read by gates, cells, hidden units
    v(t) = [ x(t) if "B" | y_c(t) | y_h(t) | 1 ]                            read by output units

  * connectivity "F": u holds every segment; v holds no inputs.
  * connectivity "B" ("each layer receives connections from all layers below",
    2a/2b): u holds only x(t) (and the bias); v holds x(t) and the cells.
  * cells are ordered block-major: y_c[j, v] is entry j*S + v of the y_c segment.
  * y_out(t-1) is absent without output gates; y_h absent when H = 0.
  * y_b is present only with hidden_bias (reading jku): the constant unit that biases
    the outputs sits in the hidden layer, so gates, cells and hidden units read it at
    t-1 like any hidden unit: 1, or the reset activation at a sequence's first step.
  * the trailing 1 is the bias unit. It is the *last* column, so a unit group
    without bias simply has one column fewer: it reads u[:I0].

Weight arrays (rows = receiving units, columns = sending units in the order above):

    w_in  (C, I_in)      input gates                  I_in  = I0 + [gates biased]
    w_out (C, I_out)     output gates ((0, I_out) without output gates)
    w_c   (C, S, I_c)    cells                        I_c   = I0 + [cells biased]
    w_h   (H, I_h)       conventional hidden units    I_h   = I0 + [hidden biased]
    w_k   (K, J)         output units                 J     = J0 + [outputs biased]

Bias codes (Table 10, column "bias"): "ga" gates only; "b1" all hidden units
(gates, cells, conventional); "all" every non-input unit; "none" no bias.
"""
from __future__ import annotations

from dataclasses import dataclass, asdict
from typing import Optional

import numpy as np

CONNECTIVITY = ("F", "B")
BIAS_CODES = ("ga", "b1", "all", "none")
SQUASH_VARIANTS = ("standard", "2ab")
OUTPUT_UNITS = ("logistic", "linear")     # "linear": an ablation, not the paper (§5 intro: logistic throughout)
GATE_BIAS_INITS = ("set", "add")          # a listed gate bias is the bias weight, or is added to its random draw
RESET_ACTIVATIONS = (0.0, 0.5)            # y(t-1) of cells, gates and hidden units when a sequence starts
WEIGHT_NAMES = ("w_in", "w_out", "w_c", "w_h", "w_k")


@dataclass(frozen=True)
class Architecture:
    """One network of the paper, by the columns of Table 10.

    n_in, n_out     input and output units (Table 10 "in", "out")
    blocks          C, memory-cell blocks ("b")
    block_size      S, cells per block ("s")
    hidden          H, conventional hidden units (eq. 6; 0 in every experiment)
    connectivity    "F" or "B" ("c")
    bias            "ga" | "b1" | "all" | "none"
    output_gate     False for 2a/2b ("no og")
    squash          "standard": g in [-2,2], h in [-1,1]; "2ab": g logistic in [0,1], h = identity
    output_unit     "logistic" (the paper: f_k = f, eq. 3); "linear" (an ablation: f_k(x) = x, f_k' = 1)
    init_range      weights drawn uniform in [-init_range, init_range] (SPEC §1.6)
    in_gate_bias    one value per block, or None for random ("r": drawn like every other weight)
    out_gate_bias   one value per block, or None for random
    gate_bias_init  "set": a listed gate bias is the bias weight (the paper's Table 10 read literally);
                    "add": it is added to the bias weight's random draw (Hochreiter's simulator, reading jku)
    reset_activation  y(t-1) of cells, gates and hidden units at a sequence start: 0.0 (SPEC §1.4), or
                    0.5 (Hochreiter's simulator, reading jku); cell states and accumulators start at 0 either way
    hidden_bias     False: the outputs' bias unit is the input layer's (SPEC §1.5); True (Hochreiter's simulator,
                    reading jku): it is a constant unit of the hidden layer, so under "F" gates, cells and hidden
                    units also read it, at t-1 (reset_activation at a sequence's first step, 1 after), through
                    weights of their own; needs biased outputs and connectivity "F"
    """
    n_in: int
    n_out: int
    blocks: int
    block_size: int
    hidden: int = 0
    connectivity: str = "F"
    bias: str = "all"
    output_gate: bool = True
    squash: str = "standard"
    output_unit: str = "logistic"
    init_range: float = 0.1
    in_gate_bias: Optional[tuple] = None
    out_gate_bias: Optional[tuple] = None
    gate_bias_init: str = "set"
    reset_activation: float = 0.0
    hidden_bias: bool = False

    def __post_init__(self):
        for name in ("n_in", "n_out", "blocks", "block_size"):
            if not isinstance(getattr(self, name), (int, np.integer)) or getattr(self, name) < 1:
                raise ValueError(f"Architecture.{name}: expected a positive integer, got {getattr(self, name)!r}")
        if not isinstance(self.hidden, (int, np.integer)) or self.hidden < 0:
            raise ValueError(f"Architecture.hidden: expected an integer >= 0, got {self.hidden!r}")
        if self.connectivity not in CONNECTIVITY:
            raise ValueError(f"Architecture.connectivity: expected one of {CONNECTIVITY}, got {self.connectivity!r}")
        if self.bias not in BIAS_CODES:
            raise ValueError(f"Architecture.bias: expected one of {BIAS_CODES}, got {self.bias!r}")
        if self.squash not in SQUASH_VARIANTS:
            raise ValueError(f"Architecture.squash: expected one of {SQUASH_VARIANTS}, got {self.squash!r}")
        if self.output_unit not in OUTPUT_UNITS:
            raise ValueError(f"Architecture.output_unit: expected one of {OUTPUT_UNITS}, got {self.output_unit!r}")
        if self.gate_bias_init not in GATE_BIAS_INITS:
            raise ValueError(f"Architecture.gate_bias_init: expected one of {GATE_BIAS_INITS}, got {self.gate_bias_init!r}")
        if self.reset_activation not in RESET_ACTIVATIONS:
            raise ValueError(f"Architecture.reset_activation: expected one of {RESET_ACTIVATIONS}, got {self.reset_activation!r}")
        if self.hidden_bias and not (self.outputs_biased and self.connectivity == "F"):
            raise ValueError(f"Architecture.hidden_bias: needs biased outputs (bias 'all') and connectivity 'F', "
                             f"got bias {self.bias!r}, connectivity {self.connectivity!r}")
        if not (self.init_range >= 0 and np.isfinite(self.init_range)):
            raise ValueError(f"Architecture.init_range: expected a finite number >= 0, got {self.init_range!r}")
        for name, present in (("in_gate_bias", True), ("out_gate_bias", self.output_gate)):
            value = getattr(self, name)
            if value is None:
                continue
            value = tuple(float(b) for b in value)
            object.__setattr__(self, name, value)
            if not present:
                raise ValueError(f"Architecture.{name}: given, but the net has no output gates")
            if not self.gates_biased:
                raise ValueError(f"Architecture.{name}: given, but bias code {self.bias!r} gives gates no bias weight")
            if len(value) != self.blocks or not all(np.isfinite(value)):
                raise ValueError(f"Architecture.{name}: expected {self.blocks} finite values (one per block), got {value!r}")

    # --- which unit groups carry a bias weight (Table 10 "bias") ---
    @property
    def gates_biased(self) -> bool:
        return self.bias in ("ga", "b1", "all")

    @property
    def hidden_biased(self) -> bool:          # cells and conventional hidden units
        return self.bias in ("b1", "all")

    @property
    def outputs_biased(self) -> bool:
        return self.bias == "all"

    # --- sizes ---
    @property
    def cells(self) -> int:
        return self.blocks * self.block_size

    @property
    def n_out_gates(self) -> int:
        return self.blocks if self.output_gate else 0

    @property
    def I0(self) -> int:
        """Units feeding gates, cells and hidden units, bias excluded (the paper's I, less the bias)."""
        if self.connectivity == "B":
            return self.n_in
        return self.n_in + self.cells + self.blocks + self.n_out_gates + self.hidden + self.hidden_bias

    @property
    def J0(self) -> int:
        """Units feeding the output units, bias excluded."""
        return (self.n_in if self.connectivity == "B" else 0) + self.cells + self.hidden

    @property
    def cell_columns(self) -> slice:
        """Columns of v(t) (and of w_k) holding the cell outputs y_c."""
        first = self.n_in if self.connectivity == "B" else 0
        return slice(first, first + self.cells)

    def shapes(self) -> dict:
        """Shape of every weight array, by name (see the module docstring)."""
        C, S, I0 = self.blocks, self.block_size, self.I0
        return {
            "w_in": (C, I0 + self.gates_biased),
            "w_out": (self.n_out_gates, I0 + self.gates_biased),
            "w_c": (C, S, I0 + self.hidden_biased),
            "w_h": (self.hidden, I0 + self.hidden_biased),
            "w_k": (self.n_out, self.J0 + self.outputs_biased),
        }

    def step_ops(self, target: bool) -> dict:
        """Multiply-adds of one reference.py time step, by equation: the forward pass and the
        accumulators, and with a target the weight changes (bench/costs.py reads them against eq. 29).
        Each count is the size of the arrays its line of reference.py works on."""
        C, S, K, H = self.blocks, self.block_size, self.n_out, self.hidden
        size = {name: int(np.prod(shape)) for name, shape in self.shapes().items()}
        I_in, I_c = self.shapes()["w_in"][1], self.shapes()["w_c"][2]
        ops = {
            "(7)": size["w_in"],                                        # net_in = w_in u
            "(8)": size["w_out"],                                       # net_out = w_out u
            "(9)": size["w_c"] + 2 * C * S,                             # net_c = w_c u; s_c and y_c
            "(6)": size["w_h"],                                         # net_h = w_h u
            "output": size["w_k"],                                      # net_k = w_k v
            "(25)": C * S * I_in,                                       # ds_dw_in
            "(27)": C * S * I_c,                                        # ds_dw_c
        }
        if target:
            ops.update({
                "(19)": K,                                              # e_k
                "(20)": K * H,                                          # e_h = f'(net_h) w_ki^T e_k
                "(21)": C * S,                                          # e_out, from the sum (23) computes
                "(23)": K * C * S + C * S,                              # sum_k w_{k c} e_k, then e_s
                "(22)": size["w_k"] + size["w_h"] + size["w_out"],      # outer products of w_k, w_h, w_out
                "(26)": C * S * I_in,                                   # Delta w_in
                "(28)": C * S * I_c,                                    # Delta w_c
            })
        return ops

    def n_weights(self) -> int:
        """W, the number of weights (Table 10 column "w")."""
        return int(sum(np.prod(s) for s in self.shapes().values()))

    def source_names(self) -> list:
        """Names of the columns of u(t), bias included (for plots and error messages)."""
        names = [f"x{i}" for i in range(self.n_in)]
        if self.connectivity == "F":
            names += [f"c{j}.{v}" for j in range(self.blocks) for v in range(self.block_size)]
            names += [f"in{j}" for j in range(self.blocks)]
            names += [f"out{j}" for j in range(self.n_out_gates)]
            names += [f"h{i}" for i in range(self.hidden)]
            names += ["hidden bias"] * self.hidden_bias
        return names + ["bias"]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Architecture":
        d = dict(d)
        for key in ("in_gate_bias", "out_gate_bias"):
            if d.get(key) is not None:
                d[key] = tuple(d[key])
        return cls(**d)


def init_weights(arch: Architecture, rng: np.random.Generator) -> dict:
    """Uniform in [-init_range, init_range] (SPEC §1.6), then the fixed gate biases of Table 10.

    A gate bias given as None ("r" in Table 10) stays a random draw from the same
    range as every other weight. [INTERP] Table 10's caption calls "r" random in
    [-0.1, 0.1]; that equals init_range everywhere except Experiment 1, whose text
    puts every weight but the output-gate biases in [-0.2, 0.2] (SPEC §1.6).
    """
    a = arch.init_range
    w = {name: rng.uniform(-a, a, size=shape) for name, shape in arch.shapes().items()}
    add = arch.gate_bias_init == "add"                  # reading jku: the listed bias shifts the random draw
    if arch.in_gate_bias is not None:
        w["w_in"][:, -1] = np.asarray(arch.in_gate_bias) + (w["w_in"][:, -1] if add else 0.0)
    if arch.out_gate_bias is not None:
        w["w_out"][:, -1] = np.asarray(arch.out_gate_bias) + (w["w_out"][:, -1] if add else 0.0)
    return w
