"""Posts as messages: search results, lists of hits, a whole post, a new-post notification, inline answers.

Each begins with the same head (the title, linked when there is a link, and the date). Every text comes
out escaped (see `bot.render.html`), at most 4096 visible characters, and is only ever shortened in its
plain form, so a cut never lands inside a tag or an entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote_plus

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
)

from bot.render.html import MAX_MESSAGE, escape, escape_attr, hashtag, units, visible_length
from bot.render.messages import format_date, format_period, plain, t, whole_year
from bot.render.page import Page, clip, short_key
from index import Post

SNIPPET_LIMITS = (300, 160, 80, 0)  # tried in turn until a list of hits fits in one message
LIST_SNIPPET = 160  # lists of latest posts show shorter snippets than search results
TITLE_LIMIT = 200
BUTTON_TITLE_LIMIT = 28
POST_CHUNK = MAX_MESSAGE - 96  # room for the "(continued 2/3)" line
NOTIFICATION_SNIPPET = 300
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_MD_BOLD = re.compile(r"\*\*(?!\s)(.+?)(?<!\s)\*\*")
_MD_LINK_TEXT = re.compile(r"\[([^\]\n]+)\]\([^)\s]+\)")
_MD_MARKS = re.compile(r"(^|\s)#{1,6}\s+|\*\*|__|`")
_BULLET = re.compile(r"^\s*[-*+•◦▪‣]\s+(.*)$")  # Markdown's, and bullets typed as such (pasted from the site)


# the head of every message about a post --------------------------------------------------------


def link_for(post, site_search_url: str | None) -> str | None:
    """The post's own url; else the site search for its title, when configured."""
    if post.url:
        return post.url
    if site_search_url:
        return site_search_url.replace("{query}", quote_plus(post.title))
    return None


def head(post, lang: str, *, site_search_url: str | None = None) -> str:
    """The post's title in bold (a link when there is one) and, below it, its date."""
    title = escape(clip(post.title, TITLE_LIMIT))
    url = link_for(post, site_search_url)
    linked = f'<b><a href="{escape_attr(url)}">{title}</a></b>' if url else f"<b>{title}</b>"
    return f"{linked}\n<i>{escape(format_date(post.date, lang))}</i>"


def read_button(post, lang: str) -> InlineKeyboardButton:
    label = plain(lang, "read_button", title=clip(post.title, BUTTON_TITLE_LIMIT))
    return InlineKeyboardButton(label, callback_data=f"r:{short_key(post.id)}")


# search results and lists of hits --------------------------------------------------------------


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


def hit_html(hit, lang: str, *, site_search_url: str | None = None, snippet_limit: int = 300) -> str:
    """One hit: the head, then the snippet with matches in bold."""
    lines = [head(hit, lang, site_search_url=site_search_url)]
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
    if not results.hits and results.nearest:
        near = list(results.nearest)
        text = _fit([t(lang, "nearest_found", query=query, count=len(near))], near, lang, site_search_url)
        rows = [[read_button(h, lang)] for h in near if not h.url]
        return Page(text, InlineKeyboardMarkup(rows) if rows else None)
    if not results.hits:
        return Page(t(lang, "nothing_found", query=query))
    shown = clip(results.corrected, 80) if results.corrected else query
    head = [t(lang, "results_header", query=shown, count=results.total)]
    if results.corrected:
        head.append(t(lang, "corrected", corrected=shown))
    if results.outside_dates and results.filters.dates:
        dates = results.filters.dates
        key = "outside_year" if whole_year(dates) else "outside_month"
        head.append(t(lang, key, when=format_period(dates, lang)))
    text = _fit(head, results.hits, lang, site_search_url)
    rows = [[read_button(h, lang)] for h in results.hits if not h.url]
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
    rows = [[read_button(h, lang)] for h in hits if not h.url]
    return Page(text, InlineKeyboardMarkup(rows) if rows else None)


# full posts ------------------------------------------------------------------------------------


def markdown_html(text: str) -> str:
    """A post paragraph's light Markdown (links, **bold**, headings, list bullets) as Telegram HTML; every
    bullet, however typed and indented, becomes `• ` at the start of its line."""
    lines = []
    for line in text.split("\n"):
        heading = re.match(r"^#{1,6}\s+(.*)$", line)
        bullet = _BULLET.match(line)
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
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", post.body) if p.strip()]
    chunks: list[str] = [head(post, lang, site_search_url=site_search_url)]
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


# new posts -------------------------------------------------------------------------------------


def plain_snippet(markdown: str, limit: int = NOTIFICATION_SNIPPET) -> str:
    """The first words of a Markdown body as plain text."""
    text = _MD_MARKS.sub(r"\1", _MD_LINK_TEXT.sub(r"\1", markdown))
    return clip(" ".join(text.split()), limit)


def post_snippet(post: Post) -> str:
    """What a message announcing a post quotes: its summary, else its first words (plain text)."""
    if post.summary:
        return clip(" ".join(post.summary.split()), NOTIFICATION_SNIPPET)
    return plain_snippet(post.body)


def notification(post: Post, lang: str, *, site_search_url: str | None = None) -> Page:
    """A new post as subscribers see it: a header line with its tags, the head, its summary or first words."""
    tags = " ".join(hashtag(tag) for tag in post.tags)
    lines = [
        t(lang, "new_post") + (f" · {escape(tags)}" if tags else ""),
        head(post, lang, site_search_url=site_search_url),
    ]
    snippet = post_snippet(post)
    if snippet:
        lines.append(escape(snippet))
    markup = None if post.url else InlineKeyboardMarkup([[read_button(post, lang)]])
    return Page("\n".join(lines), markup)


# inline mode -----------------------------------------------------------------------------------


def inline_note(results, lang: str) -> InlineQueryResultsButton | None:
    """The line above inline results that says they are not from the dates asked for, or that those
    shown are only the closest posts (it opens the bot)."""
    if not results.hits and results.nearest:
        note = plain(lang, "nearest_inline", count=len(results.nearest))
    elif results.outside_dates and results.filters.dates:
        note = plain(lang, "outside_inline", when=format_period(results.filters.dates, lang))
    else:
        return None
    return InlineQueryResultsButton(clip(note, 64), start_parameter="start")


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
