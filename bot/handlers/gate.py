"""Runs before every handler: records the chat, and slows a user who sends bursts (see bot.flood)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.flood import Flood, PerChatProcessor, chat_key
from bot.handlers.common import lang_of
from bot.handlers.groups import addressed_to_bot
from bot.render.messages import plain, t
from bot.services import services_of

log = logging.getLogger(__name__)
FLOOD = "flood"
GROUP = -10


def _counts(update: Update) -> bool:
    """Whether the update asks something of the bot (group chatter and inline typing do not count)."""
    if update.inline_query or update.effective_user is None:
        return False
    message = update.effective_message
    if update.callback_query or update.effective_chat is None or update.effective_chat.type == "private":
        return True
    if message is None or not message.text:
        return False
    return message.text.startswith("/") or addressed_to_bot(message)


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is not None:
        user = update.effective_user
        code = user.language_code if user and chat.type == "private" else None
        services_of(context).store.seen_chat(chat.id, chat.type, code)
    if not _counts(update):
        return
    flood: Flood = context.bot_data[FLOOD]
    processor = context.application.update_processor
    backlog = processor.pending(chat_key(update)) if isinstance(processor, PerChatProcessor) else 1
    if backlog > flood.max_backlog:
        log.info("flood: dropped an update from user %s", update.effective_user.id)
        if update.callback_query:
            await update.callback_query.answer(plain(lang_of(update, context), "flood_callback"))
        raise ApplicationHandlerStop
    delay, notify = flood.delay(update.effective_user.id, backlog)
    if delay <= 0:
        return
    if notify and update.effective_message and not update.callback_query:
        await update.effective_message.reply_html(t(lang_of(update, context), "flood"))
    await asyncio.sleep(delay)


def register(app: Application) -> None:
    app.bot_data.setdefault(FLOOD, Flood())
    app.add_handler(TypeHandler(Update, gate), group=GROUP)
