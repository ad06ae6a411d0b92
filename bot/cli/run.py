"""`newsbot run`: the bot against the Bot API, by long polling (default) or a webhook (``--webhook``).

One bot per data dir (`bot.instance`). SIGTERM/SIGINT stop it gracefully (PTB's run_* loop): updates stop
being fetched, the handlers running finish, the delivery engine lets its in-flight sends record their
outcome (bounded), then the index and database close; queued deliveries stay queued for the next start.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import logging
import re
import secrets
import socket
import tempfile
import time
from pathlib import Path

from telegram import Bot, Update
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
from telegram.request import HTTPXRequest

from bot.app import build_application
from bot.context import BotContext
from bot.instance import AlreadyRunning, InstanceLock
from bot.logs import say
from bot.render.messages import counted
from bot.settings import Settings, Webhook

log = logging.getLogger(__name__)

NO_TOKEN = (
    "no bot token. Create a bot with @BotFather in Telegram (send it /newbot), then set "
    "TELEGRAM_BOT_TOKEN=<token> or telegram.token in the config file. "
    "To try the bot offline without a token, run: newsbot chat"
)
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_PING_SECONDS = 60.0  # webhook mode: how often getWebhookInfo shows the API is reachable
BOOTSTRAP_RETRIES = 5  # setWebhook/deleteWebhook attempts at start before giving up
STARTUP_ATTEMPTS = 4  # getMe attempts before giving up on an unreachable Bot API (1 + 2 + 4 s between)
CONNECT_SECONDS = 5.0  # each start-up getMe waits at most this long to connect, and as long to read
# A token from @BotFather: the bot's id, a colon, a secret of about 35 characters.
TOKEN_SHAPE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{30,64}")
REJECTED = (
    "the Bot API at {url} rejected the token; check TELEGRAM_BOT_TOKEN (or create a new one with @BotFather)"
)
WRITABLE_HINT = (
    "it must be a folder this user can write (in Docker: a volume, or a folder owned by uid 10001)"
)
MALLOC_ARENAS = 2  # glibc's malloc arenas shared by all the bot's threads (see `share_malloc_arenas`)
M_ARENA_MAX = -8  # glibc's mallopt parameter number
PORT_HINT = "is another program (or another newsbot) using the port? Choose another with NEWSBOT_WEBHOOK_PORT"

# Exit codes (README, "Exit codes").
EXIT_RUNNING = 1  # another newsbot runs on this data dir (or the bot crashed)
EXIT_CONFIG = 2  # something to fix before starting again: token, settings, data dir, port
EXIT_UNREACHABLE = 3  # the Bot API could not be reached: a supervisor may simply start it again later

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


def share_malloc_arenas() -> None:
    """Have glibc's malloc serve every thread from `MALLOC_ARENAS` arenas, not one per thread: each
    arena keeps the memory its thread's busiest search or sync left behind, about 20 MB more at 10k posts
    (bench/README.md, "run_memory.py"). Elsewhere this does nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, MALLOC_ARENAS)


def main(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    share_malloc_arenas()  # before any thread starts
    problem = token_problem(settings.token)
    if problem:
        say(problem)
        return EXIT_CONFIG
    webhook = webhook_settings(settings.webhook) if getattr(args, "webhook", False) else None
    if isinstance(webhook, str):
        say(webhook)
        return EXIT_CONFIG
    try:
        lock = lock_data_dir(settings.data_dir)
    except AlreadyRunning as exc:
        say(str(exc))
        return EXIT_RUNNING
    except OSError as exc:
        log.debug("data dir check failed", exc_info=True)
        say(f"cannot write to the data dir {settings.data_dir}: {exc.strerror or exc}; {WRITABLE_HINT}")
        return EXIT_CONFIG
    try:
        return serve(settings, webhook)
    finally:
        lock.release()


def serve(settings: Settings, webhook: Webhook | None) -> int:
    """Check the webhook port and the Bot API, then run until a stop signal; returns the exit code."""
    if webhook is not None and (busy := port_problem(webhook.listen, webhook.port)):
        say(f"cannot listen for the webhook on {webhook.listen}:{webhook.port}: {busy}; {PORT_HINT}")
        return EXIT_CONFIG
    try:
        asyncio.run(reach_api(settings))
    except (InvalidToken, NetworkError) as exc:
        return api_failure(exc, settings, f" ({exc}), {STARTUP_ATTEMPTS} attempts")
    app = build_application(settings)
    if settings.metrics_port:
        from bot import metrics

        metrics.install(app)
        try:
            metrics.serve(settings.metrics_port)
        except OSError as exc:
            say(f"cannot serve metrics on port {settings.metrics_port}: {exc.strerror or exc}; {PORT_HINT}")
            return EXIT_CONFIG
    allowed = allowed_updates(app)
    if app.job_queue is not None:
        # runs once the Application has started (after setWebhook / the first getUpdates is on its way)
        mode = "polling" if webhook is None else "webhook"
        app.job_queue.run_once(say_started, 0, data=mode, job_kwargs={"misfire_grace_time": None})
    try:
        if webhook is None:
            log.info("starting: long polling for %s", ", ".join(allowed))
            app.run_polling(allowed_updates=allowed, bootstrap_retries=BOOTSTRAP_RETRIES)
        else:
            run_webhook(app, webhook, allowed)
    except (InvalidToken, NetworkError) as exc:
        return api_failure(exc, settings, f": {exc}")
    except OSError as exc:
        log.debug("start-up failed", exc_info=True)
        say(f"cannot start: {exc.strerror or exc}")
        return EXIT_CONFIG
    log.info("stopped cleanly")
    return 0


def api_failure(exc: InvalidToken | NetworkError, settings: Settings, detail: str) -> int:
    """Say in one line why the Bot API would not have the bot (the token refused, or unreachable:
    `detail` says how it failed); the exit code."""
    if isinstance(exc, InvalidToken):
        log.debug("the Bot API refused the token", exc_info=exc)
        say(REJECTED.format(url=settings.api_url))
        return EXIT_CONFIG
    log.debug("the Bot API is unreachable", exc_info=exc)
    say(f"cannot reach the Bot API at {settings.api_url}{detail}; giving up")
    return EXIT_UNREACHABLE


def token_problem(token: str | None) -> str | None:
    """What is wrong with the token's form, without repeating the token; None when it looks right."""
    if not token:
        return NO_TOKEN
    if TOKEN_SHAPE.fullmatch(token):
        return None
    return (
        "TELEGRAM_BOT_TOKEN does not look like a bot token: @BotFather gives a number, a colon and about "
        f"35 letters, digits, _ or - (the one set has {len(token)} characters"
        f"{'' if ':' in token else ' and no colon'}); copy it again from @BotFather (/token)"
    )


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (e.g. "Address already in use"), or None when it can."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


async def reach_api(settings: Settings) -> None:
    """`getMe` until it answers: a few attempts, each failure said in one line (never a silent wait).
    Raises InvalidToken at once, and the last NetworkError when every attempt failed."""
    request = HTTPXRequest(connect_timeout=CONNECT_SECONDS, read_timeout=CONNECT_SECONDS)
    bot = Bot(settings.token, base_url=f"{settings.api_url}/bot", request=request)
    pause = 1.0
    for attempt in range(1, STARTUP_ATTEMPTS + 1):
        try:
            await bot.initialize()
            await bot.shutdown()
            return
        except NetworkError as exc:
            if attempt == STARTUP_ATTEMPTS:
                raise
            log.debug("getMe failed", exc_info=True)
            say(
                f"cannot reach the Bot API at {settings.api_url} ({exc}); attempt {attempt} of "
                f"{STARTUP_ATTEMPTS}, trying again in {pause:.0f} s",
                logging.WARNING,
            )
            await asyncio.sleep(pause)
            pause *= 2


async def say_started(context: BotContext) -> None:
    """The one line of a successful start: who we are, how many posts, how updates arrive."""
    posts = counted(context.services.post_count, "post")
    say(f"started as @{context.bot.username}, {posts}, {context.job.data}", logging.INFO)


def lock_data_dir(data_dir: Path, attempts: int = 4, pause: float = 0.5) -> InstanceLock:
    """The data dir's instance lock; a few short retries ride out `newsbot health` probing it. Raises
    OSError when the data dir cannot be written."""
    for _ in range(attempts - 1):
        try:
            return checked_writable(InstanceLock(data_dir).acquire(), data_dir)
        except AlreadyRunning:
            time.sleep(pause)
    return checked_writable(InstanceLock(data_dir).acquire(), data_dir)


def checked_writable(lock: InstanceLock, data_dir: Path) -> InstanceLock:
    """`lock`, once a file could be created in `data_dir` (else the lock is released and OSError raised)."""
    try:
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError:
        lock.release()
        raise
    return lock


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
