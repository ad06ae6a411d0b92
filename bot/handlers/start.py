"""/start (with the deep link to read a post, `/start r_<post key>`) and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import BotContext
from bot.handlers.common import lang_of, send_page, send_post
from bot.render.messages import t
from bot.render.page import Page

COMMANDS = ("start", "help")


async def start(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    services = context.services
    payload = context.args[0] if context.args else ""
    name, _, argument = payload.partition("_")
    if name == "r" and argument in services.post_keys:
        await send_post(context, update.effective_chat.id, services.post_keys[argument], lang)
        return
    text = t(lang, "start", site=services.settings.site_name, count=services.post_count)
    await send_page(update.effective_message, Page(text))


async def help_command(update: Update, context: BotContext) -> None:
    lang = lang_of(update, context)
    await send_page(update.effective_message, Page(t(lang, "help", bot=context.bot.username or "bot")))


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("start", start, filters=only_new),
        CommandHandler("help", help_command, filters=only_new),
    ]
