"""The LSTM architectures of Table 10 (SPEC §4.11) and their weight counts, pinned."""
from hochreiter97 import Architecture

TABLE10 = {
    "1 (4 blocks x 1)": (Architecture(7, 7, 4, 1, bias="ga", init_range=0.2, out_gate_bias=(-1, -2, -3, -4)), 264),
    "1 (3 blocks x 2)": (Architecture(7, 7, 3, 2, bias="ga", init_range=0.2, out_gate_bias=(-1, -2, -3)), 276),
    "2a/2b": (Architecture(101, 101, 1, 1, connectivity="B", bias="none", output_gate=False, squash="2ab",
                           init_range=0.2), 10504),
    **{f"2c p={p}": (Architecture(p + 4, 2, 2, 1, bias="none", init_range=0.2), w)
       for p, w in ((50, 364), (100, 664), (200, 1264), (500, 3064), (1000, 6064))},
    "3a-3c": (Architecture(1, 1, 3, 1, bias="b1", in_gate_bias=(-1, -3, -5), out_gate_bias=(-2, -4, -6)), 102),
    "4, 5": (Architecture(2, 1, 2, 2, bias="all", in_gate_bias=(-3, -6)), 93),
    "6a": (Architecture(8, 4, 2, 2, bias="all", in_gate_bias=(-2, -4)), 156),
    "6b": (Architecture(8, 8, 3, 2, bias="all", in_gate_bias=(-2, -4, -6)), 308),
}
