"""/topics: tags with post counts as buttons, each with its subscribe toggle; a tap lists the topic's
latest posts (the toggles are the subscriptions module's buttons)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.handlers.common import lang_of, send_page, send_to
from bot.render.menus import topics_page
from bot.render.messages import plain, t
from bot.render.page import parse_callback
from bot.render.posts import hits_page
from bot.services import services_of

COMMANDS = ("topics",)
TOPIC_POSTS = 5


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = services_of(context)
    following = services.store.subscriptions(update.effective_chat.id)
    page = topics_page(services.topics.counts, lang_of(update, context), following)
    await send_page(update.effective_message, page)


async def on_topic_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    callback = update.callback_query
    lang = lang_of(update, context)
    services = services_of(context)
    button = parse_callback(callback.data)
    tag = services.topics.by_key(button.key) if button else None
    if tag is None or update.effective_chat is None:
        await callback.answer(plain(lang, "expired"))
        return
    hits = await services.latest(TOPIC_POSTS, tags=(tag,))
    header = t(lang, "topic_header", tag=tag)
    page = hits_page(header, hits, lang, site_search_url=services.settings.site_search_url)
    await send_to(context, update.effective_chat.id, page)
    await callback.answer()


def register(app: Application) -> None:
    app.add_handler(CommandHandler("topics", topics, filters=filters.UpdateType.MESSAGE))
    app.add_handler(CallbackQueryHandler(on_topic_button, pattern=r"^t:"))
