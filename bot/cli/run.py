"""`newsbot run`: the bot against the Bot API, by long polling (default) or a webhook (``--webhook``).

One bot per data dir (`bot.instance`). SIGTERM/SIGINT stop it gracefully (PTB's run_* loop): updates stop
being fetched, the handlers running finish, the delivery engine lets its in-flight sends record their
outcome (bounded), then the index and database close; queued deliveries stay queued for the next start.
"""

from __future__ import annotations

import argparse
import logging
import re
import secrets
import sys
import time
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
)

from bot.app import build_application
from bot.context import BotContext
from bot.instance import AlreadyRunning, InstanceLock
from bot.logs import redact
from bot.settings import Settings, Webhook

log = logging.getLogger(__name__)

NO_TOKEN = (
    "newsbot: no bot token. Create a bot with @BotFather in Telegram (send it /newbot), then set "
    "TELEGRAM_BOT_TOKEN=<token> or telegram.token in the config file. "
    "To try the bot offline without a token, run: newsbot chat"
)
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PING_SECONDS = 60.0  # webhook mode: how often getWebhookInfo shows the API is reachable
BOOTSTRAP_RETRIES = 5  # setWebhook/deleteWebhook attempts at start before giving up

# Update kinds each handler type can receive (TypeHandler: whatever arrives, so nothing of its own).
_HANDLED: dict[type, tuple[str, ...]] = {
    CommandHandler: (Update.MESSAGE, Update.EDITED_MESSAGE),
    MessageHandler: (Update.MESSAGE, Update.EDITED_MESSAGE),
    CallbackQueryHandler: (Update.CALLBACK_QUERY,),
    InlineQueryHandler: (Update.INLINE_QUERY,),
    ChosenInlineResultHandler: (Update.CHOSEN_INLINE_RESULT,),
    TypeHandler: (),
}
_CHAT_MEMBER: dict[int, tuple[str, ...]] = {
    ChatMemberHandler.MY_CHAT_MEMBER: (Update.MY_CHAT_MEMBER,),
    ChatMemberHandler.CHAT_MEMBER: (Update.CHAT_MEMBER,),
    ChatMemberHandler.ANY_CHAT_MEMBER: (Update.MY_CHAT_MEMBER, Update.CHAT_MEMBER),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook (settings webhook.*, NEWSBOT_WEBHOOK_*) instead of long polling",
    )


def main(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    webhook = webhook_settings(settings.webhook) if getattr(args, "webhook", False) else None
    if isinstance(webhook, str):
        print(f"newsbot: {webhook}", file=sys.stderr)
        return 2
    try:
        lock = lock_data_dir(settings.data_dir)
    except AlreadyRunning as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    try:
        app = build_application(settings)
        if settings.metrics_port:
            from bot import metrics

            metrics.install(app)
            try:
                metrics.serve(settings.metrics_port)
            except OSError as exc:
                print(
                    f"newsbot: cannot serve metrics on port {settings.metrics_port}: {exc}", file=sys.stderr
                )
                return 2
        allowed = allowed_updates(app)
        try:
            if webhook is None:
                log.info("starting: long polling for %s", ", ".join(allowed))
                app.run_polling(allowed_updates=allowed, bootstrap_retries=BOOTSTRAP_RETRIES)
            else:
                run_webhook(app, webhook, allowed)
        except InvalidToken:
            print(
                f"newsbot: the Bot API at {settings.api_url} rejected the token; check TELEGRAM_BOT_TOKEN",
                file=sys.stderr,
            )
            return 2
        except NetworkError as exc:
            print(
                f"newsbot: cannot reach the Bot API at {settings.api_url}: {redact(str(exc))}",
                file=sys.stderr,
            )
            return 1
    finally:
        lock.release()
    log.info("stopped cleanly")
    return 0


def lock_data_dir(data_dir: Path, attempts: int = 4, pause: float = 0.5) -> InstanceLock:
    """The data dir's instance lock; a few short retries ride out `newsbot health` probing it."""
    for _ in range(attempts - 1):
        try:
            return InstanceLock(data_dir).acquire()
        except AlreadyRunning:
            time.sleep(pause)
    return InstanceLock(data_dir).acquire()


def allowed_updates(app: Application) -> list[str]:
    """The update kinds the registered handlers can handle (so Telegram sends nothing else)."""
    kinds: set[str] = set()
    for handlers in app.handlers.values():
        for handler in handlers:
            kinds.update(_handled(handler))
    return [kind for kind in Update.ALL_TYPES if kind in kinds]


def _handled(handler: BaseHandler) -> tuple[str, ...]:
    if isinstance(handler, ChatMemberHandler):
        return _CHAT_MEMBER[handler.chat_member_types]
    for kind, updates in _HANDLED.items():
        if isinstance(handler, kind):
            return updates
    log.warning("unknown handler type %s: asking Telegram for every update", type(handler).__name__)
    return tuple(Update.ALL_TYPES)


def webhook_settings(hook: Webhook) -> Webhook | str:
    """The webhook settings ready to use (a random secret if none is set), or what is wrong with them."""
    if not hook.url:
        return "--webhook needs a public URL: set NEWSBOT_WEBHOOK_URL or webhook.url in the config file"
    if not hook.url.startswith("https://"):
        return f"webhook URL must start with https:// (Telegram only posts to HTTPS), not {hook.url!r}"
    if hook.secret_token is None:
        return Webhook(hook.url, hook.listen, hook.port, hook.path, secrets.token_urlsafe(32))
    if not SECRET_PATTERN.fullmatch(hook.secret_token):
        return "webhook secret must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
    return hook


def run_webhook(app: Application, hook: Webhook, allowed: list[str]) -> None:
    """Serve the webhook (PTB answers 403 to requests without the secret header) until a stop signal."""
    path = hook.path.strip("/")
    url = f"{hook.url.rstrip('/')}/{path}"
    if app.job_queue is not None:
        # start-up's own calls (getMe, setWebhook) record the first contact; then a ping every interval
        app.job_queue.run_repeating(
            ping_api, interval=WEBHOOK_PING_SECONDS, first=WEBHOOK_PING_SECONDS, name="webhook-ping"
        )
    log.info("starting: webhook on %s:%d/%s for %s", hook.listen, hook.port, path, ", ".join(allowed))
    app.run_webhook(
        listen=hook.listen,
        port=hook.port,
        url_path=path,
        webhook_url=url,
        secret_token=hook.secret_token,
        allowed_updates=allowed,
        bootstrap_retries=BOOTSTRAP_RETRIES,
    )


async def ping_api(context: BotContext) -> None:
    """Webhook mode: keep the heartbeat fresh, and log Telegram's complaints about reaching us."""
    try:
        info = await context.bot.get_webhook_info()
    except TelegramError as exc:
        log.warning("Bot API unreachable: %s", exc)
        return
    if info.last_error_message and info.last_error_message != context.bot_data.get("webhook_error"):
        log.warning("Telegram reports a webhook error: %s", info.last_error_message)
    context.bot_data["webhook_error"] = info.last_error_message
