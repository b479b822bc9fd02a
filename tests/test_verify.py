"""The independent checks pass, and they catch a wrong rule (they can fail)."""
import numpy as np
import pytest

from hochreiter97 import reference, squash, verify


@pytest.mark.parametrize("title, check, tol", verify.CHECKS, ids=[c[0][:2] for c in verify.CHECKS])
def test_check_passes(title, check, tol):
    err, where = check()
    assert err <= tol, f"{title}: worst {err:.3e} at {where}"


def test_bptt_catches_missing_yout_hprime_factor(monkeypatch):
    """The bug of a public C implementation: Delta w_c without y_out*h'(s_c) (eq. 23)."""
    original = reference.weight_changes

    def buggy(arch, w, state_t, act, target, alpha, output_error="eq19"):
        dw = original(arch, w, state_t, act, target, alpha, output_error)
        e_s_true = act["y_out"][:, None] * squash.dh(state_t["s_c"], arch.squash)
        dw["w_c"] = dw["w_c"] / np.where(e_s_true == 0, 1, e_s_true)[:, :, None]
        return dw

    monkeypatch.setattr(reference, "weight_changes", buggy)
    err, _ = verify.check_bptt(lengths=(7,))
    assert err > 1e-3


def test_bptt_catches_untruncated_accumulator(monkeypatch):
    """Dropping the carried accumulator (no CEC memory) must be caught."""
    original = reference.forward_step

    def forgetful(arch, w, state, x):
        state = dict(state, ds_dw_c=np.zeros_like(state["ds_dw_c"]))
        return original(arch, w, state, x)

    monkeypatch.setattr(reference, "forward_step", forgetful)
    err, _ = verify.check_bptt(lengths=(7,))
    assert err > 1e-3


def test_truncated_gradient_differs_from_true_gradient_with_recurrence():
    """With recurrent weights the truncated rule is an approximation: FD of the true loss disagrees."""
    arch = verify.VARIANTS["exp4 (F, all, S=2)"]
    w, x, y, m = verify._problem(arch, 3, 8, False)
    fd = verify.finite_difference(lambda wv: verify.loss(verify.unrolled(arch, wv, x), y, m), w)
    err, _ = verify.rel_error(verify._rule(arch, w, x, y, m), {k: -0.5 * a for k, a in fd.items()})
    assert err > 1e-4
