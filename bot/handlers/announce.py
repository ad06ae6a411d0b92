"""Admin announcements and statistics: /announce, its send/cancel buttons, /stats.

`/announce <text>`, `/announce` as a reply to a message, or `/announce #tag <text>` (that topic's
subscribers) by an admin (`is_admin`: NEWSBOT_ADMINS or the admin room's administrators) creates a draft
and shows it exactly as members will see it, with "Send to N chats", "Schedule…" (`bot.handlers.schedule`)
and "Cancel". A reply to media, an album or a forwarded post, or the command in a file's caption, makes a
draft that copies it as it is; the preview is then the real message(s), copied here, and the buttons
below. With a `channel` the bot may post in (as the last check found: `bot.channel`), a toggle adds it as a
target: the choice is kept with the draft (also when it is scheduled) and the Send button says so. The
store turns a draft into a queued announcement atomically (the channel's delivery with it), so a double
tap sends once. When the delivery engine has finished, a report goes to the admin room or the author
(`bot.notify`).
Callback data: `a:s:<id>` send, `a:c:<id>` cancel, `a:p:<id>` the channel on or off.
"""

from __future__ import annotations

import asyncio
import re
from collections import OrderedDict
from dataclasses import dataclass, replace

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.channel import PROBLEM as CHANNEL_PROBLEM
from bot.context import CHANNEL, BotContext
from bot.delivery import send_part
from bot.handlers.common import MEDIA_HINTED, admins_only, lang_of, pressed, send_page
from bot.notify import LAST_SYNC
from bot.render.admin import (
    MAX_PARTS,
    announcement,
    announcement_parts,
    announcement_preview,
    preview_buttons,
    statistics,
)
from bot.render.html import MAX_CAPTION, MAX_MESSAGE, split_html, visible_length
from bot.render.messages import plain, t
from bot.render.page import Page, clip
from bot.tags import MAX_TOPIC

ADMIN_COMMANDS = ("announce", "stats")  # in the admins' own command menu (`bot.app.set_commands`)
_COMMAND = re.compile(r"^/announce(?:@\w+)?\s*", re.IGNORECASE)
_TARGET = re.compile(r"^#(\S+)\s*")
_CALLBACK = re.compile(r"^a:([scp]):([0-9]{1,12})$")
ALBUM_SETTLE = 1.0  # seconds to wait for the rest of an album whose caption holds /announce
ALBUMS = "albums"  # bot_data: the albums admins sent lately (an album reaches the bot one message at a time)


class Albums:
    """The messages of recent albums by (chat, media_group_id): their ids, kinds and files, so that
    /announce in reply to one of an album's messages copies the whole album, and an album with /announce
    in its caption is sent anew."""

    KEEP = 200

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[int, str], dict[int, tuple[str, str] | None]] = OrderedDict()

    def add(self, chat_id: int, group: str, message_id: int, media: tuple[str, str] | None = None) -> None:
        self._items.setdefault((chat_id, group), {})[message_id] = media
        self._items.move_to_end((chat_id, group))
        while len(self._items) > self.KEEP:
            self._items.popitem(last=False)

    def ids(self, chat_id: int, group: str) -> tuple[int, ...]:
        return tuple(sorted(self._items.get((chat_id, group), {})))

    def media(self, chat_id: int, group: str) -> tuple[tuple[str, str], ...]:
        """(kind, file_id) of the album's photos, videos, documents and audio files, in order."""
        items = self._items.get((chat_id, group), {})
        return tuple(media for _, media in sorted(items.items()) if media is not None)


def media_of(message: Message) -> tuple[str, str] | None:
    """(kind, file_id) of a message's photo, video, document or audio file (what an album holds)."""
    if message.photo:
        return "photo", message.photo[-1].file_id
    for kind in ("video", "document", "audio"):
        if (attachment := getattr(message, kind)) is not None:
            return kind, attachment.file_id
    return None


async def remember_album(update: Update, context: BotContext) -> None:
    """Note each album message that reaches the bot (the update goes on)."""
    message = update.effective_message
    albums = context.bot_data.setdefault(ALBUMS, Albums())
    albums.add(message.chat_id, message.media_group_id, message.message_id, media_of(message))


@dataclass(frozen=True)
class Draft:
    """What an /announce asks to send: HTML `text`, or copies of messages (`copy_ids` of chat `copy_from`,
    their caption replaced by `caption` unless it is None)."""

    target: str | None  # the topic as typed, or None for every chat
    text: str = ""
    copy_from: int | None = None
    copy_ids: tuple[int, ...] = ()
    caption: str | None = None
    album: tuple[tuple[str, str], ...] = ()  # an album sent anew: (kind, file_id) of each item


def draft_of(message: Message, albums: Albums) -> Draft:
    """The announcement an /announce message asks for: the text after the command; the attachment it came
    with (the command in its caption: the rest of the caption is the announcement's); else the message it
    replies to, copied as it is when it has media or was forwarded (a whole album when it is part of one),
    taken as text otherwise."""
    command = message.text_html if message.text is not None else message.caption_html
    rest = _COMMAND.sub("", command or "", count=1)
    target = None
    if match := _TARGET.match(rest):
        target, rest = match.group(1), rest[match.end() :]
    rest = rest.strip()
    if message.text is None:  # the command is the caption of a photo, a document...
        return Draft(target, copy_from=message.chat_id, copy_ids=(message.message_id,), caption=rest)
    reply = message.reply_to_message
    if rest or reply is None:
        return Draft(target, text=rest)
    if reply.effective_attachment or reply.forward_origin:
        ids = albums.ids(reply.chat_id, reply.media_group_id) if reply.media_group_id else ()
        return Draft(target, copy_from=reply.chat_id, copy_ids=ids or (reply.message_id,))
    return Draft(target, text=(reply.text_html or "").strip())


def _refusal(draft: Draft, lang: str) -> str | None:
    """Why `draft` cannot be prepared, or None."""
    if draft.copy_from is None and not draft.text:
        return t(lang, "announce_usage")
    if draft.caption and (length := visible_length(draft.caption)) > MAX_CAPTION:
        return t(
            lang, "announce_caption_too_long", count=length, limit=MAX_CAPTION, over=length - MAX_CAPTION
        )
    if draft.copy_from is None and len(split_html(announcement(draft.text))) > MAX_PARTS:
        length = visible_length(announcement(draft.text))
        return t(lang, "announce_too_long", count=length, parts=MAX_PARTS, limit=MAX_MESSAGE)
    return None


@admins_only("announce_refused")
async def announce(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    message = update.effective_message
    albums = context.bot_data.setdefault(ALBUMS, Albums())
    draft = draft_of(message, albums)
    if refusal := _refusal(draft, lang):
        await message.reply_html(refusal)
        return
    if message.text is None and message.media_group_id:  # the caption of an album: wait for all of it
        context.chat_data[MEDIA_HINTED] = message.media_group_id  # its other items need no hint
        later = _album_draft(update, context, draft, albums, lang)
        context.application.create_task(later, update=update)
        return
    await _prepare(update, context, draft, lang)


async def _album_draft(update: Update, context: BotContext, draft: Draft, albums: Albums, lang: str) -> None:
    """An album arrives one message at a time: prepare it once the rest of it has come."""
    message = update.effective_message
    await asyncio.sleep(ALBUM_SETTLE)
    media = albums.media(message.chat_id, message.media_group_id)
    await _prepare(update, context, replace(draft, copy_from=None, copy_ids=(), album=media), lang)


async def _prepare(update: Update, context: BotContext, draft: Draft, lang: str) -> None:
    """Make the draft and show its preview: the messages as members will see them, then the buttons."""
    message = update.effective_message
    services = context.services
    target = None
    if draft.target is not None:
        target = services.topics.one(draft.target)
        if target is None:
            await message.reply_html(t(lang, "announce_unknown_tag", tag=clip(draft.target, MAX_TOPIC)))
            return
    count = len(services.store.recipients(None if target is None else (target,)))
    if count == 0:
        await message.reply_html(t(lang, "announce_nobody"))
        return
    item = services.store.create_announcement(
        update.effective_user.id, draft.text, target, copy_from=draft.copy_from,
        copy_ids=draft.copy_ids, caption=draft.caption, album=draft.album,
    )  # fmt: skip
    parts = announcement_parts(item)
    channel = _channel(context)[0]
    if len(parts) == 1 and isinstance(parts[0], Page):
        await send_page(
            message, announcement_preview(item.text, item.id, count, lang, target, channel=channel)
        )
        return
    for part in parts:  # the real messages first, then the buttons
        await send_part(context.bot, message.chat_id, part)
    preview = announcement_preview(None, item.id, count, lang, target, parts=len(parts), channel=channel)
    await send_page(message, preview)


def _channel(context: BotContext) -> tuple[str | None, int | None]:
    """The channel's name and id when one is set and the bot may post there (as last checked), else
    (None, None)."""
    state = context.bot_data.get(CHANNEL)
    name = context.services.settings.channel
    if name is None or state is None or state.chat_id is None:
        return None, None
    return name, state.chat_id


async def _toggle_channel(update: Update, context: BotContext, item_id: int, lang: str) -> bool:
    """The preview's channel toggle: the draft goes to the channel too, or no longer; its buttons are
    edited to say so. False (nothing done) when it is no draft any more."""
    callback = update.callback_query
    store = context.services.store
    item = store.item(item_id)
    if item is None or item.status != "draft":
        return False
    name, chat_id = _channel(context)
    if item.channel is None and chat_id is None:  # asked for a channel the bot cannot post in now
        await callback.answer(plain(lang, "announce_channel_unavailable"))
        return True
    wanted = None if item.channel is not None else chat_id
    if not store.set_announcement_channel(item_id, wanted):
        return False
    await callback.answer()
    target = None if item.target is None else (item.target,)
    count = len(store.recipients(target))
    markup = preview_buttons(item_id, count, lang, item.target, channel=name, to_channel=wanted is not None)
    await callback.edit_message_reply_markup(markup)
    return True


@admins_only("announce_refused")
async def on_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    if (button := await pressed(update, context, _CALLBACK)) is None:
        return
    lang, match = button
    store = context.services.store
    item_id = int(match.group(2))
    if match.group(1) == "p":
        if await _toggle_channel(update, context, item_id, lang):
            return
    elif match.group(1) == "s":
        count = store.queue_announcement(item_id)
        if count is not None:
            if context.delivery is not None:
                context.delivery.wake()
            await callback.answer()
            await callback.edit_message_reply_markup(None)
            channel = context.services.settings.channel
            if store.item(item_id).channel is None or channel is None:
                sending = t(lang, "announce_sending", count=count)
            else:
                sending = t(lang, "announce_sending_channel", count=count, channel=channel)
            await context.bot.send_message(callback.message.chat.id, sending)
            return
    elif store.cancel_announcement(item_id):
        await callback.answer(plain(lang, "announce_cancelled"))
        await callback.edit_message_reply_markup(None)
        await context.bot.send_message(callback.message.chat.id, t(lang, "announce_cancelled"))
        return
    item = store.item(item_id)
    if item is None:
        await callback.answer(plain(lang, "expired"))
    else:
        done = item.status == "cancelled"
        await callback.answer(plain(lang, "announce_already_cancelled" if done else "announce_already_sent"))


@admins_only("stats_refused")
async def stats(update: Update, context: BotContext) -> None:
    """/stats (admins): chats, subscribers, posts, last sync, queue, the last five broadcasts."""
    lang = lang_of(update, context)
    message = update.effective_message
    services = context.services
    store = services.store
    chats, active = store.chat_count()
    text = statistics(
        lang,
        chats=chats,
        active=active,
        subscribers=store.subscriber_count(),
        posts=services.post_count,
        last_sync=store.get_meta(LAST_SYNC),
        queue=store.queue_length(),
        recent=[(item, store.report(item.id)) for item in store.recent_announcements(5)],
        meaning=services.meaning(),
        meaning_off=services.meaning_off,
        channel=services.settings.channel,
        channel_problem=store.get_meta(CHANNEL_PROBLEM),
    )
    await message.reply_html(text)


class _InAlbum(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return message.media_group_id is not None


def observers() -> list[BaseHandler]:
    """Handlers that look at updates and let them pass (bot.app runs them first)."""
    return [MessageHandler(filters.UpdateType.MESSAGE & _InAlbum(), remember_album)]


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("announce", announce, filters=only_new),
        MessageHandler(only_new & filters.CaptionRegex(r"^/announce(?:@\w+)?(?:\s|$)"), announce),
        CommandHandler("stats", stats, filters=only_new),
        CallbackQueryHandler(on_button, pattern=r"^a:[scp]:"),
    ]
