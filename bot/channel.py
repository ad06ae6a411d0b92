"""The channel (`channel` setting, NEWSBOT_CHANNEL): every new post published there once.

`bot.notify` records each new post as waiting for the channel (the posts there at the first start with a
channel are recorded as known and never published). After each content poll, `publish` checks that the
bot may post in the channel — `getChat` (an "@name" becomes its id) and `getChatMember` for the bot: an
administrator allowed to post, or the owner — and queues the waiting posts through the delivery engine,
each as one message (title, date, tags, summary or first words, link) or, without a link, the whole post
in as many messages as it needs. The store's `channel_posts` table keeps a post from being published
twice, across restarts and edits of its file.

When the bot may not post, it says so once in the log (and again only when that changes), `/stats`
shows the problem, and posts wait — nothing is sent and nothing retried until a later poll finds the
rights given; then the waiting posts, and those whose delivery the channel refused meanwhile, go out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, ChatMember
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.render.digest import channel_messages
from bot.services import Services

log = logging.getLogger(__name__)

PROBLEM = "channel_problem"  # meta: why the bot cannot post in the channel, for /stats (absent: none)
SEEDED = "channel_seeded"  # meta: the posts there at the first start with a channel are recorded


@dataclass(frozen=True)
class ChannelState:
    """The channel as last checked: its chat id when the bot may post there, else the problem."""

    chat_id: int | None
    problem: str | None = None


async def check(bot: Bot, channel: str) -> ChannelState:
    """Whether the bot may post in `channel` ("@name" or an id), and the channel's id."""
    try:
        chat = await bot.get_chat(int(channel) if channel.lstrip("-").isdigit() else channel)
        if chat.type != ChatType.CHANNEL:
            return ChannelState(None, f"{channel} is a {chat.type} chat, not a channel")
        member = await bot.get_chat_member(chat.id, bot.id)
    except TelegramError as exc:
        return ChannelState(None, f"cannot reach {channel}: {exc}")
    if member.status == ChatMember.OWNER:
        return ChannelState(chat.id)
    if member.status == ChatMember.ADMINISTRATOR and getattr(member, "can_post_messages", True) is not False:
        return ChannelState(chat.id)
    return ChannelState(None, f"the bot is not an administrator allowed to post in {channel}")


def note_new_posts(services: Services, all_posts: list[str], new_posts: list[str]) -> None:
    """Record `new_posts` as waiting for the channel; at the first start with a channel, `all_posts` are
    recorded as known instead (the back catalogue is not published)."""
    store = services.store
    if store.get_meta(SEEDED) is None:
        store.note_channel_posts(all_posts, "known")
        store.set_meta(SEEDED, services.settings.channel or "")
        log.info("channel: the %d posts there before it will not be published", len(all_posts))
        return
    store.note_channel_posts(new_posts, "waiting")


async def publish(bot: Bot, services: Services, previous: ChannelState | None) -> tuple[ChannelState, int]:
    """Check the channel and queue its waiting posts; returns the channel's state and how many posts were
    queued. Logs the problem once, when it appears or changes."""
    store, channel = services.store, services.settings.channel
    assert channel is not None
    known_good = previous is not None and previous.chat_id is not None
    if known_good and not store.channel_refused(previous.chat_id):
        state = previous
    else:
        state = await check(bot, channel)
    if state.problem is not None:
        if previous is None or previous.problem != state.problem:
            log.error("channel: new posts are not published: %s (make the bot an administrator of the "
                      "channel with the right to post messages)", state.problem)  # fmt: skip
        store.set_meta(PROBLEM, state.problem)
        return state, 0
    if previous is None or previous.chat_id is None:
        store.delete_meta(PROBLEM)
        retried = store.retry_refused_channel_posts()
        log.info("channel %s: the bot may post there (id %s)%s", channel, state.chat_id,
                 f"; {retried} refused posts will be sent again" if retried else "")  # fmt: skip
    queued = 0
    for post_id in store.channel_posts("waiting"):
        post = services.post_now(post_id)
        if post is None:
            continue
        parts = len(channel_messages(post, services.settings.default_language))
        if store.publish_to_channel(post_id, state.chat_id, parts) is not None:
            queued += 1
    if queued:
        log.info("channel %s: %d new posts queued", channel, queued)
    return state, queued
