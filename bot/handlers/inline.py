"""Inline mode: `@bot words` in any chat; an empty query offers the latest posts."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.context import BotContext
from bot.handlers.common import clean_query, lang_of
from bot.render.posts import inline_note, inline_results

PER_PAGE = 20  # Telegram allows 50 per answer; more come with next_offset as the user scrolls
CACHE_SECONDS = 30


async def inline_query(update: Update, context: BotContext) -> None:
    inline = update.inline_query
    lang = lang_of(update, context)
    services = context.services
    query = clean_query(inline.query)
    next_offset, note = None, None
    if not query:
        hits = await services.latest(PER_PAGE)
    else:
        page = int(inline.offset) if inline.offset.isdigit() and 0 < int(inline.offset) < 1000 else 1
        results = await services.search(query, page=page, per_page=PER_PAGE)
        hits, note = results.hits or list(results.nearest), inline_note(results, lang)
        if page < results.pages:
            next_offset = str(page + 1)
    articles = inline_results(
        hits, lang, site_search_url=services.settings.site_search_url, bot_username=context.bot.username
    )
    await inline.answer(
        articles, cache_time=CACHE_SECONDS, is_personal=True, next_offset=next_offset, button=note
    )


def handlers() -> list[BaseHandler]:
    return [InlineQueryHandler(inline_query)]
