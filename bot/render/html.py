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


# splitting a long message ------------------------------------------------------------------------

_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|.", re.DOTALL)
_SENTENCE_END = ".!?…"


def split_html(markup: str, limit: int = MAX_MESSAGE, first_limit: int | None = None) -> list[str]:
    """Telegram HTML cut into pieces of at most `limit` visible units (`first_limit` for the first), at the
    last paragraph break that fits, else a line break, a sentence's end, a space, or anywhere; formatting
    open at a cut is closed there and opened again in the next piece. Text that fits is one piece."""
    chars: list[tuple[str, int]] = []  # visible characters: (markup, UTF-16 units), tags in between
    events: list[tuple[str, str, str] | int] = []  # ("open"/"close", tag name, markup) or a char index
    for match in _TOKEN.finditer(markup):
        if match.group(2):
            events.append(("close" if match.group(1) else "open", match.group(2).lower(), match.group(0)))
        else:
            events.append(len(chars))
            chars.append((match.group(0), units(html.unescape(match.group(0)))))
    visible = "".join(html.unescape(raw) for raw, _ in chars)
    cuts = _cuts(visible, [size for _, size in chars], limit, first_limit or limit)
    pieces, stack, position = [], [], 0
    for start, end in zip([0, *cuts], [*cuts, len(chars)], strict=True):
        out = [raw for _, _, raw in stack]
        while position < len(events):
            event = events[position]
            if isinstance(event, int):
                if event >= end:
                    break
                if event >= start:
                    out.append(chars[event][0])
            elif event[0] == "open":
                if _next_char(events, position) >= end:
                    break  # opened after the cut: it belongs to the next piece
                stack.append(event)
                out.append(event[2])
            else:
                while stack and stack.pop()[1] != event[1]:
                    pass
                out.append(event[2])
            position += 1
        out.extend(f"</{name}>" for _, name, _ in reversed(stack))
        pieces.append("".join(out))
    return [_trim(piece) for piece in pieces]


def _next_char(events: list, position: int) -> int:
    return next((e for e in events[position:] if isinstance(e, int)), 1 << 62)


def _cuts(visible: str, sizes: list[int], limit: int, first_limit: int) -> list[int]:
    """Where to cut (character indexes), preferring paragraph breaks, lines, sentences, spaces."""
    cuts, start = [], 0
    while True:
        budget, end = first_limit if not cuts else limit, start
        while end < len(sizes) and budget >= sizes[end]:
            budget -= sizes[end]
            end += 1
        if end >= len(sizes):
            return cuts
        window = visible[start:end]
        floor = len(window) // 4
        for finder in (
            lambda w: w.rfind("\n\n") + 2,
            lambda w: w.rfind("\n") + 1,
            lambda w: max(w.rfind(f"{c} ") for c in _SENTENCE_END) + 2,
            lambda w: w.rfind(" ") + 1,
        ):
            found = finder(window)
            if found > floor and found > 2:
                end = start + found
                break
        cuts.append(end)
        start = end


def _trim(piece: str) -> str:
    """A piece without the blank lines and spaces left around its cut (inside its tags too)."""
    return re.sub(r"^((?:<[^>]+>)*)\s+", r"\1", re.sub(r"\s+((?:</[^>]+>)*)$", r"\1", piece))
