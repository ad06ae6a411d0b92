"""Publishing new posts to the channel end to end: the real Application, the strict fake Bot API with a
channel chat, restarts, edits, and a bot that is no admin of the channel."""

from __future__ import annotations

import logging

import pytest
from conftest import eventually, polls_done, services_of, write_post

from bot.app import build_application
from bot.channel import ChannelState
from bot.fakeapi import polling

LONG_BODY = "\n\n".join(f"Paragraph {n}. " + "Words of a long report. " * 30 for n in range(8))


def channel_sends(fake, channel) -> list:
    return [c for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == channel.id]


async def test_each_new_post_is_published_once_across_edits_and_restarts(fake, settings_factory, posts):
    news = fake.channel("DPNSEE news", username="dpnsee_news")
    settings = settings_factory(content_dir=posts.parent, poll_seconds=0.1, channel="@dpnsee_news")
    async with polling(build_application(settings)) as app:
        store = services_of(app).store
        await eventually(lambda: store.get_meta("channel_seeded"), what="the first poll")
        write_post(posts, "2026-12-06-assembly", "General Assembly", date="2026-12-06", tags=["dpnsee"],
                   url="https://dpnsee.org/ga", summary="The Assembly met in Belgrade.")  # fmt: skip
        write_post(posts, "2026-12-06-report", "A long report", body=LONG_BODY, date="2026-12-06")
        await fake.wait_for(lambda: len(fake.messages(news)) == 3, timeout=10)
        first, *report = fake.messages(news)
        assert first.text.split("\n") == [
            "General Assembly", "6 December 2026", "#dpnsee", "The Assembly met in Belgrade."
        ]  # fmt: skip
        assert 'href="https://dpnsee.org/ga"' in first.html
        assert report[0].text.startswith("A long report\n6 December 2026\n\nParagraph 0.")
        assert report[1].text.startswith("(continued 2/2)") and "Paragraph 7." in report[1].text
        write_post(posts, "2026-12-06-assembly", "General Assembly (corrected)", date="2026-12-06")
        await polls_done(app, 3)
    async with polling(build_application(settings)) as app:
        await polls_done(app, 3)
    assert len(fake.messages(news)) == 3  # the back catalogue never, an edit or a restart not again
    assert "A quiet CND" not in " ".join(m.text for m in fake.messages(news))
    assert len(channel_sends(fake, news)) == 3


@pytest.mark.rejections_expected  # not the bot's fault: the channel's owner has not made it an admin
async def test_a_bot_that_is_no_admin_says_so_once_waits_and_publishes_when_promoted(
    fake, settings_factory, posts, caplog
):
    news = fake.channel("DPNSEE news", username="dpnsee_news", bot_status="left")
    admin = fake.user("Admin", started=True)
    settings = settings_factory(
        content_dir=posts.parent, poll_seconds=0.1, channel="@dpnsee_news", admins=frozenset({admin.id})
    )
    caplog.set_level(logging.INFO, logger="bot.channel")
    async with polling(build_application(settings)) as app:
        store = services_of(app).store
        await eventually(lambda: store.get_meta("channel_problem"), what="the channel check")
        write_post(
            posts, "2026-12-06-assembly", "General Assembly", date="2026-12-06", url="https://x.org/ga"
        )
        await eventually(lambda: store.channel_posts("waiting") == ["2026-12-06-assembly"], what="a new post")
        await polls_done(app, 5)
        problems = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert (
            len(problems) == 1
            and "not an administrator allowed to post in @dpnsee_news" in problems[0].message
        )
        assert channel_sends(fake, news) == []  # no send tried, none retried
        stats = await fake.ask(admin, "/stats")
        assert "⚠ New posts are not published in @dpnsee_news" in stats.text

        fake.set_bot_in_channel(news, "administrator", can_post=False)  # promoted, but may not post
        await polls_done(app, 3)
        assert fake.messages(news) == [] and store.get_meta("channel_problem")
        fake.set_bot_in_channel(news, "administrator")
        await fake.wait_for(lambda: len(fake.messages(news)) == 1, timeout=10)
        assert store.get_meta("channel_problem") is None
        assert "⚠" not in (await fake.ask(admin, "/stats")).text

        fake.set_bot_in_channel(news, "left")  # removed after the check: the send is refused once
        write_post(posts, "2026-12-07-report", "Report", date="2026-12-07", url="https://x.org/r")
        await eventually(lambda: store.get_meta("channel_problem"), what="the refusal noticed")
        fake.set_bot_in_channel(news, "administrator")
        await fake.wait_for(
            lambda: [m.text.split("\n")[0] for m in fake.messages(news)] == ["General Assembly", "Report"],
            timeout=10,
        )
        assert [c.ok for c in channel_sends(fake, news)] == [True, False, True]


@pytest.mark.rejections_expected  # the unknown channel's "chat not found" is the point
async def test_the_channel_check_names_each_problem(fake):
    from telegram import Bot

    from bot.channel import check

    private = fake.channel("Private news")  # no username: addressed by its id
    group = fake.group("Working group", bot_admin=True)
    async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
        assert await check(bot, str(private.id)) == ChannelState(private.id)
        assert (await check(bot, str(group.id))).problem == f"{group.id} is a group chat, not a channel"
        unknown = await check(bot, "@no_such_channel")
        assert unknown.chat_id is None and unknown.problem.startswith("cannot reach @no_such_channel: ")
        fake.set_bot_in_channel(private, "member")
        assert "not an administrator allowed to post" in (await check(bot, str(private.id))).problem
