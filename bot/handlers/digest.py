"""/digest [hour]: when the chat's daily and weekly digests arrive (bot.digests), shown or changed.

`/digest` shows the hour (local, in the `timezone` setting), how many posts wait, and buttons for the
usual hours (`dg:<hour>`); `/digest 18` (or `18:00`) sets it. In groups only the group's admins may
change it.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.handlers.common import edit_page, lang_of, may_change, send_page
from bot.render.menus import clock_hour, digest_settings_page
from bot.render.messages import plain, t
from bot.render.page import Page

COMMANDS = ("digest",)
_HOUR = re.compile(r"^([01]?[0-9]|2[0-3])(?::00|h)?$")


def typed_hour(args: list[str] | None) -> int | None:
    """`18`, `18:00`, `7h` → the hour; None for anything else."""
    match = _HOUR.match(" ".join(args or ()).strip().lower())
    return int(match.group(1)) if match else None


def _settings_page(context: BotContext, chat_id: int, lang: str) -> Page:
    store = context.services.store
    zone = context.services.settings.timezone
    return digest_settings_page(store.digest_hour(chat_id), zone, store.waiting_digest_posts(chat_id), lang)


async def digest(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    chat_id = update.effective_chat.id
    message = update.effective_message
    if not context.args:
        await send_page(message, _settings_page(context, chat_id, lang))
        return
    hour = typed_hour(context.args)
    if hour is None:
        await message.reply_html(t(lang, "digest_usage"))
        return
    if not await may_change(update, context, lang):
        return
    context.services.store.set_digest_hour(chat_id, hour)
    zone = context.services.settings.timezone
    await message.reply_html(t(lang, "digest_hour_set", hour=clock_hour(hour), zone=zone))


async def on_hour_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    lang = lang_of(update, context)
    if not await may_change(update, context, lang):
        return
    hour = int(callback.data.partition(":")[2])
    chat_id = update.effective_chat.id
    store = context.services.store
    store.set_digest_hour(chat_id, hour)
    await callback.answer(plain(lang, "digest_hour_toast", hour=clock_hour(hour)))
    # the pressed message may show this hour already, or be an older one: edit_page lets both be
    await edit_page(callback, _settings_page(context, chat_id, lang), context)


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("digest", digest, filters=filters.UpdateType.MESSAGE),
        CallbackQueryHandler(on_hour_button, pattern=r"^dg:([01]?[0-9]|2[0-3])$"),
    ]
