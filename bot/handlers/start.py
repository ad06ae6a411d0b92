"""/start (with deep-link payloads) and /help."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from bot.handlers.common import lang_of, send_page
from bot.handlers.search import send_post
from bot.render.messages import t
from bot.render.page import Page
from bot.services import services_of

COMMANDS = ("start", "help")
# bot_data key: payload name -> coroutine(update, context, argument) handling `/start <name>[_<argument>]`.
# The subscriptions module registers "subscribe" here.
START_PAYLOADS = "start_payloads"
StartHook = Callable[[Update, ContextTypes.DEFAULT_TYPE, str], Awaitable[None]]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update, context)
    services = services_of(context)
    payload = context.args[0] if context.args else ""
    name, _, argument = payload.partition("_")
    hooks: dict[str, StartHook] = context.bot_data.get(START_PAYLOADS, {})
    if name in hooks:
        await hooks[name](update, context, argument)
        return
    if name == "r" and argument in services.post_keys:
        await send_post(context, update.effective_chat.id, services.post_keys[argument], lang)
        return
    text = t(lang, "start", site=services.settings.site_name, count=services.post_count)
    await send_page(update.effective_message, Page(text))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = lang_of(update, context)
    await send_page(update.effective_message, Page(t(lang, "help", bot=context.bot.username or "bot")))


def register(app: Application) -> None:
    only_new = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("start", start, filters=only_new))
    app.add_handler(CommandHandler("help", help_command, filters=only_new))
