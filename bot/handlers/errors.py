"""The global error handler: log the exception (the log formatter removes tokens) and tell the user."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.handlers.common import lang_of
from bot.render.messages import plain, t

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.info("a chat blocked the bot or removed it: %s", error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        lang = lang_of(update, context)
    except Exception:
        lang = "en"
    try:
        if update.callback_query:
            await update.callback_query.answer(plain(lang, "error"), show_alert=False)
        elif update.effective_chat and (update.message or update.edited_message):
            await context.bot.send_message(update.effective_chat.id, t(lang, "error"))
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", exc)
