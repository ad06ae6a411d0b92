"""Helpers every handler module uses: the chat's language, query cleaning, sending an answer."""

from __future__ import annotations

import re
import unicodedata

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.messages import language_for
from bot.render import Page
from bot.services import services_of

MAX_QUERY = 200  # characters of a question passed to the search
ANSWERS = "answers"  # chat_data: question message id -> the bot's answer message id
MAX_REMEMBERED_ANSWERS = 50
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\u00ad]")


def lang_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The language to answer in: the chat's /language choice, else the user's Telegram language."""
    user = update.effective_user
    chat_id = update.effective_chat.id if update.effective_chat else user.id if user else None
    chosen = None
    if chat_id is not None:
        chat = services_of(context).store.chat(chat_id)
        chosen = chat.language if chat else None
    return language_for(user.language_code if user else None, chosen)


def clean_query(text: str | None) -> str:
    """A question as the search should see it: no invisible or control characters, single spaces, capped."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(text.split())[:MAX_QUERY].strip()


async def send_page(message: Message, page: Page, **kwargs) -> Message:
    """Reply to `message` with a page (HTML and no link previews are the Application's defaults)."""
    return await message.reply_html(page.text, reply_markup=page.markup, **kwargs)


async def send_to(context: ContextTypes.DEFAULT_TYPE, chat_id: int, page: Page) -> Message:
    return await context.bot.send_message(chat_id, page.text, reply_markup=page.markup)


async def edit_page(callback: CallbackQuery, page: Page) -> None:
    """Replace the pressed button's message with `page`; an unchanged page is not an error."""
    try:
        await callback.edit_message_text(page.text, reply_markup=page.markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, page: Page) -> None:
    """Answer a question; when the question was edited, edit the earlier answer instead of sending anew."""
    message = update.effective_message
    answers: dict[int, int] = context.chat_data.setdefault(ANSWERS, {})
    if update.edited_message and message.message_id in answers:
        try:
            await context.bot.edit_message_text(
                page.text,
                chat_id=message.chat_id,
                message_id=answers[message.message_id],
                reply_markup=page.markup,
            )
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
    sent = await send_page(message, page)
    answers[message.message_id] = sent.message_id
    while len(answers) > MAX_REMEMBERED_ANSWERS:
        del answers[next(iter(answers))]
