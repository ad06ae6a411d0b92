"""Groups: the bot answers commands, and messages that mention it or reply to it; other chatter is ignored."""

from __future__ import annotations

from telegram import Message, MessageEntity, Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.handlers.search import ask


def addressed_to_bot(message: Message) -> bool:
    """Whether a group message mentions the bot or replies to one of its messages."""
    bot = message.get_bot()
    reply = message.reply_to_message
    if reply and reply.from_user and reply.from_user.id == bot.id:
        return True
    mention = f"@{bot.username}".lower() if bot.username else None
    for entity, text in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            return True
        if mention and text.lower() == mention:
            return True
    return False


def question_in(message: Message) -> str:
    """The message text without the mentions of the bot."""
    text = message.text or ""
    bot_username = message.get_bot().username
    if bot_username:
        mention = f"@{bot_username}"
        text = " ".join(word for word in text.split() if word.lower() != mention.lower())
    return text


class _AddressedToBot(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        return addressed_to_bot(message)


ADDRESSED_TO_BOT = _AddressedToBot(name="addressed_to_bot")


async def group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await ask(update, context, question_in(update.effective_message))


def register(app: Application) -> None:
    questions = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
    app.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS & questions & filters.TEXT & ~filters.COMMAND & ADDRESSED_TO_BOT,
            group_text,
        )
    )
