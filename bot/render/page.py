"""`Page`, the one type of message the bot composes (HTML text and its buttons), `Copy` for messages it
sends again as they are, and what its buttons carry.

Callback data is tiny (`p:<query key>:<page>`, `r:<post key>`, `t:<tag key>`, `tp:<page of /topics>`,
`l:<lang>`, `n`, and the handlers' own `s:`, `a:` and `f:`); `parse_callback` accepts nothing else of the
first kind.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

_CALLBACK = re.compile(
    r"^(?:p:[0-9a-z]{1,16}:[0-9]{1,5}|r:[0-9a-f]{10}|t:[0-9a-f]{10}|tp:[0-9]{1,4}|l:[a-z]{2}|n)$"
)


@dataclass(frozen=True)
class Page:
    """One message as a chat receives it: HTML text and its buttons."""

    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Copy:
    """Messages sent again as they are (an admin's photo, document, album or forwarded post): copied with
    copyMessage, or copyMessages for several (an album stays one); `caption` (HTML) replaces a single
    message's caption unless it is None."""

    from_chat_id: int
    message_ids: tuple[int, ...]
    caption: str | None = None


@dataclass(frozen=True)
class Album:
    """An album sent anew (sendMediaGroup) from the files of an admin's album: (kind, file_id) of each item,
    in order, `caption` (HTML) on the first."""

    media: tuple[tuple[str, str], ...]
    caption: str = ""


Part = Page | Copy | Album  # one message (or album) of something delivered


@dataclass(frozen=True)
class Callback:
    kind: str  # p (page), r (read post), t (topic), tp (page of topics), l (language), n (no-op)
    key: str = ""
    page: int = 0


def short_key(value: str) -> str:
    """A stable 10-hex-digit key for a post id or tag, small enough for callback data and deep links."""
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:10]


def parse_callback(data: str | None) -> Callback | None:
    """The decoded button, or None for anything this bot did not make."""
    if not data or not _CALLBACK.match(data):
        return None
    kind, _, rest = data.partition(":")
    if kind == "p":
        key, _, page = rest.partition(":")
        return Callback("p", key, int(page)) if int(page) >= 1 else None
    if kind == "tp":
        return Callback("tp", page=int(rest)) if int(rest) >= 1 else None
    return Callback(kind, rest)


def clip(text: str, limit: int) -> str:
    """`text` shortened to about `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:-") + "…"
