"""Subscriptions: /subscribe, /unsubscribe, /subscriptions, /stop, the deep link `/start subscribe[_<tag
key>]`, the subscribe toggles on /topics, and keeping chats' state right when the bot is blocked,
removed or the group migrates. A subscription's posts arrive at once, or in a daily or weekly digest
(`/subscribe weekly`, `/subscribe cnd daily`, or the mode button on /subscriptions; see bot.digests).

Callback data: `s:+:<key>` subscribe, `s:-:<key>` unsubscribe, `s:m:<key>` switch the mode (from the
/subscriptions list), `s:t:<key>:<page>` toggle on a page of /topics; `<key>` is `*` (every new post)
or a tag's short key. A topic no post has yet can be followed too, after a tap on the button offering
it (the name waits in chat_data meanwhile). In groups only the group's admins may change subscriptions.
"""

from __future__ import annotations

import logging
import re

from telegram import CallbackQuery, ChatMember, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.handlers.common import SHOWN, edit_page, lang_of, may_change, send_page, topics_for
from bot.render.html import hashtag
from bot.render.menus import (
    ALL_KEY,
    mode_line,
    next_mode,
    stop_page,
    subscription_name,
    subscriptions_page,
    unknown_topic_page,
)
from bot.render.messages import plain, t
from bot.render.page import Page, short_key
from bot.services import Services
from bot.store import ALL, DAILY, INSTANT, WEEKLY, Store
from bot.tags import normalise, typed_name

log = logging.getLogger(__name__)

COMMANDS = ("subscribe", "unsubscribe", "subscriptions", "stop")
_CALLBACK = re.compile(r"^s:([+\-tm]):(\*|[0-9a-f]{10})(?::([0-9]{1,4}))?$")
# the words that pick a subscription's mode, last on the line: `/subscribe cnd daily`, `/subscribe nedeljno`
MODE_WORDS = {
    **dict.fromkeys(("instant", "odmah", "одмах"), INSTANT),
    **dict.fromkeys(("daily", "dnevno", "дневно"), DAILY),
    **dict.fromkeys(("weekly", "nedeljno", "недељно"), WEEKLY),
}
NEW_TOPICS = "new_topics"  # chat_data: short key -> a topic offered to follow before any post has it
OFFERED_MODE = "offered_mode"  # chat_data: the mode asked for with the topic offered (`/subscribe mir daily`)
_SUBSCRIBE_LINK = r"^/start(?:@\w+)?\s+subscribe(?:_\S*)?(?:\s|$)"  # ahead of the plain /start (bot.app)
GONE_STATUSES = frozenset({ChatMember.BANNED, ChatMember.LEFT})


# commands ----------------------------------------------------------------------------------------


async def subscribe(update: Update, context: BotContext) -> None:
    """/subscribe (every new post) or /subscribe <tag> (a tag with spaces named in full, or #tags)."""
    await _subscribe(update, context, " ".join(context.args or ()))


def split_mode(typed: str) -> tuple[str, str | None]:
    """`cnd daily` → (`cnd`, DAILY); `weekly` → ("", WEEKLY); `cnd` → (`cnd`, None): a mode is the last
    word, in English or Serbian (any script)."""
    words = typed.split()
    mode = MODE_WORDS.get(words[-1].lower()) if words else None
    return (" ".join(words[:-1]), mode) if mode else (typed, None)


def _subscribed(store: Store, chat_id: int, tag: str, mode: str | None, lang: str) -> str:
    """Subscribe (or switch the mode of a subscription), saying what changed."""
    if store.subscribe(chat_id, tag, mode or INSTANT):
        key = "sub_all_done" if tag == ALL else "sub_tag_done"
    elif mode is not None and store.set_mode(chat_id, tag, mode):
        key = "sub_mode_changed"
    else:
        key = "sub_all_already" if tag == ALL else "sub_tag_already"
    line = t(lang, key, tag=hashtag(tag), name=subscription_name(tag, lang))
    if mode is not None:
        line += "\n" + mode_line(mode, store.digest_hour(chat_id), lang)
    return line


async def _subscribe(update: Update, context: BotContext, typed: str) -> None:
    lang = lang_of(update, context)
    if not await may_change(update, context, lang):
        return
    services = context.services
    chat_id = update.effective_chat.id
    message = update.effective_message
    wanted, mode = split_mode(typed)
    if not wanted.strip():
        await message.reply_html(_subscribed(services.store, chat_id, ALL, mode, lang))
        return
    tags = services.topics.find(wanted)
    if tags is None:
        name = typed_name(wanted)
        context.chat_data.setdefault(NEW_TOPICS, {})[short_key(name)] = name
        context.chat_data[OFFERED_MODE] = mode or INSTANT
        await send_page(message, unknown_topic_page(name, services.topics.suggestions(wanted), lang))
        return
    lines = [_subscribed(services.store, chat_id, tag, mode, lang) for tag in tags]
    await message.reply_html("\n".join(lines))


async def subscribe_link(update: Update, context: BotContext) -> None:
    """Deep link `/start subscribe` (everything) or `/start subscribe_<tag key>`."""
    argument = context.args[0].partition("_")[2]
    tag = context.services.topics.by_key(argument) if argument else None
    await _subscribe(update, context, tag or "")


async def unsubscribe(update: Update, context: BotContext) -> None:
    """/unsubscribe (everything) or /unsubscribe <tag>."""
    lang = lang_of(update, context)
    if not await may_change(update, context, lang):
        return
    services = context.services
    store = services.store
    chat_id = update.effective_chat.id
    message = update.effective_message
    typed = " ".join(context.args or ())
    if not normalise(typed):
        removed = store.unsubscribe(chat_id)
        await message.reply_html(t(lang, "unsub_all_done" if removed else "unsub_nothing"))
        return
    lines = []
    for tag in services.topics.find(typed) or [typed_name(typed)]:
        removed = store.unsubscribe(chat_id, tag)
        lines.append(t(lang, "unsub_tag_done" if removed else "unsub_not_following", tag=hashtag(tag)))
    await message.reply_html("\n".join(lines))


def _subscriptions_page(store: Store, chat_id: int, lang: str) -> Page:
    return subscriptions_page(store.modes(chat_id), lang, store.digest_hour(chat_id))


async def list_subscriptions(update: Update, context: BotContext) -> None:
    page = _subscriptions_page(context.services.store, update.effective_chat.id, lang_of(update, context))
    await send_page(update.effective_message, page)


async def stop(update: Update, context: BotContext) -> None:
    """/stop or /forget: ask whether to delete everything stored about the chat (buttons `f:y`, `f:n`)."""
    lang = lang_of(update, context)
    if not await may_change(update, context, lang):
        return
    await send_page(update.effective_message, stop_page(lang))


async def on_stop_button(update: Update, context: BotContext) -> None:
    """The answer to /stop's question: forget the chat (and say so), or keep everything."""
    callback = update.callback_query
    lang = lang_of(update, context)
    if not await may_change(update, context, lang):
        return
    if callback.data == "f:y":
        context.services.store.forget_chat(update.effective_chat.id)
        shown = context.chat_data.get(SHOWN, {})
        message_id = callback.message.message_id if callback.message else None
        context.chat_data.clear()
        if message_id in shown:  # a second tap on Yes finds the message saying so already
            context.chat_data[SHOWN] = {message_id: shown[message_id]}
        await edit_page(callback, Page(t(lang, "stop_done")), context)
    else:
        await edit_page(callback, Page(t(lang, "stop_kept")), context)
    await callback.answer()


# buttons -----------------------------------------------------------------------------------------


def _resolve(context: BotContext, chat_id: int, key: str) -> str | None:
    """The subscription a button names: everything, a known topic, one the chat follows, or a new topic
    it was offered."""
    if key == ALL_KEY:
        return ALL
    services: Services = context.services
    mine = {short_key(tag): tag for tag in services.store.subscriptions(chat_id) if tag != ALL}
    offered = context.chat_data.get(NEW_TOPICS, {}) if context.chat_data is not None else {}
    return mine.get(key) or services.topics.by_key(key) or offered.get(key)


async def on_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    lang = lang_of(update, context)
    services = context.services
    match = _CALLBACK.match(callback.data or "")
    chat = update.effective_chat
    tag = _resolve(context, chat.id, match.group(2)) if match and chat else None
    if tag is None:
        await callback.answer(plain(lang, "expired"))
        return
    if not await may_change(update, context, lang):
        return
    action = match.group(1)
    name = subscription_name(tag, lang)
    if action == "m":
        await _switch_mode(callback, context, chat.id, tag, lang)
        return
    if action == "t":
        action = "-" if tag in services.store.subscriptions(chat.id) else "+"
    if action == "+":
        offered = match.group(1) == "+" and context.chat_data is not None
        mode = context.chat_data.get(OFFERED_MODE, INSTANT) if offered else INSTANT
        services.store.subscribe(chat.id, tag, mode)
    else:
        services.store.unsubscribe(chat.id, tag)
    await callback.answer(plain(lang, "sub_toggled_on" if action == "+" else "sub_toggled_off", name=name))
    if match.group(1) == "t":
        page = int(match.group(3) or 1)
        await edit_page(callback, topics_for(context, chat.id, lang, page), context)
    elif match.group(1) == "-":
        await edit_page(callback, _subscriptions_page(services.store, chat.id, lang), context)
    elif tag == ALL:
        await edit_page(callback, Page(t(lang, "sub_all_done")), context)
    else:
        key = "sub_tag_done" if tag in services.topics.names else "sub_new_done"
        await edit_page(callback, Page(t(lang, key, tag=hashtag(tag))), context)


async def _switch_mode(
    callback: CallbackQuery, context: BotContext, chat_id: int, tag: str, lang: str
) -> None:
    """The mode button on /subscriptions: instant → daily → weekly → instant."""
    store = context.services.store
    mode = store.modes(chat_id).get(tag)
    if mode is None:
        await callback.answer(plain(lang, "expired"))
        return
    mode = next_mode(mode)
    store.set_mode(chat_id, tag, mode)
    name = subscription_name(tag, lang)
    await callback.answer(plain(lang, "sub_mode_toggled", name=name, mode=plain(lang, f"mode_{mode}")))
    # an older /subscriptions message may already show the new state: edit_page lets that be
    await edit_page(callback, _subscriptions_page(store, chat_id, lang), context)


# chat state --------------------------------------------------------------------------------------


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """Blocked, kicked or left → inactive (nothing is sent there); added or unblocked → active again."""
    change = update.my_chat_member
    store = context.services.store
    if change.new_chat_member.status in GONE_STATUSES:
        store.set_active(change.chat.id, False)
    else:
        store.seen_chat(change.chat.id, change.chat.type)


async def on_migration(update: Update, context: BotContext) -> None:
    """A group became a supergroup: its subscriptions follow it to the new chat id."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        context.services.store.migrate_chat(message.chat_id, message.migrate_to_chat_id)


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("start", subscribe_link, filters=only_new & filters.Regex(_SUBSCRIBE_LINK)),
        CommandHandler("subscribe", subscribe, filters=only_new),
        CommandHandler("unsubscribe", unsubscribe, filters=only_new),
        CommandHandler("subscriptions", list_subscriptions, filters=only_new),
        CommandHandler(["stop", "forget"], stop, filters=only_new),
        CallbackQueryHandler(on_stop_button, pattern=r"^f:[yn]$"),
        CallbackQueryHandler(on_button, pattern=r"^s:"),
        ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, on_migration),
    ]
