"""Telegram's HTML parse mode, reimplemented strictly for the fake Bot API.

`parse_html(text)` turns a message written with ``parse_mode=HTML`` into the plain text and the entities
Telegram would store, or raises `EntityParseError` with the description Telegram gives
("Bad Request: can't parse entities: ..."). The rules follow the Bot API's "HTML style" section and the
server's parser: only the documented tags, attributes quoted or bare, the four named entities plus numeric
ones (an unknown ``&name;`` stays literal text), and offsets in UTF-16 code units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# tag -> entity type (span and blockquote are refined by their attributes)
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]*));")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_-]*")
_STRIP = " \t\n\r\x0b\x0c"
# Nesting rules of the Bot API ("Formatting options"): styles may nest in anything but pre/code; quotes don't
# nest in quotes; links, code, pre and custom emoji don't contain each other.
_STYLES = frozenset({"bold", "italic", "underline", "strikethrough", "spoiler"})
_QUOTES = frozenset({"blockquote", "expandable_blockquote"})
_CODE = frozenset({"code", "pre"})
_ATOMS = frozenset({"text_link", "code", "pre", "custom_emoji"})


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; `str(error)` is Telegram's full description."""

    def __init__(self, reason: str):
        super().__init__(f"Bad Request: can't parse entities: {reason}")
        self.reason = reason


@dataclass
class Parsed:
    """The result of parsing: plain text, Bot API entity dicts, and silent losses worth knowing about."""

    text: str
    entities: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


@dataclass
class _Open:
    tag: str
    start: int  # UTF-16 offset in the output
    entity: dict | None  # None when the tag produces no entity (e.g. a link with an invalid URL)
    order: int = 0  # position among start tags: outer entities first when spans are equal


def _decode_entities(raw: str, warnings: list[str]) -> str:
    def replace(match: re.Match) -> str:
        decimal, hexadecimal, name = match.groups()
        if name is not None:
            if name in _NAMED_ENTITIES:
                return _NAMED_ENTITIES[name]
            warnings.append(f"unsupported named entity &{name}; shown literally")
            return match.group(0)
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return match.group(0)
        return chr(code)

    return _ENTITY.sub(replace, raw)


def _valid_url(url: str) -> bool:
    if url.startswith("tg://"):
        return True
    parts = urlsplit(url if "://" in url else f"http://{url}")
    return parts.scheme in {"http", "https", "ftp", "tonsite"} and "." in (parts.hostname or "")


def parse_html(text: str) -> Parsed:
    """Parse `text` as Telegram does for ``parse_mode=HTML`` (see the module docstring)."""
    out: list[str] = []
    length = 0  # UTF-16 length of the output so far
    stack: list[_Open] = []
    entities: list[tuple[int, dict]] = []
    warnings: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char != "<":
            end = text.find("<", i)
            end = n if end < 0 else end
            chunk = _decode_entities(text[i:end], warnings)
            out.append(chunk)
            length += utf16_len(chunk)
            i = end
            continue
        begin = i
        if i + 1 < n and text[i + 1] == "/":
            i += 2
            name_start = i
            while i < n and text[i].isascii() and (text[i].isalnum() or text[i] == "-"):
                i += 1
            name = text[name_start:i].lower()
            while i < n and text[i] in _STRIP:
                i += 1
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            if i >= n or text[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            i += 1
            top = stack.pop()
            if name != top.tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, expected "</{top.tag}>", '
                    f'found "</{name}>"'
                )
            if top.entity is not None and length > top.start:
                top.entity["offset"] = top.start
                top.entity["length"] = length - top.start
                entities.append((top.order, top.entity))
            continue
        i += 1
        name_start = i
        while i < n and text[i] not in _STRIP and text[i] not in ">/":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        name = text[name_start:i].lower()
        if name not in _TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}'
            )
        attributes, i = _parse_attributes(text, i, name, begin, warnings)
        entity = _entity_for(name, attributes, stack, begin, text, warnings)
        if entity is not None:
            _check_nesting(entity["type"], stack, name, _byte_offset(text, begin))
        stack.append(_Open(name, length, entity, order=begin))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    ordered = [e for _, e in sorted(entities, key=lambda oe: (oe[1]["offset"], -oe[1]["length"], oe[0]))]
    return _strip("".join(out), ordered, warnings)


def _parse_attributes(
    text: str, i: int, tag: str, begin: int, warnings: list[str]
) -> tuple[dict[str, str], int]:
    """Attributes of the start tag whose name ended at `i`; returns them and the index after ``>``."""
    n = len(text)
    attributes: dict[str, str] = {}
    while True:
        while i < n and text[i] in _STRIP:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] == ">":
            return attributes, i + 1
        if text[i] == "/" and i + 1 < n and text[i + 1] == ">":
            raise EntityParseError(
                f'Unsupported start tag "{tag}/" at byte offset {_byte_offset(text, begin)}'
            )
        name = _ATTRIBUTE_NAME.match(text, i).group(0).lower()  # type: ignore[union-attr]
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        i += len(name)
        while i < n and text[i] in _STRIP:
            i += 1
        if i < n and text[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attributes[name] = ""
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {_byte_offset(text, begin)}"
            )
        i += 1
        while i < n and text[i] in _STRIP:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[i] in "'\"":
            quote = text[i]
            end = text.find(quote, i + 1)
            if end < 0:
                raise EntityParseError(
                    f'Unclosed end of attribute value in the tag "{tag}" '
                    f"at byte offset {_byte_offset(text, begin)}"
                )
            value = _decode_entities(text[i + 1 : end], warnings)
            i = end + 1
        else:
            end = i
            while end < n and text[end] not in _STRIP and text[end] != ">":
                end += 1
            value = _decode_entities(text[i:end], warnings)
            i = end
        attributes[name] = value


def _entity_for(
    tag: str, attributes: dict[str, str], stack: list[_Open], begin: int, text: str, warnings: list[str]
) -> dict | None:
    kind = _TAGS[tag]
    if tag == "span":
        if attributes.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
            )
        return {"type": "spoiler"}
    if tag == "a":
        url = attributes.get("href", "")
        if not _valid_url(url):
            warnings.append(f"link with invalid href {url!r} dropped (text kept, not clickable)")
            return None
        return {"type": "text_link", "url": url}
    if tag == "tg-emoji":
        emoji_id = attributes.get("emoji-id", "")
        if not emoji_id.isdigit():
            raise EntityParseError(
                f"Invalid custom emoji identifier specified at byte offset {_byte_offset(text, begin)}"
            )
        return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attributes else "blockquote"}
    if tag == "code" and stack and stack[-1].tag == "pre" and stack[-1].entity is not None:
        language = attributes.get("class", "")
        if language.startswith("language-") and len(language) > len("language-"):
            stack[-1].entity["language"] = language[len("language-") :]
        return None  # <pre><code> is one pre entity
    return {"type": kind}


def _check_nesting(kind: str, stack: list[_Open], tag: str, offset: int) -> None:
    for outer in stack:
        if outer.entity is None:
            continue
        around = outer.entity["type"]
        if (
            (kind in _QUOTES and around in _QUOTES)
            or (kind in _STYLES and around in _CODE)
            or (kind in _CODE and around in _STYLES)
            or (kind in _ATOMS and around in _ATOMS)
        ):
            raise EntityParseError(
                f'"{tag}" can\'t be nested inside "{outer.tag}" at byte offset {offset} '
                "(Bot API formatting rules; Telegram would drop or mangle it)"
            )


def _strip(text: str, entities: list[dict], warnings: list[str]) -> Parsed:
    """Trim leading/trailing whitespace as Telegram does, moving and clipping entities to match."""
    stripped = text.lstrip(_STRIP)
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip(_STRIP)
    total = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return Parsed(stripped, kept, warnings)
