"""Per-step cost: the paper's eq. (29) beside the multiply-adds the reference actually performs.

Paper (Appendix A.1, SPEC §2.5), with K outputs, H conventional hidden units,
C blocks of S cells, I the most units feeding a cell, gate or hidden unit:

    W      = KH + KCS + CSI + 2CI + HI                          number of weights
    eq.29  = K + 2KH + KC + 2KSC + HI + CI + 4CSI               update cost per step
    per equation: (19) K; (20) KH; (21) KSC; (22) K(H+C) + HI + CI; (23) KCS; (25)-(28) CSI each.

`counted(arch)` is Architecture.step_ops with a target: the multiply-adds of each line
of reference.py, by equation, from the shapes each line works on.
Where our count per equation differs from the paper's, the reason is:

  (21), (23)  the sum  sum_k w_{k c_j^v} e_k  is needed by both; the paper counts it
              in each (KSC + KCS), we compute it once and count it under (23):
              (23) = KCS + CS, (21) = CS.
  (22)        the output units read every cell (KCS, the paper writes KC), the hidden
              units and, where present, a bias; output gates read I sources (CI).
  (25)-(28)   I_in and I_c may differ by the bias column ("ga": gates biased, cells not).
  (6)-(9), "output"   the forward pass, which eq. (29) (an update cost) leaves out;
              we count it so the total is the whole cost of a training step.

Both totals are O(W): tests/test_costs.py shows the ratios to W and to eq. (29)
stay within constant bounds over every Table 10 architecture.
"""

FORWARD = ("(6)", "(7)", "(8)", "(9)", "output", "(25)", "(27)")
UPDATE = ("(19)", "(20)", "(21)", "(22)", "(23)", "(26)", "(28)")


def _KHCSI(arch):
    """The paper's K, H, C, S and I (bias included in I where any hidden unit has one)."""
    shapes = arch.shapes()
    I = max(shapes["w_in"][1], shapes["w_c"][2], shapes["w_h"][1])
    return arch.n_out, arch.hidden, arch.blocks, arch.block_size, I


def eq29(arch) -> int:
    """K + 2KH + KC + 2KSC + HI + CI + 4CSI, eq. (29), plus K*n_in under connectivity "B".

    Eq. (29) assumes output units fed by cells and hidden units only (connectivity
    "F"). Under "B" (2a/2b) they also read the n_in inputs: K*n_in more weights, each
    updated once per step in (22). That term is added; under "F" it is zero and this
    is the paper's formula.
    """
    K, H, C, S, I = _KHCSI(arch)
    direct = K * arch.n_in if arch.connectivity == "B" else 0
    return K + 2 * K * H + K * C + 2 * K * S * C + H * I + C * I + 4 * C * S * I + direct


def paper_per_equation(arch) -> dict:
    """The paper's count for each equation of the update (SPEC §2.5)."""
    K, H, C, S, I = _KHCSI(arch)
    return {"(19)": K, "(20)": K * H, "(21)": K * S * C, "(22)": K * (H + C) + H * I + C * I,
            "(23)": K * C * S, "(25)": C * S * I, "(26)": C * S * I, "(27)": C * S * I, "(28)": C * S * I}


def counted(arch) -> dict:
    """Multiply-adds the reference performs in one time step with a target, by equation."""
    return arch.step_ops(target=True)
