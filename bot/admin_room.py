"""The admin room: a group (`admin_chat`) where reports go — delivery reports, missed schedules, and any
other problem an admin should see (`tell`, e.g. from the channel publisher) — and whose administrators count
as the bot's admins besides `NEWSBOT_ADMINS` (`Admins`: asked of Telegram, remembered for a few minutes).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.pacing import BROADCAST, Pacer, broadcasting
from bot.settings import Settings

log = logging.getLogger(__name__)

ADMIN_STATUSES = (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def tell(
    bot: Bot, settings: Settings, text: str, *, fallback: int | None = None, pacer: Pacer | None = None
) -> bool:
    """Send `text` (HTML) to the admin room, or to `fallback` (e.g. an announcement's author) when there
    is none; a failure is logged, never raised. Returns whether it was sent. With the `pacer`, the message
    is part of a broadcast (a delivery report): it takes a broadcast's turn, after the answers waiting for
    that chat (e.g. "Sending to 2 chats…")."""
    chat_id = settings.admin_chat if settings.admin_chat is not None else fallback
    if chat_id is None:
        log.warning("nobody to tell (no admin_chat): %s", text)
        return False
    try:
        if pacer is None:
            await bot.send_message(chat_id, text)
        else:
            await pacer.turn(chat_id, priority=BROADCAST)
            with broadcasting():
                await bot.send_message(chat_id, text)
    except TelegramError as exc:
        log.warning("could not tell the admins in %s: %s", chat_id, exc)
        return False
    return True


class Admins:
    """Who may use the admin commands: `settings.admins`, and the administrators of the admin room, asked
    of Telegram (getChatAdministrators) at most once every `ttl` seconds."""

    def __init__(
        self, settings: Settings, *, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ):
        self.settings = settings
        self.ttl = ttl
        self.clock = clock
        self._room: frozenset[int] = frozenset()
        self._expires = 0.0

    async def check(self, bot: Bot, user_id: int) -> bool:
        if user_id in self.settings.admins:
            return True
        if self.settings.admin_chat is None:
            return False
        if self.clock() >= self._expires:
            self._room = await self._ask(bot, self.settings.admin_chat)
            self._expires = self.clock() + self.ttl
        return user_id in self._room

    async def _ask(self, bot: Bot, chat_id: int) -> frozenset[int]:
        try:
            members = await bot.get_chat_administrators(chat_id)
        except TelegramError as exc:
            log.warning("cannot read the administrators of the admin room %s: %s", chat_id, exc)
            return frozenset()
        return frozenset(m.user.id for m in members if m.status in ADMIN_STATUSES and not m.user.is_bot)
