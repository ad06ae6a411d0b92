"""Channel chats in the fake Bot API, by Telegram's rules: addressed by id or "@username", posted to only by
a bot that is an administrator allowed to post, signed by the channel, invisible when private and foreign."""

import re

import pytest
from telegram import Bot, ChatMemberAdministrator
from telegram.error import BadRequest, Forbidden

pytestmark = pytest.mark.rejections_expected


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=f"{fake.url}/bot") as client:
        yield client


def error(kind: type[Exception], text: str):
    return pytest.raises(kind, match=re.compile(re.escape(text), re.IGNORECASE))


async def test_an_admin_bot_posts_to_a_public_channel_by_username_and_the_post_is_the_channels(fake, bot):
    news = fake.channel("DPNSEE news", username="dpnsee_news")
    chat = await bot.get_chat("@DPNSEE_News")  # usernames are case-insensitive
    assert (chat.id, chat.type, chat.username) == (news.id, "channel", "dpnsee_news")
    member = await bot.get_chat_member(news.id, bot.id)
    assert isinstance(member, ChatMemberAdministrator) and member.can_post_messages
    sent = await bot.send_message("@dpnsee_news", "<b>New</b> post", parse_mode="HTML")
    assert sent.sender_chat.id == news.id and sent.from_user is None
    assert [m.text for m in fake.messages(news)] == ["New post"]
    assert fake.messages_per_chat[news.id] == 1


async def test_a_bot_that_may_not_post_gets_telegrams_errors(fake, bot):
    outside = fake.channel("Outside", username="outside_news", bot_status="left")
    assert (await bot.get_chat("@outside_news")).id == outside.id  # a public channel is visible
    assert (await bot.get_chat_member(outside.id, bot.id)).status == "left"
    with error(Forbidden, "bot is not a member of the channel chat"):
        await bot.send_message(outside.id, "hello")
    muted = fake.channel("Muted", username="muted_news", can_post=False)
    member = await bot.get_chat_member("@muted_news", bot.id)
    assert member.status == "administrator" and member.can_post_messages is False
    with error(BadRequest, "need administrator rights in the channel chat"):
        await bot.send_message("@muted_news", "hello")
    fake.set_bot_in_channel(muted, "administrator")
    assert (await bot.send_message("@muted_news", "hello")).chat.id == muted.id


async def test_unknown_and_foreign_private_channels_are_not_found(fake, bot):
    private = fake.channel("Private", bot_status="left")
    with error(BadRequest, "chat not found"):
        await bot.get_chat(private.id)
    with error(BadRequest, "chat not found"):
        await bot.send_message("@nobody_here", "hello")
    with error(BadRequest, "chat not found"):
        await bot.get_chat("not-a-username")
