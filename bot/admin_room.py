"""The admin room: a group (`admin_chat`) where reports go — delivery reports, missed schedules, and any
other problem an admin should see (`tell`)."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.settings import Settings

log = logging.getLogger(__name__)


async def tell(bot: Bot, settings: Settings, text: str, *, fallback: int | None = None) -> bool:
    """Send `text` (HTML) to the admin room, or to `fallback` (e.g. an announcement's author) when there
    is none; a failure is logged, never raised. Returns whether it was sent."""
    chat_id = settings.admin_chat if settings.admin_chat is not None else fallback
    if chat_id is None:
        log.warning("nobody to tell (no admin_chat): %s", text)
        return False
    try:
        await bot.send_message(chat_id, text)
    except TelegramError as exc:
        log.warning("could not tell the admins in %s: %s", chat_id, exc)
        return False
    return True
