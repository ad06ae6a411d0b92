"""Topics, i.e. the posts' tags, as members and admins name them: one rule for /subscribe, /unsubscribe,
/topics, /announce and `newsbot announce`.

A tag is typed `#Drug_Policy` or `drug policy`; posts store it as `drug policy`. It is found however it
is written (case, diacritics, Cyrillic: `Smanjenje Štete`, `смањење штете`) and under any term the
glossary gives for it (`/subscribe smanjenje štete` finds the tag `harm reduction`). `Topics` is the list
of known tags (with post counts) and the lookups over it: the tags a text names, the one tag an
announcement targets, close spellings to suggest, a tag from its short key. It is plain data, built at
each index sync off the event loop (`bot.services`) or from the posts (`newsbot announce`): no lookup
touches the index.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from bot.render.page import short_key
from index import Glossary, Post, term_key

MAX_SUGGESTIONS = 6
MAX_TOPIC = 64  # characters kept (and echoed back) of a topic name no post has
MAX_NAMED = 10  # topics read from one command: `/subscribe cnd unodc …` beyond that is not read


def normalise(text: str) -> str:
    """How a tag is typed (`#Drug_Policy`, `drug policy`) → how posts store it (`drug policy`)."""
    return " ".join(text.replace("_", " ").lstrip("#").split()).lower()


def typed_name(text: str) -> str:
    """A topic a member typed that no post has, as it is stored and echoed: normalised and at most
    `MAX_TOPIC` characters (a 4,000-character argument must not come back as a 4,000-character tag)."""
    return normalise(text)[:MAX_TOPIC].strip()


@dataclass(frozen=True)
class Topics:
    """The known tags with their post counts, most used first, and the glossary that names them too."""

    counts: Sequence[tuple[str, int]] = ()
    glossary: Glossary = field(default_factory=Glossary, compare=False, repr=False)

    @classmethod
    def from_posts(cls, posts: Iterable[Post], glossary: Glossary | None = None) -> Topics:
        """The tags of `posts`, counted and ordered as the index orders them."""
        counted = Counter(tag for post in posts for tag in post.tags)
        ordered = tuple(sorted(counted.items(), key=lambda tc: (-tc[1], tc[0])))
        return cls(ordered, glossary or Glossary())

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(tag for tag, _count in self.counts)

    @cached_property
    def _by_key(self) -> dict[str, str]:
        return {short_key(tag): tag for tag, _count in self.counts}

    def by_key(self, key: str) -> str | None:
        """The tag whose short key (in buttons and deep links) is `key`."""
        return self._by_key.get(key)

    @cached_property
    def _by_term(self) -> dict[str, str]:
        return {key: tag for tag, _count in reversed(self.counts) if (key := term_key(tag))}

    def known(self, text: str) -> str | None:
        """The known tag `text` names, however written, directly or through the glossary."""
        name = normalise(text)
        if name in self.names:
            return name
        for key in (term_key(name), *self.glossary.equivalents(name)):
            if key in self._by_term:
                return self._by_term[key]
        return None

    def find(self, text: str) -> list[str] | None:
        """The known tags `text` names: the whole text as one tag, or each `#tag`/word (the first
        `MAX_NAMED`); None if any is unknown."""
        whole = self.known(text)
        if whole is not None:
            return [whole]
        parts = [p for p in re.split(r"[,\s]+", text) if normalise(p)][:MAX_NAMED]
        found = [self.known(p) for p in parts]
        if len(parts) > 1 and all(found):
            return list(dict.fromkeys(tag for tag in found if tag))
        return None

    def one(self, text: str) -> str | None:
        """The single known tag `text` names (an announcement's target), else None."""
        found = self.find(text)
        return found[0] if found is not None and len(found) == 1 else None

    def suggestions(self, text: str) -> list[str]:
        """Known tags that look like `text`: close spellings first, then tags containing it."""
        wanted = normalise(text)
        known = [tag for tag, _count in self.counts]
        close = difflib.get_close_matches(wanted, known, n=MAX_SUGGESTIONS, cutoff=0.6)
        words = set(wanted.split())
        related = [tag for tag in known if tag not in close and (wanted in tag or words & set(tag.split()))]
        return (close + related)[:MAX_SUGGESTIONS]
