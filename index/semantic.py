"""Search by meaning: the posts' passages embedded, kept on disk, searched in memory.

`Semantic` keeps the passage vectors in step with the posts the index holds. `want(posts)` (called by
`Index.sync`) only notes what is missing; the slow part, embedding, runs in `embed_pending`, either in
the foreground (`newsbot index`, with a progress bar) or in a background thread (`start`), one post at a
time, so that a new post is searchable by meaning about a second after it arrives. Until the first full
pass is done, `ready` is false and search uses words alone: a half-embedded archive would favour the
posts that happen to be embedded. The reference passages of `index.calibration` are embedded first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.calibration import Calibration, reference_key, reference_texts, shipped_vectors
from index.dense import DenseIndex, DenseScores, Scan
from index.embedding import Embedder
from index.passages import SCHEME, passages
from index.posts import Post
from index.vectorstore import PostVectors, VectorStore

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
QUERY_CACHE = 256
STOP_SECONDS = 10  # the longest a shutdown waits for the post being embedded
BACKLOG_GROUP = 64  # posts embedded before the searchable snapshot is rebuilt, until `ready`


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


def vectors_id(embedder: Embedder) -> str:
    """What the stored vectors depend on: the model and how posts are cut into passages."""
    return f"{embedder.model_id}/{SCHEME}"


class Semantic:
    """Passage vectors for the current posts, and search over them. Thread-safe."""

    def __init__(self, embedder: Embedder, path: Path) -> None:
        self.embedder = embedder
        self.store = VectorStore(path, vectors_id(embedder), embedder.dim)
        self._dense = DenseIndex(embedder.dim)
        self._wanted: dict[str, str] = {}  # post id -> hash of the post the index holds
        self._queue: dict[str, str] = {}  # the posts still to embed (id -> hash), read when embedded
        self._read: Callable[[str], Post | None] = lambda _post_id: None
        self._hashes: dict[str, str] = {}  # post id -> hash of the post whose vectors are in `_dense`
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._ready = False
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._queries: dict[str, np.ndarray] = {}
        reference = shipped_vectors(embedder.model_id) or dict(self.store.get([reference_key()])).get(
            reference_key()
        )
        self._calibration = Calibration(reference) if reference else None

    # --- keeping up with the posts -----------------------------------------------------------
    def want(self, posts: Mapping[str, str], read: Callable[[str], Post | None]) -> None:
        """The posts the index now holds (post id -> content hash) and how to read one: vectors already
        stored are loaded, the rest queued (each post is read when it is embedded: 10k posts' texts
        would hold 60 MB meanwhile)."""
        wanted = dict(posts)
        with self._lock:
            stale = [i for i, h in self._hashes.items() if wanted.get(i) != h]
            first_load = not self._hashes
        missing = {h: i for i, h in wanted.items() if self._hashes.get(i) != h}
        if first_load:  # the whole archive at start: read straight into one matrix
            hashes, counts, spans, codes, scales = self.store.read_matrix(missing)
            dense = DenseIndex(self.embedder.dim, [missing[h] for h in hashes], counts, spans, codes, scales)
            loaded = dict.fromkeys(dense.ids)
        else:
            loaded = {missing[h]: vectors for h, vectors in self.store.get(missing)}
        with self._lock:
            self._wanted = wanted
            self._read = read
            self._dense = dense if first_load else self._dense.with_changes(loaded, removed=stale)
            for post_id in stale:
                del self._hashes[post_id]
            self._hashes.update((i, wanted[i]) for i in loaded)
            self._queue = {i: h for i, h in wanted.items() if self._hashes.get(i) != h}
            self._mark_ready_if_done()
            self._work.notify_all()

    def _pending(self) -> list[tuple[str, str]]:
        """Posts wanted but not embedded yet (id, hash)."""
        return list(self._queue.items())

    def _mark_ready_if_done(self) -> None:
        if not self._ready and self._calibration is not None and not self._pending():
            self._ready = True
            log.info("search by meaning is ready: %d posts embedded", len(self._hashes))

    def embed_pending(self, progress: Progress | None = None, limit: int | None = None) -> EmbedReport:
        """Embed the posts that have no vectors yet (at most `limit`), one at a time; each is stored at
        once, and searchable at once when search by meaning is ready (while the backlog is worked
        through, in groups: every new snapshot copies all vectors)."""
        started = time.perf_counter()
        if self._calibration is None:
            self._calibrate()
        with self._lock:
            todo, read = self._pending()[:limit], self._read
        fresh: dict[str, tuple[str, PostVectors]] = {}
        done = pieces = 0
        for post_id, post_hash in todo:
            if self._stopping:
                break
            post = read(post_id)
            if post is None or post.hash != post_hash:  # changed or gone since: `want` says what now
                self._unqueue(post_id, post_hash)
                continue
            fresh[post.id] = (post.hash, self._embed(post))
            pieces += len(fresh[post.id][1].spans)
            done += 1
            if self._ready or len(fresh) >= BACKLOG_GROUP:
                self._fold(fresh)
                fresh = {}
            if progress:
                progress(done, len(todo))
        self._fold(fresh)
        return EmbedReport(done, pieces, time.perf_counter() - started)

    def _calibrate(self) -> None:
        texts = reference_texts()
        vectors = np.concatenate(  # in small batches: a batch's working memory grows with its size
            [self.embedder.embed_passages(texts[i : i + 16]) for i in range(0, len(texts), 16)]
        )
        stored = self.store.put(reference_key(), [None] * len(texts), vectors)
        with self._lock:
            self._calibration = Calibration(stored)

    def _embed(self, post: Post) -> PostVectors:
        pieces = passages(post)
        vectors = self.embedder.embed_passages([p.text for p in pieces])
        return self.store.put(post.hash, [p.span for p in pieces], vectors)

    def _unqueue(self, post_id: str, post_hash: str) -> None:
        """Take a post off the queue, unless `want` has queued another version of it since."""
        with self._lock:
            if self._queue.get(post_id) == post_hash:
                del self._queue[post_id]
            self._mark_ready_if_done()

    def _fold(self, fresh: dict[str, tuple[str, PostVectors]]) -> None:
        """Make freshly embedded posts searchable (those still wanted as they were embedded)."""
        with self._lock:
            current = {i: v for i, (h, v) in fresh.items() if self._wanted.get(i) == h}
            if current:
                self._dense = self._dense.with_changes(current)
                self._hashes.update((i, fresh[i][0]) for i in current)
                for post_id in current:
                    self._queue.pop(post_id, None)
            self._mark_ready_if_done()

    def forget_unused(self) -> int:
        """Drop stored vectors of posts no longer wanted (after a sync removed or changed posts)."""
        with self._lock:
            keep = set(self._wanted.values()) | {reference_key()}
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
                self.embed_pending()
            except Exception:
                log.exception("embedding a post failed; retrying in a minute")
                with self._lock:
                    self._work.wait(60)

    def stop(self) -> bool:
        """Stop the background thread after the post it is embedding; False if it did not stop in time
        (it is a daemon thread: it ends with the process)."""
        with self._lock:
            self._stopping = True
            self._work.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=STOP_SECONDS)
            if self._thread.is_alive():
                log.warning(
                    "embedding did not stop within %d s; leaving it to end with the process", STOP_SECONDS
                )
                return False
            self._thread = None
        return True

    def close(self) -> None:
        if self.stop():
            self.store.close()

    # --- reading ------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._ready

    @property
    def dense_bytes(self) -> int:
        """Memory held by the passage vectors."""
        return self._dense.nbytes

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

    def closeness(self, text: str) -> DenseScores:
        """Every post's closeness in meaning to a question (its vector, then the scan of the passages)."""
        return self.scan(self.embed_query(text)).scores()

    def scan(self, query: np.ndarray) -> Scan:
        """The scan of every passage for the question vector (only once `ready`)."""
        assert self._calibration is not None, "search by meaning is not ready"
        return Scan(self._dense, query, self._calibration)


class Closeness:
    """A question's closeness in meaning, on its way: the question is embedded and the scan started on a
    pool thread while the caller weighs the words; `result()` then joins the scan and returns the scores."""

    def __init__(self, semantic: Semantic, text: str, pool: Executor) -> None:
        self._scan: Scan | None = None
        self._started = threading.Event()
        self._future = pool.submit(self._work, semantic, text)

    def _work(self, semantic: Semantic, text: str) -> DenseScores:
        try:
            query = semantic.embed_query(text)
            self._scan = semantic.scan(query)
        finally:
            self._started.set()
        return self._scan.scores()

    def result(self) -> DenseScores:
        self._started.wait()
        if self._scan is not None:  # None: embedding failed, and the future says why
            self._scan.join()
        return self._future.result()
