"""Training: multinomial logistic regression in numpy (no scikit-learn at run time or at
training), deterministic (fixed initialisation, full-batch steps, no randomness).

A design matrix is a dense part (rule evidence, sentence vectors) beside a sparse part
(the hashed n-grams of :mod:`.words`, as coordinate triplets): the product and the
gradient of the sparse part are bin counts, so thousands of examples with a million
possible features train in a second or two.

Used by tools/train_classifier to make the shipped model, and by bench/quality to measure
candidate models by cross-validation on the train split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..kinds import STORY_KINDS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Sparse:
    """Rows of sparse features as coordinates: value ``data[i]`` at (``rows[i]``,
    ``cols[i]``); ``width`` columns."""

    rows: Any  # int64 (nnz,)
    cols: Any  # int64 (nnz,)
    data: Any  # float64 (nnz,)
    height: int
    width: int

    def take(self, index: Sequence[int]) -> Sparse:
        """The given rows, renumbered 0..len(index)-1 in that order."""
        import numpy as np

        where = np.full(self.height, -1, dtype=np.int64)
        where[np.asarray(index, dtype=np.int64)] = np.arange(len(index))
        keep = where[self.rows] >= 0
        return Sparse(
            where[self.rows[keep]], self.cols[keep], self.data[keep], len(index), self.width
        )

    def dot(self, w: Any) -> Any:
        """self @ w for a dense (width, k) w."""
        import numpy as np

        return self.dot_t(np.ascontiguousarray(np.asarray(w, dtype=np.float64).T)).T

    def dot_t(self, wt: Any) -> Any:
        """(self @ wt.T).T for a dense (k, width) wt: the fast path of training."""
        rows, cols, data, starts = self._by_row
        return _accumulate(wt, cols, rows, data, starts, self.height)

    def tdot_t(self, gt: Any) -> Any:
        """(self.T @ gt.T).T for a dense (k, height) gt."""
        rows, cols, data, starts = self._by_col
        return _accumulate(gt, rows, cols, data, starts, self.width)

    @cached_property
    def _by_row(self) -> tuple[Any, Any, Any, Any]:
        return _sorted(self.rows, self.rows, self.cols, self.data)

    @cached_property
    def _by_col(self) -> tuple[Any, Any, Any, Any]:
        return _sorted(self.cols, self.rows, self.cols, self.data)

    def row_norms(self) -> Any:
        import numpy as np

        return np.bincount(self.rows, weights=self.data**2, minlength=self.height)


def _accumulate(values: Any, take: Any, put: Any, data: Any, starts: Any, size: int) -> Any:
    """out[:, put[i]] += values[:, take[i]] * data[i], with `put` sorted and `starts` the
    start of each run of equal `put`: one gather and one reduceat, no Python loop."""
    import numpy as np

    out = np.zeros((values.shape[0], size))
    if len(take):
        products = np.take(values, take, axis=1) * data
        out[:, put[starts]] = np.add.reduceat(products, starts, axis=1)
    return out


def _sorted(keys: Any, rows: Any, cols: Any, data: Any) -> tuple[Any, Any, Any, Any]:
    """The triplets stably sorted by `keys`, with the start of each run of equal keys."""
    import numpy as np

    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return rows[order], cols[order], data[order], starts


@dataclass(frozen=True)
class Fitted:
    weights: Matrix  # (dense features, kinds)
    bias: Matrix  # (kinds,)
    kinds: tuple[str, ...] = STORY_KINDS
    sparse_weights: Any = None  # (sparse features, kinds), or None

    def logits(self, dense: Any, sparse: Sparse | None = None) -> Any:
        import numpy as np

        z = np.asarray(dense, dtype=np.float64) @ self.weights.astype(np.float64) + self.bias
        if sparse is not None and self.sparse_weights is not None:
            z = z + sparse.dot(self.sparse_weights.astype(np.float64))
        return z

    def probabilities(self, dense: Any, sparse: Sparse | None = None) -> Matrix:
        return softmax(self.logits(dense, sparse))


def softmax(z: Any) -> Matrix:
    import numpy as np

    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: Matrix = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def fit(
    dense: Any,
    labels: Sequence[str],
    *,
    sparse: Sparse | None = None,
    l2: float = 1e-3,
    steps: int = 600,
    balance: float = 0.5,
    weights: Sequence[float] | None = None,
    kinds: tuple[str, ...] = STORY_KINDS,
) -> Fitted:
    """Minimise the class- and sample-weighted cross-entropy plus l2 * |W|^2 by
    Nesterov-accelerated gradient descent. `balance` weighs each class by
    (n / count) ** balance: 0 is plain, 1 fully balanced; `weights` weigh each example."""
    import numpy as np

    return _fit(
        np.asarray(dense, dtype=np.float64), sparse, labels, l2, steps, balance, weights, kinds
    )


def _fit(
    xd: Any,
    sparse: Sparse | None,
    labels: Sequence[str],
    l2: float,
    steps: int,
    balance: float,
    weights: Sequence[float] | None,
    kinds: tuple[str, ...],
) -> Fitted:
    import numpy as np

    n, d = xd.shape
    index = {k: i for i, k in enumerate(kinds)}
    y = np.zeros((n, len(kinds)))
    y[np.arange(n), [index[label] for label in labels]] = 1.0
    counts = y.sum(axis=0)
    class_weight = np.where(counts > 0, (n / np.maximum(counts, 1.0) / len(kinds)) ** balance, 0.0)
    sample = (y * class_weight).sum(axis=1)
    if weights is not None:
        sample *= np.asarray(weights, dtype=np.float64)
    sample /= sample.sum()
    w = np.zeros((d, len(kinds)))
    b = np.zeros(len(kinds))
    s = np.zeros((len(kinds), sparse.width if sparse else 0))  # transposed: (kinds, features)
    vw, vb, vs = w.copy(), b.copy(), s.copy()
    # step size from a bound on the curvature: the largest squared row norm
    norms = (xd**2).sum(axis=1)
    if sparse is not None:
        norms = norms + sparse.row_norms()
    rate = 1.0 / (0.5 * float(norms.max(initial=0.0)) + 1.0 + 2 * l2)
    for t in range(1, steps + 1):
        momentum = (t - 1) / (t + 2)
        lw, lb, ls = w + momentum * (w - vw), b + momentum * (b - vb), s + momentum * (s - vs)
        z = xd @ lw + lb
        if sparse is not None:
            z += sparse.dot_t(ls).T
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * sample[:, None]
        gw = xd.T @ g + 2 * l2 * lw
        gb = g.sum(axis=0)
        vw, vb, vs = w, b, s
        w, b = lw - rate * gw, lb - rate * gb
        if sparse is not None:
            s = ls - rate * (sparse.tdot_t(np.ascontiguousarray(g.T)) + 2 * l2 * ls)
    return Fitted(
        w.astype(np.float32),
        b.astype(np.float32),
        kinds,
        s.T.astype(np.float32) if sparse is not None else None,
    )


def folds(ids: Sequence[str], k: int) -> list[int]:
    """A fold number per item, from a hash of its id: stable whatever the order."""
    import hashlib

    return [int(hashlib.sha1(i.encode()).hexdigest()[:8], 16) % k for i in ids]
