"""The running bot's last successful contact with the Bot API, for `newsbot health` and metrics.

Every Bot API call goes through a `RecordingRequest` (PTB's HTTPX request with observers). A `Heartbeat`
observer touches ``<data_dir>/heartbeat`` after an HTTP 200, at most every few seconds; its modification
time is the last contact. Long polling talks to the API at least every poll timeout; in webhook mode the
runner pings `getWebhookInfo` regularly so that a quiet bot still shows it is connected.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telegram.request import HTTPXRequest

from bot.settings import Settings

log = logging.getLogger(__name__)

HEARTBEAT_FILE = "heartbeat"

# (Bot API method, HTTP status) -> None; called after every response
Observer = Callable[[str, int], None]


class RecordingRequest(HTTPXRequest):
    """`HTTPXRequest` that tells its observers the method and HTTP status of every response."""

    def __init__(self, *args: Any, observers: list[Observer] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.observers: list[Observer] = list(observers or ())

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, method, *args, **kwargs)
        endpoint = url.rsplit("/", 1)[-1]
        for observer in self.observers:
            try:
                observer(endpoint, status)
            except Exception:  # an observer must never break a Bot API call
                log.exception("response observer failed")
        return status, payload


class Heartbeat:
    """Records successful Bot API contact in a file's modification time (written at most every
    `interval` seconds; the file holds the pid and the time for humans)."""

    def __init__(self, path: Path, interval: float = 5.0) -> None:
        self.path = Path(path)
        self.interval = interval
        self._last = float("-inf")

    def __call__(self, _endpoint: str, status: int) -> None:
        if status != 200:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(f"{os.getpid()} {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}\n")
        except OSError as exc:
            log.warning("cannot record the heartbeat in %s: %s", self.path, exc)


def heartbeat_path(data_dir: Path) -> Path:
    return Path(data_dir) / HEARTBEAT_FILE


def last_contact(data_dir: Path) -> float | None:
    """Unix time of the last recorded Bot API contact, or None if there is none."""
    try:
        return heartbeat_path(data_dir).stat().st_mtime
    except OSError:
        return None


def request(settings: Settings, *, get_updates: bool = False) -> RecordingRequest:
    """The Application's request object (`ApplicationBuilder.request` / `.get_updates_request`), with
    PTB's default pool sizes, recording the heartbeat in the data dir."""
    return RecordingRequest(
        connection_pool_size=1 if get_updates else 256,
        observers=[Heartbeat(heartbeat_path(settings.data_dir))],
    )
