"""/language: English or Serbian Latin, remembered per chat."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.handlers.common import edit_page, lang_of, send_page
from bot.render.menus import language_page
from bot.render.messages import LANGUAGES, plain, t
from bot.render.page import Page, parse_callback

COMMANDS = ("language",)


async def language(update: Update, context: BotContext) -> None:
    await send_page(update.effective_message, language_page(lang_of(update, context)))


async def on_language_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    button = parse_callback(callback.data)
    if button is None or button.key not in LANGUAGES or update.effective_chat is None:
        await callback.answer(plain(lang_of(update, context), "expired"))
        return
    context.services.store.set_language(update.effective_chat.id, button.key)
    await edit_page(callback, Page(t(button.key, "language_set")), context)
    await callback.answer()


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("language", language, filters=filters.UpdateType.MESSAGE),
        CallbackQueryHandler(on_language_button, pattern=r"^l:"),
    ]
