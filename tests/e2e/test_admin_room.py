"""The admin room: reports go to the configured group, its administrators count as admins (asked of
Telegram and remembered for a while), reports name why deliveries failed, /stats shows the last five
broadcasts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import members, press

from bot.app import build_application
from bot.fakeapi import polling

ADMIN_ID = 4242


async def announce(fake, who, text):
    preview = await fake.ask(who, f"/announce {text}")
    await press(fake, preview, 0)
    return preview


@pytest.fixture
def room_and_people(fake):
    boss = fake.user("Boss", started=True)  # an administrator of the admin room, not in NEWSBOT_ADMINS
    clerk = fake.user("Clerk", started=True)  # a plain member of the room
    room = fake.group("DPNSEE admins", members=[clerk], admins=[boss], supergroup=True)
    return room, boss, clerk


async def test_the_rooms_administrators_are_admins_and_reports_go_to_the_room_with_reasons(
    fake, settings, room_and_people
):
    room, boss, clerk = room_and_people
    app = build_application(replace(settings, admins=frozenset({ADMIN_ID}), admin_chat=room.id))
    async with polling(app):
        users = await members(fake, 4)
        await fake.ask(boss, "/start")
        refusal = await fake.ask(clerk, "/announce Not me")
        assert refusal.text == "Sorry, only the network's admins can send announcements."
        fake.deactivate(users[0])
        fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=users[1].id)
        fake.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=users[2].id)
        await announce(fake, boss, "From the room's administrator")
        report = await fake.wait_for(
            lambda: next(iter(fake.replies(room)), None), timeout=10, what="the report"
        )
        lines = report.text.splitlines()
        assert lines[:4] == ["📊 Announcement sent", "Delivered: 3", "Blocked the bot: 3", "Failed: 0"]
        assert lines[4].startswith("Why: ")
        assert set(lines[4][5:].split(", ")) == {
            "account deleted: 1",
            "blocked the bot: 1",
            "chat not found: 1",
        }
        assert not [m for m in fake.replies(boss) if "Announcement sent" in (m.text or "")]
        assert "Statistics" in (await fake.ask(boss, "/stats")).text
    asked = [c for c in fake.calls_to("getChatAdministrators") if c.ok]
    assert len(asked) == 1, "asked once, then remembered"


async def test_an_administrator_who_steps_down_stays_admin_only_until_the_memory_expires(
    fake, settings, room_and_people
):
    room, boss, _ = room_and_people
    app = build_application(replace(settings, admin_chat=room.id))
    async with polling(app):
        await members(fake, 1)
        assert (await fake.ask(boss, "/stats")).text.startswith("📊")
        room.members[boss.id] = "member"
        assert (await fake.ask(boss, "/stats")).text.startswith("📊")  # remembered for 5 minutes
        app.bot_data["admins"]._expires = 0  # the 5 minutes are over
        assert (
            await fake.ask(boss, "/stats")
        ).text == "Sorry, only the network's admins can see the statistics."


async def test_stats_show_the_last_five_broadcasts_newest_first(fake, settings):
    admin = fake.user("Admin", id=ADMIN_ID, started=True)
    app = build_application(replace(settings, admins=frozenset({ADMIN_ID})))
    async with polling(app):
        (gone, *_) = await members(fake, 3)
        for number in range(6):
            if number == 5:
                fake.deactivate(gone)
            await announce(fake, admin, f"Number {number}")
            await fake.wait_for(
                lambda n=number: (
                    sum("Announcement sent" in (m.text or "") for m in fake.replies(admin)) == n + 1
                ),
                timeout=10,
            )
        stats = await fake.ask(admin, "/stats")
    lines = [line for line in stats.text.splitlines() if line.startswith("• ")]
    assert len(lines) == 5
    assert lines[0].endswith("to 4 chats: 3 delivered, 1 blocked, 0 failed, 0 pending")  # the newest
    assert all(line.endswith("to 4 chats: 4 delivered, 0 blocked, 0 failed, 0 pending") for line in lines[1:])
