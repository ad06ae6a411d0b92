"""What the handler modules share, so that none imports another: the chat's language, sending and
editing pages (an edited question edits its answer), the search-and-answer flow, sending a whole post,
the /topics page, whether a group message is addressed to the bot, and who may change a group's settings."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, ChatMember, MaybeInaccessibleMessage, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError

from bot import smalltalk
from bot.context import BotContext
from bot.render.html import visible_text
from bot.render.menus import topics_page
from bot.render.messages import language_for, plain, t
from bot.render.page import Page
from bot.render.posts import post_messages, results_page

MAX_QUERY = 200  # characters of a question passed to the search
PER_PAGE = 5  # hits on one page of an answer
ANSWERS = "answers"  # chat_data: question message id -> the bot's answer message id
SHOWN = "shown"  # chat_data: bot message id -> the Page it shows (to skip edits that change nothing)
MAX_REMEMBERED_ANSWERS = 50
ADMIN_STATUSES = frozenset({ChatMember.ADMINISTRATOR, ChatMember.OWNER})
log = logging.getLogger(__name__)
MEDIA_HINTED = "media_hinted"  # chat_data: the album an admin was last told how to announce (or announces)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\u00ad]")


# who may change a chat's settings -------------------------------------------------------------


async def may_change(update: Update, context: BotContext, lang: str) -> bool:
    """Whether who asks may change this chat's settings; if not, they are told that only admins may.
    Private chats decide for themselves; in groups, only admins (or the group itself, anonymously)."""
    if await _is_allowed(update, context):
        return True
    await _refuse_change(update, lang)
    return False


async def _is_allowed(update: Update, context: BotContext) -> bool:
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return True
    message = update.effective_message
    if message is not None and message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True
    user = update.effective_user
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not check admin rights in chat %s: %s", chat.id, exc)
        return False
    return member.status in ADMIN_STATUSES


async def _refuse_change(update: Update, lang: str) -> None:
    """Tell a group member who is not an admin that only admins may change this."""
    if update.callback_query:
        await update.callback_query.answer(plain(lang, "group_admins_only"), show_alert=True)
    else:
        await update.effective_message.reply_html(t(lang, "group_admins_only"))


# who asks, and what ------------------------------------------------------------------------------


def lang_of(update: Update, context: BotContext) -> str:
    """The language to answer in: the chat's /language choice, else the user's Telegram language."""
    user = update.effective_user
    chat_id = update.effective_chat.id if update.effective_chat else user.id if user else None
    chosen = None
    if chat_id is not None:
        chat = context.services.store.chat(chat_id)
        chosen = chat.language if chat else None
    return language_for(user.language_code if user else None, chosen)


def clean_query(text: str | None) -> str:
    """A question as the search should see it: no invisible or control characters, single spaces, capped."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", text))
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)
    return " ".join(text.split())[:MAX_QUERY].strip()


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


# admins ------------------------------------------------------------------------------------------

Handler = Callable[[Update, BotContext], Awaitable[None]]


async def is_admin(update: Update, context: BotContext) -> bool:
    """Whether the update's user is one of the bot's admins (NEWSBOT_ADMINS or the admin room's)."""
    user = update.effective_user
    return user is not None and await context.admins.check(context.bot, user.id)


def admins_only(refusal: str) -> Callable[[Handler], Handler]:
    """Run the handler for the bot's admins; anyone else gets the `refusal` text and nothing happens."""

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: BotContext) -> None:
            if await is_admin(update, context):
                await handler(update, context)
                return
            lang = lang_of(update, context)
            if update.callback_query:
                await update.callback_query.answer(plain(lang, refusal), show_alert=True)
            else:
                await update.effective_message.reply_html(t(lang, refusal))

        return guarded

    return decorate


async def pressed(
    update: Update, context: BotContext, pattern: re.Pattern[str]
) -> tuple[str, re.Match] | None:
    """(the chat's language, the match of a button's callback data against `pattern`); a button that
    does not match is answered as expired, and None returned."""
    lang = lang_of(update, context)
    match = pattern.match(update.callback_query.data or "")
    if match is None:
        await update.callback_query.answer(plain(lang, "expired"))
        return None
    return lang, match


# sending and editing pages -----------------------------------------------------------------------


async def send_page(message: Message, page: Page, **kwargs) -> Message:
    """Reply to `message` with a page (HTML and no link previews are the Application's defaults)."""
    return await message.reply_html(page.text, reply_markup=page.markup, **kwargs)


async def send_to(context: BotContext, chat_id: int, page: Page) -> Message:
    return await context.bot.send_message(chat_id, page.text, reply_markup=page.markup)


def _remember(context: BotContext, message_id: int, page: Page) -> None:
    shown: dict[int, Page] = context.chat_data.setdefault(SHOWN, {})
    shown.pop(message_id, None)
    shown[message_id] = page
    while len(shown) > MAX_REMEMBERED_ANSWERS:
        del shown[next(iter(shown))]


def _showing(context: BotContext, message: MaybeInaccessibleMessage | None, page: Page) -> bool:
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


async def edit_page(callback: CallbackQuery, page: Page, context: BotContext) -> None:
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


async def answer(update: Update, context: BotContext, page: Page) -> None:
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


# asking and reading ------------------------------------------------------------------------------


async def search_page(context: BotContext, query: str, lang: str, page: int = 1) -> Page:
    """Run the search and render one page of results."""
    services = context.services
    results = await services.search(query, page=page, per_page=PER_PAGE)
    pages = results.pages
    if pages and page > pages:  # the index shrank since the button was made
        results = await services.search(query, page=pages, per_page=PER_PAGE)
    return results_page(
        results,
        lang,
        query_key=services.queries.key(query),
        site_search_url=services.settings.site_search_url,
    )


async def ask(update: Update, context: BotContext, text: str | None, *, small_talk: bool = True) -> None:
    """Answer `text` as a question (or say what to do when it holds no words); a greeting or a thank-you
    gets a friendly word instead, unless it came with /search."""
    lang = lang_of(update, context)
    query = clean_query(text)
    if not query:
        await answer(update, context, Page(t(lang, "empty_query")))
        return
    if small_talk and (kind := smalltalk.small_talk(query)):
        name = update.effective_user.first_name if update.effective_user else ""
        await answer(update, context, Page(t(lang, kind, name=name)))
        return
    await answer(update, context, await search_page(context, query, lang))


async def send_post(context: BotContext, chat_id: int, post_id: str, lang: str) -> bool:
    """Send the whole post into the chat, split into messages that fit; False when it is gone."""
    services = context.services
    post = await services.post(post_id)
    if post is None:
        return False
    for text in post_messages(post, lang, site_search_url=services.settings.site_search_url):
        await context.bot.send_message(chat_id, text)
    return True


def topics_for(context: BotContext, chat_id: int, lang: str, page: int = 1) -> Page:
    """Page `page` of /topics as `chat_id` sees it (its toggles show what it follows)."""
    services = context.services
    return topics_page(services.topics.counts, lang, services.store.subscriptions(chat_id), page)
