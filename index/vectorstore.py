"""Passage vectors on disk: one SQLite file in the data dir, one row per post content hash.

Embedding is the slow part of indexing (seconds per post on a small CPU), so vectors are kept across
restarts and index rebuilds, keyed by the post's content hash: an unchanged post is never embedded
twice, a renamed one keeps its vectors. The file records the model that made them; another model
empties it (its vectors would not compare). A corrupt file is replaced by an empty one. Vectors are
stored quantised to int8 with one scale per passage (a quarter of float32's size; scores move by about
0.001, far below the gaps that decide a ranking).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.snippets import Span

log = logging.getLogger(__name__)

FORMAT = 1


@dataclass(frozen=True)
class PostVectors:
    """The passages of one post: where each is in the body (None: the title) and its vector."""

    spans: tuple[Span | None, ...]
    codes: np.ndarray  # int8, (passages, dim)
    scales: np.ndarray  # float32, (passages,): vector = codes * scale


def span_rows(spans: Iterable[Span | list[int] | None]) -> np.ndarray:
    """Passages' spans as rows of an int32 array, (-1, -1) for the title passage (None)."""
    rows = [span or (-1, -1) for span in spans]
    return np.array(rows, dtype=np.int32).reshape(len(rows), 2)


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and a float32 scale per row."""
    peak = np.abs(vectors).max(axis=1) if len(vectors) else np.zeros(0, dtype=np.float32)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    codes = np.round(vectors / scales[:, None]).clip(-127, 127).astype(np.int8)
    return codes, scales


def stored_hashes(path: Path, model_id: str) -> set[str]:
    """The post hashes with vectors of `model_id` in the file at `path`, read without writing anything
    (for health checks); empty when there is no such file or it holds another model's vectors."""
    if not Path(path).is_file():
        return set()
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            if dict(db.execute("SELECT key, value FROM meta")).get("model") != model_id:
                return set()
            return {h for (h,) in db.execute("SELECT hash FROM vectors")}
        finally:
            db.close()
    except sqlite3.Error:
        return set()


class VectorStore:
    """Vectors by post hash, for one model. Safe to use from several threads and processes."""

    def __init__(self, path: Path, model_id: str, dim: int) -> None:
        self.path = Path(path)
        self.model_id = model_id
        self.dim = dim
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._connect()
            problem = self._problem(db)
        except sqlite3.DatabaseError as exc:
            db, problem = None, f"corrupt ({exc})"
        if problem:
            if db is not None:
                db.close()
            log.warning("passage vectors at %s are %s: starting afresh", self.path, problem)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            db = self._connect()
        db.executescript(
            """CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS vectors (
                hash TEXT PRIMARY KEY, spans TEXT NOT NULL, codes BLOB NOT NULL, scales BLOB NOT NULL);"""
        )
        stored = dict(db.execute("SELECT key, value FROM meta"))
        wanted = {"model": self.model_id, "dim": str(self.dim), "format": str(FORMAT)}
        if stored != wanted:
            if stored:
                log.warning(
                    "passage vectors at %s were made by %s: re-embedding every post with %s",
                    self.path,
                    stored.get("model"),
                    self.model_id,
                )
            with db:
                db.execute("DELETE FROM vectors")
                db.execute("DELETE FROM meta")
                db.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    @staticmethod
    def _problem(db: sqlite3.Connection) -> str | None:
        result = db.execute("PRAGMA quick_check").fetchone()
        return None if result and result[0] == "ok" else f"corrupt ({result[0] if result else 'unreadable'})"

    def hashes(self) -> set[str]:
        """The post hashes that have vectors."""
        with self._lock:
            return {h for (h,) in self._db.execute("SELECT hash FROM vectors")}

    def put(self, post_hash: str, spans: Iterable[Span | None], vectors: np.ndarray) -> PostVectors:
        """Store one post's passage vectors (replacing any) and return them as they will be read."""
        spans = tuple(spans)
        codes, scales = quantise(np.asarray(vectors, dtype=np.float32).reshape(len(spans), self.dim))
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)",
                (post_hash, json.dumps(spans), codes.tobytes(), scales.tobytes()),
            )
        return PostVectors(spans, codes, scales)

    def get(self, hashes: Iterable[str]) -> Iterator[tuple[str, PostVectors]]:
        """The stored vectors of those hashes that have them."""
        for chunk in _chunks(list(hashes)):
            with self._lock:
                rows = self._db.execute(
                    f"SELECT hash, spans, codes, scales FROM vectors WHERE hash IN ({_marks(chunk)})", chunk
                ).fetchall()
            for post_hash, spans, codes, scales in rows:
                yield post_hash, self._decode(spans, codes, scales)

    def read_matrix(
        self, hashes: Iterable[str]
    ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The stored vectors of those hashes that have them, straight into one matrix: the hashes
        found, how many passages each has, their spans (see `span_rows`), int8 codes and scales. Loading
        a whole archive at start costs the arrays and no more."""
        wanted = list(dict.fromkeys(hashes))
        found: list[str] = []
        counts: list[int] = []
        for chunk in _chunks(wanted):
            with self._lock:
                rows = self._db.execute(
                    f"SELECT hash, length(scales) FROM vectors WHERE hash IN ({_marks(chunk)})", chunk
                ).fetchall()
            for post_hash, size in rows:
                found.append(post_hash)
                counts.append(size // 4)
        spans = np.empty((sum(counts), 2), dtype=np.int32)
        codes = np.empty((sum(counts), self.dim), dtype=np.int8)
        scales = np.empty(sum(counts), dtype=np.float32)
        where = dict(zip(found, np.cumsum([0, *counts])[:-1].tolist(), strict=True))
        for post_hash, vectors in self.get(found):
            rows = slice(where[post_hash], where[post_hash] + len(vectors.scales))
            spans[rows], codes[rows], scales[rows] = span_rows(vectors.spans), vectors.codes, vectors.scales
        return found, np.array(counts, dtype=np.int64), spans, codes, scales

    def _decode(self, spans: str, codes: bytes, scales: bytes) -> PostVectors:
        parsed = tuple(tuple(s) if s else None for s in json.loads(spans))
        return PostVectors(
            parsed,  # type: ignore[arg-type]
            np.frombuffer(codes, dtype=np.int8).reshape(len(parsed), self.dim),
            np.frombuffer(scales, dtype=np.float32),
        )

    def keep_only(self, hashes: Iterable[str]) -> int:
        """Forget the vectors of posts that are gone; returns how many were dropped."""
        keep = set(hashes)
        gone = self.hashes() - keep
        if gone:
            with self._lock, self._db:
                self._db.executemany("DELETE FROM vectors WHERE hash = ?", [(h,) for h in gone])
        return len(gone)

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """SQLite limits the parameters of one statement: ask about so many at a time."""
    for first in range(0, len(items), size):
        yield items[first : first + size]


def _marks(chunk: list[str]) -> str:
    return ",".join("?" * len(chunk))
