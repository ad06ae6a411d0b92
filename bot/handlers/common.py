"""Helpers every handler module uses: the chat's language, query cleaning, sending an answer."""

from __future__ import annotations

import re
import unicodedata

from telegram import CallbackQuery, MaybeInaccessibleMessage, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.render.html import visible_text
from bot.render.messages import language_for
from bot.render.page import Page
from bot.services import services_of

MAX_QUERY = 200  # characters of a question passed to the search
ANSWERS = "answers"  # chat_data: question message id -> the bot's answer message id
SHOWN = "shown"  # chat_data: bot message id -> the Page it shows (to skip edits that change nothing)
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


def _remember(context: ContextTypes.DEFAULT_TYPE, message_id: int, page: Page) -> None:
    shown: dict[int, Page] = context.chat_data.setdefault(SHOWN, {})
    shown.pop(message_id, None)
    shown[message_id] = page
    while len(shown) > MAX_REMEMBERED_ANSWERS:
        del shown[next(iter(shown))]


def _showing(
    context: ContextTypes.DEFAULT_TYPE, message: MaybeInaccessibleMessage | None, page: Page
) -> bool:
    """Whether the message already shows `page` (Telegram refuses an edit that changes nothing)."""
    if message is None:
        return False
    known = (
        context.chat_data.get(SHOWN, {}).get(message.message_id) if context.chat_data is not None else None
    )
    if known is not None:
        return known == page
    if not isinstance(message, Message):
        return False
    return message.text == visible_text(page.text).strip() and message.reply_markup == page.markup


async def edit_page(callback: CallbackQuery, page: Page, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show `page` in the pressed button's message, unless it already shows it (a double tap)."""
    if _showing(context, callback.message, page):
        return
    try:
        await callback.edit_message_text(page.text, reply_markup=page.markup)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    if callback.message is not None:
        _remember(context, callback.message.message_id, page)


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE, page: Page) -> None:
    """Answer a question; when the question was edited, edit the earlier answer instead of sending anew."""
    message = update.effective_message
    answers: dict[int, int] = context.chat_data.setdefault(ANSWERS, {})
    if update.edited_message and message.message_id in answers:
        earlier = answers[message.message_id]
        if context.chat_data.get(SHOWN, {}).get(earlier) == page:
            return
        try:
            await context.bot.edit_message_text(
                page.text, chat_id=message.chat_id, message_id=earlier, reply_markup=page.markup
            )
            _remember(context, earlier, page)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
    sent = await send_page(message, page)
    _remember(context, sent.message_id, page)
    answers[message.message_id] = sent.message_id
    while len(answers) > MAX_REMEMBERED_ANSWERS:
        del answers[next(iter(answers))]
