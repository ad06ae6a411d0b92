"""The global error handler: log the exception (the log formatter removes tokens) and tell the user.

Some failures are not worth a traceback or an apology: a chat that blocked the bot, flood control that
outlasted an answer's patience (bot/pacing.py logged the pause already), and a Bot API answer that
could not be read — the message itself was most likely sent, so "something went wrong" would be wrong
and a second message besides."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, RetryAfter, TelegramError

from bot.context import BotContext
from bot.handlers.common import lang_of
from bot.render.messages import plain, t

log = logging.getLogger(__name__)


def unreadable_answer(error: object) -> bool:
    """Whether the Bot API answered something PTB could not parse (a 200 whose body is not JSON)."""
    return type(error) is TelegramError and "invalid server response" in str(error).lower()


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if isinstance(error, Forbidden):
        log.info("a chat blocked the bot or removed it: %s", error)
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, RetryAfter):
        log.warning("update %s not answered: flood control lasted too long (%s)", update_id, error)
        return
    if unreadable_answer(error):
        log.warning(
            "update %s: the Bot API's answer could not be read (the message was likely sent)", update_id
        )
        return
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
