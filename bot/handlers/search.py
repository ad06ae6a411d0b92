"""Questions (/search and plain text in private chats), result pages, and reading a post in Telegram."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.handlers.common import answer, ask, clean_query, edit_page, lang_of, search_page, send_post
from bot.render.messages import plain, t
from bot.render.page import Page, parse_callback

COMMANDS = ("search",)


async def search_command(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    if not clean_query(" ".join(context.args or ())):
        await answer(update, context, Page(t(lang, "search_usage")))
        return
    await ask(update, context, " ".join(context.args), small_talk=False)


async def private_text(update: Update, context: BotContext) -> None:
    await ask(update, context, update.effective_message.text)


async def on_page_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    lang = lang_of(update, context)
    button = parse_callback(callback.data)
    query = context.services.queries.query(button.key) if button else None
    if query is None or callback.message is None:
        await callback.answer(plain(lang, "expired"))
        return
    await edit_page(callback, await search_page(context, query, lang, button.page), context)
    await callback.answer()


async def on_read_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    lang = lang_of(update, context)
    button = parse_callback(callback.data)
    post_id = context.services.post_keys.get(button.key) if button else None
    if post_id is None or update.effective_chat is None:
        await callback.answer(plain(lang, "expired"))
        return
    if await context.services.post(post_id) is None:
        await callback.answer(plain(lang, "gone"))
        return
    await callback.answer()  # at once: a long post's parts take a second each to arrive
    await send_post(context, update.effective_chat.id, post_id, lang)


async def on_noop_button(update: Update, context: BotContext) -> None:
    await update.callback_query.answer()


def handlers() -> list[BaseHandler]:
    questions = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    return [
        CommandHandler("search", search_command, filters=questions),
        MessageHandler(filters.ChatType.PRIVATE & questions & filters.TEXT & ~filters.COMMAND, private_text),
        CallbackQueryHandler(on_page_button, pattern=r"^p:"),
        CallbackQueryHandler(on_read_button, pattern=r"^r:"),
        CallbackQueryHandler(on_noop_button, pattern=r"^n$"),
    ]
