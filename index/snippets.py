"""Snippets: the one or two sentences of a post that best answer a query, with spans to bold.

Whoosh's highlighter is slow in pure Python; this works on the stored body with the shared analysis:
split into sentences, score each by the (weighted) query concepts it contains, keep the best one or two.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from index.analysis import WORD_RE, word_forms

MAX_LEN = 300
_LINE_RE = re.compile(r"[^\n•]+")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=\S)")
_GAP = " … "

Span = tuple[int, int]


def sentences(text: str) -> list[Span]:
    """(start, end) spans of the sentences (and list items) of `text`, whitespace trimmed."""
    out: list[Span] = []
    for line in _LINE_RE.finditer(text):
        start = line.start()
        for cut in [*(m for m in _SENTENCE_END_RE.finditer(line.group())), None]:
            end = line.start() + cut.start() if cut else line.end()
            piece = text[start:end]
            stripped = piece.strip(" \t\r-*>#")
            if any(c.isalnum() for c in stripped):
                offset = start + piece.index(stripped)
                out.append((offset, offset + len(stripped)))
            if cut:
                start = line.start() + cut.end()
    return out


class SnippetTerm(NamedTuple):
    """One way a query concept can appear: every word (as its analysed forms) must be in the sentence."""

    concept: int
    weight: float
    words: tuple[frozenset[str], ...]


def make_snippet(
    text: str, lang: str, terms: Sequence[SnippetTerm], fallback: str | None = None
) -> tuple[str, tuple[Span, ...]]:
    """The best one or two sentences of `text` for the query `terms`, and the spans of the matches."""
    spans = sentences(text)
    found = _matches(text, lang, terms, spans)
    scored = []
    for number, matches in found.items():
        present = set().union(*(hit for _s, _e, hit in matches))
        terms_in = [t for t in terms if all(forms & present for forms in t.words)]
        if not terms_in:
            continue
        forms_in = set().union(*(forms for t in terms_in for forms in t.words))
        marks = [(s, e) for s, e, hit in matches if hit & forms_in]
        concepts = {t.concept: t.weight for t in terms_in}
        score = sum(concepts.values()) + 0.05 * min(len(marks), 4) - 0.001 * number
        scored.append((score, number, spans[number], set(concepts), marks))
    if not scored:
        if fallback:
            return _fit(fallback, [(0, len(fallback))], [])
        return _fit(text, spans[:2], [])
    best = max(scored, key=lambda s: (s[0], -s[1]))
    chosen = [best]
    room = MAX_LEN - (best[2][1] - best[2][0]) - len(_GAP)
    extra = [s for s in scored if s is not best and s[3] - best[3] and s[2][1] - s[2][0] <= room]
    if extra:
        weights = {t.concept: t.weight for t in terms}
        chosen.append(max(extra, key=lambda s: (sum(weights[c] for c in s[3] - best[3]), -s[1])))
    chosen.sort(key=lambda s: s[1])
    return _fit(text, [s[2] for s in chosen], [m for s in chosen for m in s[4]])


def _matches(
    text: str, lang: str, terms: Sequence[SnippetTerm], spans: list[Span]
) -> dict[int, list[tuple[int, int, set[str]]]]:
    """Sentence number -> the query words found in it: (start, end, their matching forms)."""
    wanted = set().union(*(forms for t in terms for forms in t.words))
    starts = [start for start, _end in spans]
    found: dict[int, list[tuple[int, int, set[str]]]] = defaultdict(list)
    if wanted:
        for m in WORD_RE.finditer(text):
            for exact, word_stem in word_forms(m.group(), lang):
                if exact in wanted or word_stem in wanted:
                    hit = {exact, word_stem} & wanted
                    found[max(bisect_right(starts, m.start()) - 1, 0)].append((m.start(), m.end(), hit))
    return found


def _fit(text: str, spans: list[Span], marks: list[Span]) -> tuple[str, tuple[Span, ...]]:
    """Join the chosen sentence spans into one snippet, cutting a long one around its first mark."""
    if len(spans) == 1 and spans[0][1] - spans[0][0] > MAX_LEN:
        spans = [_window(text, spans[0], marks)]
    parts: list[str] = []
    shifted: list[Span] = []
    pos = 0
    previous_end = None
    for start, end in spans:
        if parts:
            gap = " " if previous_end is not None and not text[previous_end:start].strip() else _GAP
            parts.append(gap)
            pos += len(gap)
        prefix = "…" if start > 0 and len(spans) == 1 and not _at_sentence_start(text, start) else ""
        suffix = "…" if len(spans) == 1 and end < len(text) and text[end - 1] not in ".!?" else ""
        parts.append(prefix + text[start:end] + suffix)
        base = pos + len(prefix)
        shifted += [(s - start + base, e - start + base) for s, e in marks if start <= s and e <= end]
        pos += len(prefix) + (end - start) + len(suffix)
        previous_end = end
    snippet = "".join(parts)
    return snippet, tuple(_merge_adjacent(snippet, shifted))


def _merge_adjacent(snippet: str, marks: list[Span]) -> list[Span]:
    """Marks separated only by spaces become one ("Working group 4" bold as a whole)."""
    merged: list[Span] = []
    for start, end in sorted(marks):
        if merged and not snippet[merged[-1][1] : start].strip(" "):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _at_sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?\n•"


def _window(text: str, span: Span, marks: list[Span]) -> Span:
    start, end = span
    inside = [m for m in marks if start <= m[0] < end]
    first = inside[0][0] if inside else start
    lo = max(start, min(first - 60, end - MAX_LEN))
    if lo > start:
        space = text.find(" ", lo, first + 1)
        lo = space + 1 if space != -1 else lo
    hi = min(end, lo + MAX_LEN - 2)
    if hi < end:
        space = text.rfind(" ", lo, hi)
        hi = space if space > lo else hi
    return lo, hi


def passage_snippet(
    text: str, lang: str, terms: Sequence[SnippetTerm], span: Span
) -> tuple[str, tuple[Span, ...]]:
    """The sentences of `text` inside `span` (a passage found by meaning), cut to fit, with the query's
    words marked only where they really occur."""
    inside = [s for s in sentences(text) if span[0] <= s[0] and s[1] <= span[1]] or [span]
    found = _matches(text, lang, terms, inside)
    marks = [(s, e) for matches in found.values() for s, e, _hit in matches if span[0] <= s and e <= span[1]]

    def marked(sentence: Span) -> int:
        return sum(sentence[0] <= s and e <= sentence[1] for s, e in marks)

    while len(inside) > 1 and inside[-1][1] - inside[0][0] > MAX_LEN:  # drop the end with fewer marks
        inside.pop(-1 if marked(inside[-1]) <= marked(inside[0]) else 0)
    start, end = inside[0][0], inside[-1][1]
    return _fit(text, [(start, end)], [m for m in marks if start <= m[0] and m[1] <= end])
