"""Registered after every other module: odd messages in private chats, unknown commands, stray buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.handlers.common import lang_of, send_page
from bot.render.messages import plain, t
from bot.render.page import Page


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_page(update.effective_message, Page(t(lang_of(update, context), "unknown_command")))


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_page(update.effective_message, Page(t(lang_of(update, context), "only_text")))


async def stray_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button this bot did not make (forged, or from an older version): answered, never an error."""
    await update.callback_query.answer(plain(lang_of(update, context), "expired"))


def register(app: Application) -> None:
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, not_text))
    app.add_handler(CallbackQueryHandler(stray_button))
