"""Questions (/search and plain text in private chats), result pages, and reading a post in Telegram."""

from __future__ import annotations

from telegram import CallbackQuery, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.handlers.common import answer, clean_query, edit_page, lang_of
from bot.render.messages import plain, t
from bot.render.page import Page, parse_callback
from bot.render.posts import post_messages, results_page
from bot.services import services_of

COMMANDS = ("search",)
PER_PAGE = 5


async def search_page(context: ContextTypes.DEFAULT_TYPE, query: str, lang: str, page: int = 1) -> Page:
    """Run the search and render one page of results."""
    services = services_of(context)
    results = await services.search(query, page=page, per_page=PER_PAGE)
    pages = results.pages
    if pages and page > pages:  # the index shrank since the button was made
        results = await services.search(query, page=pages, per_page=PER_PAGE)
    return results_page(
        results,
        lang,
        query_key=services.queries.key(query),
        site_search_url=services.settings.site_search_url,
    )


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str | None) -> None:
    """Answer `text` as a question (or say what to do when it holds no words)."""
    lang = lang_of(update, context)
    query = clean_query(text)
    if not query:
        await answer(update, context, Page(t(lang, "empty_query")))
        return
    await answer(update, context, await search_page(context, query, lang))


async def search_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update, context)
    if not clean_query(" ".join(context.args or ())):
        await answer(update, context, Page(t(lang, "search_usage")))
        return
    await ask(update, context, " ".join(context.args))


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await ask(update, context, update.effective_message.text)


async def send_post(context: ContextTypes.DEFAULT_TYPE, chat_id: int, post_id: str, lang: str) -> bool:
    """Send the whole post into the chat, split into messages that fit; False when it is gone."""
    services = services_of(context)
    post = await services.post(post_id)
    if post is None:
        return False
    for text in post_messages(post, lang, site_search_url=services.settings.site_search_url):
        await context.bot.send_message(chat_id, text)
    return True


async def on_page_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    callback = update.callback_query
    lang = lang_of(update, context)
    button = parse_callback(callback.data)
    query = services_of(context).queries.query(button.key) if button else None
    if query is None or callback.message is None:
        await callback.answer(plain(lang, "expired"))
        return
    await edit_page(callback, await search_page(context, query, lang, button.page), context)
    await callback.answer()


async def on_read_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    callback: CallbackQuery = update.callback_query
    lang = lang_of(update, context)
    button = parse_callback(callback.data)
    post_id = services_of(context).post_keys.get(button.key) if button else None
    if post_id is None or update.effective_chat is None:
        await callback.answer(plain(lang, "expired"))
        return
    if not await send_post(context, update.effective_chat.id, post_id, lang):
        await callback.answer(plain(lang, "gone"))
        return
    await callback.answer()


async def on_noop_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()


def register(app: Application) -> None:
    questions = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    app.add_handler(CommandHandler("search", search_command, filters=questions))
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & questions & filters.TEXT & ~filters.COMMAND, private_text)
    )
    app.add_handler(CallbackQueryHandler(on_page_button, pattern=r"^p:"))
    app.add_handler(CallbackQueryHandler(on_read_button, pattern=r"^r:"))
    app.add_handler(CallbackQueryHandler(on_noop_button, pattern=r"^n$"))
