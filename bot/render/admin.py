"""What admins send and are shown: an announcement as members receive it, its preview with the Send and
Cancel buttons (`a:s:<id>`, `a:c:<id>`), the delivery report, and /stats."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.html import MAX_MESSAGE, hashtag, split_html
from bot.render.messages import plain, t
from bot.render.page import Copy, Page, Part
from bot.store import Item, Report
from index import SemanticStatus


def announcement(text: str) -> str:
    """An announcement as members receive it (`text` is Telegram HTML)."""
    return f"📢 {text}"


MAX_PARTS = 10  # messages one text announcement may take (a longer one is refused)


def announcement_parts(item: Item) -> list[Part]:
    """What members receive for an announcement: copies of the admin's messages, or the text, in as
    many messages as it needs (cut between paragraphs or sentences)."""
    if item.kind == "copy" and item.copy_from is not None:
        return [Copy(item.copy_from, item.copy_ids, item.caption)]
    return [Page(part) for part in split_html(announcement(item.text), MAX_MESSAGE)]


def announcement_preview(
    text: str | None, item_id: int, recipients: int, lang: str, tag: str | None = None, *, parts: int = 1
) -> Page:
    """The draft `item_id` with Send (to `recipients` chats: every chat that started the bot, or those
    following `tag`) and Cancel: exactly as members will see it (`text`), or, when the real messages were
    shown just above (`text` None), a note saying they are the announcement, and how many there are."""
    if tag is None:
        send = plain(lang, "announce_send_button", count=recipients)
    else:
        send = plain(lang, "announce_send_tag_button", count=recipients, tag=hashtag(tag))
    buttons = [
        [InlineKeyboardButton(send, callback_data=f"a:s:{item_id}")],
        [InlineKeyboardButton(plain(lang, "announce_cancel_button"), callback_data=f"a:c:{item_id}")],
    ]
    shown = announcement(text) if text is not None else t(lang, "announce_preview_above", count=parts)
    return Page(shown, InlineKeyboardMarkup(buttons))


def delivery_report(report: Report, lang: str) -> str:
    """How an announcement's deliveries ended, for its author."""
    return t(
        lang, "announce_report", delivered=report.delivered, blocked=report.blocked, failed=report.failed
    )


def statistics(
    lang: str,
    *,
    chats: int,
    active: int,
    subscribers: int,
    posts: int,
    last_sync: str | None,
    queue: int,
    last: tuple[Item, Report] | None,
    meaning: SemanticStatus | None,
    meaning_off: str | None = None,
) -> str:
    """/stats: chats, subscribers, posts, search by meaning, the last sync (ISO time), the queue, the last
    announcement."""
    if last is None:
        last_text = plain(lang, "stats_never")
    else:
        item, report = last
        last_text = plain(
            lang,
            "stats_last",
            when=_when(item.created, lang),
            delivered=report.delivered,
            blocked=report.blocked,
            failed=report.failed,
            pending=report.pending,
        )
    if meaning is None:
        meaning_text = meaning_off or "-"  # "off (search.semantic: off)", "unavailable (why)"
    else:
        key = "stats_meaning_ready" if meaning.ready else "stats_meaning_embedding"
        meaning_text = plain(lang, key, embedded=meaning.embedded, count=meaning.total)
    return t(
        lang,
        "stats",
        chats=chats,
        active=active,
        subscribers=subscribers,
        posts=posts,
        meaning=meaning_text,
        last_sync=_when(last_sync, lang),
        queue=queue,
        last=last_text,
    )


def _when(iso: str | None, lang: str) -> str:
    if not iso:
        return plain(lang, "stats_never")
    return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
