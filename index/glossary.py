"""The glossary: groups of terms that mean the same thing (acronyms, translations, synonyms).

`content/glossary.yaml` is a YAML list; each item is a list of equivalent terms in any language and
script, e.g. ``[cnd, commission on narcotic drugs, komisija za opojne droge]``. Terms are matched after
analysis (folding and stemming), so inflected and diacritic-free forms match too, in both directions.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from index.analysis import STOP_WORDS, WORD_RE, fold, stems

log = logging.getLogger(__name__)

Phrase = tuple[str, ...]  # folded content words
HEAD = 5  # letters a word must share with a glossary word's stem to match by prefix


def phrase_words(text: str) -> Phrase:
    """The folded content words of a glossary term or query span."""
    words = (fold(m.group()) for m in WORD_RE.finditer(text))
    return tuple(w for w in words if w and w not in STOP_WORDS)


def term_key(text: str) -> str:
    """A term as the glossary compares terms: its folded content words (`Smanjenje Štete` and
    `smanjenje stete` are both `smanjenje stete`; `Ministry of Health` is `ministry health`)."""
    return " ".join(phrase_words(text))


def word_keys(word: str) -> frozenset[str]:
    """What a folded word may be matched by: itself and its stems."""
    return frozenset({word}) | stems(word)


def same_word(a: str, b: str) -> bool:
    """Folded words that match: same form or stem, or one's stem (5+ letters) begins the other word
    with at most 4 letters more ("donator" / "donatorska", "prison" / "prisoners")."""
    if word_keys(a) & word_keys(b):
        return True
    return any(
        len(s) >= HEAD and long.startswith(s) and len(long) - len(s) <= 4
        for short, long in ((a, b), (b, a))
        for s in word_keys(short)
    )


@dataclass(frozen=True)
class Match:
    """A run of query words `[start, end)` that is a glossary term; `terms` are all its equivalents."""

    start: int
    end: int
    terms: tuple[Phrase, ...]


class Glossary:
    """Equivalent-term groups, looked up by analysed words."""

    def __init__(self, groups: list[list[str]] | None = None) -> None:
        self.groups: list[tuple[Phrase, ...]] = []
        self._by_first: dict[str, list[tuple[int, Phrase]]] = defaultdict(list)
        self._by_head: dict[str, list[tuple[int, Phrase]]] = defaultdict(list)
        self.words: set[str] = set()
        self._keys: set[str] = set()
        self._by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        for group in groups or []:
            phrases = tuple(dict.fromkeys(p for p in map(phrase_words, group) if p))
            if len(phrases) < 2:
                continue
            for word in {w for p in phrases for w in p} - self.words:
                self._by_shape[(word[:1], len(word))].append(word)
            number = len(self.groups)
            self.groups.append(phrases)
            for phrase in phrases:
                self.words.update(phrase)
                self._keys.update(k for w in phrase for k in word_keys(w))
                for key in word_keys(phrase[0]):
                    self._by_first[key].append((number, phrase))
                if len(phrase[0]) >= HEAD:
                    self._by_head[phrase[0][:HEAD]].append((number, phrase))

    @classmethod
    def load(cls, path: Path | None) -> Glossary:
        """Read a glossary file; a missing or broken file gives an empty glossary and a log line."""
        if path is None or not Path(path).is_file():
            return cls()
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            log.error("glossary %s is not readable, ignoring it: %s", path, exc)
            return cls()
        if not isinstance(data, list):
            log.error("glossary %s must be a list of term lists, ignoring it", path)
            return cls()
        groups = [[str(t) for t in item] for item in data if isinstance(item, list)]
        return cls(groups)

    def __len__(self) -> int:
        return len(self.groups)

    def equivalents(self, text: str) -> list[str]:
        """The `term_key`s of every term meaning the same as the whole of `text` (its own included), or
        none when `text` is not one glossary term (`smanjenju štete` → `harm reduction`, …)."""
        words = list(phrase_words(text))
        found = self.matches(words)
        if len(found) != 1 or (found[0].start, found[0].end) != (0, len(words)):
            return []
        return [" ".join(phrase) for phrase in found[0].terms]

    def words_like(self, word: str) -> list[str]:
        """Glossary words with the same first letter and a length within one of `word`'s."""
        return [
            w
            for n in (len(word) - 1, len(word), len(word) + 1)
            for w in self._by_shape.get((word[:1], n), ())
        ]

    def knows(self, word: str) -> bool:
        """Whether a folded word (or its stem) is part of some glossary term."""
        return bool(word_keys(word) & self._keys) or any(
            same_word(word, p[0]) for _n, p in self._by_head.get(word[:HEAD], ())
        )

    def matches(self, words: list[str]) -> list[Match]:
        """Glossary terms found in `words` (folded content words), longest first, not overlapping."""
        found: list[Match] = []
        i = 0
        while i < len(words):
            # the longest term, then the one with most words as typed ("founded" is not "found"), then the
            # group listed first: (length, words equal as typed, -group)
            best: tuple[int, int, int] | None = None
            for number, phrase in self._candidates(words[i]):
                if not self._phrase_at(words, i, phrase):
                    continue
                exact = sum(w == p for w, p in zip(words[i:], phrase, strict=False))
                best = max(best or (0, 0, 0), (len(phrase), exact, -number))
            if best is None:
                i += 1
                continue
            found.append(Match(i, i + best[0], self.groups[-best[2]]))
            i += best[0]
        return found

    def _candidates(self, word: str) -> list[tuple[int, Phrase]]:
        found = [c for key in word_keys(word) for c in self._by_first.get(key, ())]
        return found + self._by_head.get(word[:HEAD], [])

    @staticmethod
    def _phrase_at(words: list[str], i: int, phrase: Phrase) -> bool:
        if i + len(phrase) > len(words):
            return False
        return all(same_word(w, p) for w, p in zip(words[i : i + len(phrase)], phrase, strict=False))
