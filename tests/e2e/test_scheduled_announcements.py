"""Scheduled announcements end to end, on a clock the tests move: choosing a time (quick choices or typed in
English or Serbian), /scheduled, starting on time and once, and what happens to schedules that fell due
while the bot was not running."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from conftest import members, press, services_of

from bot.app import build_application
from bot.clock import ManualClock
from bot.fakeapi import polling
from bot.store import Store

ADMIN_ID = 4242
BELGRADE = ZoneInfo("Europe/Belgrade")
THURSDAY = dt.datetime(2026, 11, 26, 14, 20, tzinfo=BELGRADE)


@pytest.fixture
def clock():
    return ManualClock(THURSDAY)


@pytest.fixture
def admin_settings(settings):
    return replace(settings, admins=frozenset({ADMIN_ID}), poll_seconds=30)


@pytest.fixture
async def bot(fake, admin_settings, clock):
    async with polling(build_application(admin_settings, clock=clock)) as app:
        yield app


def announcements(fake, user):
    return [m for m in fake.replies(user) if m.text and m.text.startswith("📢")]


async def schedule_choices(fake, admin, text):
    preview = await fake.ask(admin, f"/announce {text}")
    assert [b["text"] for b in preview.buttons][1] in ("🕘 Schedule…", "🕘 Zakaži…")
    await press(fake, preview, 1)
    return await fake.next_reply(admin, after=preview)


async def test_a_quick_choice_schedules_it_and_it_starts_on_time_once(fake, bot, clock):
    admin = fake.user("Admin", id=ADMIN_ID, started=True)
    users = await members(fake, 3)
    choices = await schedule_choices(fake, admin, "Board meeting at noon")
    assert choices.text.startswith("🕘 When should it go out? Tap a choice, or type a date and time")
    assert [b["text"] for b in choices.buttons] == [
        "In 1 hour (15:20)", "Tomorrow 09:00", "Monday 30 Nov, 09:00", "✖ Cancel",
    ]  # fmt: skip
    await press(fake, choices, "Tomorrow 09:00")
    confirmation = await fake.wait_for(
        lambda: "Scheduled" in fake.replies(admin)[-1].text and fake.replies(admin)[-1]
    )
    assert confirmation.text == (
        "🕘 Scheduled: it goes out Friday, 27 November 2026 at 09:00 (Europe/Belgrade time). "
        "/scheduled lists what is waiting and cancels it."
    )
    await fake.wait_for(lambda: not choices.buttons, what="the choices gone")
    listing = await fake.ask(admin, "/scheduled")
    assert listing.text.splitlines() == [
        "🕘 1 scheduled announcement (Europe/Belgrade time) — tap one to cancel it:",
        f"#{services_of(bot).store.scheduled()[0].id} · Fri 27 Nov at 09:00 · Board meeting at noon",
    ]
    await clock.advance(to=dt.datetime(2026, 11, 27, 8, 59, 59, tzinfo=BELGRADE))
    await fake.wait_for(lambda: services_of(bot).store.next_due() is not None)
    assert all(announcements(fake, u) == [] for u in users)
    await clock.advance(1)
    await fake.wait_for(
        lambda: all(announcements(fake, u) for u in users), timeout=5, what="the announcement"
    )
    await fake.wait_for(lambda: any("Announcement sent" in m.text for m in fake.replies(admin)), timeout=5)
    await clock.advance(3600)
    assert [len(announcements(fake, u)) for u in users] == [1, 1, 1]
    assert (await fake.ask(admin, "/scheduled")).text.startswith("Nothing is scheduled.")


async def test_a_time_typed_in_serbian_is_read_in_local_time_and_confirmed_in_serbian(fake, bot, clock):
    admin = fake.user("Adminka", id=ADMIN_ID, started=True, language_code="sr")
    (user,) = await members(fake, 1)
    choices = await schedule_choices(fake, admin, "Sastanak odbora")
    assert choices.text.startswith("🕘 Kada da ode?")
    unreadable = await fake.ask(admin, "kad stignem")
    assert unreadable.text.startswith("Ne umem da pročitam kad stignem kao datum i vreme.")
    past = await fake.ask(admin, "danas u 8")
    assert past.text == "četvrtak, 26. novembar 2026. u 08:00 je već prošlo. Navedite vreme koje tek dolazi."
    confirmation = await fake.ask(admin, "sutra u 9")
    assert confirmation.text.startswith(
        "🕘 Zakazano: šalje se petak, 27. novembar 2026. u 09:00 (vreme Europe/Belgrade)."
    )
    answer = await fake.ask(admin, "harm reduction")  # no longer waiting for a time: a question again
    assert "harm reduction" in answer.text.lower() and "Zakazano" not in answer.text
    await clock.advance(to=dt.datetime(2026, 11, 27, 9, 0, tzinfo=BELGRADE))
    await fake.wait_for(lambda: announcements(fake, user), what="the announcement")


async def test_a_command_ends_the_wait_for_a_typed_time(fake, bot, clock):
    admin = fake.user("Admin", id=ADMIN_ID, started=True)
    await members(fake, 1)
    await schedule_choices(fake, admin, "Later")
    await fake.ask(admin, "/help")
    answer = await fake.ask(admin, "tomorrow 9:00")
    assert "Scheduled" not in answer.text
    assert services_of(bot).store.scheduled() == []


async def test_a_scheduled_announcement_cancelled_from_the_list_is_never_sent(fake, bot, clock):
    admin = fake.user("Admin", id=ADMIN_ID, started=True)
    (user,) = await members(fake, 1)
    await schedule_choices(fake, admin, "First")
    await fake.ask(admin, "in 2 hours")
    await schedule_choices(fake, admin, "Second")
    await fake.ask(admin, "in 3 hours")
    listing = await fake.ask(admin, "/scheduled")
    assert listing.text.startswith("🕘 2 scheduled announcements")
    first = services_of(bot).store.scheduled()[0]
    answered = await press(fake, listing, f"a:x:{first.id}")
    assert answered["text"] == f"Cancelled: announcement #{first.id} will not be sent."
    await fake.wait_for(lambda: len(listing.buttons) == 1, what="the list edited")
    await clock.advance(3 * 3600)
    await fake.wait_for(
        lambda: [m.text for m in announcements(fake, user)] == ["📢 Second"], what="the second"
    )
    await clock.advance(3600)
    assert [m.text for m in announcements(fake, user)] == ["📢 Second"]


async def test_a_stale_quick_choice_is_refused(fake, bot, clock):
    admin = fake.user("Admin", id=ADMIN_ID, started=True)
    await members(fake, 1)
    choices = await schedule_choices(fake, admin, "Soon")
    await clock.advance(2 * 3600)
    assert (await press(fake, choices, "In 1 hour (15:20)"))["text"] == "That time has already passed."
    assert services_of(bot).store.scheduled() == []


async def test_schedules_that_fell_due_while_the_bot_was_down_are_sent_or_reported_never_both(
    fake, admin_settings
):
    admin = fake.user("Admin", id=ADMIN_ID, started=True)
    room = fake.group("Admins", admins=[admin])
    settings = replace(admin_settings, admin_chat=room.id, schedule_grace_minutes=60)
    users = [fake.user(f"M{i}", started=True) for i in range(2)]
    store = Store.open(settings.database_path)
    for user in [admin, *users]:
        store.seen_chat(user.id, "private")
    due = THURSDAY + dt.timedelta(hours=1)
    recent = store.create_announcement(ADMIN_ID, "Late but in time", None)
    store.schedule_announcement(recent.id, (due + dt.timedelta(hours=1)).timestamp())
    old = store.create_announcement(ADMIN_ID, "Far too late", None)
    store.schedule_announcement(old.id, due.timestamp())
    future = store.create_announcement(ADMIN_ID, "Still to come", None)
    store.schedule_announcement(future.id, (due + dt.timedelta(days=1)).timestamp())
    store.close()
    restart = ManualClock(due + dt.timedelta(hours=1, minutes=30))  # the bot was down 2.5 hours
    async with polling(build_application(settings, clock=restart)) as app:
        await fake.wait_for(lambda: all(announcements(fake, u) for u in users), what="the recent one")
        report = await fake.wait_for(lambda: next(iter(fake.replies(room)), None), what="the missed report")
        assert report.text.startswith(
            f"⚠ Scheduled announcement #{old.id} was not sent: it was due Thursday,"
        )
        assert "more than 60 minutes ago" in report.text and "(Far too late)" in report.text
        store = services_of(app).store
        assert store.item(recent.id).status in ("queued", "done") and store.item(old.id).status == "missed"
        await fake.wait_for(lambda: len(fake.replies(room)) == 2, what="the delivery report in the room")
    async with polling(build_application(settings, clock=restart)):  # a second start changes nothing
        listing = await fake.ask(admin, "/scheduled")
        assert listing.text.startswith("🕘 1 scheduled announcement") and "Still to come" in listing.text
    assert [[m.text for m in announcements(fake, u)] for u in users] == [["📢 Late but in time"]] * 2
    assert len(fake.replies(room)) == 2  # the missed report, then the delivery report of the recent one
    assert "Announcement sent" in fake.replies(room)[1].text
