"""Registered after every other module (bot.app): odd messages in private chats, unknown commands, stray
buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import BotContext
from bot.handlers.common import MEDIA_HINTED, is_admin, lang_of, send_page
from bot.render.messages import plain, t
from bot.render.page import Page


async def unknown_command(update: Update, context: BotContext) -> None:
    await send_page(update.effective_message, Page(t(lang_of(update, context), "unknown_command")))


async def not_text(update: Update, context: BotContext) -> None:
    """A photo, file, sticker...: members hear that the bot reads text; an admin, how to announce it
    (once per album)."""
    message = update.effective_message
    key = "only_text"
    if message.effective_attachment is not None and await is_admin(update, context):
        if (
            message.media_group_id is not None
            and context.chat_data.get(MEDIA_HINTED) == message.media_group_id
        ):
            return
        context.chat_data[MEDIA_HINTED] = message.media_group_id
        key = "announce_media_hint"
    await send_page(message, Page(t(lang_of(update, context), key)))


async def stray_button(update: Update, context: BotContext) -> None:
    """A button this bot did not make (forged, or from an older version): answered, never an error."""
    await update.callback_query.answer(plain(lang_of(update, context), "expired"))


def handlers() -> list[BaseHandler]:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        MessageHandler(private & filters.COMMAND, unknown_command),
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, not_text),
        CallbackQueryHandler(stray_button),
    ]
