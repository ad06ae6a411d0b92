"""The PTB Application: every handler registered here in one readable order, the services opened and
closed with it.

A new command is a module in `bot/handlers/` with `handlers()` (and `COMMANDS` for the menu, described by
the catalogue's `cmd_<name>` texts), added to `ANSWERING` (and `MENU`) below.
"""

from __future__ import annotations

import logging
from enum import IntEnum
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import digests, heartbeat, notify
from bot.admin_room import Admins
from bot.clock import Clock
from bot.context import ADMINS, CLOCK, FLOOD, SERVICES, BotContext
from bot.flood import Flood, PerChatProcessor
from bot.handlers import (
    announce,
    digest,
    errors,
    fallback,
    gate,
    groups,
    inline,
    language,
    latest,
    schedule,
    search,
    start,
    subscriptions,
    topics,
)
from bot.pacing import Pacer, PacingLimiter
from bot.render.messages import LANGUAGES, plain
from bot.services import Services
from bot.settings import Settings

log = logging.getLogger(__name__)


class Group(IntEnum):
    """Handler groups, in the order PTB runs them; within a group, only the first matching handler runs."""

    OBSERVE = -1000  # look at every update and let it pass (bot.metrics counts them)
    GATE = -10  # record the chat, pace a bursting user; may stop the update here
    PROMPT = -5  # an answer the bot asked for (e.g. a date for a schedule); may stop the update here
    ANSWER = 0  # the one handler that answers the update


# The answering handlers, in the order they are tried.
ANSWERING = (
    subscriptions,  # first: its deep link `/start subscribe…` must not be taken for a plain /start
    start,
    search,
    latest,
    topics,
    language,
    digest,
    inline,
    announce,
    schedule,
    groups,
    fallback,  # last: whatever no other handler took
)
MENU = (start, search, latest, topics, language, subscriptions, digest)  # their COMMANDS, in menu order
MENU_LANGUAGES = (None, *LANGUAGES[1:])  # None: the default menu (English); then each catalogue


def build_application(settings: Settings, *, clock: Clock | None = None) -> Application:
    """The bot, ready for `run_polling()` (or `initialize()`/`start()` in tests and benchmarks); schedules
    and digests read `clock` (the wall clock unless a test gives a ManualClock)."""
    if not settings.token:
        raise ValueError("a bot token is needed (TELEGRAM_BOT_TOKEN)")
    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.api_url}/bot")
        .base_file_url(f"{settings.api_url}/file/bot")
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(PerChatProcessor())
        .rate_limiter(PacingLimiter(Pacer(settings.delivery)))
        .request(heartbeat.request(settings))
        .get_updates_request(heartbeat.request(settings, get_updates=True))
        .application_class(NewsbotApplication, {"settings": settings})
        .build()
    )
    app.bot_data[FLOOD] = Flood()
    app.bot_data[CLOCK] = clock or Clock()
    app.bot_data[ADMINS] = Admins(settings)
    app.add_handlers(announce.observers(), group=Group.OBSERVE)
    app.add_handlers(gate.handlers(), group=Group.GATE)
    app.add_handlers(schedule.prompts(), group=Group.PROMPT)
    for module in ANSWERING:
        app.add_handlers(module.handlers(), group=Group.ANSWER)
    app.add_error_handler(errors.on_error)
    return app


class NewsbotApplication(Application):
    """Opens the services (index, store), sets the command menu and starts the notifier when initialized,
    and closes them at shutdown — so `run_polling()`, `run_webhook()` and a manual `initialize()`/`start()`
    all get them (PTB's post_init hook only runs under run_polling/run_webhook)."""

    def __init__(self, *, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings

    async def initialize(self) -> None:
        await super().initialize()
        if SERVICES not in self.bot_data:
            self.bot_data[SERVICES] = await Services.open(self.settings)
            await set_commands(self)
            await notify.start(self)
            await digests.start(self)

    async def shutdown(self) -> None:
        await digests.stop(self)
        await notify.stop(self)
        services: Services | None = self.bot_data.pop(SERVICES, None)
        if services is not None:
            services.close()
        await super().shutdown()


async def set_commands(app: Application) -> None:
    """Register the command menu in English (default) and every catalogue's language; each admin gets
    the same menu plus the admin commands in their own chat (`BotCommandScopeChat`). A failure is
    logged, not fatal (e.g. an admin who never started the bot: "chat not found")."""
    names = [name for module in MENU for name in module.COMMANDS]
    admins = sorted(app.bot_data[SERVICES].settings.admins) if SERVICES in app.bot_data else []
    for language_code in MENU_LANGUAGES:
        language = language_code or "en"
        commands = [BotCommand(name, plain(language, f"cmd_{name}")) for name in names]
        admin_commands = commands + [
            BotCommand(n, plain(language, f"cmd_{n}")) for n in announce.ADMIN_COMMANDS
        ]
        menus = [(None, commands)] + [(BotCommandScopeChat(admin), admin_commands) for admin in admins]
        for scope, menu in menus:
            try:
                await app.bot.set_my_commands(menu, scope=scope, language_code=language_code)
            except TelegramError as exc:
                whose = f"admin {scope.chat_id}" if scope else "members"
                log.warning("could not set the command menu (%s, %s): %s", whose, language, exc)
