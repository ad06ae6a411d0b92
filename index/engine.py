"""The on-disk Whoosh index of posts: open (rebuilding when needed), sync, search, browse.

Whoosh commits atomically (a new table of contents replaces the old), so a reader keeps seeing the
last committed state while a writer works. One writer at a time: a thread lock here plus Whoosh's
own lock file across processes. One shared searcher is reused and refreshed only after a commit.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import W3Codec
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, NUMERIC, STORED, FieldType, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Existence, Frequency
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.system import pack_uint

from index.analysis import forget_words, index_text
from index.dense import DenseIndex, DenseScores
from index.embedding import Embedder
from index.fusion import DENSE_CANDIDATES, Evidence, answer_order, evidence, nearest
from index.glossary import Glossary
from index.postingpool import batch_spills
from index.posts import Post, PostFiles
from index.query import ParsedQuery, Word, fold_tag, parse
from index.ranking import RELEVANT, Candidate, Plan, Ranker, Ranking, date_filter
from index.results import Filters, Hit, Results, SyncReport
from index.semantic import Closeness, EmbedReport, Semantic, SemanticStatus
from index.snippets import SnippetTerm, Span, make_snippet, passage_snippet

log = logging.getLogger(__name__)
_EMBEDDING_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="embed-query")

SCHEMA_VERSION = 7
VERSION_FILE = "newsbot-index.json"
Progress = Callable[[int, int], None]
# Ranking reads posting lists whole, never skipping: big blocks mean fewer to decode (and to write)
CODEC = W3Codec(blocklimit=1024)
BATCH = 2500  # posts per segment when (re)building (fewer segments: faster searches)
BIG_SYNC = 500  # posts written in a sync after which memory is given back
WRITER_MB = 12  # Whoosh's in-memory pool while writing a segment (it spills to disk beyond, in batches)
SMALL_SEGMENT = 200  # segments of fewer posts are merged ...
SMALL_SEGMENTS = 8  # ... once there are this many
MAX_PAGE = 1000


class WordsField(FieldType):
    """A field of already analysed words: indexed from a {word: count} mapping, skipping Whoosh's
    tokenizer (our analysis runs once, in `index.analysis`). Never scored by Whoosh."""

    def __init__(self, frequencies: bool = False) -> None:
        fmt = Frequency() if frequencies else Existence()
        super().__init__(fmt, SpaceSeparatedTokenizer(), scorable=False)

    def index(self, value: Mapping[str, int], **kwargs):
        if isinstance(self.format, Frequency):
            return ((w.encode("utf-8"), n, float(n), pack_uint(n)) for w, n in value.items())
        return ((w.encode("utf-8"), 1, 1.0, b"") for w in value)


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        hash=ID(sortable=True),
        # Pre-analysed words (see index.analysis). Ranking reads whole posting lists itself, so only
        # `text` keeps frequencies, and no field pays for Whoosh's per-document length bookkeeping.
        heading=COLUMN(VarBytesColumn()),  # title and tags: stems and unstemmed forms, space-separated
        text=WordsField(frequencies=True),
        exact=WordsField(),  # unstemmed forms that differ from their stem
        tag=KEYWORD(commas=True, scorable=False),
        tagname=KEYWORD(commas=True, scorable=False),
        lang=ID(),
        date=NUMERIC(int, bits=32, sortable=True),
        length=NUMERIC(int, bits=32, sortable=True, signed=False),  # words in `text`, for BM25's norm
        post=STORED(),
    )


def _document(post: Post) -> dict:
    tags = " ".join(post.tags)
    title_stems, title_exact = index_text(f"{post.title} {tags}", post.lang)
    stems, exact = index_text(f"{post.title}\n{tags}\n{post.summary or ''}\n{post.body}", post.lang)
    return {
        "id": post.id,
        "hash": post.hash,
        "heading": " ".join(dict.fromkeys(title_stems + title_exact)).encode("utf-8"),
        "text": Counter(stems),
        "exact": Counter(exact),
        "tag": ",".join(fold_tag(t) for t in post.tags),
        "tagname": ",".join(t.replace(",", " ") for t in post.tags),
        "lang": post.lang,
        "date": post.date.toordinal() if post.date else 0,
        "length": len(stems),
        "post": {
            "title": post.title,
            "body": post.body,
            "date": post.date.isoformat() if post.date else None,
            "url": post.url,
            "tags": list(post.tags),
            "lang": post.lang,
            "summary": post.summary,
            "path": post.path,
            "hash": post.hash,
        },
    }


def _post(post_id: str, stored: dict) -> Post:
    data = stored["post"]
    return Post(
        id=post_id,
        title=data["title"],
        body=data["body"],
        date=dt.date.fromisoformat(data["date"]) if data["date"] else None,
        url=data["url"],
        tags=tuple(data["tags"]),
        lang=data["lang"],
        summary=data["summary"],
        path=data["path"],
        hash=data["hash"],
    )


@dataclass(frozen=True)
class Weighed:
    """A question's candidates, by position in `docs` (their doc numbers): the share of its words each
    covers and its closeness in meaning (NaN: not embedded); the dense scores, and where each document
    sits among them."""

    docs: np.ndarray
    coverage: np.ndarray
    z: np.ndarray
    scores: DenseScores
    positions: np.ndarray


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt or outdated, and the caller asked not to rebuild it."""


class Index:
    """Search over the posts. Safe to use from several threads."""

    def __init__(
        self, path: Path, ix: windex.Index, glossary: Glossary, rebuilt: bool, semantic: Semantic | None
    ) -> None:
        self.path = path
        self.glossary = glossary
        self.semantic = semantic
        self._ix = ix
        self._rebuilt = rebuilt
        self._read_lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._searcher = ix.searcher(weighting=BM25F())
        self._ranker = Ranker(self._searcher, glossary)
        self._positions_cache: tuple | None = None
        self._known: dict[str, str] | None = None  # post id -> hash of what the index holds

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        glossary: Path | None = None,
        rebuild: bool = True,
        embedder: Embedder | None = None,
        vectors: Path | None = None,
    ) -> Index:
        """Open the index at `path`; a missing, corrupt or outdated one is rebuilt empty (then `sync`),
        or with ``rebuild=False`` left as it is and reported by raising `IndexUnavailable`.

        With an `embedder`, posts are also searched by meaning, their passage vectors kept in the
        SQLite file `vectors` (default: `vectors.sqlite3` beside the index folder)."""
        path = Path(path)
        problem = _check(path)
        if problem and not rebuild:
            raise IndexUnavailable(f"search index at {path} is {problem}")
        if problem:
            if problem != "missing":
                log.warning("search index at %s is %s: rebuilding it from the content", path, problem)
            else:
                log.info("no search index at %s yet: creating it", path)
            ix = _create(path)
        else:
            ix = _storage(path).open_index()
        semantic = Semantic(embedder, vectors or path.parent / "vectors.sqlite3") if embedder else None
        return cls(path, ix, Glossary.load(glossary), rebuilt=problem is not None, semantic=semantic)

    # --- writing ----------------------------------------------------------------------------
    def sync(self, posts: Iterable[Post] | PostFiles, *, progress: Progress | None = None) -> SyncReport:
        """Make the index hold exactly `posts`: add new ones, update changed ones, remove the rest;
        then note them for search by meaning (embedding happens later, see `embed`). From `PostFiles`
        each post is read only when it is written: a big archive is never held in memory at once.

        `progress(done, total)` is called as posts are written (for a progress bar)."""
        if isinstance(posts, PostFiles):
            wanted, read = posts.hashes, posts.read
        else:
            held = {p.id: p for p in posts}
            wanted, read = {i: p.hash for i, p in held.items()}, held.get
        report, indexed = self._write(wanted, read, progress)
        if len(report.added) + len(report.updated) >= BIG_SYNC:
            give_back_memory()  # indexing many posts leaves freed memory behind (one new post does not)
        if self.semantic:
            self.semantic.want(indexed, self.get)
        return report

    def _write(
        self, wanted: Mapping[str, str], read: Callable[[str], Post | None], progress: Progress | None
    ) -> tuple[SyncReport, dict[str, str]]:
        """Write the posts that are new or changed (by content hash), delete the others; the report and
        what the index then holds (post id -> hash)."""
        with self._write_lock:
            report = SyncReport(rebuilt=self._rebuilt)
            self._rebuilt = False
            with self._read_lock:
                if not self._searcher.up_to_date():  # another process (`newsbot index`) wrote to it
                    self._reopen()
                    self._known = None
                if self._known is None:  # read once, then kept in step: a big archive is not re-read
                    self._known = self._hashes()  # for every new post
                known = self._known
            report.removed = sorted(known.keys() - wanted.keys())
            report.added = sorted(wanted.keys() - known.keys())
            report.updated = sorted(
                post_id for post_id, post_hash in wanted.items() if known.get(post_id, post_hash) != post_hash
            )
            if not report.changed:
                return report, dict(known)
            todo = report.updated + report.added
            deletions = report.removed
            written: dict[str, str] = {}
            # big syncs go in batches, each its own segment: memory stays flat and Whoosh never sorts
            # one huge pool; only small segments are ever merged (see `_merge_small_segments`)
            for first in range(0, max(len(todo), 1), BATCH):
                batch = todo[first : first + BATCH]
                writer = self._ix.writer(timeout=60.0, limitmb=WRITER_MB, codec=CODEC)
                batch_spills(writer, WRITER_MB)
                try:
                    for post_id in deletions:
                        writer.delete_by_term("id", post_id)
                    deletions = []
                    for done, post_id in enumerate(batch, start=first + 1):
                        post = read(post_id)
                        if post is not None:  # None: its file went or broke since; the next sync sees it
                            write = writer.update_document if post_id in known else writer.add_document
                            write(**_document(post))
                            written[post_id] = post.hash
                        if progress and done % 100 == 0 and done < len(todo):
                            progress(done, len(todo))
                except BaseException:
                    writer.cancel()
                    self._known = None
                    raise
                writer.commit(mergetype=_merge_small_segments)
                if progress:
                    progress(first + len(batch), len(todo))
            report.added = [i for i in report.added if i in written]
            report.updated = [i for i in report.updated if i in written]
            with self._read_lock:
                self._reopen()
                for post_id in report.removed:
                    del known[post_id]
                known.update(written)
            log.info(
                "index synced: %d added, %d updated, %d removed",
                len(report.added),
                len(report.updated),
                len(report.removed),
            )
            return report, dict(known)

    def _reopen(self) -> None:
        """A fresh searcher on the last commit (Whoosh's refresh() can keep stale deletions)."""
        self._searcher.close()
        self._searcher = self._ix.searcher(weighting=BM25F())
        self._ranker = Ranker(self._searcher, self.glossary)

    def _hashes(self) -> dict[str, str]:
        reader = self._searcher.reader()
        if not reader.doc_count():
            return {}
        ids, hashes = reader.column_reader("id"), reader.column_reader("hash")
        return {ids[d]: hashes[d] for d in reader.all_doc_ids()}

    # --- reading ----------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        page: int = 1,
        per_page: int = 5,
        tags: Iterable[str] = (),
        lang: str | None = None,
    ) -> Results:
        """The relevant posts for what a member typed, best first, one page of them."""
        parsed = parse(query)
        parsed.tags += [fold_tag(t) for t in tags if t.strip()]
        parsed.lang = lang or parsed.lang
        page, per_page = max(1, min(int(page), MAX_PAGE)), max(1, min(int(per_page), 50))
        semantic = self.semantic if self.semantic and self.semantic.ready else None
        meaning = self._meaning_soon(semantic, parsed.text)
        outside = False
        with self._read_lock:
            ranker = self._ranker
            self._unknown_tags_to_words(parsed)
            base = self._filters(parsed, dates=False)
            filters = self._filters(parsed)
            plan = ranker.plan(parsed)
            asked = Filters(tuple(parsed.tags), parsed.lang, parsed.dates)
            if not plan.informative:  # "news from March 2023", "#cnd": the posts that fit, newest first
                found = self._listing(filters) if filters else Ranking([], [])
                return self._page(query, None, found, page, per_page, plan, asked)
            limit = max(50, page * per_page * 2)
            closest: list[tuple[int, Span | None]] = []
            if semantic and meaning:
                fused = partial(self._fused, ranker, plan, meaning.result)
                found, passages, closest = fused(self._allowed(filters))
                if not found and parsed.dates:  # the date may be approximate or missing: search without it
                    found, passages, closest = fused(self._allowed(base))
                    outside = bool(found)
            else:
                found, passages = ranker.rank(plan, parsed, self._allowed(filters), limit), {}
                if not found and parsed.dates:
                    found = ranker.rank(plan, parsed, self._allowed(base), limit)
                    outside = bool(found)
            corrected = _corrected(parsed, plan) if found else None
            results = self._page(query, corrected, found, page, per_page, plan, asked, passages, outside)
            if not closest:
                return results
            terms = plan.snippet_terms()
            hints = [self._hit(self._searcher.stored_fields(d), 0.0, terms, span) for d, span in closest]
            return replace(results, nearest=tuple(hints))

    @staticmethod
    def _meaning_soon(semantic: Semantic | None, text: str) -> Closeness | None:
        """How close in meaning every post is to the question, started on another thread (the model and
        the scan release the GIL) while the words are weighed; the scan's end is shared (`Closeness`)."""
        if semantic is None or not text:
            return None
        return Closeness(semantic, text, _EMBEDDING_POOL)

    def _fused(
        self, ranker: Ranker, plan: Plan, closeness: Callable[[], DenseScores], allowed: np.ndarray | None
    ) -> tuple[Ranking, dict[int, Span], list[tuple[int, Span | None]]]:
        """Posts by words and meaning together (see `index.fusion`), and, for those found mainly by
        meaning, the passage that matched (their snippet); when none answers, the closest posts (doc
        number and passage of each) that are close enough to offer."""
        weighed = self._weigh(ranker, plan, closeness, allowed)
        values = evidence(weighed.coverage, weighed.z)
        order = answer_order(values, weighed.coverage, weighed.z)
        dates = ranker.column("date")
        found = [
            Candidate(
                int(weighed.docs[i]), float(weighed.coverage[i]), float(values[i]), dates[weighed.docs[i]]
            )
            for i in order
        ]
        passages = {
            c.docnum: span
            for c in found
            if c.coverage <= RELEVANT  # found mainly by meaning: its snippet is its closest passage
            and (span := self._passage(weighed, c.docnum))
        }
        if found:
            return Ranking(found, []), passages, []
        closest = []
        for i in nearest(values, weighed.coverage).tolist():
            docnum = int(weighed.docs[i])
            by_meaning = weighed.coverage[i] <= RELEVANT  # its snippet is its closest passage
            closest.append((docnum, self._passage(weighed, docnum) if by_meaning else None))
        return Ranking([], []), passages, closest

    @staticmethod
    def _passage(weighed: Weighed, docnum: int) -> Span | None:
        """The passage of a post closest to the question (None: its title, or no vectors)."""
        position = weighed.positions[docnum]
        return weighed.scores.span(position) if position >= 0 else None

    def _weigh(
        self, ranker: Ranker, plan: Plan, closeness: Callable[[], DenseScores], allowed: np.ndarray | None
    ) -> Weighed:
        """The candidates for a question: every post with any of its words, and the posts closest in
        meaning (among the allowed ones). The words are weighed first: `closeness` may still be on its
        way from the embedding thread."""
        by_words = ranker.coverage(plan, allowed)
        scores = closeness()
        positions, docs_at = self._positions(ranker, scores.index)
        closest = docs_at[scores.top(DENSE_CANDIDATES, None if allowed is None else positions[allowed])]
        closest = closest[(closest >= 0) & ~np.isin(closest, by_words.docs)]
        docs = np.concatenate((by_words.docs, closest))
        coverage = np.concatenate((by_words.shares, np.zeros(len(closest))))
        return Weighed(docs, coverage, scores.z_at(positions[docs]), scores, positions)

    def _positions(self, ranker: Ranker, dense: DenseIndex) -> tuple[np.ndarray, np.ndarray]:
        """Each document's position among the passage vectors (-1: none) and each position's document
        (-1: not in the index), for this searcher and this snapshot of the vectors (both change only at
        a sync or when new posts are embedded)."""
        cached = self._positions_cache
        if cached is None or cached[0] is not ranker or cached[1] is not dense:
            where = dense.position
            positions = np.fromiter(
                (where.get(i, -1) if i else -1 for i in ranker.post_ids()), dtype=np.int64
            )
            docs_at = np.full(len(dense), -1, dtype=np.int64)
            docs_at[positions[positions >= 0]] = np.flatnonzero(positions >= 0)
            cached = self._positions_cache = (ranker, dense, positions, docs_at)
        return cached[2], cached[3]

    def evidence(self, query: str, *, dates: bool = True) -> list[Evidence] | None:
        """Every post weighed for a query, best first, before deciding which answer (for tuning and for
        explaining an answer); `dates=False` ignores the query's year or month. None when the query is
        only filters (a listing, not a ranking) or meaning is not ready."""
        parsed = parse(query)
        semantic = self.semantic if self.semantic and self.semantic.ready else None
        meaning = self._meaning_soon(semantic, parsed.text)
        if meaning is None:
            return None
        with self._read_lock:
            self._unknown_tags_to_words(parsed)
            plan = self._ranker.plan(parsed)
            if not plan.informative:
                return None
            allowed = self._allowed(self._filters(parsed, dates=dates))
            weighed = self._weigh(self._ranker, plan, meaning.result, allowed)
            ids = self._ranker.post_ids()
        weighed_posts = [
            Evidence(ids[d], float(c), None if np.isnan(z) else float(z))
            for d, c, z in zip(weighed.docs.tolist(), weighed.coverage, weighed.z, strict=True)
        ]
        return sorted(weighed_posts, key=lambda e: e.value, reverse=True)

    @staticmethod
    def _filters(parsed: ParsedQuery, *, dates: bool = True) -> list[wq.Query]:
        """The query's tag, language and (unless `dates` is false) date filters."""
        filters: list[wq.Query] = [wq.Term("tag", t) for t in parsed.tags]
        filters += [wq.Term("lang", parsed.lang)] if parsed.lang else []
        return [*filters, date_filter(parsed.dates)] if dates and parsed.dates else filters

    def _unknown_tags_to_words(self, parsed: ParsedQuery) -> None:
        """A #tag no post has is probably just a word: search for it instead of filtering on it."""
        for tag in list(parsed.tags):
            if not self._searcher.doc_frequency("tag", tag):
                parsed.tags.remove(tag)
                parsed.words += [Word(0, 0, w, w) for w in tag.split()]

    def _allowed(self, filters: list[wq.Query]) -> np.ndarray | None:
        """The doc numbers the filters leave (None: no filter)."""
        if not filters:
            return None
        return np.fromiter(self._searcher.docs_for_query(_and(filters)), dtype=np.int64)

    def _listing(self, filters: list[wq.Query]) -> Ranking:
        results = self._searcher.search(_and(filters), limit=None, sortedby="date", reverse=True)
        return Ranking([], [docnum for _key, docnum in results.top_n])

    def _page(
        self,
        query: str,
        corrected: str | None,
        found: Ranking,
        page: int,
        per_page: int,
        plan: Plan,
        asked: Filters,
        passages: dict[int, Span] | None = None,
        outside_dates: bool = False,
    ) -> Results:
        docs = found.page((page - 1) * per_page, page * per_page)
        terms = plan.snippet_terms()
        stored = self._searcher.stored_fields
        passages = passages or {}
        hits = [self._hit(stored(d), round(found.score(d), 4), terms, passages.get(d)) for d in docs]
        return Results(query, corrected, hits, len(found), page, per_page, asked, outside_dates)

    def _hit(self, stored: dict, score: float, terms: list[SnippetTerm], passage: Span | None = None) -> Hit:
        post = _post(stored["id"], stored)
        if passage:
            snippet, spans = passage_snippet(post.body, post.lang, terms, passage)
        else:
            snippet, spans = make_snippet(post.body, post.lang, terms, fallback=post.summary)
        return Hit(
            id=post.id,
            title=post.title,
            date=post.date,
            url=post.url,
            tags=post.tags,
            lang=post.lang,
            snippet=snippet,
            highlights=spans,
            score=score,
            summary=post.summary,
        )

    def latest(self, n: int = 5, tags: Iterable[str] = ()) -> list[Hit]:
        """The newest posts (optionally with all of `tags`), newest first, undated last."""
        if n <= 0:
            return []
        filters = [wq.Term("tag", fold_tag(t)) for t in tags if t.strip()]
        with self._read_lock:
            q = _and(filters) or wq.Every()
            results = self._searcher.search(q, limit=n, sortedby="date", reverse=True)
            return [self._hit(hit.fields(), 0.0, []) for hit in results]

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of posts that have it, most used first."""
        with self._read_lock:
            s = self._searcher
            counts = [
                (name, len(list(s.docs_for_query(wq.Term("tagname", name)))))
                for name in s.reader().field_terms("tagname")
            ]
        return sorted(((t, c) for t, c in counts if c), key=lambda tc: (-tc[1], tc[0]))

    def get(self, post_id: str) -> Post | None:
        """The full post, or None if no post has this id."""
        with self._read_lock:
            stored = self._searcher.document(id=post_id)
        return _post(post_id, stored) if stored else None

    def __len__(self) -> int:
        with self._read_lock:
            return self._searcher.doc_count()

    # --- search by meaning --------------------------------------------------------------------
    def embed(self, progress: Progress | None = None) -> EmbedReport:
        """Embed every post that has no passage vectors yet, here and now (`newsbot index`)."""
        if self.semantic is None:
            return EmbedReport(0, 0, 0.0)
        report = self.semantic.embed_pending(progress)
        self.semantic.forget_unused()
        return report

    def embed_in_background(self) -> None:
        """Keep embedding new posts in a background thread; search uses meaning once all are done."""
        if self.semantic is not None:
            self.semantic.start()

    def semantic_status(self) -> SemanticStatus | None:
        """How far embedding has come (None: search by meaning is off)."""
        return self.semantic.status() if self.semantic else None

    def close(self) -> None:
        if self.semantic is not None:
            self.semantic.close()
        with self._write_lock, self._read_lock:
            self._searcher.close()
            self._ix.close()


def give_back_memory() -> None:
    """After a big sync: empty the analysis caches (they fill with the whole archive's vocabulary) and
    hand memory freed by reading and indexing the posts back to the system (glibc keeps it otherwise;
    elsewhere this does nothing)."""
    forget_words()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _merge_small_segments(writer, segments: list) -> list:
    """Whoosh merge policy: merge the segments of fewer than `SMALL_SEGMENT` posts once there are
    `SMALL_SEGMENTS` of them, and never touch the big ones. Each small sync (a new post) writes a
    segment of its own; Whoosh's default policy would then merge big segments too, which took minutes
    at 100,000 posts. This keeps every commit's merging to at most a few hundred posts."""
    small = [s for s in segments if s.doc_count_all() < SMALL_SEGMENT]
    if len(small) < SMALL_SEGMENTS:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def _and(filters: list[wq.Query]) -> wq.Query | None:
    if not filters:
        return None
    return filters[0] if len(filters) == 1 else wq.And(filters)


def _corrected(parsed: ParsedQuery, plan: Plan) -> str | None:
    """The question with its corrected and glossary-read misspelt words, as searched (None: as typed)."""
    fixes = {**plan.spelled, **plan.corrections}
    if not fixes:
        return None
    text = parsed.text
    for i in sorted(fixes, reverse=True):
        word = parsed.words[i]
        if word.end > word.start:
            typed = text[word.start : word.end]
            text = text[: word.start] + _same_case(typed, fixes[i]) + text[word.end :]
    return text


def _same_case(typed: str, word: str) -> str:
    """`word` written the way the user wrote the word it replaces (ESPD -> ESPAD, Comission -> Commission)."""
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _check(path: Path) -> str | None:
    """Why the index at `path` can't be used as it is (None when it can)."""
    if not path.is_dir() or not any(path.iterdir()):
        return "missing"
    try:
        version = json.loads((path / VERSION_FILE).read_text(encoding="utf-8")).get("schema")
    except (OSError, ValueError, AttributeError):
        return "corrupt"
    if version != SCHEMA_VERSION:
        return f"from an older version (schema {version}, now {SCHEMA_VERSION})"
    try:
        ix = _storage(path).open_index()
        try:
            with ix.searcher() as s:
                if sorted(s.schema.names()) != sorted(make_schema().names()):
                    return "from an older version (different fields)"
                if s.doc_count():
                    next(iter(s.all_stored_fields()))
        finally:
            ix.close()
    except Exception as exc:  # any failure to read it means it is corrupt
        log.debug("index check failed: %r", exc)
        return "corrupt"
    return None


def _storage(path: Path) -> FileStorage:
    """The index folder, read with plain file reads. Memory-mapped, a 10k-post index costs about 60 MB
    more resident memory (half pages mapped in, half copies Whoosh makes of what it reads) for about 5 ms
    less p95 in a search by words alone (`bench/search_bench.py`); with search by meaning the words are
    weighed while the question is embedded, and replies are as fast either way."""
    return FileStorage(str(path), supports_mmap=False)


def _create(path: Path) -> windex.Index:
    path.mkdir(parents=True, exist_ok=True)
    for old in path.iterdir():  # only files: an index folder has no sub-folders of ours
        if old.is_file() or old.is_symlink():
            old.unlink()
    ix = _storage(path).create_index(make_schema())
    (path / VERSION_FILE).write_text(json.dumps({"schema": SCHEMA_VERSION}), encoding="utf-8")
    return ix
