"""What searching and syncing return."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hit:
    """One post found, with the sentence(s) that answer and the spans to show in bold."""

    id: str
    title: str
    date: dt.date | None
    url: str | None
    tags: tuple[str, ...]
    lang: str
    snippet: str  # plain text, at most about 300 characters
    highlights: tuple[tuple[int, int], ...]  # (start, end) character spans in `snippet`
    score: float
    summary: str | None = None


@dataclass(frozen=True)
class Filters:
    """What a search was limited to: tags, the posts' language, a span of dates (a year or a month)."""

    tags: tuple[str, ...] = ()
    lang: str | None = None
    dates: tuple[dt.date, dt.date] | None = None

    def __bool__(self) -> bool:
        return bool(self.tags or self.lang or self.dates)


@dataclass(frozen=True)
class Results:
    """One page of hits for a query; empty when no post is relevant.

    When no relevant post falls within the dates asked for, the relevant posts of other dates are given
    instead and `outside_dates` says so (a year in a question is often approximate); the other filters
    are never relaxed. When nothing is relevant, the posts closest to the question may still be given as
    `nearest`, to be shown as such ("the closest I have; they may not answer this")."""

    query: str  # as typed
    corrected: str | None  # the query actually searched, when spelling correction changed it
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    filters: Filters = Filters()
    outside_dates: bool = False  # nothing relevant within filters.dates: these hits are from other dates
    nearest: tuple[Hit, ...] = ()  # no hits: the closest posts, best first, offered as leads, not answers

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0


@dataclass
class SyncReport:
    """What `Index.sync` changed (post ids), and whether the index had to be rebuilt from scratch."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)
