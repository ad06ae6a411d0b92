"""/topics: tags with post counts as buttons; a tap lists the topic's latest posts.

Other modules can add buttons next to each topic (e.g. a subscribe toggle) by putting a function
`(tag, chat_id) -> list[InlineKeyboardButton]` into `bot_data[TOPIC_BUTTONS]`."""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.handlers.common import lang_of, send_page, send_to
from bot.messages import plain, t
from bot.render import Page, hits_page, parse_callback, topics_page
from bot.services import services_of

COMMANDS = ("topics",)
TOPIC_BUTTONS = "topic_buttons"
TOPIC_POSTS = 5
TopicButtons = Callable[[str, int], list[InlineKeyboardButton]]


def topics_for(context: ContextTypes.DEFAULT_TYPE, chat_id: int, lang: str) -> Page:
    """The /topics page for `chat_id` (also used to redraw it after an extra button changed state)."""
    extra: TopicButtons | None = context.bot_data.get(TOPIC_BUTTONS)
    per_tag = (lambda tag: extra(tag, chat_id)) if extra else None
    return topics_page(services_of(context).topics.counts, lang, per_tag)


async def topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update, context)
    await send_page(update.effective_message, topics_for(context, update.effective_chat.id, lang))


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
