"""What handlers and jobs share: the one way into the search index, the SQLite store, the known topics,
and the small server-side lookups that keep callback data tiny. Opened when the Application initializes,
closed when it shuts down (`bot.app.NewsbotApplication`)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.instance import DataDirUse
from bot.render.page import short_key
from bot.settings import Settings
from bot.store import Store
from bot.tags import Topics
from index import (
    Embedder,
    EmbedderUnavailable,
    Hit,
    Index,
    Post,
    Results,
    SemanticStatus,
    SyncReport,
    load_embedder,
    scan_posts,
)
from index.feeds import move_entries

log = logging.getLogger(__name__)


class QueryKeys:
    """Search questions kept in the store under short random keys, so that page buttons carry only the key
    and still work after a restart. The table is bounded: the least recently used questions beyond
    `capacity` are dropped, and their old buttons then read as expired."""

    ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"

    def __init__(self, store: Store, capacity: int = 20_000) -> None:
        self.store = store
        self.capacity = capacity

    def key(self, query: str) -> str:
        key = self.store.query_key(query)
        while key is None:
            candidate = "".join(secrets.choice(self.ALPHABET) for _ in range(8))
            if self.store.keep_query(candidate, query, self.capacity):
                key = candidate
        return key

    def query(self, key: str) -> str | None:
        return self.store.query_for_key(key)


class ResultCache:
    """Recent search answers (an LRU), so page buttons and inline typing do not search again;
    emptied whenever the index changes."""

    def __init__(self, capacity: int = 1024) -> None:
        self.capacity = capacity
        self._items: OrderedDict[tuple, object] = OrderedDict()

    def get(self, key: tuple) -> object | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: tuple, value: object) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


def open_embedder(settings: Settings) -> tuple[Embedder | None, str | None]:
    """The embedding model for search by meaning, or None and why not (said once in the log)."""
    if settings.semantic == "off":
        return None, "off (search.semantic: off)"
    try:
        return load_embedder(), None
    except EmbedderUnavailable as exc:
        level = logging.ERROR if settings.semantic == "on" else logging.WARNING
        log.log(level, "search by meaning is unavailable, searching by words alone: %s", exc)
        return None, f"unavailable ({exc})"


def content_fingerprint(*folders: Path) -> tuple:
    """Names, sizes and modification times of the post files: changes whenever a post file does."""
    entries = []
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                if name.endswith(".md"):
                    stat = os.stat(os.path.join(root, name))
                    entries.append((root, name, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(entries))


def migrate_feed_posts(settings: Settings) -> None:
    """Move feed posts from where older versions wrote them (the content folder, lost when a container is
    recreated) into the data dir; their names, hence post ids, are kept, so nothing is announced again."""
    old, new = settings.legacy_feeds_dir, settings.feeds_dir
    try:
        moved = move_entries(old, new)
    except OSError as exc:
        log.error("cannot move the feed posts from %s to %s: %s; move them by hand", old, new, exc)
        return
    if moved:
        log.warning("moved %d feed posts from %s to %s (they live in the data dir now)", moved, old, new)


@dataclass
class Services:
    """The index (reached only through the methods below, its work done in worker threads and cached),
    the store, and what the last sync learnt: the topics, the post count and the posts' short keys."""

    settings: Settings
    index: Index
    store: Store
    queries: QueryKeys = field(init=False)  # over `store`
    post_keys: dict[str, str] = field(default_factory=dict)  # short key -> post id
    topics: Topics = field(default_factory=Topics)
    post_count: int = 0
    # called with the seconds each index search took (e.g. by bot.metrics), from a worker thread
    search_observers: list[Callable[[float], None]] = field(default_factory=list)
    sync_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    cache: ResultCache = field(default_factory=ResultCache)
    fingerprint: tuple | None = None
    meaning_off: str | None = None  # why search by meaning is off, when it is
    reported: set[str] = field(default_factory=set)  # broken post files already logged in this run
    in_use: DataDirUse | None = None  # the data dir's shared lock, held while the services are open

    def __post_init__(self) -> None:
        self.queries = QueryKeys(self.store)

    @classmethod
    async def open(cls, settings: Settings) -> Services:
        """Open the store and the index, bring the index up to date with the content folder, and start
        embedding the posts for search by meaning in the background (answers use words alone until
        that is done)."""
        in_use = DataDirUse(settings.data_dir).shared()  # `newsbot restore` refuses while it is held
        try:
            store = Store.open(settings.database_path)
            await asyncio.to_thread(migrate_feed_posts, settings)
            glossary = settings.glossary_path if settings.glossary_path.is_file() else None
            embedder, off = await asyncio.to_thread(open_embedder, settings)
            index = await asyncio.to_thread(
                Index.open,
                settings.index_dir,
                glossary=glossary,
                embedder=embedder,
                vectors=settings.vectors_path,
            )
        except BaseException:
            in_use.release()
            raise
        services = cls(settings=settings, index=index, store=store, meaning_off=off, in_use=in_use)
        await services.sync()
        index.embed_in_background()
        return services

    def meaning(self) -> SemanticStatus | None:
        """How far embedding has come; None when search by meaning is off (see `meaning_off`)."""
        return self.index.semantic_status()

    async def sync(self, *, force: bool = False) -> SyncReport:
        """Re-read the content folder into the index (in a thread) if any post file changed since the
        last sync (or `force`); returns the index's SyncReport (empty when nothing changed)."""
        async with self.sync_lock:
            fingerprint = await asyncio.to_thread(content_fingerprint, *self.settings.post_folders)
            if fingerprint == self.fingerprint and not force:
                return SyncReport()
            scanned = await asyncio.to_thread(scan_posts, *self.settings.post_folders)
            for error in scanned.errors:
                if str(error) not in self.reported:
                    self.reported.add(str(error))
                    log.warning("post skipped: %s", error)
            report = await asyncio.to_thread(self.index.sync, scanned)  # reads each post as it writes it
            self.post_keys = {short_key(post_id): post_id for post_id in scanned.files}
            self.cache.clear()
            tags, count = await asyncio.to_thread(lambda: (self.index.tags(), len(self.index)))
            self.topics = Topics(tuple(tags), self.index.glossary)
            self.post_count = count
            self.fingerprint = fingerprint
            log.info("index: %d posts", count)
            return report

    # reading the index: off the event loop (Whoosh is pure Python), answers cached until the index changes

    async def search(self, query: str, *, page: int = 1, per_page: int = 5) -> Results:
        key = ("search", query, page, per_page)
        return await self._cached(key, self._timed_search, query, page, per_page)

    async def latest(self, n: int, tags: tuple[str, ...] = ()) -> list[Hit]:
        return await self._cached(("latest", n, tags), self.index.latest, n, tags=tags)

    async def post(self, post_id: str) -> Post | None:
        """The full post, or None when it is gone."""
        return await asyncio.to_thread(self.index.get, post_id)

    def post_now(self, post_id: str) -> Post | None:
        """`post`, read on the calling thread: one quick stored-fields look-up, for code that cannot wait
        (the delivery engine's renderer, the new-post check)."""
        return self.index.get(post_id)

    def _timed_search(self, query: str, page: int, per_page: int) -> Results:
        started = time.perf_counter()
        try:
            return self.index.search(query, page=page, per_page=per_page)
        finally:
            elapsed = time.perf_counter() - started
            for observe in self.search_observers:
                observe(elapsed)

    async def _cached(self, key: tuple, function, *args, **kwargs):
        value = self.cache.get(key)
        if value is None:
            value = await asyncio.to_thread(function, *args, **kwargs)
            self.cache.put(key, value)
        return value

    def close(self) -> None:
        self.index.close()
        self.store.close()
        if self.in_use is not None:
            self.in_use.release()
