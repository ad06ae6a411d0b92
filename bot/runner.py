"""`newsbot run`: the bot against the Bot API, by long polling (or a webhook with --webhook)."""

from __future__ import annotations

import argparse
import sys

from telegram import Update

from bot.app import build_application
from bot.settings import Settings

NO_TOKEN = (
    "newsbot: no bot token. Create a bot with @BotFather in Telegram (send it /newbot), then set "
    "TELEGRAM_BOT_TOKEN=<token> or telegram.token in the config file. "
    "To try the bot offline without a token, run: newsbot chat"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook (settings: webhook.*) instead of polling",
    )


def main(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    app = build_application(settings)
    if getattr(args, "webhook", False):
        return run_webhook(app, settings)
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def run_webhook(app, settings: Settings) -> int:
    hook = settings.webhook
    if not hook.url:
        print("newsbot: --webhook needs webhook.url in the config file", file=sys.stderr)
        return 2
    app.run_webhook(
        listen=hook.listen,
        port=hook.port,
        url_path=hook.path,
        webhook_url=f"{hook.url.rstrip('/')}/{hook.path}",
        secret_token=hook.secret_token,
        allowed_updates=Update.ALL_TYPES,
    )
    return 0
