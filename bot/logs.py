"""Logging set-up: readable lines (or JSON), and never a bot token in any record."""

from __future__ import annotations

import json
import logging
import re
import sys

# A Bot API token looks like 123456789:AA...; it also appears in URLs as /bot<token>/.
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
REDACTED = "[REDACTED]"


def redact(text: str) -> str:
    """Remove anything that looks like a bot token from `text`."""
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


class SafeStreamHandler(logging.StreamHandler):
    """A stream handler whose own failures (e.g. a closed stream) report one redacted line,
    instead of logging's default dump of the record, arguments and all."""

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if logging.raiseExceptions and sys.stderr:
            sys.stderr.write(redact(f"--- logging error in {record.name}: {error!r}\n"))


def setup_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Configure the root logger; quiet the HTTP libraries, whose request lines carry the token."""
    handler = SafeStreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
