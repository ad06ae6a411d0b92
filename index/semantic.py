"""Search by meaning: the posts' passages embedded, kept on disk, searched in memory.

`Semantic` keeps the passage vectors in step with the posts the index holds. `want(posts)` (called by
`Index.sync`) only notes what is missing; the slow part, embedding, runs in `embed_pending`, either in
the foreground (`newsbot index`, with a progress bar) or in a background thread (`start`), one post at a
time so that a new post is searchable by meaning about a second after it arrives. Until the first full
pass is done, `ready` is false and search uses words alone: a half-embedded archive would favour the
posts that happen to be embedded. The reference passages of `index.calibration` are embedded first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.calibration import Calibration, reference_key, reference_texts
from index.dense import DenseIndex, DenseScores
from index.embedding import Embedder
from index.passages import passages
from index.posts import Post
from index.vectorstore import VectorStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
QUERY_CACHE = 256


@dataclass(frozen=True)
class SemanticStatus:
    """How far embedding has come."""

    model: str
    embedded: int  # posts with vectors in memory
    total: int  # posts the index holds
    ready: bool  # search uses meaning


@dataclass(frozen=True)
class EmbedReport:
    embedded: int  # posts embedded by this call
    passages: int
    seconds: float


class Semantic:
    """Passage vectors for the current posts, and search over them. Thread-safe."""

    def __init__(self, embedder: Embedder, path: Path) -> None:
        self.embedder = embedder
        self.store = VectorStore(path, embedder.model_id, embedder.dim)
        self._dense = DenseIndex(embedder.dim)
        self._wanted: dict[str, Post] = {}  # post id -> post
        self._hashes: dict[str, str] = {}  # post id -> hash of the post whose vectors are in `_dense`
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._ready = False
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._queries: dict[str, np.ndarray] = {}
        stored = dict(self.store.get([reference_key()]))
        self._calibration = Calibration(stored[reference_key()]) if stored else None

    # --- keeping up with the posts -----------------------------------------------------------
    def want(self, posts: Iterable[Post]) -> None:
        """The posts the index now holds: vectors already stored are loaded, the rest queued."""
        wanted = {p.id: p for p in posts}
        with self._lock:
            stale = [i for i, h in self._hashes.items() if i not in wanted or wanted[i].hash != h]
        missing = {p.hash: p.id for p in wanted.values() if self._hashes.get(p.id) != p.hash}
        loaded = {missing[h]: vectors for h, vectors in self.store.get(missing)}
        with self._lock:
            self._wanted = wanted
            self._dense = self._dense.with_changes(loaded, removed=stale)
            for post_id in stale:
                del self._hashes[post_id]
            self._hashes.update((i, wanted[i].hash) for i in loaded)
            self._mark_ready_if_done()
            self._work.notify_all()

    def _pending(self) -> list[Post]:
        """Posts wanted but not embedded yet."""
        return [p for i, p in self._wanted.items() if i not in self._hashes]

    def _mark_ready_if_done(self) -> None:
        if not self._ready and self._calibration is not None and not self._pending():
            self._ready = True
            log.info("search by meaning is ready: %d posts embedded", len(self._hashes))

    def embed_pending(self, progress: Progress | None = None, limit: int | None = None) -> EmbedReport:
        """Embed the posts that have no vectors yet (at most `limit`), one at a time."""
        started = time.perf_counter()
        if self._calibration is None:
            self._calibrate()
        with self._lock:
            todo = self._pending()[:limit]
        done = pieces = 0
        for post in todo:
            if self._stopping:
                break
            pieces += self._embed(post)
            done += 1
            if progress:
                progress(done, len(todo))
        with self._lock:
            self._mark_ready_if_done()
        return EmbedReport(done, pieces, time.perf_counter() - started)

    def _calibrate(self) -> None:
        texts = reference_texts()
        vectors = self.embedder.embed_passages(texts)
        stored = self.store.put(reference_key(), [None] * len(texts), vectors)
        with self._lock:
            self._calibration = Calibration(stored)

    def _embed(self, post: Post) -> int:
        pieces = passages(post)
        vectors = self.embedder.embed_passages([p.text for p in pieces])
        stored = self.store.put(post.hash, [p.span for p in pieces], vectors)
        with self._lock:
            if self._wanted.get(post.id) is post:  # still wanted as it was
                self._dense = self._dense.with_changes({post.id: stored})
                self._hashes[post.id] = post.hash
        return len(pieces)

    def forget_unused(self) -> int:
        """Drop stored vectors of posts no longer wanted (after a sync removed or changed posts)."""
        with self._lock:
            keep = {p.hash for p in self._wanted.values()} | {reference_key()}
        return self.store.keep_only(keep)

    # --- background ---------------------------------------------------------------------------
    def start(self) -> None:
        """Embed pending posts in a background thread, now and whenever `want` adds some."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="embedding", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        use_one_core = getattr(self.embedder, "use_one_core", None)
        if use_one_core:
            use_one_core()  # the other core answers members meanwhile
        while True:
            with self._lock:
                while not self._stopping and not self._pending() and self._calibration is not None:
                    self._work.wait()
                if self._stopping:
                    return
            try:
                self.embed_pending(limit=1)
            except Exception:
                log.exception("embedding a post failed; retrying in a minute")
                with self._lock:
                    self._work.wait(60)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._work.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def close(self) -> None:
        self.stop()
        self.store.close()

    # --- reading ------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._ready

    def status(self) -> SemanticStatus:
        with self._lock:
            return SemanticStatus(self.embedder.model_id, len(self._hashes), len(self._wanted), self._ready)

    def embed_query(self, text: str) -> np.ndarray:
        """The question's vector (recent questions are remembered: page turns and inline typing)."""
        with self._lock:
            cached = self._queries.get(text)
        if cached is None:
            cached = self.embedder.embed_query(text)
            with self._lock:
                self._queries[text] = cached
                while len(self._queries) > QUERY_CACHE:
                    self._queries.pop(next(iter(self._queries)))
        return cached

    def score(self, query: np.ndarray) -> DenseScores:
        """Every post's closeness in meaning to the question vector (only once `ready`)."""
        assert self._calibration is not None, "search by meaning is not ready"
        return self._dense.score(query, self._calibration)
