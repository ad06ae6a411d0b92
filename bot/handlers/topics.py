"""/topics: tags with post counts as buttons, in pages, each with its Follow toggle (handled by the
subscriptions module); a tap on a tag lists the topic's latest posts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.handlers.common import edit_page, lang_of, send_page, send_to, topics_for
from bot.render.html import hashtag
from bot.render.messages import plain, t
from bot.render.page import parse_callback
from bot.render.posts import hits_page

COMMANDS = ("topics",)
TOPIC_POSTS = 5


async def topics(update: Update, context: BotContext) -> None:
    page = topics_for(context, update.effective_chat.id, lang_of(update, context))
    await send_page(update.effective_message, page)


async def on_topic_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    lang = lang_of(update, context)
    services = context.services
    button = parse_callback(callback.data)
    tag = services.topics.by_key(button.key) if button else None
    if tag is None or update.effective_chat is None:
        await callback.answer(plain(lang, "expired"))
        return
    hits = await services.latest(TOPIC_POSTS, tags=(tag,))
    header = t(lang, "topic_header", tag=hashtag(tag))
    page = hits_page(header, hits, lang, site_search_url=services.settings.site_search_url)
    await send_to(context, update.effective_chat.id, page)
    await callback.answer()


async def on_page_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    button = parse_callback(callback.data)
    if button is None or update.effective_chat is None:
        await callback.answer(plain(lang_of(update, context), "expired"))
        return
    page = topics_for(context, update.effective_chat.id, lang_of(update, context), button.page)
    await edit_page(callback, page, context)
    await callback.answer()


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("topics", topics, filters=filters.UpdateType.MESSAGE),
        CallbackQueryHandler(on_topic_button, pattern=r"^t:"),
        CallbackQueryHandler(on_page_button, pattern=r"^tp:"),
    ]
