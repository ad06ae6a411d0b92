"""/latest [n]: the newest posts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BotContext
from bot.handlers.common import lang_of, send_page
from bot.render.messages import t
from bot.render.page import Page
from bot.render.posts import hits_page

COMMANDS = ("latest",)
DEFAULT_COUNT = 5
MAX_COUNT = 10


def requested_count(args: list[str] | None) -> int:
    """`/latest 3` → 3; missing, odd or out-of-range numbers fall back to sensible bounds."""
    try:
        return max(1, min(MAX_COUNT, int(args[0]))) if args else DEFAULT_COUNT
    except ValueError:
        return DEFAULT_COUNT


async def latest(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    services = context.services
    hits = await services.latest(requested_count(context.args))
    if not hits:
        page = Page(t(lang, "latest_empty"))
    else:
        page = hits_page(
            t(lang, "latest_header"), hits, lang, site_search_url=services.settings.site_search_url
        )
    await send_page(update.effective_message, page)


def handlers() -> list[BaseHandler]:
    return [CommandHandler("latest", latest, filters=filters.UpdateType.MESSAGE)]
