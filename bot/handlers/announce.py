"""Admin announcements and statistics: /announce, its confirm/cancel buttons, /stats.

`/announce <text>`, `/announce` as a reply to a message, or `/announce #tag <text>` (that topic's
subscribers) by an admin (settings.admins) creates a draft and shows it exactly as members will see it,
with "Send to N subscribers" and "Cancel". The store turns a draft into a queued announcement atomically,
so a double tap sends once. When the delivery engine has finished, the author gets a report (`bot.notify`).
Callback data: `a:s:<id>` send, `a:c:<id>` cancel.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.handlers.common import lang_of, send_page
from bot.notify import LAST_SYNC
from bot.render.admin import announcement, announcement_preview, statistics
from bot.render.html import MAX_MESSAGE, visible_length
from bot.render.messages import plain, t
from bot.render.page import clip
from bot.tags import MAX_TOPIC

_COMMAND = re.compile(r"^/announce(?:@\w+)?\s*", re.IGNORECASE)
_TARGET = re.compile(r"^#(\S+)\s*")
Handler = Callable[[Update, BotContext], Awaitable[None]]
_CALLBACK = re.compile(r"^a:([sc]):([0-9]{1,12})$")


def is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.services.settings.admins


def admins_only(refusal: str) -> Callable[[Handler], Handler]:
    """Run the handler for the bot's admins; anyone else gets the `refusal` text and nothing happens."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> None:
            if is_admin(update, context):
                await handler(update, context)
                return
            lang = lang_of(update, context)
            if update.callback_query:
                await update.callback_query.answer(plain(lang, refusal), show_alert=True)
            else:
                await update.effective_message.reply_html(t(lang, refusal))

        return guarded

    return decorate


def announcement_source(message: Message) -> tuple[str | None, str]:
    """(target tag as typed or None, announcement HTML) from /announce or the message it replies to."""
    rest = _COMMAND.sub("", message.text_html or "", count=1)
    target = None
    if match := _TARGET.match(rest):
        target, rest = match.group(1), rest[match.end() :]
    reply = message.reply_to_message
    if not rest.strip() and reply is not None:
        rest = reply.text_html or reply.caption_html or ""
    return target, rest.strip()


@admins_only("announce_refused")
async def announce(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    message = update.effective_message
    services = context.services
    typed_target, text = announcement_source(message)
    if not text:
        await message.reply_html(t(lang, "announce_usage"))
        return
    target = None
    if typed_target is not None:
        target = services.topics.one(typed_target)
        if target is None:
            await message.reply_html(t(lang, "announce_unknown_tag", tag=clip(typed_target, MAX_TOPIC)))
            return
    length = visible_length(announcement(text))
    if length > MAX_MESSAGE:
        parts = -(-length // (MAX_MESSAGE - visible_length(announcement(""))))
        over = length - MAX_MESSAGE
        too_long = t(lang, "announce_too_long", count=length, limit=MAX_MESSAGE, over=over, parts=parts)
        await message.reply_html(too_long)
        return
    count = len(services.store.recipients(None if target is None else (target,)))
    if count == 0:
        await message.reply_html(t(lang, "announce_nobody"))
        return
    draft = services.store.create_announcement(update.effective_user.id, text, target)
    await send_page(message, announcement_preview(text, draft.id, count, lang, target))


@admins_only("announce_refused")
async def on_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    lang = lang_of(update, context)
    match = _CALLBACK.match(callback.data or "")
    if match is None:
        await callback.answer(plain(lang, "expired"))
        return
    store = context.services.store
    item_id = int(match.group(2))
    if match.group(1) == "s":
        count = store.queue_announcement(item_id)
        if count is not None:
            if context.delivery is not None:
                context.delivery.wake()
            await callback.answer()
            await callback.edit_message_reply_markup(None)
            await context.bot.send_message(callback.message.chat.id, t(lang, "announce_sending", count=count))
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
    """/stats (admins): chats, subscribers, posts, last sync, queue, the last announcement's report."""
    lang = lang_of(update, context)
    message = update.effective_message
    services = context.services
    store = services.store
    chats, active = store.chat_count()
    last = store.last_announcement()
    text = statistics(
        lang,
        chats=chats,
        active=active,
        subscribers=store.subscriber_count(),
        posts=services.post_count,
        last_sync=store.get_meta(LAST_SYNC),
        queue=store.queue_length(),
        last=None if last is None else (last, store.report(last.id)),
        meaning=services.meaning(),
        meaning_off=services.meaning_off,
    )
    await message.reply_html(text)


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("announce", announce, filters=only_new),
        CommandHandler("stats", stats, filters=only_new),
        CallbackQueryHandler(on_button, pattern=r"^a:"),
    ]
