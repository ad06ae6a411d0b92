"""Ranking: from a parsed query to a page of relevant hits.

A query is a list of *concepts*: a typed word, or a run of words the glossary knows, with every
equivalent term as an alternative. Posts are ranked by *coverage* first: the IDF-weighted share of the
query's concepts a post contains (a post must cover more than half of what the query is about to be
shown at all, which is what makes "nothing relevant" honest); then by how strongly it matches (saturated
term frequency, exact unstemmed forms) and whether the matches are in the title. Recency only breaks
ties. Posting lists are read whole from the Whoosh index (see `index.postings`) as arrays of doc numbers
and combined with numpy: a query touching 100,000 postings costs milliseconds, not tens of them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
from dataclasses import dataclass
from functools import partial, reduce

import numpy as np
from rapidfuzz.distance import OSA
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from index.analysis import GENERAL_WORDS, WEAK_WORDS, fold, stems
from index.glossary import Glossary
from index.postings import EMPTY, Postings, postings
from index.query import ParsedQuery, Word
from index.snippets import SnippetTerm

GLOSSARY_FACTOR = 0.9
CORRECTED_FACTOR = 0.8
WEAK_FACTOR = 0.0  # framing words never decide what is relevant
K1, B = 1.2, 0.75
EXACT_BONUS = 0.3
GENERAL_FACTOR = 0.4
NAME_FACTOR = 2.0  # an unknown capitalised word mid-question is probably a name no post mentions
RELEVANT = 0.5  # a post must cover more than this share of the query
CLOSE_TO_BEST = 0.6  # ... and at least this share of the best post's coverage
MONTH_TOLERANCE = dt.timedelta(days=10)
CACHE_BYTES = 16 << 20  # posting lists and the like kept per searcher (about 2 million postings)
TERM_BYTES = 80  # what a cached term string costs, roughly


@dataclass
class Alternative:
    words: tuple[str, ...]  # folded words, all required
    factor: float = 1.0


@dataclass
class Concept:
    alternatives: list[Alternative]
    weight: float = 0.0
    weak: bool = False  # only question framing ("news", "anything", "tell me")
    name: bool = False  # typed capitalised mid-question: a place or person the answer must mention


@dataclass
class Candidate:
    docnum: int
    coverage: float
    score: float
    date: int  # ordinal, 0 when undated


@dataclass
class Ranking:
    """Relevant posts: the best ones fully scored, then the rest (deep pages) by coverage only."""

    scored: list[Candidate]
    rest: list[int]  # doc numbers

    def __len__(self) -> int:
        return len(self.scored) + len(self.rest)

    def page(self, start: int, stop: int) -> list[int]:
        head = [c.docnum for c in self.scored[start:stop]]
        return head + self.rest[max(0, start - len(self.scored)) : max(0, stop - len(self.scored))]

    def score(self, docnum: int) -> float:
        return next((c.score for c in self.scored if c.docnum == docnum), 0.0)


@dataclass(frozen=True)
class WordDocs:
    """Where a word occurs: by any of its stems or its exact form."""

    docs: np.ndarray  # ascending doc numbers
    freqs: np.ndarray  # the word's frequency in each (its most frequent stem's; 1 for the exact form alone)
    exact: np.ndarray  # bool per doc: the exact (unstemmed) form is there

    @property
    def nbytes(self) -> int:
        return self.docs.nbytes + self.freqs.nbytes + self.exact.nbytes


@dataclass(frozen=True)
class Coverage:
    """The posts that may cover a query, by ascending doc number, with the share of it each covers."""

    docs: np.ndarray  # int64
    shares: np.ndarray  # float64


@dataclass
class Plan:
    """The analysed query: the concepts to look for and any spelling corrections."""

    concepts: list[Concept]
    corrections: dict[int, str]  # word index -> corrected folded word
    # word index -> the glossary word a misspelt word was read as ("conferense" found as "conference"
    # through its glossary group); for showing what was searched, it does not change the ranking
    spelled: dict[int, str] = dataclasses.field(default_factory=dict)

    @property
    def informative(self) -> bool:
        """Whether the query asks about anything beyond framing words."""
        return any(not c.weak for c in self.concepts)

    def snippet_terms(self) -> list[SnippetTerm]:
        """What snippets look for: each alternative of each concept, as analysed forms per word."""
        return [
            SnippetTerm(number, concept.weight, tuple(frozenset({w}) | stems(w) for w in alt.words))
            for number, concept in enumerate(self.concepts)
            for alt in concept.alternatives
        ]


class Ranker:
    """Plans and ranks queries against one Whoosh searcher (the caller holds the lock)."""

    def __init__(self, searcher: Searcher, glossary: Glossary) -> None:
        self.searcher = searcher
        self.glossary = glossary
        self.n = max(searcher.doc_count(), 1)
        self.size = searcher.reader().doc_count_all()  # doc numbers run from 0 to size - 1
        self.avg_length = _average_length(searcher.reader())
        self._df: dict[str, int] = {}
        self._postings: dict[tuple[str, str], Postings] = {}
        self._words: dict[str, WordDocs] = {}
        self._alternatives: dict[tuple[str, ...], np.ndarray] = {}
        self._term_df: dict[tuple[str, str], int] = {}
        self._cached = 0  # bytes held by the caches above
        self._columns: dict[str, object] = {}
        self._prefixes: dict[tuple[str, str], set[str]] = {}
        self._post_ids: list[str | None] | None = None

    # --- statistics -------------------------------------------------------------------------
    def df(self, word: str) -> int:
        """Posts containing the folded word exactly or by stem."""
        if word not in self._df:
            self._df[word] = max(
                [self.term_df("exact", word), *(self.term_df("text", t) for t in stems(word))]
            )
        return self._df[word]

    def column(self, name: str):
        """A column reader, opened once per searcher (opening one reads every segment's offsets)."""
        if name not in self._columns:
            self._columns[name] = self.searcher.reader().column_reader(name)
        return self._columns[name]

    def post_ids(self) -> list[str | None]:
        """Post ids by doc number (None for deleted documents), read once per searcher."""
        if self._post_ids is None:
            reader = self.searcher.reader()
            ids = self.column("id")
            self._post_ids = [None] * reader.doc_count_all()
            for d in reader.all_doc_ids():
                self._post_ids[d] = ids[d]
        return self._post_ids

    def idf(self, df: int) -> float:
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    # --- planning ---------------------------------------------------------------------------
    def plan(self, parsed: ParsedQuery) -> Plan:
        words = [w.folded for w in parsed.words]
        corrections = {}
        for i, word in enumerate(words):
            if not self._known(word):
                fixed = self._correct(word)
                if fixed:
                    corrections[i] = fixed
                    words[i] = fixed
        matches = {m.start: m for m in self.glossary.matches(words)}
        concepts: list[Concept] = []
        i = 0
        while i < len(words):
            factor = CORRECTED_FACTOR if i in corrections else 1.0
            if i in matches:
                m = matches[i]
                own = tuple(words[m.start : m.end])
                alts = [Alternative(own, factor)]
                alts += [Alternative(t, GLOSSARY_FACTOR * factor) for t in self._distinct(m.terms, own)]
                concepts.append(self._concept(alts, parsed.words[m.start : m.end]))
                i = m.end
            else:
                concepts.append(self._concept([Alternative((words[i],), factor)], [parsed.words[i]]))
                i += 1
        if sum(w.text[:1].isupper() for w in parsed.words) * 2 > len(parsed.words) + 1:
            for concept in concepts:  # Typed Like A Title: capitals say nothing about names
                concept.name = False
        spelled = self._spelled(parsed.words, words, matches.values(), corrections)
        return Plan(concepts, corrections, spelled)

    def _spelled(self, typed: list[Word], words: list[str], matches, corrections: dict[int, str]) -> dict:
        """English words misspelt by one letter that the glossary matched anyway ("conferense" read as
        "conference"): typed in plain Latin letters, in no post and no glossary term, no inflection of any
        word of their group (no shared stem, no added ending: "Ukrajine", "smanjenju"), and one edit from
        a word of the group's first (English) term."""
        spelled = {}
        for match in matches:
            group = {w for term in match.terms for w in term}
            for i in range(match.start, match.end):
                word = words[i]
                if i in corrections or not typed[i].text.isascii() or word in self.glossary.words:
                    continue
                if self.df(word) or any(_inflection(word, w) for w in group):
                    continue
                close = [w for w in match.terms[0] if distance(word, w, limit=1) == 1]
                if close:
                    spelled[i] = min(close)
        return spelled

    def _distinct(self, terms: tuple[tuple[str, ...], ...], own: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Glossary terms that would find other posts than the typed one and each other (inflections
        that the index holds under the same stems are looked up once)."""
        seen = {tuple(map(self._indexed_as, own))}
        out = []
        for term in terms:
            key = tuple(map(self._indexed_as, term))
            if key not in seen:
                seen.add(key)
                out.append(term)
        return out

    def _indexed_as(self, word: str) -> frozenset[str]:
        """The index terms a folded word would be found under."""
        found = frozenset(t for t in stems(word) if self.term_df("text", t))
        return found or frozenset({"=" + word} if self.term_df("exact", word) else ())

    def _known(self, word: str) -> bool:
        """Words never spell-corrected: numbers, corpus and glossary words, and question framing
        ("anything" must not become "another")."""
        return (
            word.isdigit()
            or word in WEAK_WORDS
            or word in GENERAL_WORDS
            or self.df(word) > 0
            or self.glossary.knows(word)
        )

    def _correct(self, word: str) -> str | None:
        """The closest word of the posts or the glossary, within 1 edit (2 for long words)."""
        if len(word) < 4:
            return None
        maxdist = 1 if len(word) < 7 else 2
        options = []
        probes = [("exact", word), *(("text", s) for s in stems(word) | {word})]
        prefix = 1 if len(word) < 6 else 2  # typos in the first letters are rare; this is much faster
        for field, probe in probes:
            for found in self._terms_starting(field, probe[:prefix]):
                if abs(len(found) - len(probe)) > maxdist:  # cheap test before the edit distance
                    continue
                edits = distance(probe, found, limit=maxdist)
                if 0 < edits <= maxdist:
                    options.append((edits, 0, -self.df(found), found, field))
        options += [  # glossary words are many close inflections: one edit only
            (distance(word, w, limit=1), 1, 0, w, "") for w in self.glossary.words_like(word) if w != word
        ]
        options = [o for o in options if 0 < o[0] <= (maxdist if o[1] == 0 else 1)]
        if len(word) == 4:  # short words: only a missing letter ("drgs", "vist"), else "paid" -> "pwid"
            options = [o for o in options if len(o[3]) == 5]
        for *_, found, field in sorted(options):
            fixed = self._surface(found, word) if field == "text" else found
            # a stem's neighbour must still look like what was typed ("coping" is not "comes")
            if distance(word, fold(fixed), limit=maxdist + 2) <= maxdist + 1:
                return fixed
        return None

    def _terms_starting(self, field: str, prefix: str) -> set[str]:
        """The field's terms with this prefix (read segment by segment: no k-way merge)."""
        key = (field, prefix)
        if key not in self._prefixes:
            terms = set()
            for leaf, _base in self.searcher.reader().leaf_readers():
                terms.update(leaf.expand_prefix(field, prefix))
            self._prefixes[key] = {t.decode("utf-8") if isinstance(t, bytes) else t for t in terms}
            self._cached += len(terms) * TERM_BYTES
        return self._prefixes[key]

    def _surface(self, stem_text: str, typed: str) -> str:
        """A word of the posts that has this stem, as close to what was typed as possible."""
        words = list(itertools.islice(self.searcher.reader().expand_prefix("exact", stem_text), 20))
        words = [w.decode("utf-8") if isinstance(w, bytes) else w for w in words]
        return min(words, key=lambda w: distance(typed, w)) if words else stem_text

    def _concept(self, alts: list[Alternative], typed: list[Word]) -> Concept:
        """A concept weighs as much as its most common known form says (idf); unknown ones weigh a lot."""
        known = [alt for alt in alts if all(self.df(w) for w in alt.words)]
        if known:
            weight = min(sum(self.idf(self.df(w)) for w in alt.words) for alt in known)
        else:  # no post says this: it weighs like a rare word, and a name the posts lack even more
            weight = sum(self.idf(1) * (NAME_FACTOR if _name(w) else 1) for w in typed)
        weak = all(w.folded in WEAK_WORDS for w in typed)
        general = weak or all(w.folded in GENERAL_WORDS for w in typed)
        weight *= WEAK_FACTOR if weak else GENERAL_FACTOR if general else 1.0
        name = all(_name(w) and w.text[1:].islower() for w in typed) and not general
        return Concept(alts, weight, weak, name)

    # --- ranking ----------------------------------------------------------------------------
    def postings(self, field: str, term: str) -> Postings:
        key = (field, term)
        found = self._postings.get(key)
        if found is None:
            found = self._postings[key] = postings(self.searcher.reader(), field, term)
            self._cached += found.nbytes
        return found

    def _trim_caches(self) -> None:
        """Forget cached postings once they hold too much (memory stays bounded)."""
        if self._cached > CACHE_BYTES:
            self._postings.clear()
            self._words.clear()
            self._alternatives.clear()
            self._prefixes.clear()
            self._cached = 0

    def _word(self, word: str) -> WordDocs:
        """Where a folded word occurs: by any of its stems, or in its exact form."""
        if word not in self._words:
            found = [self.postings("text", s) for s in sorted(stems(word)) if self.term_df("text", s)]
            exact = self.postings("exact", word) if self.term_df("exact", word) else EMPTY
            shared = len(found) == 1 and np.isin(exact.docs, found[0].docs, assume_unique=True).all()
            if shared:  # the common case: the cached postings themselves, no copy
                docs, freqs = found[0].docs, found[0].freqs
            else:
                docs = reduce(np.union1d, [p.docs for p in found], exact.docs)
                freqs = np.zeros(len(docs), np.float32)
                for stem in found:
                    at = np.searchsorted(docs, stem.docs)
                    freqs[at] = np.maximum(freqs[at], stem.freqs)
                freqs[freqs == 0] = 1.0  # the exact form alone
            where = WordDocs(docs, freqs, np.isin(docs, exact.docs, assume_unique=True))
            self._words[word] = where
            self._cached += where.exact.nbytes if shared else where.nbytes
        return self._words[word]

    def term_df(self, field: str, term: str) -> int:
        key = (field, term)
        if key not in self._term_df:
            self._term_df[key] = self.searcher.doc_frequency(field, term)
        return self._term_df[key]

    def _alternative_docs(self, alt: Alternative) -> np.ndarray:
        """The posts containing every word of an alternative, by ascending doc number."""
        if alt.words not in self._alternatives:
            found = [self._word(w).docs for w in alt.words]
            docs = reduce(partial(np.intersect1d, assume_unique=True), found) if found else EMPTY.docs
            self._alternatives[alt.words] = docs
            self._cached += docs.nbytes
        return self._alternatives[alt.words]

    def rank(self, plan: Plan, parsed: ParsedQuery, allowed: np.ndarray | None, limit: int) -> Ranking:
        """Relevant posts (covering more than half of the query, and close to the best), best first.

        Only the first `limit` are fully scored; the rest follow by coverage (deep pages)."""
        coverage = self.coverage(plan, allowed, RELEVANT)
        best = coverage.shares.max(initial=0.0)
        if best <= RELEVANT:
            return Ranking([], [])
        floor = max(RELEVANT, CLOSE_TO_BEST * best)
        keep = (coverage.shares > floor) | (coverage.shares == best)
        docs, shares = coverage.docs[keep], coverage.shares[keep]
        order = np.lexsort((-docs, -shares))  # equal shares: the post indexed last (usually the newest) first
        relevant, shares = docs[order].tolist(), shares[order].tolist()
        top = dict(zip(relevant[:limit], shares[:limit], strict=True))
        return Ranking(self.score(relevant[:limit], top, plan, parsed), relevant[limit:])

    def coverage(self, plan: Plan, allowed: np.ndarray | None, floor: float = 0.0) -> Coverage:
        """Posts that may cover more than `floor` of the query, with the share they cover (`allowed`: the
        doc numbers a filter leaves, None for all)."""
        concepts = plan.concepts
        total = sum(c.weight for c in concepts)
        if not concepts or total <= 0:
            return Coverage(np.empty(0, np.int64), np.empty(0))
        self._trim_caches()
        # per concept: (docs, factor) for each alternative that occurs at all, best factor first
        found = [
            sorted(
                (
                    (docs, alt.factor)
                    for alt in c.alternatives
                    if all(map(self.df, alt.words)) and len(docs := self._alternative_docs(alt))
                ),
                key=lambda pair: -pair[1],
            )
            for c in concepts
        ]
        # a post covering more than `floor` contains one of the heaviest concepts making up the rest
        candidate = np.zeros(self.size, bool)
        needed = (1 - floor) * total
        for i in sorted(range(len(concepts)), key=lambda i: -concepts[i].weight):
            if needed <= 0:
                break
            for docs, _factor in found[i]:
                candidate[docs] = True
            needed -= concepts[i].weight
        if allowed is not None:
            candidate &= _mask(allowed, self.size)
        for concept, alts in zip(concepts, found, strict=True):
            if concept.name and alts and alts[0][1] == 1.0:  # "in Canada": posts without Canada don't answer
                candidate &= _mask(np.concatenate([docs for docs, _factor in alts]), self.size)
        shares = np.zeros(self.size)
        for concept, alts in zip(concepts, found, strict=True):
            seen = np.zeros(self.size, bool)
            for docs, factor in alts:
                new = docs[candidate[docs] & ~seen[docs]]
                shares[new] += concept.weight * factor / total
                seen[new] = True
        docs = np.flatnonzero(candidate)
        return Coverage(docs, shares[docs])

    def score(
        self, docs: list[int], coverage: dict[int, float], plan: Plan, parsed: ParsedQuery
    ) -> list[Candidate]:
        """Score `docs` by coverage, then how strongly they match (term frequency, exact forms) and
        whether in the title; best first."""
        total = sum(c.weight for c in plan.concepts)
        words = sorted({w for c in plan.concepts for alt in c.alternatives for w in alt.words if self.df(w)})
        lengths = self.column("length")
        at = np.array(docs, np.int64)
        norm = K1 * (1 - B + B * np.array([lengths[d] for d in docs]) / self.avg_length)  # BM25's length norm
        strengths = np.zeros(len(docs))
        for word in words:
            where, idf = self._word(word), self.idf(self.df(word))
            if not len(where.docs):  # only in deleted posts
                continue
            i = np.minimum(np.searchsorted(where.docs, at), len(where.docs) - 1)
            tf = np.where(where.docs[i] == at, where.freqs[i], 0.0)
            strengths += idf * np.where(tf > 0, tf / (tf + norm) + EXACT_BONUS * where.exact[i], 0.0)
        strength = dict(zip(docs, strengths.tolist(), strict=True))
        headings = self.column("heading")
        forms = [
            (c.weight / total, [[stems(w) | {w} for w in alt.words] for alt in c.alternatives])
            for c in plan.concepts
        ]
        in_title = {}
        for d in docs:
            heading = set(headings[d].decode("utf-8").split())
            in_title[d] = sum(
                share for share, alts in forms if any(all(heading & f for f in a) for a in alts)
            )
        top = max(strength.values(), default=0.0) or 1.0
        dates = self.column("date")
        out = []
        for d in docs:
            day = dates[d]
            score = coverage[d] ** 2 * (0.55 + 0.3 * strength[d] / top + 0.15 * min(in_title[d], 1.0))
            score += _date_bonus(day, parsed)
            out.append(Candidate(d, coverage[d], score, day))
        out.sort(key=lambda c: (round(c.score, 6), c.date), reverse=True)
        return out


def _mask(docs: np.ndarray, size: int) -> np.ndarray:
    """The doc numbers as a boolean array over all documents."""
    mask = np.zeros(size, bool)
    mask[docs] = True
    return mask


def _average_length(reader: IndexReader) -> float:
    """Posts' mean length (BM25's norm), summed segment by segment: a segment's sum is kept until its
    deletions change, so a new post in a 100k archive reads only its own small segment."""
    if not reader.doc_count():
        return 1.0
    total = docs = 0
    for leaf, _offset in reader.leaf_readers():
        segment = leaf.segment()
        key = (segment.segment_id(), segment.deleted_count()) if segment is not None else None
        if key is None or key not in _SEGMENT_LENGTHS:
            column = leaf.column_reader("length")
            lengths = [column[d] for d in leaf.all_doc_ids()]
            if key is None:
                total, docs = total + sum(lengths), docs + len(lengths)
                continue
            if len(_SEGMENT_LENGTHS) >= 1024:  # old segments' entries: merged away long ago
                _SEGMENT_LENGTHS.clear()
            _SEGMENT_LENGTHS[key] = (sum(lengths), len(lengths))
        segment_total, segment_docs = _SEGMENT_LENGTHS[key]
        total, docs = total + segment_total, docs + segment_docs
    return total / docs if docs and total else 1.0


_SEGMENT_LENGTHS: dict[tuple[str, int], tuple[int, int]] = {}  # (segment id, deletions) -> (sum, posts)


def _inflection(word: str, other: str) -> bool:
    """Whether two folded words look like forms of one word: a shared stem, or one the other plus an
    ending."""
    return bool(stems(word) & stems(other)) or word.startswith(other) or other.startswith(word)


def _name(word: Word) -> bool:
    """A capitalised word that does not start the question."""
    return word.start > 0 and word.text[:1].isupper()


def _date_bonus(ordinal: int, parsed: ParsedQuery) -> float:
    if not ordinal:
        return 0.0
    day = dt.date.fromordinal(ordinal)
    bonus = 0.08 if day.month in parsed.months else 0.0
    if parsed.dates and parsed.dates[0] <= day <= parsed.dates[1]:
        bonus += 0.1
    return bonus


def date_filter(dates: tuple[dt.date, dt.date]) -> wq.Query:
    """Posts dated in the range, with a little tolerance (post dates are often approximate)."""
    lo, hi = dates
    if (hi - lo).days < 40:
        lo, hi = lo - MONTH_TOLERANCE, hi + MONTH_TOLERANCE
    return wq.NumericRange("date", lo.toordinal(), hi.toordinal())


def distance(a: str, b: str, limit: int | None = None) -> int:
    """How many edits turn `a` into `b` (a letter inserted, deleted or replaced, or two neighbours
    swapped: Whoosh's Damerau-Levenshtein), or `limit` + 1 when it is more than `limit`. rapidfuzz's C++
    is 70 times faster than Whoosh's Python, which took about 40 % of the time spent fixing misspellings."""
    return OSA.distance(a, b, score_cutoff=limit)
