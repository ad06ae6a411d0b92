"""The clock schedules and digests read, and the settings they (and the channel and admin room) need."""

import asyncio
import datetime as dt

import pytest

from bot.clock import Clock, ManualClock
from bot.settings import Settings, SettingsError

START = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def test_the_wall_clock_is_aware_and_local_in_the_configured_zone():
    clock = Clock()
    assert clock.now().tzinfo is not None
    assert clock.local(Settings().zone).utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))


async def test_a_sleeper_on_a_manual_clock_wakes_only_when_time_has_come():
    clock = ManualClock(START)
    woke = asyncio.Event()

    async def sleeper():
        await clock.sleep(3600)
        woke.set()

    task = asyncio.create_task(sleeper())
    await asyncio.sleep(0)  # the sleeper starts its hour now
    await clock.advance(1800)
    assert not woke.is_set()
    await clock.advance(1800)
    await asyncio.wait_for(task, 1)
    assert clock.now() == START + dt.timedelta(hours=1)


async def test_a_manual_clock_never_goes_back():
    clock = ManualClock(START)
    await clock.advance(to=START - dt.timedelta(days=1))
    assert clock.now() == START


def test_the_timezone_setting_is_checked_and_can_come_from_the_environment():
    assert Settings.load(env={"NEWSBOT_TIMEZONE": "Europe/Skopje"}).timezone == "Europe/Skopje"
    assert Settings.load(env={}).timezone == "Europe/Belgrade"
    with pytest.raises(SettingsError, match="time zone"):
        Settings.load(env={"NEWSBOT_TIMEZONE": "Mars/Olympus"})


def test_the_channel_and_the_admin_room_are_read_and_checked():
    settings = Settings.load(env={"NEWSBOT_CHANNEL": "@dpnsee_news", "NEWSBOT_ADMIN_CHAT": "-100123"})
    assert (settings.channel, settings.admin_chat) == ("@dpnsee_news", -100123)
    assert Settings.load(env={}).channel is None
    with pytest.raises(SettingsError, match="@channelname"):
        Settings.load(env={"NEWSBOT_CHANNEL": "news channel"})
    with pytest.raises(SettingsError, match="chat id"):
        Settings.load(env={"NEWSBOT_ADMIN_CHAT": "admins"})
