#!/usr/bin/python3
"""Reference values for model's NNLS and ridge tests.

Run with Debian's python3 (python3-scipy, python3-statsmodels, python3-numpy):
    /usr/bin/python3 nnls_reference.py > nnls_reference.json
NNLS with a ridge penalty lambda is scipy.optimize.nnls on the augmented system
[A; sqrt(lambda) I], [b; 0]. Ridge is numpy's closed form (pinv when lambda = 0)
and, for lambda > 0, statsmodels' OLS.fit_regularized(L1_wt=0, alpha=lambda/n).
"""
import json

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy.optimize import nnls


def cases():
    rng = np.random.default_rng(20240611)
    a = rng.normal(size=(12, 4))
    yield "well_conditioned", a, rng.normal(size=12), 0.0
    yield "well_conditioned_ridge", a, rng.normal(size=12), 2.5
    a = rng.normal(size=(15, 5))
    yield "active_constraints", a, a @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + 0.1 * rng.normal(size=15), 0.0
    b = rng.normal(size=(10, 3))
    dup = np.column_stack([b, b[:, 0]])
    yield "rank_deficient_duplicate_column", dup, dup @ np.array([1.0, 0.5, 0.0, 1.0]), 0.0
    yield "rank_deficient_ridge", dup, dup @ np.array([1.0, 0.5, 0.0, 1.0]) + 0.05 * rng.normal(size=10), 0.7
    yield "zero_column", np.column_stack([rng.normal(size=(8, 2)), np.zeros(8)]), rng.normal(size=8), 0.0
    yield "all_negative_target", np.abs(rng.normal(size=(9, 3))), -np.abs(rng.normal(size=9)), 0.0
    yield "all_zero_matrix", np.zeros((6, 3)), rng.normal(size=6), 0.0
    yield "wide", rng.normal(size=(4, 7)), rng.normal(size=4), 0.0
    yield "wide_ridge", rng.normal(size=(4, 7)), rng.normal(size=4), 0.3
    yield "exact_nonnegative", np.eye(3) * 2.0, np.array([2.0, 4.0, 6.0]), 0.0
    yield "single_column", rng.uniform(size=(7, 1)), rng.uniform(size=7), 0.0


def objective(a, b, x, lam):
    r = a @ x - b
    return float(r @ r + lam * x @ x)


def ridge(a, b, lam):
    if lam == 0:
        return np.linalg.pinv(a) @ b
    return np.linalg.solve(a.T @ a + lam * np.eye(a.shape[1]), a.T @ b)


def statsmodels_ridge(a, b, lam):
    if lam == 0:
        return sm.OLS(b, a).fit().params
    return sm.OLS(b, a).fit_regularized(L1_wt=0.0, alpha=lam / a.shape[0]).params


def main():
    out = {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__,
           "numpy": np.__version__, "cases": []}
    for name, a, b, lam in cases():
        n = a.shape[1]
        aug = np.vstack([a, np.sqrt(lam) * np.eye(n)])
        x, _ = nnls(aug, np.concatenate([b, np.zeros(n)]))
        rx = ridge(a, b, lam)
        sx = statsmodels_ridge(a, b, lam)
        assert np.allclose(rx, sx, atol=1e-8), name
        out["cases"].append({
            "name": name, "a": a.tolist(), "b": b.tolist(), "lambda": lam,
            "nnls": x.tolist(), "nnls_objective": objective(a, b, x, lam),
            "ridge": rx.tolist(), "ridge_objective": objective(a, b, rx, lam),
            "unique": bool(np.linalg.matrix_rank(a) == n or lam > 0),
        })
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
