"""Ranking: from a parsed query to a page of relevant hits.

A query is a list of *concepts*: a typed word, or a run of words the glossary knows, with every
equivalent term as an alternative. Whoosh (BM25F over title/text/exact fields, OR of everything plus
phrase clauses) picks candidates; they are then re-ranked by *coverage*: the IDF-weighted share of the
query's concepts a post contains. A post must cover more than half of what the query is about to be
shown at all, which is what makes "nothing relevant" honest. Recency only breaks ties.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance

from index.analysis import GENERAL_WORDS, WEAK_WORDS, stems
from index.glossary import Glossary
from index.query import ParsedQuery, Word
from index.snippets import SnippetTerm

TITLE_BOOST = 2.5
EXACT_BOOST = 0.6
PHRASE_BOOST = 1.5
GLOSSARY_FACTOR = 0.9
CORRECTED_FACTOR = 0.8
WEAK_FACTOR = 0.15
GENERAL_FACTOR = 0.4
NAME_FACTOR = 2.0  # an unknown capitalised word mid-question is probably a name no post mentions
RELEVANT = 0.5  # a post must cover more than this share of the query
CLOSE_TO_BEST = 0.6  # ... and at least this share of the best post's coverage
MONTH_TOLERANCE = dt.timedelta(days=10)


@dataclass
class Alternative:
    words: tuple[str, ...]  # folded words, all required
    factor: float = 1.0


@dataclass
class Concept:
    alternatives: list[Alternative]
    weight: float = 0.0
    weak: bool = False  # only question framing ("news", "anything", "tell me")


@dataclass
class Candidate:
    docnum: int
    stored: dict
    coverage: float
    score: float


@dataclass
class Plan:
    """The analysed query: concepts to look for, the Whoosh query, and any spelling corrections."""

    concepts: list[Concept]
    query: wq.Query | None
    corrections: dict[int, str]  # word index -> corrected folded word

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
        self._df: dict[str, int] = {}

    # --- statistics -------------------------------------------------------------------------
    def df(self, word: str) -> int:
        """Posts containing the folded word exactly or by stem."""
        if word not in self._df:
            s = self.searcher
            self._df[word] = max(
                [s.doc_frequency("exact", word), *(s.doc_frequency("text", t) for t in stems(word))]
            )
        return self._df[word]

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
                alts += [Alternative(t, GLOSSARY_FACTOR * factor) for t in m.terms if t != own]
                concepts.append(self._concept(alts, parsed.words[m.start : m.end]))
                i = m.end
            else:
                concepts.append(self._concept([Alternative((words[i],), factor)], [parsed.words[i]]))
                i += 1
        return Plan(concepts, self._whoosh_query(concepts), corrections)

    def _known(self, word: str) -> bool:
        return word.isdigit() or self.df(word) > 0 or self.glossary.knows(word)

    def _correct(self, word: str) -> str | None:
        """The closest corpus or glossary word, if one is within 1 edit (2 for long words)."""
        if len(word) < 4:
            return None
        maxdist = 1 if len(word) < 7 else 2
        options = [
            (distance(word, w, limit=maxdist), 0, -self.df(w), w)
            for w in self.searcher.reader().terms_within("exact", word, maxdist, prefix=1)
        ]
        options += [  # glossary words are many close inflections: one edit only
            (distance(word, w, limit=1), 1, 0, w)
            for w in self.glossary.words
            if w[:1] == word[:1] and abs(len(w) - len(word)) <= 1
        ]
        options = [o for o in options if 0 < o[0] <= (maxdist if o[1] == 0 else 1)]
        if len(word) == 4:  # short words: only a missing letter ("drgs", "vist"), else "paid" -> "pwid"
            options = [o for o in options if len(o[3]) == 5]
        return min(options)[3] if options else None

    def _concept(self, alts: list[Alternative], typed: list[Word]) -> Concept:
        """A concept weighs as much as its most common known form says (idf); unknown ones weigh a lot."""
        known = [alt for alt in alts if all(self.df(w) for w in alt.words)]
        if known:
            weight = min(sum(self.idf(self.df(w)) for w in alt.words) for alt in known)
        else:  # no post says this: it weighs like a rare word, and a name the posts lack even more
            weight = sum(self.idf(1) * (NAME_FACTOR if _name(w) else 1) for w in typed)
        weak = all(w.folded in WEAK_WORDS for w in typed)
        if weak:
            weight *= WEAK_FACTOR
        elif all(w.folded in GENERAL_WORDS for w in typed):
            weight *= GENERAL_FACTOR
        return Concept(alts, weight, weak)

    def _word_query(self, word: str) -> wq.Query | None:
        s = self.searcher
        terms = []
        for t in stems(word):
            if s.doc_frequency("text", t):
                terms += [wq.Term("title", t, boost=TITLE_BOOST), wq.Term("text", t)]
        if s.doc_frequency("exact", word):
            terms.append(wq.Term("exact", word, boost=EXACT_BOOST))
        return wq.Or(terms) if terms else None

    def _whoosh_query(self, concepts: list[Concept]) -> wq.Query | None:
        clauses: list[wq.Query] = []
        for concept in concepts:
            for alt in concept.alternatives:
                parts = [self._word_query(w) for w in alt.words]
                if all(parts):
                    clauses.append(parts[0] if len(parts) == 1 else wq.And(parts))
                    if len(parts) > 1:
                        clauses.append(self._phrase(alt.words))
        singles = [c.alternatives[0].words[-1] for c in concepts]
        for a, b in itertools.pairwise(singles):
            if self.df(a) and self.df(b):
                clauses.append(self._phrase((a, b)))
        return wq.Or(clauses) if clauses else None

    @staticmethod
    def _phrase(words: tuple[str, ...]) -> wq.Query:
        variants = {tuple(sorted(stems(w))[k % len(stems(w))] for w in words) for k in range(2)}
        return wq.Or([wq.Phrase("text", list(v), slop=2, boost=PHRASE_BOOST) for v in variants])

    # --- ranking ----------------------------------------------------------------------------
    def rank(self, plan: Plan, parsed: ParsedQuery, filter_q: wq.Query | None, limit: int) -> list[Candidate]:
        """Relevant candidates, best first."""
        if plan.query is None:
            return []
        hits = list(self.searcher.search(plan.query, limit=limit, filter=filter_q, terms=True))
        if not hits:
            return []
        total_weight = sum(c.weight for c in plan.concepts) or 1.0
        top = hits[0].score or 1.0
        out = []
        for hit in hits:
            matched = hit.matched_terms()
            texts = {t.decode("utf-8") if isinstance(t, bytes) else t for _f, t in matched}
            titles = {t.decode("utf-8") if isinstance(t, bytes) else t for f, t in matched if f == "title"}
            covered = sum(c.weight * self._matched(c, texts) for c in plan.concepts) / total_weight
            in_title = sum(c.weight * self._matched(c, titles) for c in plan.concepts) / total_weight
            stored = hit.fields()
            score = covered**2 * (0.55 + 0.3 * hit.score / top + 0.15 * in_title)
            score += _date_bonus(stored.get("date"), parsed)
            out.append(Candidate(hit.docnum, stored, covered, score))
        best = max(c.coverage for c in out)
        if best <= RELEVANT:
            return []
        keep = [c for c in out if c.coverage > RELEVANT and c.coverage >= CLOSE_TO_BEST * best]
        keep.sort(key=lambda c: (round(c.score, 6), c.stored.get("date") or ""), reverse=True)
        return keep

    @staticmethod
    def _matched(concept: Concept, texts: set[str]) -> float:
        best = 0.0
        for alt in concept.alternatives:
            hits = [bool(texts & ({w} | stems(w))) for w in alt.words]
            share = sum(hits) / len(hits)
            best = max(best, alt.factor if share == 1 else 0.5 * share * alt.factor)
        return best


def _name(word: Word) -> bool:
    """A capitalised word that does not start the question."""
    return word.start > 0 and word.text[:1].isupper()


def _date_bonus(iso: str | None, parsed: ParsedQuery) -> float:
    if not iso:
        return 0.0
    day = dt.date.fromisoformat(iso)
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
