"""The passage vectors of the current posts in memory, scored against a question by dot product.

An immutable snapshot: adding or removing posts makes a new one, so searches never see a half-built
matrix and need no lock. Passages of one post are contiguous rows, so a post's score (its best
passage) is one `maximum.reduceat` over the row scores. A question's scan (`Scan`) can be shared by two
threads, a chunk of rows at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping, Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from index.calibration import Calibration
from index.snippets import Span
from index.vectorstore import PostVectors, span_rows

CHUNK = 2048  # rows converted from int8 at a time (1.5 MB of float32, reused)

# A question's scan is a series of small matrix-vector products, fastest on one core: BLAS's own threads
# only fight the bot's and the embedding's for the machine's cores, which on a busy 2-core machine made
# the scan of 140,000 passages 40 times slower (9 ms → 400 ms; bench/README.md, "Search by meaning").
threadpool_limits(1, user_api="blas")


class DenseScores:
    """How close in meaning every post is to one question: its best passage's cosine, as `z` (standard
    deviations above the reference passages' cosines to the same question; see `index.calibration`).
    Posts are named by their position in `index` (the snapshot scored)."""

    def __init__(self, index: DenseIndex, rows: np.ndarray, level: tuple[float, float]) -> None:
        self.index = index
        self._rows = rows
        self.best = np.maximum.reduceat(rows, index.starts) if len(rows) else rows
        self._mean, self._std = level

    def z_at(self, positions: np.ndarray) -> np.ndarray:
        """The closeness of the posts at `positions` (NaN where a position is -1: no vectors)."""
        found = positions >= 0
        z = np.full(len(positions), np.nan)
        z[found] = (self.best[positions[found]] - self._mean) / self._std
        return z

    def top(self, k: int, among: np.ndarray | None = None) -> np.ndarray:
        """The positions of the `k` closest posts (among the positions `among`), best first."""
        if among is None:
            return np.argsort(-self.best)[:k]
        among = among[among >= 0]
        return among[np.argsort(-self.best[among])[:k]]

    def span(self, position: int) -> Span | None:
        """Where the best passage of the post at `position` is in its body (None: its title)."""
        start, count = self.index.starts[position], self.index.counts[position]
        return self.index.span(start + int(np.argmax(self._rows[start : start + count])))


class DenseIndex:
    """Passage vectors of a set of posts: one int8 matrix, the passages of each post in a row range, and
    where each passage is in its post's body (one row of `spans` per passage, -1 for the title: arrays,
    not a Python tuple per passage, which held 15 MB more at 10k posts)."""

    def __init__(
        self,
        dim: int,
        ids: Sequence[str] = (),
        counts: Sequence[int] | np.ndarray = (),
        spans: np.ndarray | None = None,
        codes: np.ndarray | None = None,
        scales: np.ndarray | None = None,
    ) -> None:
        self.dim = dim
        self.ids = list(ids)
        self.position = {post_id: i for i, post_id in enumerate(self.ids)}
        self.counts = np.asarray(counts, dtype=np.int64)  # passages of each post
        self.starts = np.cumsum(self.counts) - self.counts  # each post's first row
        self._spans = np.zeros((0, 2), dtype=np.int32) if spans is None else spans
        self._codes = np.zeros((0, dim), dtype=np.int8) if codes is None else codes
        self._scales = np.zeros(0, dtype=np.float32) if scales is None else scales

    @classmethod
    def of(cls, dim: int, posts: Mapping[str, PostVectors]) -> DenseIndex:
        """The snapshot of these posts' vectors (copied into one matrix)."""
        if not posts:
            return cls(dim)
        ids = list(posts)
        return cls(
            dim,
            ids,
            [len(posts[i].spans) for i in ids],
            np.concatenate([span_rows(posts[i].spans) for i in ids]),
            np.concatenate([posts[i].codes for i in ids]),
            np.concatenate([posts[i].scales for i in ids]),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, post_id: str) -> bool:
        return post_id in self.position

    @property
    def nbytes(self) -> int:
        return self._codes.nbytes + self._scales.nbytes + self._spans.nbytes

    def span(self, row: int) -> Span | None:
        """Where the passage of this row is in its post's body (None: the title)."""
        start, end = self._spans[row].tolist()
        return None if start < 0 else (start, end)

    def with_changes(self, added: Mapping[str, PostVectors], removed: Collection[str] = ()) -> DenseIndex:
        """A new snapshot with these posts added (or replaced) and those removed."""
        gone = set(removed) | set(added)
        kept = np.fromiter((i not in gone for i in self.ids), dtype=bool, count=len(self.ids))
        rows = np.repeat(kept, self.counts)
        new = list(added.values())
        return DenseIndex(
            self.dim,
            [post_id for post_id, keep in zip(self.ids, kept.tolist(), strict=True) if keep] + list(added),
            [*self.counts[kept].tolist(), *(len(v.spans) for v in new)],
            np.concatenate([self._spans[rows], *(span_rows(v.spans) for v in new)]),
            np.concatenate([self._codes[rows], *(v.codes for v in new)]),
            np.concatenate([self._scales[rows], *(v.scales for v in new)]),
        )

    def score(self, query: np.ndarray, calibration: Calibration) -> DenseScores:
        """Every post's closeness to the question vector."""
        return Scan(self, query, calibration).scores()


class Scan:
    """One question's scan of every passage, shared by the threads that join it: each converts and
    multiplies the next chunk of rows until none is left. The thread that embedded the question starts
    it, and the searching thread joins once it has weighed the words: on two idle cores the scan takes
    about half as long, and a thread that joins late only takes what is left."""

    def __init__(self, index: DenseIndex, query: np.ndarray, calibration: Calibration) -> None:
        self._index = index
        self._query = np.asarray(query, dtype=np.float32)
        self._calibration = calibration
        self._rows = np.empty(len(index._codes), dtype=np.float32)
        self._chunks = iter(range(0, len(self._rows), CHUNK))  # next() on it is atomic: a chunk each
        self._left = -(-len(self._rows) // CHUNK)  # chunks not yet done
        self._lock = threading.Lock()
        self._done = threading.Event()
        if not self._left:
            self._done.set()

    def join(self) -> None:
        """Scan chunks until none is left to take, then wait for those others took."""
        codes, rows, chunk = self._index._codes, self._rows, None
        for first in self._chunks:
            try:
                if chunk is None:  # reused from chunk to chunk: no page faults
                    chunk = np.empty((min(CHUNK, len(rows)), self._index.dim), dtype=np.float32)
                part = codes[first : first + CHUNK]
                np.copyto(chunk[: len(part)], part, casting="unsafe")
                np.matmul(chunk[: len(part)], self._query, out=rows[first : first + len(part)])
            finally:  # counted even if this thread failed (it raises; the others must not wait forever)
                with self._lock:
                    self._left -= 1
                    if not self._left:
                        self._done.set()
        self._done.wait()

    def scores(self) -> DenseScores:
        """Every post's closeness, once the scan is done (this thread helps with it)."""
        self.join()
        level = self._calibration.level(self._query)
        return DenseScores(self._index, self._rows * self._index._scales, level)
