"""Topics, i.e. the posts' tags, as members and admins name them: one rule for /subscribe, /topics,
/announce and `newsbot announce`.

A tag is typed `#Drug_Policy` or `drug policy`; posts store it as `drug policy`. `Topics` is the list of
known tags (with post counts) and the lookups over it: the tags a text names, the one tag an announcement
targets, close spellings to suggest, a tag from its short key. It is plain data, built at each index sync
off the event loop (`bot.services`) or from the posts (`newsbot announce`): no lookup touches the index.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from bot.render.page import short_key
from index import Post

MAX_SUGGESTIONS = 6


def normalise(text: str) -> str:
    """How a tag is typed (`#Drug_Policy`, `drug policy`) → how posts store it (`drug policy`)."""
    return " ".join(text.replace("_", " ").lstrip("#").split()).lower()


@dataclass(frozen=True)
class Topics:
    """The known tags with their post counts, most used first."""

    counts: Sequence[tuple[str, int]] = ()

    @classmethod
    def from_posts(cls, posts: Iterable[Post]) -> Topics:
        """The tags of `posts`, counted and ordered as the index orders them."""
        counted = Counter(tag for post in posts for tag in post.tags)
        return cls(tuple(sorted(counted.items(), key=lambda tc: (-tc[1], tc[0]))))

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(tag for tag, _count in self.counts)

    @cached_property
    def _by_key(self) -> dict[str, str]:
        return {short_key(tag): tag for tag, _count in self.counts}

    def by_key(self, key: str) -> str | None:
        """The tag whose short key (in buttons and deep links) is `key`."""
        return self._by_key.get(key)

    def find(self, text: str) -> list[str] | None:
        """The known tags `text` names: the whole text as one tag, or each `#tag`/word; None if any is
        unknown."""
        whole = normalise(text)
        if whole in self.names:
            return [whole]
        parts = [normalise(p) for p in re.split(r"[,\s]+", text) if normalise(p)]
        if len(parts) > 1 and all(p in self.names for p in parts):
            return list(dict.fromkeys(parts))
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
