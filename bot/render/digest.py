"""Digests and the channel: the posts of a daily or weekly digest as pages of one message each, and a new
post as the channel publishes it.

A digest lists each post's head (the title, linked when there is a link, and the date), with a 📖 button
for posts without a page of their own. Posts are split into pages only when one message cannot hold them
(`digest_pages`); the split is decided once, when the digest is made, and each page is then rendered
from the posts it was given (`digest_message`).
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from bot.render.html import MAX_MESSAGE, escape, hashtag, visible_length
from bot.render.messages import t
from bot.render.page import Page
from bot.render.posts import head, post_messages, post_snippet, read_button
from index import Post

DIGEST_PAGE_POSTS = 20  # at most this many posts (and 📖 buttons) on one page
DIGEST_ROOM = MAX_MESSAGE - 200  # room left for the header and footer lines


def _entry(post: Post, lang: str, site_search_url: str | None) -> str:
    return head(post, lang, site_search_url=site_search_url)


def digest_pages(posts: Sequence[Post], lang: str, *, site_search_url: str | None = None) -> list[list[Post]]:
    """`posts` in pages that each fit one message (in order; a new page only when the last is full)."""
    pages: list[list[Post]] = []
    size = 0
    for post in posts:
        length = visible_length(_entry(post, lang, site_search_url)) + 2
        if not pages or len(pages[-1]) >= DIGEST_PAGE_POSTS or size + length > DIGEST_ROOM:
            pages.append([])
            size = 0
        pages[-1].append(post)
        size += length
    return pages


def digest_message(
    posts: Sequence[Post], lang: str, *, page: int, pages: int, total: int, site_search_url: str | None = None
) -> Page:
    """Page `page` of `pages` of a digest of `total` posts: a header, the posts, how to change it."""
    header = t(lang, "digest_header", count=total)
    if pages > 1:
        header += f" ({t(lang, 'page_label', page=page, pages=pages)})"
    blocks = [header, *(_entry(post, lang, site_search_url) for post in posts), t(lang, "digest_footer")]
    rows = [[read_button(post, lang)] for post in posts if not post.url]
    return Page("\n\n".join(blocks), InlineKeyboardMarkup(rows) if rows else None)


def channel_messages(post: Post, lang: str) -> list[str]:
    """A new post as the channel publishes it: with a link, its head, tags and summary (or first
    words); without one, the whole post, in as many messages as it needs."""
    if not post.url:
        return post_messages(post, lang)
    lines = [head(post, lang)]
    if post.tags:
        lines.append(escape(" ".join(hashtag(tag) for tag in post.tags)))
    snippet = post_snippet(post)
    if snippet:
        lines.append(escape(snippet))
    return ["\n".join(lines)]
