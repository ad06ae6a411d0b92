"""Runs before every answering handler: records the chat, and slows a user who sends bursts (see
bot.flood)."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.context import BotContext
from bot.flood import PerChatProcessor, chat_key
from bot.handlers.common import addressed_to_bot, lang_of
from bot.render.messages import plain, t

log = logging.getLogger(__name__)


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


async def gate(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if chat is not None:
        user = update.effective_user
        code = user.language_code if user and chat.type == "private" else None
        context.services.store.seen_chat(chat.id, chat.type, code)
    if not _counts(update):
        return
    flood = context.flood
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


def handlers() -> list[BaseHandler]:
    return [TypeHandler(Update, gate)]
