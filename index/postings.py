"""Whole posting lists read from a Whoosh reader, fast.

Whoosh's matcher trees cost microseconds per posting in pure Python; ranking here only needs, per term,
which documents contain it and how often. Whoosh 3 stores postings in pickled blocks of ids and weights,
so a leaf matcher's blocks are read whole (C-speed unpickling) instead of posting by posting. Any other
matcher type falls back to Whoosh's public (slower) iteration.
"""

from __future__ import annotations

import itertools
from itertools import accumulate

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound

Postings = dict[int, float]  # docnum -> term frequency


def postings(reader: IndexReader, field: str, term: str) -> Postings:
    """Every (live) document containing `term` in `field`, with the term's frequency there."""
    out: Postings = {}
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
            out.update((d + base, w) for d, w in zip(ids, weights, strict=True) if d not in deleted)
        else:  # C-speed
            out.update(zip(map(base.__add__, ids) if base else ids, weights, strict=True))
    return out


def _read(matcher: Matcher) -> tuple[list[int], list[float]]:
    if not isinstance(matcher, W3LeafMatcher):
        items = list(matcher.items_as("weight"))
        return [d for d, _w in items], [w for _d, w in items]
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        block_ids, block_weights = matcher._data[0], matcher._data[1]
        # ids are delta-encoded; accumulate() decodes them at C speed (Whoosh uses a generator)
        ids.extend(block_ids if matcher._byteids else accumulate(block_ids))
        if block_weights is None or isinstance(block_weights, float):  # every posting weighs the same
            weights.extend(itertools.repeat(block_weights or 1.0, len(ids) - len(weights)))
        else:
            weights.extend(block_weights)
        if matcher._lastblock:
            break
        matcher._next_block()
    return ids, weights
