"""The channel as an announcement's target, end to end: the preview's toggle, sending now or on schedule
(across a restart), the report, and no toggle when there is no channel the bot may post in."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from conftest import ADMIN_ID, eventually, members, press, services_of

from bot.app import build_application
from bot.clock import ManualClock
from bot.context import CHANNEL
from bot.fakeapi import polling

OFF, ON = "📣 Also in @dpnsee_news: no", "📣 Also in @dpnsee_news: yes"
BELGRADE = ZoneInfo("Europe/Belgrade")


@pytest.fixture
def news(fake):
    return fake.channel("DPNSEE news", username="dpnsee_news")


@pytest.fixture
def channel_settings(settings_factory, news):
    return settings_factory(admins=frozenset({ADMIN_ID}), channel="@dpnsee_news")


async def channel_checked(app) -> None:
    """Wait for the bot's first check of the channel (at its first content poll)."""
    await eventually(lambda: app.bot_data.get(CHANNEL), what="the channel check")


@pytest.fixture
async def bot(channel_settings):
    async with polling(build_application(channel_settings)) as app:
        await channel_checked(app)
        yield app


def labels(message) -> list[str]:
    return [button["text"] for button in message.buttons]


def announcements(fake, chat) -> list:
    return [m for m in fake.replies(chat) if m.text and m.text.startswith("📢")]


async def reply_starting(fake, admin, start: str):
    return await fake.wait_for(
        lambda: next((m for m in fake.replies(admin) if m.text and m.text.startswith(start)), None),
        timeout=10,
        what=f"a reply starting {start!r}",
    )


async def test_toggled_on_it_goes_to_the_members_and_once_to_the_channel(fake, bot, admin, news):
    users = await members(fake, 2)
    await fake.ask(admin, "/start")
    preview = await fake.ask(admin, "/announce General Assembly on Friday")
    assert labels(preview) == ["📤 Send to 3 chats", OFF, "🕘 Schedule…", "✖ Cancel"]
    assert (await press(fake, preview, OFF)).get("text") is None
    await fake.wait_for(lambda: labels(preview)[1] == ON, what="the preview edited in place")
    assert labels(preview) == ["📤 Send to 3 chats and the channel", ON, "🕘 Schedule…", "✖ Cancel"]
    assert preview.text == "📢 General Assembly on Friday" and len(fake.replies(admin)) == 2

    first, second = fake.press(preview, 0), fake.press(preview, 0)  # a double tap
    await fake.wait_callback_answer(first)
    assert (await fake.wait_callback_answer(second)).get("text") in (None, "", "Already sent.")
    sending = await reply_starting(fake, admin, "📤 Sending")
    assert sending.text == "📤 Sending to 3 chats and to @dpnsee_news… I will report here when it is done."
    report = await reply_starting(fake, admin, "📊")
    assert "Delivered: 3\n" in report.text and report.text.endswith("📣 In the channel: published")
    assert [m.text for m in fake.messages(news)] == ["📢 General Assembly on Friday"]
    for user in users:
        assert [m.text for m in announcements(fake, user)] == ["📢 General Assembly on Friday"]

    item = services_of(bot).store.last_announcement()
    late = await press(fake, preview, f"a:p:{item.id}", forged=True)  # the toggle of a sent one
    assert late["text"] == "Already sent."
    stats = await fake.ask(admin, "/stats")
    assert "to 3 chats: 3 delivered, 0 blocked, 0 failed, 0 pending" in stats.text  # not 4: no member
    assert len(fake.messages(news)) == 1


async def test_toggled_on_and_off_again_a_photo_goes_to_the_members_only(fake, bot, admin, news):
    (user,) = await members(fake, 1)
    poster = fake.send_media(admin, admin, "photo", "Conference poster")
    fake.reply_to(poster, admin, "/announce")
    buttons = await fake.wait_for(
        lambda: next((m for m in fake.replies(admin) if m.buttons), None), what="the preview"
    )
    assert labels(buttons)[:2] == ["📤 Send to 2 chats", OFF]
    await press(fake, buttons, OFF)
    await fake.wait_for(lambda: labels(buttons)[1] == ON)
    await press(fake, buttons, ON)
    await fake.wait_for(lambda: labels(buttons)[:2] == ["📤 Send to 2 chats", OFF])
    await press(fake, buttons, 0)
    sending = await reply_starting(fake, admin, "📤 Sending")
    assert sending.text == "📤 Sending to 2 chats… I will report here when it is done."
    report = await reply_starting(fake, admin, "📊")
    assert "channel" not in report.text
    (received,) = fake.replies(user)[1:]
    assert received.kind == "photo" and received.caption == "Conference poster"
    assert fake.messages(news) == []
    assert [c for c in fake.calls_to("copyMessage") if c.params["chat_id"] == news.id] == []

    fake.send_media(admin, admin, "document", "/announce Annual report")  # toggled on: there too
    buttons = await fake.wait_for(lambda: next((m for m in fake.replies(admin)[-2:] if m.buttons), None))
    await press(fake, buttons, OFF)
    await fake.wait_for(lambda: labels(buttons)[1] == ON)
    await press(fake, buttons, 0)
    await fake.wait_for(lambda: fake.messages(news), timeout=10, what="the channel's copy")
    await fake.wait_for(lambda: len(fake.replies(user)) == 3, timeout=10, what="the member's copy")
    (published,) = fake.messages(news)
    assert published.kind == "document" and published.caption == "Annual report"


async def test_a_scheduled_announcement_keeps_the_channel_across_a_restart_and_goes_there_when_due(
    fake, channel_settings, news
):
    clock = ManualClock(dt.datetime(2026, 11, 26, 14, 20, tzinfo=BELGRADE))
    admin = fake.user("Admin", id=ADMIN_ID, started=True)
    user = fake.user("Member", started=True)
    async with polling(build_application(channel_settings, clock=clock)) as app:
        await channel_checked(app)
        await fake.ask(user, "/start")
        preview = await fake.ask(admin, "/announce Side event on Monday")
        await press(fake, preview, OFF)
        await fake.wait_for(lambda: labels(preview)[1] == ON)
        await press(fake, preview, "🕘 Schedule…")
        choices = await fake.next_reply(admin, after=preview)
        await press(fake, choices, "Tomorrow 09:00")
        await reply_starting(fake, admin, "🕘 Scheduled")
        (item,) = services_of(app).store.scheduled()
        listing = await fake.ask(admin, "/scheduled")
        assert listing.text.splitlines()[1] == f"#{item.id} · Fri 27 Nov at 09:00 · 📣 Side event on Monday"
    async with polling(build_application(channel_settings, clock=clock)) as app:
        await clock.advance(to=dt.datetime(2026, 11, 27, 8, 59, tzinfo=BELGRADE))
        await channel_checked(app)
        assert fake.messages(news) == [] and announcements(fake, user) == []
        await clock.advance(60)
        await fake.wait_for(
            lambda: [m.text for m in fake.messages(news)] == ["📢 Side event on Monday"], timeout=10
        )
        await fake.wait_for(lambda: announcements(fake, user), timeout=10, what="the member's")
        report = await reply_starting(fake, admin, "📊")
        assert "Delivered: 2\n" in report.text and report.text.endswith("📣 In the channel: published")
        await clock.advance(3600)
        assert len(fake.messages(news)) == 1 and len(announcements(fake, user)) == 1


async def test_no_toggle_without_a_channel_the_bot_may_post_in(fake, settings_factory):
    admin = fake.user("Admin", id=ADMIN_ID, started=True)
    fake.channel("Other news", username="other_news", bot_status="member")  # no admin there
    for channel in (None, "@other_news"):
        settings = settings_factory(admins=frozenset({ADMIN_ID}), channel=channel)
        async with polling(build_application(settings)) as app:
            store = services_of(app).store
            if channel is not None:
                await eventually(lambda s=store: s.get_meta("channel_problem"), what="the channel check")
            preview = await fake.ask(admin, "/announce Members only")
            assert labels(preview) == ["📤 Send to 1 chat", "🕘 Schedule…", "✖ Cancel"]
            item = store.item(int(preview.buttons[0]["callback_data"].split(":")[2]))
            forged = await press(fake, preview, f"a:p:{item.id}", forged=True)
            assert forged["text"] == "The bot cannot post in the channel now."
            assert store.item(item.id).channel is None
            await press(fake, preview, "✖ Cancel")


@pytest.mark.rejections_expected  # the channel's owner took the bot's right to post after the preview
async def test_a_channel_that_refuses_is_named_in_the_report_and_the_members_still_get_it(
    fake, bot, admin, news
):
    (user,) = await members(fake, 1)
    preview = await fake.ask(admin, "/announce Office closed on Friday")
    await press(fake, preview, OFF)
    await fake.wait_for(lambda: labels(preview)[1] == ON)
    fake.set_bot_in_channel(news, "administrator", can_post=False)
    await press(fake, preview, 0)
    report = await reply_starting(fake, admin, "📊")
    assert "Delivered: 2\n" in report.text
    assert report.text.endswith("📣 In the channel: not published (the bot may not post in the channel)")
    assert [m.text for m in announcements(fake, user)] == ["📢 Office closed on Friday"]
    assert fake.messages(news) == []
