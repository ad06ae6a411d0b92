"""The PTB Application: handlers registered module by module, services opened and closed with it.

Teammates add features by appending a module to `HANDLER_MODULES`: the module defines
`register(app: Application) -> None` and optionally `COMMANDS` (command names for the menu, described by
the catalogue's `cmd_<name>` texts). `bot.handlers.fallback` is always registered last.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from types import ModuleType

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot import heartbeat, notify
from bot.delivery import Pacer, SharedRateLimiter
from bot.flood import PerChatProcessor
from bot.render.messages import plain
from bot.services import SERVICES, close_services, open_services
from bot.settings import Settings

log = logging.getLogger(__name__)

HANDLER_MODULES: list[str] = [
    "bot.handlers.gate",
    "bot.handlers.errors",
    "bot.handlers.start",
    "bot.handlers.search",
    "bot.handlers.latest",
    "bot.handlers.topics",
    "bot.handlers.language",
    "bot.handlers.inline",
    "bot.handlers.subscriptions",
    "bot.handlers.announce",
    "bot.handlers.groups",
]
FALLBACK_MODULE = "bot.handlers.fallback"
MENU_LANGUAGES = (None, "sr")  # None: the default menu (English)


def handler_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in [*HANDLER_MODULES, FALLBACK_MODULE]]


def build_application(settings: Settings) -> Application:
    """The bot, ready for `run_polling()` (or `initialize()`/`start()` in tests and benchmarks)."""
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
        .concurrent_updates(PerChatProcessor())
        .rate_limiter(SharedRateLimiter(Pacer(settings.delivery)))
        .request(heartbeat.request(settings))
        .get_updates_request(heartbeat.request(settings, get_updates=True))
        .application_class(NewsbotApplication)
        .build()
    )
    app.bot_data["settings"] = settings
    modules = handler_modules()
    for module in modules:
        module.register(app)
    app.bot_data["commands"] = [name for module in modules for name in getattr(module, "COMMANDS", ())]
    return app


class NewsbotApplication(Application):
    """Opens the services (index, store) and sets the command menu when initialized, closes them at
    shutdown — so `run_polling()`, `run_webhook()` and a manual `initialize()`/`start()` all get them
    (PTB's post_init hook only runs under run_polling/run_webhook)."""

    async def initialize(self) -> None:
        await super().initialize()
        if SERVICES not in self.bot_data:
            await open_services(self)
            await set_commands(self, self.bot_data["commands"])
            await notify.start(self)

    async def shutdown(self) -> None:
        await notify.stop(self)
        await close_services(self)
        await super().shutdown()


async def set_commands(app: Application, names: Iterable[str]) -> None:
    """Register the command menu in English (default) and Serbian; a failure is logged, not fatal."""
    names = list(names)
    for language in MENU_LANGUAGES:
        commands = [BotCommand(name, plain(language or "en", f"cmd_{name}")) for name in names]
        try:
            await app.bot.set_my_commands(commands, language_code=language)
        except TelegramError as exc:
            log.warning("could not set the command menu (%s): %s", language or "default", exc)
