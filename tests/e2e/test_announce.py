"""Admin announcements and /stats end to end through the strict fake Bot API."""

from __future__ import annotations

import pytest
from conftest import ADMIN_ID, CONTENT_DIR, members, press, services_of

from bot.app import build_application
from bot.fakeapi import FakeBotAPI, Limits, polling
from bot.settings import DeliveryLimits, Settings


@pytest.fixture
def bot(admin_bot):
    return admin_bot


def announcements(fake, user):
    return [m for m in fake.replies(user) if m.text.startswith("📢")]


async def test_an_admin_announcement_reaches_everyone_once_and_the_admin_gets_a_report(fake, bot, admin):
    users = await members(fake, 12)
    await fake.ask(admin, "/start")
    gone = users[:2]
    for user in gone:
        fake.deactivate(user)
    preview = await fake.ask(admin, "/announce General Assembly moved to <b>Friday</b> & Saturday")
    assert preview.text == "📢 General Assembly moved to <b>Friday</b> & Saturday"
    assert [b["text"] for b in preview.buttons] == ["📤 Send to 13 chats", "🕘 Schedule…", "✖ Cancel"]
    first, second = fake.press(preview, 0), fake.press(preview, 0)  # a double tap
    await fake.wait_callback_answer(first)
    assert (await fake.wait_callback_answer(second))["text"] in ("", "Already sent.")
    report = await fake.wait_for(
        lambda: next((m for m in fake.replies(admin) if "Announcement sent" in m.text), None), timeout=10
    )
    assert (
        "Delivered: 11" in report.text and "Blocked the bot: 2" in report.text and "Failed: 0" in report.text
    )
    for user in users[2:]:
        (message,) = announcements(fake, user)
        assert message.text == preview.text and not message.buttons
    store = services_of(bot).store
    assert [store.chat(u.id).active for u in gone] == [False, False]
    assert not preview.buttons


async def test_a_non_admin_is_refused_and_nothing_is_sent(fake, bot):
    (user, other) = await members(fake, 2)
    reply = await fake.ask(user, "/announce Free beer!")
    assert reply.text == "Sorry, only the network's admins can send announcements."
    assert announcements(fake, other) == [] and announcements(fake, user) == []
    assert services_of(bot).store.last_announcement() is None
    assert (await fake.ask(user, "/stats")).text == "Sorry, only the network's admins can see the statistics."
    mila = fake.user("Mila", language_code="sr", started=True)
    refusal = (await fake.ask(mila, "/stats")).text
    assert refusal == "Izvinite, samo administratori mreže mogu da vide statistiku."


async def test_a_tagged_announcement_reaches_that_topics_subscribers_only(fake, bot, admin):
    cnd, everything, other = await members(fake, 3)
    await fake.ask(cnd, "/subscribe cnd")
    await fake.ask(everything, "/subscribe")
    await fake.ask(other, "/subscribe harm reduction")
    preview = await fake.ask(admin, "/announce #cnd Side event tomorrow")
    assert preview.text == "📢 Side event tomorrow"
    assert preview.buttons[0]["text"] == "📤 Send to 2 chats following #cnd"
    await press(fake, preview, 0)
    await fake.wait_for(lambda: announcements(fake, cnd) and announcements(fake, everything))
    await fake.wait_for(lambda: any("Announcement sent" in m.text for m in fake.replies(admin)))
    assert announcements(fake, other) == []
    unknown = await fake.ask(admin, "/announce #nosuchtopic hello")
    assert "nosuchtopic" in unknown.text and not unknown.buttons


async def test_announce_as_a_reply_sends_the_replied_message(fake, bot, admin):
    (user,) = await members(fake, 1)
    draft = fake.send_text(admin, admin, "Registration closes on Monday")
    fake.reply_to(draft, admin, "/announce")
    preview = await fake.wait_for(lambda: next(iter(announcements(fake, admin)), None))
    assert preview.text == "📢 Registration closes on Monday"
    await press(fake, preview, 0)
    await fake.wait_for(lambda: announcements(fake, user))


async def test_a_cancelled_announcement_is_never_sent(fake, bot, admin):
    (user,) = await members(fake, 1)
    preview = await fake.ask(admin, "/announce Not yet")
    assert (await press(fake, preview, "✖ Cancel"))["text"] == "Cancelled: nothing was sent."
    await fake.wait_for(lambda: fake.replies(admin)[-1].text == "Cancelled: nothing was sent.")
    await fake.wait_for(lambda: any("nothing was sent" in m.text for m in fake.replies(admin)))
    assert services_of(bot).store.queue_length() == 0
    assert announcements(fake, user) == []


async def test_usage_is_explained_when_there_is_nothing_to_announce(fake, bot, admin):
    reply = await fake.ask(admin, "/announce")
    assert "/announce" in reply.text and not reply.buttons


async def test_flood_control_is_honoured_and_the_message_still_arrives(fake, bot, admin):
    (user, other) = await members(fake, 2)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=user.id)
    preview = await fake.ask(admin, "/announce After the flood")
    await press(fake, preview, 0)
    await fake.wait_for(lambda: announcements(fake, user) and announcements(fake, other), timeout=10)
    assert len(announcements(fake, user)) == 1


async def test_stats_show_chats_subscribers_queue_and_the_last_announcement(fake, bot, admin):
    users = await members(fake, 3)
    await fake.ask(users[0], "/subscribe")
    stats = await fake.ask(admin, "/stats")
    assert "Chats: 4 (4 active)" in stats.text and "Chats with subscriptions: 1" in stats.text
    preview = await fake.ask(admin, "/announce Untagged")
    assert preview.buttons[0]["text"] == "📤 Send to 4 chats"  # every chat that started the bot
    assert (await press(fake, preview, "✖ Cancel"))["text"] == "Cancelled: nothing was sent."
    await fake.wait_for(lambda: fake.replies(admin)[-1].text == "Cancelled: nothing was sent.")
    assert "Queue: 0" in stats.text and "Last broadcasts: never" in stats.text
    preview = await fake.ask(admin, "/announce Hello")
    await press(fake, preview, 0)
    await fake.wait_for(lambda: any("Announcement sent" in m.text for m in fake.replies(admin)))
    stats = await fake.ask(admin, "/stats")
    assert (
        "• 20" in stats.text and "UTC — to 4 chats: 4 delivered, 0 blocked, 0 failed, 0 pending" in stats.text
    )


async def test_queries_are_answered_while_a_broadcast_runs_and_no_limit_is_exceeded(tmp_path):
    with FakeBotAPI(limits=Limits(time_scale=2)) as api:
        settings = Settings(
            token=api.token,
            api_url=api.url,
            content_dir=CONTENT_DIR,
            data_dir=tmp_path / "data",
            admins=frozenset({ADMIN_ID}),
            delivery=DeliveryLimits(global_per_second=60, per_chat_per_second=2, group_per_minute=40),
        )
        admin = api.user("Admin", id=ADMIN_ID, started=True)
        users = [api.user(f"M{i}", started=True) for i in range(150)]
        async with polling(build_application(settings)) as app:
            store = services_of(app).store
            for user in users:
                store.seen_chat(user.id, "private")
            preview = await api.ask(admin, "/announce Broadcast in progress")
            await api.wait_callback_answer(api.press(preview, 0))
            await api.wait_for(lambda: store.report(store.last_announcement().id).delivered >= 20)
            asker = users[-1]
            reply = await api.ask(asker, "/help")
            assert "/search" in reply.text
            assert store.queue_length() > 0, "the answer waited for the broadcast"
            await api.wait_for(lambda: store.queue_length() == 0, timeout=30)
        assert api.too_many_requests == 0
        assert all(len(announcements(api, user)) == 1 for user in users)


async def test_the_report_speaks_the_admins_telegram_language(fake, bot):
    admin = fake.user("Adminka", id=ADMIN_ID, started=True, language_code="sr")
    await members(fake, 2)
    preview = await fake.ask(admin, "/announce Skupština je u petak")
    assert preview.buttons[0]["text"] == "📤 Pošalji u 3 četa"
    fake.press(preview, 0)
    report = await fake.wait_for(
        lambda: next((m for m in fake.replies(admin) if m.text.startswith("📊")), None), timeout=10
    )
    assert "Obaveštenje je poslato" in report.text and "Isporučeno: 3" in report.text


async def test_an_announcement_longer_than_a_message_is_split_and_the_preview_says_into_how_many(
    fake, bot, admin
):
    (user,) = await members(fake, 1)
    paragraph = "The assembly will discuss the strategy. " * 40  # 1600 characters
    text = "\n\n".join(f"Part {n}. {paragraph.strip()}" for n in range(1, 4))
    fake.send_text(admin, admin, "/announce " + text)
    note = await fake.wait_for(lambda: next((m for m in fake.replies(admin) if m.buttons), None), timeout=10)
    assert note.text == "☝ That is the announcement as members will receive it (2 messages, in this order)."
    first, second = fake.replies(admin)[-3:-1]
    assert first.text.startswith("📢 Part 1.") and first.text.endswith("strategy.")
    assert second.text.startswith("Part 3.") and len(first.text) <= 4096
    await press(fake, note, 0)
    await fake.wait_for(lambda: len(fake.replies(user)) == 3, timeout=10)
    assert [m.text for m in fake.replies(user)[1:]] == [first.text, second.text]
    await fake.wait_for(lambda: "Announcement sent" in fake.replies(admin)[-1].text, timeout=10)
    too_long = await fake.ask(admin, "/announce " + "word " * 9000)
    assert too_long.text == (
        "⚠ Nothing was prepared: that is 45002 characters, more than 10 messages of 4096 hold. "
        "Please shorten it, or send it as several announcements."
    )
    choice = await fake.ask(admin, "/language")
    await press(fake, choice, "Srpski (latinica)")
    await fake.wait_for(lambda: choice.text.startswith("Važi"), what="Serbian chosen")
    sent = fake.send_text(admin, admin, "/announce " + text)
    note = await fake.wait_for(
        lambda: next((m for m in fake.replies(admin) if m.message_id > sent.message_id and m.buttons), None)
    )
    assert note.text == "☝ Ovako će članovi primiti obaveštenje (2 poruke, ovim redom)."


async def test_admins_see_announce_and_stats_in_their_command_menu_in_both_languages_members_do_not(
    fake, bot, admin
):
    from telegram import BotCommandScopeChat

    for language_code, announce_text in ((None, "Admins: send an announcement"), ("sr", "Administratori")):
        members_menu = await bot.bot.get_my_commands(language_code=language_code)
        admin_menu = await bot.bot.get_my_commands(
            scope=BotCommandScopeChat(ADMIN_ID), language_code=language_code
        )
        names = [command.command for command in members_menu]
        assert "search" in names and "announce" not in names and "stats" not in names
        assert [c.command for c in admin_menu] == [*names, "announce", "stats"]
        assert admin_menu[-2].description.startswith(announce_text)
        assert members_menu[0].description == admin_menu[0].description
    member = fake.user("Member", started=True)
    assert await bot.bot.get_my_commands(scope=BotCommandScopeChat(member.id)) == ()
