import warnings

import numpy as np
import pytest

from hochreiter97 import squash

X = np.linspace(-30, 30, 601)


@pytest.mark.parametrize("fn, lo, hi", [(squash.f, 0, 1), (lambda x: squash.g(x), -2, 2),
                                        (lambda x: squash.h(x), -1, 1), (lambda x: squash.g(x, "2ab"), 0, 1)])
def test_ranges(fn, lo, hi):
    y = fn(X)
    assert y.min() >= lo and y.max() <= hi
    assert y.min() < lo + 1e-6 and y.max() > hi - 1e-6


def test_paper_formulas():
    x = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(squash.f(x), 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(squash.h(x), 2 / (1 + np.exp(-x)) - 1, atol=1e-15)      # (4)
    np.testing.assert_allclose(squash.g(x), 4 / (1 + np.exp(-x)) - 2, atol=1e-15)      # (5)
    np.testing.assert_array_equal(squash.h(x, "2ab"), x)


@pytest.mark.parametrize("fn, dfn", [(squash.f, squash.df), (squash.g, squash.dg), (squash.h, squash.dh),
                                     (lambda x: squash.g(x, "2ab"), lambda x: squash.dg(x, "2ab")),
                                     (lambda x: squash.h(x, "2ab"), lambda x: squash.dh(x, "2ab"))])
def test_derivatives_by_finite_differences(fn, dfn):
    x = np.linspace(-8, 8, 33)
    fd = (fn(x + 1e-6) - fn(x - 1e-6)) / 2e-6
    np.testing.assert_allclose(dfn(x), fd, atol=1e-9)


def test_no_overflow_at_large_net_input():
    x = np.array([-1e4, -800.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (squash.f, squash.df, squash.g, squash.dg, squash.h, squash.dh):
            assert np.all(np.isfinite(fn(x)))
    assert squash.f(-1e4) == 0.0 and squash.f(1e4) == 1.0
