"""Telegram HTML in one place: escaping, hashtags, and the length Telegram counts after parsing
entities."""

from __future__ import annotations

import html
import re

MAX_MESSAGE = 4096  # visible characters (UTF-16 code units) after entity parsing
MAX_CAPTION = 1024  # the same, for a media message's caption
_TAG = re.compile(r"<[^>]*>")


def escape(text: str) -> str:
    """Escape text for a Telegram HTML message body (only &, < and > are special there)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    """Escape text for a double-quoted attribute value (e.g. a link's href)."""
    return escape(text).replace('"', "&quot;")


def hashtag(tag: str) -> str:
    """A tag as Telegram links it: `#drug_policy` (a space or a dash would end the hashtag)."""
    return "#" + re.sub(r"\W+", "_", tag.strip()).strip("_")


def visible_text(markup: str) -> str:
    """What the user sees: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", markup))


def units(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts message length and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(markup: str) -> int:
    return units(visible_text(markup))
