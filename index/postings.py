"""Whole posting lists read from a Whoosh reader, fast, as arrays.

Whoosh's matcher trees cost microseconds per posting in pure Python; ranking here only needs, per term,
which documents contain it and how often. Whoosh 3 stores postings in pickled blocks of ids and weights,
so a leaf matcher's blocks are read whole (C-speed unpickling) and decoded with numpy instead of posting
by posting. Any other matcher type falls back to Whoosh's public (slower) iteration.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound


@dataclass(frozen=True)
class Postings:
    """The documents containing a term, by ascending doc number, with the term's frequency in each."""

    docs: np.ndarray  # int32
    freqs: np.ndarray  # float32, aligned with `docs`

    def __len__(self) -> int:
        return len(self.docs)

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.freqs.nbytes


EMPTY = Postings(np.empty(0, np.int32), np.empty(0, np.float32))


def postings(reader: IndexReader, field: str, term: str) -> Postings:
    """Every (live) document containing `term` in `field`, with the term's frequency there."""
    docs, freqs = [], []
    for leaf, base in reader.leaf_readers():
        try:
            matcher = leaf.postings(field, term)
        except (TermNotFound, KeyError):
            continue
        deleted: frozenset[int] = frozenset()
        if isinstance(matcher, FilterMatcher) and isinstance(matcher.child, W3LeafMatcher):
            deleted, matcher = leaf.deleted_docs_set, matcher.child
        ids, weights = _read(matcher)
        if deleted:
            live = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64, count=len(deleted)))
            ids, weights = ids[live], weights[live]
        docs.append(ids + base)
        freqs.append(weights)
    if not docs:
        return EMPTY
    return Postings(np.concatenate(docs).astype(np.int32), np.concatenate(freqs).astype(np.float32))


def _read(matcher: Matcher) -> tuple[np.ndarray, np.ndarray]:
    """A segment's doc ids (int64, ascending) and weights (float32) for one term."""
    if not isinstance(matcher, W3LeafMatcher):
        items = list(matcher.items_as("weight"))
        return np.array([d for d, _w in items], np.int64), np.array([w for _d, w in items], np.float32)
    blocks, weights, lengths = [], [], []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        block_ids, block_weights = matcher._data[0], matcher._data[1]
        blocks.append(block_ids)
        lengths.append(len(block_ids))
        if block_weights is None or isinstance(block_weights, float):  # every posting weighs the same
            weights.append(np.full(len(block_ids), block_weights or 1.0, np.float32))
        else:
            weights.append(np.asarray(block_weights, np.float32))
        if matcher._lastblock:
            break
        matcher._next_block()
    ids = np.fromiter(itertools.chain.from_iterable(blocks), dtype=np.int64, count=sum(lengths))
    if not matcher._byteids:
        ids = _undelta(ids, np.array(lengths))
    return ids, np.concatenate(weights) if weights else np.empty(0, np.float32)


def _undelta(deltas: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Whoosh's delta-encoded blocks decoded at once: each block starts from its absolute first id, so the
    running sum over all blocks is brought back, block by block, by what the blocks before it summed to."""
    running = deltas.cumsum()
    if len(lengths) < 2:
        return running
    ends = lengths.cumsum()[:-1] - 1  # the last position of every block but the last
    return running - np.repeat(np.concatenate(([0], running[ends])), lengths)
