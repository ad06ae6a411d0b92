"""Menus: the topics in pages with their Follow toggles, the language choice, a chat's subscriptions with
their delivery modes, its digest hour, and the topics to suggest for a name the bot does not know.

Subscription buttons carry `s:+:<key>` (subscribe), `s:-:<key>` (unsubscribe), `s:m:<key>` (switch
between instant, daily and weekly) or `s:t:<key>:<page>` (toggle on that page of /topics), where `<key>`
is `*` (every new post) or a tag's short key; the pages of /topics turn with `tp:<page>`; /digest's hour
buttons carry `dg:<hour>`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.html import hashtag
from bot.render.messages import LANGUAGE_NAMES, LANGUAGES, plain, t
from bot.render.page import Page, clip, short_key
from bot.store import ALL, DEFAULT_DIGEST_HOUR, MODES

TOPICS_PER_PAGE = 8
TOPIC_NAME_LIMIT = 28
ALL_KEY = "*"
DIGEST_HOURS = (7, 9, 12, 18, 21)  # offered as buttons by /digest (any hour can be typed)


def subscription_key(tag: str) -> str:
    """What a subscription button carries for `tag` (ALL: every new post)."""
    return ALL_KEY if tag == ALL else short_key(tag)


def subscription_name(tag: str, lang: str) -> str:
    return plain(lang, "subs_all_name") if tag == ALL else hashtag(tag)


def topic_pages(tags: Sequence[object]) -> int:
    return max(1, -(-len(tags) // TOPICS_PER_PAGE))


def topics_page(
    tags: Sequence[tuple[str, int]], lang: str, following: Collection[str], page: int = 1
) -> Page:
    """One page of the tags (with post counts, ✅ on those `following`), each next to its Follow or
    Unfollow toggle, and ‹ Prev · 2/7 · Next › under them."""
    if not tags:
        return Page(t(lang, "topics_empty"))
    pages = topic_pages(tags)
    page = max(1, min(page, pages))
    shown = tags[(page - 1) * TOPICS_PER_PAGE : page * TOPICS_PER_PAGE]
    rows = []
    for tag, count in shown:
        followed = tag in following
        label = plain(
            lang,
            "topic_followed_button" if followed else "topic_button",
            tag=clip(hashtag(tag), TOPIC_NAME_LIMIT),
            count=count,
        )
        toggle = plain(lang, "topic_unfollow_button" if followed else "topic_follow_button")
        rows.append(
            [
                InlineKeyboardButton(label, callback_data=f"t:{short_key(tag)}"),
                InlineKeyboardButton(toggle, callback_data=f"s:t:{short_key(tag)}:{page}"),
            ]
        )
    if pages > 1:
        nav = []
        if page > 1:
            nav.append(InlineKeyboardButton(plain(lang, "prev_button"), callback_data=f"tp:{page - 1}"))
        label = plain(lang, "page_label", page=page, pages=pages)
        nav.append(InlineKeyboardButton(label, callback_data="n"))
        if page < pages:
            nav.append(InlineKeyboardButton(plain(lang, "next_button"), callback_data=f"tp:{page + 1}"))
        rows.append(nav)
    return Page(t(lang, "topics_header", count=len(tags)), InlineKeyboardMarkup(rows))


def language_page(lang: str) -> Page:
    buttons = [InlineKeyboardButton(LANGUAGE_NAMES[code], callback_data=f"l:{code}") for code in LANGUAGES]
    return Page(t(lang, "language_choose"), InlineKeyboardMarkup([buttons]))


def stop_page(lang: str) -> Page:
    """/stop's question, with the buttons that answer it (`f:y` forget the chat, `f:n` keep it)."""
    buttons = [
        InlineKeyboardButton(plain(lang, "stop_yes_button"), callback_data="f:y"),
        InlineKeyboardButton(plain(lang, "stop_no_button"), callback_data="f:n"),
    ]
    return Page(t(lang, "stop_confirm"), InlineKeyboardMarkup([buttons]))


def subscriptions_page(modes: Mapping[str, str], lang: str, hour: int = DEFAULT_DIGEST_HOUR) -> Page:
    """A chat's subscriptions (tag -> mode, ALL first), each a button that removes it next to one that
    switches how its posts arrive (instant → daily → weekly → instant); digests come at `hour`."""
    if not modes:
        return Page(t(lang, "subs_empty"))
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "subs_remove_button", name=clip(subscription_name(tag, lang), 32)),
                callback_data=f"s:-:{subscription_key(tag)}",
            ),
            InlineKeyboardButton(
                plain(lang, f"mode_{mode}_button"), callback_data=f"s:m:{subscription_key(tag)}"
            ),
        ]
        for tag, mode in modes.items()
    ]
    return Page(t(lang, "subs_header", hour=clock_hour(hour)), InlineKeyboardMarkup(rows))


def next_mode(mode: str) -> str:
    """The mode the switch on /subscriptions turns `mode` into."""
    return MODES[(MODES.index(mode) + 1) % len(MODES)]


def clock_hour(hour: int) -> str:
    """A digest hour as clocks show it: `09:00`."""
    return f"{hour:02d}:00"


def mode_line(mode: str, hour: int, lang: str) -> str:
    """How a subscription's posts arrive, in a sentence (HTML)."""
    return t(lang, f"mode_{mode}_line", hour=clock_hour(hour))


def digest_settings_page(hour: int, zone: str, waiting: int, lang: str) -> Page:
    """/digest: the chat's digest hour, the posts waiting for its next digest, and buttons (`dg:<hour>`)
    for the usual hours."""
    lines = [t(lang, "digest_status", hour=clock_hour(hour), zone=zone)]
    if waiting:
        lines.append(t(lang, "digest_waiting", count=waiting))
    buttons = [
        InlineKeyboardButton(("✅ " if h == hour else "") + clock_hour(h), callback_data=f"dg:{h}")
        for h in DIGEST_HOURS
    ]
    return Page("\n\n".join(lines), InlineKeyboardMarkup([buttons]))


def unknown_topic_page(name: str, close: Sequence[str], lang: str) -> Page:
    """No post has the topic `name` yet: the `close` known ones as buttons that subscribe, and a button
    that follows `name` anyway."""
    shown = clip(hashtag(name), 40)
    rows = [
        [
            InlineKeyboardButton(
                plain(lang, "subs_add_button", tag=clip(hashtag(tag), 40)),
                callback_data=f"s:+:{subscription_key(tag)}",
            )
        ]
        for tag in close
    ]
    rows.append(
        [
            InlineKeyboardButton(
                plain(lang, "sub_new_button", tag=shown), callback_data=f"s:+:{subscription_key(name)}"
            )
        ]
    )
    key = "sub_unknown_tag" if close else "sub_unknown_tag_none"
    return Page(t(lang, key, tag=shown), InlineKeyboardMarkup(rows))
