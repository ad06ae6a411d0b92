"""Groups: the bot answers commands, and messages that mention it or reply to it; other chatter is ignored."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import BotContext
from bot.handlers.common import addressed_to_bot, ask, question_in


class _AddressedToBot(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return addressed_to_bot(message)


ADDRESSED_TO_BOT = _AddressedToBot(name="addressed_to_bot")


async def group_text(update: Update, context: BotContext) -> None:
    await ask(update, context, question_in(update.effective_message))


def handlers() -> list[BaseHandler]:
    questions = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    return [
        MessageHandler(
            filters.ChatType.GROUPS & questions & filters.TEXT & ~filters.COMMAND & ADDRESSED_TO_BOT,
            group_text,
        )
    ]
