"""Logging set-up: readable lines (or JSON), and never a bot token in any record.

The configured token is registered with `protect()` as soon as the settings are read: its exact value
and its URL-encoded forms are then redacted from every log line, traceback and start-up message, whatever
the token looks like (``123:ABC``, ``notatoken``). Anything shaped like a Bot API token is redacted too.
Below DEBUG, python-telegram-bot's own records carry a one-line reason instead of a traceback.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from urllib.parse import quote, quote_plus

# A Bot API token looks like 123456789:AA...; it also appears in URLs as /bot<token>/.
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
REDACTED = "[REDACTED]"

_secrets: set[str] = set()
_format = "text"


def protect(secret: str | None) -> None:
    """Redact `secret` (and its URL-encoded forms) from everything written from now on."""
    if secret:
        _secrets.update(form for form in (secret, quote(secret, safe=""), quote_plus(secret)) if form)


def redact(text: str) -> str:
    """Remove the protected secrets, and anything that looks like a bot token, from `text`."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return TOKEN_PATTERN.sub(REDACTED, text)


class RedactingFormatter(logging.Formatter):
    """Formats as usual (message and traceback), then redacts tokens."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, tokens redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


class BriefLibraryErrors(logging.Filter):
    """python-telegram-bot's records (retry loops, polling errors) get the exception's one-line reason
    instead of a traceback; the traceback is kept when the handler shows DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.startswith("telegram") and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class SafeStreamHandler(logging.StreamHandler):
    """A stream handler whose own failures (e.g. a closed stream) report one redacted line,
    instead of logging's default dump of the record, arguments and all."""

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if logging.raiseExceptions and sys.stderr:
            sys.stderr.write(redact(f"--- logging error in {record.name}: {error!r}\n"))


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Configure the root logger; quiet the HTTP libraries, whose request lines carry the token; route
    uncaught exceptions (main thread and others) through the log, so they are redacted too."""
    global _format
    _format = fmt
    handler = SafeStreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    if root.level > logging.DEBUG:
        handler.addFilter(BriefLibraryErrors())
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if sys.excepthook is sys.__excepthook__:  # (a test runner's own hooks are left alone)
        sys.excepthook = _log_uncaught
    if threading.excepthook is threading.__excepthook__:
        threading.excepthook = _log_uncaught_in_thread


def _log_uncaught_in_thread(hook: threading.ExceptHookArgs) -> None:
    _log_uncaught(hook.exc_type, hook.exc_value, hook.exc_traceback)


def _log_uncaught(kind, error, traceback) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("newsbot").critical("uncaught exception", exc_info=(kind, error, traceback))


def say(message: str, level: int = logging.ERROR) -> None:
    """One line on stderr whatever the log level — a start-up result: ``newsbot: message``, or a JSON
    object in JSON mode. Redacted like every log line."""
    if _format == "json":
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "level": logging.getLevelName(level),
            "logger": "newsbot",
            "message": message,
        }
        line = json.dumps(entry, ensure_ascii=False)
    else:
        line = f"newsbot: {message}"
    sys.stderr.write(redact(line) + "\n")
    sys.stderr.flush()
