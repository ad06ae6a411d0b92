"""Whoosh's posting pool, spilled to disk in batches.

While a segment is written, Whoosh keeps its postings in a pool; past the writer's `limitmb` it sorts
them into a run on disk, and at the commit it merges the runs back. Whoosh writes and reads a run one
posting at a time through pickle, which took about a third of an index build. This pool writes each run
as marshalled batches of postings, each after its length, and reads them back a batch at a time (a few
MB in memory while the runs are merged).
"""

from __future__ import annotations

import itertools
import marshal
import struct
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from whoosh.writing import PostingPool, SegmentWriter

BATCH = 4096  # postings per marshalled batch
_LENGTH = struct.Struct("<I")  # each batch is written after its length in bytes


class BatchedPostingPool(PostingPool):
    """A `PostingPool` whose runs on disk are batches of postings (tuples of str, bytes, int, float)."""

    def _write_run(self, f: BinaryIO, items: Iterable[Any]) -> None:
        items = iter(items)
        while batch := list(itertools.islice(items, BATCH)):
            data = marshal.dumps(batch)
            f.write(_LENGTH.pack(len(data)))
            f.write(data)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while head := f.read(_LENGTH.size):
                (length,) = _LENGTH.unpack(head)
                yield from marshal.loads(f.read(length))
        finally:
            f.close()
            self._remove_run(path)


def batch_spills(writer: SegmentWriter, limitmb: float) -> None:
    """Give a new `writer` a `BatchedPostingPool` in place of its (still empty) pool."""
    writer.pool = BatchedPostingPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
