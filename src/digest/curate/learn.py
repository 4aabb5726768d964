"""Training: multinomial logistic regression in numpy (no scikit-learn at run time or at
training), deterministic (fixed initialisation, full-batch steps, no randomness).

Used by tools/train_classifier to make the shipped model, and by bench/quality to measure
candidate models by cross-validation on the train split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..kinds import STORY_KINDS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Fitted:
    weights: Matrix  # (features, kinds)
    bias: Matrix  # (kinds,)
    kinds: tuple[str, ...] = STORY_KINDS

    def probabilities(self, x: Matrix) -> Matrix:
        return softmax(x @ self.weights + self.bias)


def softmax(z: Matrix) -> Matrix:
    import numpy as np

    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: Matrix = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def fit(
    x: Matrix,
    labels: Sequence[str],
    *,
    l2: float = 1e-3,
    steps: int = 600,
    balance: float = 0.5,
    kinds: tuple[str, ...] = STORY_KINDS,
) -> Fitted:
    """Minimise the class-weighted cross-entropy plus l2 * |W|^2 by Nesterov-accelerated
    gradient descent. `balance` weighs each class by (n / count) ** balance: 0 is plain,
    1 fully balanced."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # on two cores more threads thrash
        return _fit(np.asarray(x, dtype=np.float64), labels, l2, steps, balance, kinds)


def _fit(
    xd: Any, labels: Sequence[str], l2: float, steps: int, balance: float, kinds: tuple[str, ...]
) -> Fitted:
    import numpy as np

    n, d = xd.shape
    index = {k: i for i, k in enumerate(kinds)}
    y = np.zeros((n, len(kinds)))
    y[np.arange(n), [index[label] for label in labels]] = 1.0
    counts = y.sum(axis=0)
    class_weight = np.where(counts > 0, (n / np.maximum(counts, 1.0) / len(kinds)) ** balance, 0.0)
    sample = (y * class_weight).sum(axis=1)
    sample /= sample.sum()
    w = np.zeros((d, len(kinds)))
    b = np.zeros(len(kinds))
    vw, vb = w.copy(), b.copy()
    # step size from a bound on the curvature: the largest squared row norm
    rate = 1.0 / (0.5 * float((xd**2).sum(axis=1).max()) + 1.0 + 2 * l2)
    for t in range(1, steps + 1):
        momentum = (t - 1) / (t + 2)
        lw, lb = w + momentum * (w - vw), b + momentum * (b - vb)
        z = xd @ lw + lb
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * sample[:, None]
        gw = xd.T @ g + 2 * l2 * lw
        gb = g.sum(axis=0)
        vw, vb = w, b
        w, b = lw - rate * gw, lb - rate * gb
    return Fitted(w.astype(np.float32), b.astype(np.float32), kinds)


def folds(ids: Sequence[str], k: int) -> list[int]:
    """A fold number per item, from a hash of its id: stable whatever the order."""
    import hashlib

    return [int(hashlib.sha1(i.encode()).hexdigest()[:8], 16) % k for i in ids]
