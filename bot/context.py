"""The context handlers and jobs are given: PTB's CallbackContext with the bot's own state, typed.

`bot.app` puts that state into `bot_data` under the keys below when the Application starts; handlers read
it as `context.services`, `context.delivery`, `context.flood`, `context.clock`, `context.scheduler`
and `context.admins`.
"""

from __future__ import annotations

from telegram.ext import CallbackContext, ExtBot

from bot.admin_room import Admins
from bot.clock import Clock
from bot.delivery import DeliveryEngine
from bot.flood import Flood
from bot.schedule import Scheduler
from bot.services import Services

SERVICES = "services"  # the open Services
DELIVERY = "delivery"  # the running DeliveryEngine
FLOOD = "flood"  # the per-user Flood buckets
CLOCK = "clock"  # the Clock schedules and digests read (a ManualClock in tests)
DIGESTS = "digests"  # the running digest loop (bot.digests)
CHANNEL = "channel"  # the channel's state (bot.channel)
SCHEDULER = "scheduler"  # the running Scheduler of announcements
ADMINS = "admins"  # who the admins are (bot.admin_room.Admins)


class BotContext(CallbackContext[ExtBot, dict, dict, dict]):
    @property
    def services(self) -> Services:
        return self.bot_data[SERVICES]

    @property
    def delivery(self) -> DeliveryEngine | None:
        """The delivery engine, when it runs (it does whenever the Application does)."""
        return self.bot_data.get(DELIVERY)

    @property
    def clock(self) -> Clock:
        return self.bot_data[CLOCK]

    @property
    def flood(self) -> Flood:
        return self.bot_data[FLOOD]

    @property
    def admins(self) -> Admins:
        return self.bot_data[ADMINS]

    @property
    def scheduler(self) -> Scheduler | None:
        """The scheduler of announcements, when it runs (it does whenever the Application does)."""
        return self.bot_data.get(SCHEDULER)
