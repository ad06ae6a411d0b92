"""Pure rendering: search results, hits, topics and posts → Telegram HTML text and inline keyboards.

Nothing here talks to Telegram. Every text comes out escaped (see `bot.html`), at most 4096 visible
characters, and is only ever shortened in its plain form, so a cut never lands inside a tag or an entity.
Callback data is tiny (`p:<query key>:<page>`, `r:<post key>`, `t:<tag key>`, `l:<lang>`, `n`) and
`parse_callback` accepts nothing else.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)

from bot.html import MAX_MESSAGE, escape, escape_attr, units, visible_length
from bot.messages import LANGUAGE_NAMES, LANGUAGES, format_date, plain, t

SNIPPET_LIMITS = (300, 160, 80, 0)  # tried in turn until a list of hits fits in one message
LIST_SNIPPET = 160  # lists of latest posts show shorter snippets than search results
TITLE_LIMIT = 200
BUTTON_TITLE_LIMIT = 28
MAX_TOPIC_BUTTONS = 40
POST_CHUNK = MAX_MESSAGE - 96  # room for the "(continued 2/3)" line
_CALLBACK = re.compile(r"^(?:p:[0-9a-z]{1,16}:[0-9]{1,5}|r:[0-9a-f]{10}|t:[0-9a-f]{10}|l:[a-z]{2}|n)$")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_MD_BOLD = re.compile(r"\*\*(?!\s)(.+?)(?<!\s)\*\*")


@dataclass(frozen=True)
class Page:
    """One message: HTML text and its buttons."""

    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Callback:
    kind: str  # p (page), r (read post), t (topic), l (language), n (no-op)
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
    return Callback(kind, rest)


# hits ------------------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """`text` shortened to about `limit` characters at a word boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:-") + "…"


def highlighted(snippet: str, spans: Iterable[tuple[int, int]], limit: int) -> str:
    """The snippet (shortened to `limit`) as HTML with the highlighted spans in bold."""
    text = clip(snippet, limit)
    end_of_text = len(text) - (1 if text != snippet else 0)
    merged: list[list[int]] = []
    for start, end in sorted((max(0, a), min(b, end_of_text)) for a, b in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, position = [], 0
    for start, end in merged:
        out.append(escape(text[position:start]))
        out.append(f"<b>{escape(text[start:end])}</b>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def link_for(hit, site_search_url: str | None) -> str | None:
    """The post's own url; else the site search for its title, when configured."""
    if hit.url:
        return hit.url
    if site_search_url:
        return site_search_url.replace("{query}", quote_plus(hit.title))
    return None


def hit_html(hit, lang: str, *, site_search_url: str | None = None, snippet_limit: int = 300) -> str:
    """One hit: bold title (a link when there is one), the date, the snippet with matches in bold."""
    title = escape(clip(hit.title, TITLE_LIMIT))
    url = link_for(hit, site_search_url)
    head = f'<b><a href="{escape_attr(url)}">{title}</a></b>' if url else f"<b>{title}</b>"
    lines = [head, f"<i>{escape(format_date(hit.date, lang))}</i>"]
    if snippet_limit and hit.snippet.strip():
        lines.append(highlighted(" ".join(hit.snippet.split()), _normalised_spans(hit), snippet_limit))
    return "\n".join(lines)


def _normalised_spans(hit) -> list[tuple[int, int]]:
    """Highlight spans re-mapped onto the whitespace-collapsed snippet."""
    mapping, previous_space, count = [], False, 0
    for char in hit.snippet.strip():
        space = char.isspace()
        if not (space and previous_space):
            count += 1
        mapping.append(count - 1)
        previous_space = space
    offset = len(hit.snippet) - len(hit.snippet.lstrip())
    spans = []
    for start, end in hit.highlights:
        start, end = start - offset, end - offset
        if 0 <= start < end <= len(mapping):
            spans.append((mapping[start], mapping[end - 1] + 1))
    return spans


def _read_button(hit, lang: str) -> InlineKeyboardButton:
    label = plain(lang, "read_button", title=clip(hit.title, BUTTON_TITLE_LIMIT))
    return InlineKeyboardButton(label, callback_data=f"r:{short_key(hit.id)}")


def _fit(
    head: Sequence[str],
    hits: Sequence,
    lang: str,
    site_search_url: str | None,
    longest: int = SNIPPET_LIMITS[0],
) -> str:
    """Head lines and hits joined, snippets shortened step by step until the message fits."""
    for limit in (n for n in SNIPPET_LIMITS if n <= longest):
        blocks = [
            *head,
            *(hit_html(h, lang, site_search_url=site_search_url, snippet_limit=limit) for h in hits),
        ]
        text = "\n\n".join(blocks)
        if visible_length(text) <= MAX_MESSAGE:
            return text
    while hits:  # only absurdly many hits get here
        hits = hits[:-1]
        blocks = [*head, *(hit_html(h, lang, site_search_url=site_search_url, snippet_limit=0) for h in hits)]
        text = "\n\n".join(blocks)
        if visible_length(text) <= MAX_MESSAGE:
            return text
    return "\n\n".join(head)


def results_page(results, lang: str, *, query_key: str, site_search_url: str | None = None) -> Page:
    """A page of search results with Read buttons for posts without a url and ‹ Prev · 2/4 · Next ›."""
    query = clip(" ".join(results.query.split()), 80)
    if not results.hits:
        return Page(t(lang, "nothing_found", query=query))
    shown = clip(results.corrected, 80) if results.corrected else query
    if results.total == 1:
        head = [t(lang, "results_header_one", query=shown)]
    else:
        head = [t(lang, "results_header", query=shown, total=results.total)]
    if results.corrected:
        head.append(t(lang, "corrected", corrected=shown))
    text = _fit(head, results.hits, lang, site_search_url)
    rows = [[_read_button(h, lang)] for h in results.hits if not h.url]
    pages = _page_count(results)
    if pages > 1:
        nav = []
        if results.page > 1:
            nav.append(
                InlineKeyboardButton(
                    plain(lang, "prev_button"), callback_data=f"p:{query_key}:{results.page - 1}"
                )
            )
        label = plain(lang, "page_label", page=results.page, pages=pages)
        nav.append(InlineKeyboardButton(label, callback_data="n"))
        if results.page < pages:
            nav.append(
                InlineKeyboardButton(
                    plain(lang, "next_button"), callback_data=f"p:{query_key}:{results.page + 1}"
                )
            )
        rows.append(nav)
    return Page(text, InlineKeyboardMarkup(rows) if rows else None)


def _page_count(results) -> int:
    pages = getattr(results, "pages", None)
    if isinstance(pages, int):
        return pages
    return -(-results.total // results.per_page) if results.per_page else 0


def hits_page(header: str, hits: Sequence, lang: str, *, site_search_url: str | None = None) -> Page:
    """A list of hits (latest posts, a topic's posts) under an HTML header line."""
    text = _fit([header], hits, lang, site_search_url, LIST_SNIPPET)
    rows = [[_read_button(h, lang)] for h in hits if not h.url]
    return Page(text, InlineKeyboardMarkup(rows) if rows else None)


# topics and language ---------------------------------------------------------------------------


def topics_page(
    tags: Sequence[tuple[str, int]],
    lang: str,
    extra: Callable[[str], list[InlineKeyboardButton]] | None = None,
) -> Page:
    """Tags with post counts as buttons, two to a row; with `extra`, one row per tag plus its extra buttons
    (e.g. a subscribe toggle)."""
    if not tags:
        return Page(t(lang, "topics_empty"))
    buttons = [
        InlineKeyboardButton(
            f"{clip(tag, BUTTON_TITLE_LIMIT)} ({count})", callback_data=f"t:{short_key(tag)}"
        )
        for tag, count in tags[:MAX_TOPIC_BUTTONS]
    ]
    if extra is None:
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    else:
        rows = [[button, *extra(tag)] for button, (tag, _count) in zip(buttons, tags, strict=False)]
    return Page(t(lang, "topics_header"), InlineKeyboardMarkup(rows))


def language_page(lang: str) -> Page:
    buttons = [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"l:{code}") for code in LANGUAGES]
    return Page(t(lang, "language_choose"), InlineKeyboardMarkup([buttons]))


# full posts ------------------------------------------------------------------------------------


def markdown_html(text: str) -> str:
    """A post paragraph's light Markdown (links, **bold**, headings, list bullets) as Telegram HTML."""
    lines = []
    for line in text.split("\n"):
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        bullet = re.match(r"^\s*[-*+]\s+(.*)$", line)
        body = heading.group(1) if heading else bullet.group(1) if bullet else line
        pieces, position = [], 0
        for match in _MD_LINK.finditer(body):
            pieces.append(_MD_BOLD.sub(r"<b>\1</b>", escape(body[position : match.start()])))
            pieces.append(f'<a href="{escape_attr(match.group(2))}">{escape(match.group(1))}</a>')
            position = match.end()
        pieces.append(_MD_BOLD.sub(r"<b>\1</b>", escape(body[position:])))
        rendered = "".join(pieces)
        lines.append(f"<b>{rendered}</b>" if heading else f"• {rendered}" if bullet else rendered)
    return "\n".join(lines)


def cut_units(text: str, limit: int) -> tuple[str, str]:
    """`text` split so the first part is at most `limit` UTF-16 units, preferably at a space."""
    if units(text) <= limit:
        return text, ""
    size, end = 0, 0
    for end, char in enumerate(text):  # noqa: B007
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            break
    space = text.rfind(" ", 0, end)
    cut = space if space > end // 2 else end
    return text[:cut], text[cut:].lstrip(" ")


def _paragraph_pieces(paragraph: str, limit: int) -> list[str]:
    """A paragraph as HTML pieces each at most `limit` visible units (huge ones split by words)."""
    rendered = markdown_html(paragraph)
    if visible_length(rendered) <= limit:
        return [rendered]
    pieces, rest = [], paragraph
    while rest:
        head, rest = cut_units(rest, limit)
        pieces.append(escape(head))
    return pieces


def post_messages(post, lang: str, *, site_search_url: str | None = None) -> list[str]:
    """The whole post as HTML messages, each at most 4096 visible characters, split between paragraphs."""
    title = escape(clip(post.title, TITLE_LIMIT))
    url = link_for(post, site_search_url)
    head = f'<b><a href="{escape_attr(url)}">{title}</a></b>' if url else f"<b>{title}</b>"
    head += f"\n<i>{escape(format_date(post.date, lang))}</i>"
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", post.body) if p.strip()]
    chunks: list[str] = [head]
    for paragraph in paragraphs:
        for piece in _paragraph_pieces(paragraph, POST_CHUNK):
            joined = f"{chunks[-1]}\n\n{piece}" if chunks[-1] else piece
            if visible_length(joined) <= POST_CHUNK:
                chunks[-1] = joined
            else:
                chunks.append(piece)
    if len(chunks) == 1:
        return chunks
    return [
        chunk
        if number == 1
        else f"<i>{t(lang, 'post_continued', part=number, parts=len(chunks))}</i>\n\n{chunk}"
        for number, chunk in enumerate(chunks, 1)
    ]


# inline mode -----------------------------------------------------------------------------------


def inline_results(
    hits: Sequence, lang: str, *, site_search_url: str | None = None, bot_username: str | None = None
) -> list[InlineQueryResultArticle]:
    """Inline answers: one article per hit, the message being the same hit HTML as in chats."""
    results, seen = [], set()
    for hit in hits:
        key = short_key(hit.id)
        if key in seen:
            continue
        seen.add(key)
        markup = None
        if not hit.url and bot_username:
            read = InlineKeyboardButton(
                plain(lang, "read_button", title=clip(hit.title, BUTTON_TITLE_LIMIT)),
                url=f"https://t.me/{bot_username}?start=r_{key}",
            )
            markup = InlineKeyboardMarkup([[read]])
        content = InputTextMessageContent(
            hit_html(hit, lang, site_search_url=site_search_url),
            parse_mode="HTML",
            link_preview_options=LinkPreviewOptions(is_disabled=not hit.url),
        )
        description = clip(" ".join(hit.snippet.split()), 150) or format_date(hit.date, lang)
        results.append(
            InlineQueryResultArticle(
                id=key,
                title=clip(hit.title, 100),
                description=f"{format_date(hit.date, lang)} · {description}" if hit.date else description,
                input_message_content=content,
                reply_markup=markup,
            )
        )
    return results
