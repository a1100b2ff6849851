"""Which samples make each mini-batch: a fresh permutation per epoch, or the book's draws."""

from __future__ import annotations

import numpy as np


class BatchSampler:
    """Indices of successive mini-batches, taken from a queue refilled once per epoch.

    ``"shuffle"`` refills the queue with a permutation of the ``n`` samples,
    so every epoch visits each sample once; ``"replacement"`` with one epoch of
    independent draws ``rng.integers(0, n, ...)``, the very numbers that the
    book's one call per batch gives.

    Parameters
    ----------
    n : int
        Number of training samples.
    batch_size : int
    sampling : {"shuffle", "replacement"}
    rng : numpy.random.Generator
        Drawn from at every refill; its state and ``queue``, ``position``
        are all a checkpoint needs to continue the same sequence.

    Examples
    --------
    >>> sampler = BatchSampler(6, 2, "shuffle", np.random.default_rng(0))
    >>> epoch = np.concatenate([sampler.next() for _ in range(3)])
    >>> sorted(epoch.tolist())
    [0, 1, 2, 3, 4, 5]
    """

    def __init__(self, n: int, batch_size: int, sampling: str, rng: np.random.Generator):
        self.n, self.batch_size, self.sampling, self.rng = n, batch_size, sampling, rng
        self.queue = np.empty(0, dtype=np.int64)
        self.position = 0

    def next(self) -> np.ndarray:
        """The sample indices of the next mini-batch (a view into ``queue``)."""
        size = self.batch_size
        if self.position + size > len(self.queue):
            if self.sampling == "shuffle":
                self.queue = self.rng.permutation(self.n)
            else:
                self.queue = self.rng.integers(0, self.n, (self.n // size) * size)
            self.position = 0
        start = self.position
        self.position = start + size
        return self.queue[start : start + size]
