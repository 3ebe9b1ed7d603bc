"""The small calibrated models of `ask`: logistic regression, fitted with Newton steps.

:class:`Model` holds standardisation, coefficients and a decision threshold; :func:`fit` fits
one (L2-regularised, classes weighted to equal total weight) and :func:`choose_threshold` sets
the threshold that refuses the most unanswerable questions while answering at least 90 % of
the answerable ones.
Which features the models read, and where the fitted numbers are kept: :mod:`agent.ask.rerank`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Model:
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, x: dict[str, float]) -> float:
        z = self.intercept
        for name, mu, sd, w in zip(self.features, self.mean, self.scale, self.coef, strict=True):
            z += w * (x.get(name, 0.0) - mu) / sd
        return 1.0 / (1.0 + math.exp(-z))


# --------------------------------------------------------------------------- fitting


def fit(
    rows: Sequence[dict[str, float]],
    labels: Sequence[int],
    features: tuple[str, ...],
    *,
    l2: float = 1.0,
    iterations: int = 50,
) -> Model:
    """L2-regularised logistic regression (Newton steps), classes weighted to equal total
    weight; the threshold is set afterwards by :func:`choose_threshold`."""
    x = np.array([[r.get(f, 0.0) for f in features] for r in rows], dtype=np.float64)
    y = np.array(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    z1 = np.hstack([z, np.ones((len(z), 1))])
    pos = max(1.0, y.sum())
    neg = max(1.0, len(y) - y.sum())
    sw = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * neg))
    w = np.zeros(z1.shape[1])
    reg = np.full(z1.shape[1], l2)
    reg[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(z1 @ w)))
        grad = z1.T @ (sw * (p - y)) + reg * w
        hess = (z1 * (sw * p * (1 - p))[:, None]).T @ z1 + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Model(
        features,
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in w[:-1]),
        float(w[-1]),
        0.5,
    )


MIN_ANSWERED = 0.9  # the share of answerable questions the threshold must answer on the fitting data


def choose_threshold(
    probs: Sequence[float],
    labels: Sequence[int],
    min_answered: float = MIN_ANSWERED,
    groups: Sequence[str] | None = None,
) -> float:
    """The threshold (a midpoint between two fitted probabilities) that refuses the most
    unanswerable questions while still answering at least ``min_answered`` of the answerable
    ones of *every* group (the sets by style: colloquial situations, questions close to the
    articles' words) — the issue's first target held on the fitting data for each style, the
    second as far as it goes. (Round 2 maximised answered + refused, Youden's J: on a pool
    dominated by near-misses that refused one answerable question in seven, and the
    close-to-the-article set dropped; eval/ask/RESULTS.md §5–§7.)"""
    ps = sorted(set(probs))
    cands = [(a + b) / 2 for a, b in zip(ps, ps[1:], strict=False)] or [0.5]
    keys = list(groups) if groups is not None else [""] * len(labels)
    rows = list(zip(probs, labels, keys, strict=True))
    neg = sum(1 for y in labels if not y)
    best, best_t = (-1.0, -1.0), 0.5
    for t in cands:
        answered = min(_answered(rows, t, g) for g in set(keys))
        refused = sum(1 for p, y, _ in rows if not y and p < t) / max(1, neg)
        score = (refused, answered) if answered >= min_answered else (-1.0, answered)
        if score > best:
            best, best_t = score, t
    return float(best_t)


def _answered(rows: Sequence[tuple[float, int, str]], t: float, group: str) -> float:
    mine = [p for p, y, g in rows if y and g == group]
    return sum(1 for p in mine if p >= t) / len(mine) if mine else 1.0
