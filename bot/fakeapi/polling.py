"""Running a PTB Application against the fake (or any Bot API) by long polling, for a block of code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.fakeapi.methods import ALL_KINDS


@asynccontextmanager
async def polling(app: Any, *, timeout: int = 10) -> AsyncIterator[Any]:
    """Run a PTB Application by long polling (e.g. against a FakeBotAPI) for the ``async with`` body:
    initialize, start, poll (``timeout`` = the long-poll seconds), then stop and shut down cleanly."""
    await app.initialize()
    try:
        await app.start()
        try:
            await app.updater.start_polling(
                poll_interval=0, timeout=timeout, allowed_updates=sorted(ALL_KINDS)
            )
            try:
                yield app
            finally:
                await app.updater.stop()
        finally:
            await app.stop()
    finally:
        await app.shutdown()
