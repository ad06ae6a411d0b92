"""Menus: the topics with their subscribe toggles, the language choice, a chat's subscriptions, and the
topics to suggest for a name the bot does not know.

Subscription buttons carry `s:+:<key>` (subscribe), `s:-:<key>` (unsubscribe) or `s:t:<key>` (toggle from
/topics), where `<key>` is `*` (every new post) or a tag's short key.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.messages import LANGUAGE_NAMES, LANGUAGES, plain, t
from bot.render.page import Page, clip, short_key
from bot.store import ALL

MAX_TOPIC_BUTTONS = 40
TOPIC_NAME_LIMIT = 28
ALL_KEY = "*"


def subscription_key(tag: str) -> str:
    """What a subscription button carries for `tag` (ALL: every new post)."""
    return ALL_KEY if tag == ALL else short_key(tag)


def subscription_name(tag: str, lang: str) -> str:
    return plain(lang, "subs_all_name") if tag == ALL else f"#{tag}"


def topics_page(tags: Sequence[tuple[str, int]], lang: str, following: Collection[str]) -> Page:
    """Tags with post counts as buttons, one row each, next to a 🔔 toggle (🔕 for those `following`)."""
    if not tags:
        return Page(t(lang, "topics_empty"))
    rows = [
        [
            InlineKeyboardButton(
                f"{clip(tag, TOPIC_NAME_LIMIT)} ({count})", callback_data=f"t:{short_key(tag)}"
            ),
            InlineKeyboardButton(
                plain("en", "topic_following_button" if tag in following else "topic_follow_button"),
                callback_data=f"s:t:{short_key(tag)}",
            ),
        ]
        for tag, count in tags[:MAX_TOPIC_BUTTONS]
    ]
    return Page(t(lang, "topics_header"), InlineKeyboardMarkup(rows))


def language_page(lang: str) -> Page:
    buttons = [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"l:{code}") for code in LANGUAGES]
    return Page(t(lang, "language_choose"), InlineKeyboardMarkup([buttons]))


def subscriptions_page(tags: Sequence[str], lang: str) -> Page:
    """A chat's subscriptions (`tags`, ALL first), each a button that removes it."""
    if not tags:
        return Page(t(lang, "subs_empty"))
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "subs_remove_button", name=clip(subscription_name(tag, lang), 40)),
                callback_data=f"s:-:{subscription_key(tag)}",
            )
        ]
        for tag in tags
    ]
    return Page(t(lang, "subs_header"), InlineKeyboardMarkup(rows))


def unknown_topic_page(typed: str, close: Sequence[str], lang: str) -> Page:
    """No topic is called `typed`: the `close` ones as buttons that subscribe, else a pointer to /topics."""
    shown = clip(typed.strip(), 60)
    if not close:
        return Page(t(lang, "sub_unknown_tag_none", tag=shown))
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "subs_add_button", tag=clip(tag, 40)),
                callback_data=f"s:+:{subscription_key(tag)}",
            )
        ]
        for tag in close
    ]
    return Page(t(lang, "sub_unknown_tag", tag=shown), InlineKeyboardMarkup(rows))
