"""Daily and weekly digests end to end: the real Application, the strict fake Bot API and a ManualClock
walked through days and weeks in milliseconds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import eventually, press, services_of, write_post

from bot.app import build_application
from bot.clock import ManualClock
from bot.fakeapi import polling
from bot.store import ALL, DAILY, INSTANT, WEEKLY

BELGRADE = ZoneInfo("Europe/Belgrade")
SUNDAY_MORNING = dt.datetime(2026, 12, 6, 7, 30, tzinfo=BELGRADE)  # a Sunday


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SUNDAY_MORNING)


@pytest.fixture
async def bot(fake, settings_factory, posts, clock):
    app = build_application(settings_factory(content_dir=posts.parent, poll_seconds=0.1), clock=clock)
    async with polling(app):
        await eventually(lambda: services_of(app).store.get_meta("catalogue_seeded"), what="first sync")
        yield app


async def publish(app, folder: Path, name: str, title: str, **meta: object) -> None:
    """Write a post file and wait until the running bot has queued it."""
    write_post(folder, name, title, **meta)
    store = services_of(app).store
    await eventually(lambda: name in store.announced(), what=f"{name} queued")


async def at(clock: ManualClock, moment: dt.datetime) -> None:
    await clock.advance(to=moment)


def texts(fake, user) -> list[str]:
    return [message.text for message in fake.replies(user)]


async def test_daily_and_weekly_digests_come_at_their_hour_once_and_only_with_news(fake, bot, posts, clock):
    ana, bob, cem = (fake.user(name, started=True) for name in ("Ana", "Bob", "Cem"))
    assert "daily digest, at 09:00" in (await fake.ask(ana, "/subscribe daily")).text
    assert "weekly digest, on Mondays at 09:00" in (await fake.ask(bob, "/subscribe cnd weekly")).text
    await fake.ask(cem, "/subscribe")
    store = services_of(bot).store
    assert (store.modes(ana.id), store.modes(bob.id), store.modes(cem.id)) == (
        {ALL: DAILY},
        {"cnd": WEEKLY},
        {ALL: INSTANT},
    )

    await publish(
        bot, posts, "2026-12-05-cnd-news", "CND news", tags=["cnd"], date="2026-12-05", url="https://x.org/c"
    )
    await publish(bot, posts, "2026-12-06-assembly", "General Assembly", date="2026-12-06")
    await fake.wait_for(lambda: len(fake.replies(cem)) == 3)  # the instant subscriber: at once
    assert len(fake.replies(ana)) == 1 and len(fake.replies(bob)) == 1  # only their /subscribe answers

    await at(clock, SUNDAY_MORNING.replace(hour=9))
    digest = await fake.next_reply(ana, after=fake.replies(ana)[-1])
    assert digest.text.startswith("📰 Your news digest: 2 new posts")
    assert digest.text.index("CND news") < digest.text.index("General Assembly")
    assert 'href="https://x.org/c"' in digest.html and "5 December 2026" in digest.text
    assert [b["text"] for b in digest.buttons] == ["📖 Read: General Assembly"]
    opened = await press(fake, digest, 0)
    assert opened is not None
    post = await fake.next_reply(ana, after=digest)
    assert post.text.startswith("General Assembly") and "Body text." in post.text
    assert len(fake.replies(bob)) == 1  # weekly: not on a Sunday

    monday = SUNDAY_MORNING.replace(day=7, hour=9)
    before = len(fake.replies(ana))
    await at(clock, monday)
    weekly = await fake.next_reply(bob, after=fake.replies(bob)[-1])
    assert weekly.text.startswith("📰 Your news digest: 1 new post\n") and "CND news" in weekly.text
    assert "General Assembly" not in weekly.text  # not about #cnd
    await at(clock, monday + dt.timedelta(hours=1))
    assert len(fake.replies(ana)) == before  # nothing new since Sunday's digest: no message

    assert "18:00" in (await fake.ask(ana, "/digest 18")).text
    await publish(bot, posts, "2026-12-07-report", "A report", date="2026-12-07", url="https://x.org/r")
    await at(clock, monday.replace(hour=17))
    assert len(fake.replies(ana)) == before + 1  # only the /digest answer
    await at(clock, monday.replace(hour=18))
    evening = await fake.next_reply(ana, after=fake.replies(ana)[-1])
    assert evening.text.startswith("📰 Your news digest: 1 new post\n") and "CND news" not in evening.text

    await at(clock, monday + dt.timedelta(days=7, hours=2))  # a week on: nothing new for anyone
    assert (len(fake.replies(ana)), len(fake.replies(bob))) == (before + 2, 2)
    assert all(store.digested(ana.id).values()) and len(store.digested(ana.id)) == 3


async def test_each_chat_gets_a_post_one_way_and_switching_modes_keeps_topics(fake, bot, posts, clock):
    ana = fake.user("Ana", started=True)
    await fake.ask(ana, "/subscribe cnd")
    await fake.ask(ana, "/subscribe weekly")
    listing = await fake.ask(ana, "/subscriptions")
    assert [b["text"] for b in listing.buttons] == ["✖ All new posts", "🗓 Weekly", "✖ #cnd", "⚡ Instant"]
    await publish(bot, posts, "2026-12-06-cnd", "CND today", tags=["cnd"], date="2026-12-06")
    note = await fake.next_reply(ana, after=fake.replies(ana)[-1])
    assert note.text.startswith("🆕 New post")  # #cnd is instant: it wins over the weekly digest
    store = services_of(bot).store
    assert store.waiting_digest_posts(ana.id) == 0

    answer = await press(fake, listing, 3)  # #cnd: instant -> daily
    assert answer["text"] == "#cnd: daily digest"
    await fake.wait_for(lambda: [b["text"] for b in listing.buttons][3] == "📰 Daily")
    assert store.modes(ana.id) == {ALL: WEEKLY, "cnd": DAILY}
    await publish(bot, posts, "2026-12-06-cnd-2", "CND again", tags=["cnd"], date="2026-12-06")
    await publish(bot, posts, "2026-12-06-other", "Other news", date="2026-12-06")
    assert store.waiting_digest_posts(ana.id) == 2
    await at(clock, SUNDAY_MORNING.replace(hour=9))
    digest = await fake.next_reply(ana, after=fake.replies(ana)[-1])
    assert "CND again" in digest.text and "Other news" not in digest.text  # that one waits for Monday
    await at(clock, SUNDAY_MORNING.replace(day=7, hour=9))
    weekly = await fake.next_reply(ana, after=digest)
    assert "Other news" in weekly.text and "CND" not in weekly.text

    status = await fake.ask(ana, "/digest")
    assert "09:00" in status.text and "Europe/Belgrade" in status.text
    await press(fake, status, "18:00")
    assert store.digest_hour(ana.id) == 18
    assert (await fake.ask(ana, "/digest 25")).text.startswith("Give me an hour from 0 to 23")


async def test_a_long_digest_is_paged_and_a_serbian_one_uses_plural_forms(fake, bot, posts, clock):
    mila = fake.user("Mila", language_code="sr", started=True)
    await fake.ask(mila, "/subscribe dnevno")
    for number in range(25):
        write_post(
            posts, f"2026-12-06-p{number:02d}", f"Post {number:02d} " + "long title " * 15, date="2026-12-06"
        )
    store = services_of(bot).store
    await eventually(lambda: store.waiting_digest_posts(mila.id) == 25, what="25 posts queued")
    await at(clock, SUNDAY_MORNING.replace(hour=9))
    await fake.wait_for(lambda: len(fake.replies(mila)) == 3)
    first, second = fake.replies(mila)[1:]
    assert first.text.startswith("📰 Vaš pregled vesti: 25 novih tekstova (1/2)\n")
    assert second.text.startswith("📰 Vaš pregled vesti: 25 novih tekstova (2/2)\n")
    listed = [
        line for message in (first, second) for line in message.text.split("\n") if line.startswith("Post ")
    ]
    assert sorted(listed) == sorted(set(listed)) and len(listed) == 25  # each post once


async def test_a_topic_no_post_has_yet_keeps_the_mode_it_was_asked_with(fake, bot):
    ana = fake.user("Ana", started=True)
    offer = await fake.ask(ana, "/subscribe peace weekly")
    assert offer.text.startswith("No post has the topic #peace yet.")
    await press(fake, offer, "🔔 Follow #peace anyway")
    await fake.wait_for(lambda: "Subscribed to #peace" in fake.replies(ana)[-1].text)
    assert services_of(bot).store.modes(ana.id) == {"peace": WEEKLY}


async def test_in_a_group_only_admins_change_the_digest_hour_and_modes(fake, bot, posts, clock):
    admin, member = fake.user("Admin", started=True), fake.user("Member", started=True)
    group = fake.group(members=[member], admins=[admin])
    fake.send_text(group, admin, "/subscribe@newsbot_test_bot weekly")
    done = await fake.next_reply(group)
    fake.send_text(group, member, "/digest 18")
    refusal = await fake.next_reply(group, after=done)
    assert "Only this group's admins" in refusal.text
    fake.send_text(group, member, "/subscriptions")
    listing = await fake.next_reply(group, after=refusal)
    refused = await press(fake, listing, "🗓 Weekly", user=member)
    assert refused["text"] == "Only this group's admins can change its subscriptions."
    store = services_of(bot).store
    assert (store.digest_hour(group.id), store.modes(group.id)) == (9, {ALL: WEEKLY})
    fake.send_text(group, admin, "/digest 7")
    await fake.next_reply(group, after=listing)
    assert store.digest_hour(group.id) == 7
    await publish(bot, posts, "2026-12-06-group", "For the group", date="2026-12-06")
    await at(clock, SUNDAY_MORNING.replace(day=7, hour=7))  # Monday 07:00
    await fake.wait_for(lambda: fake.replies(group)[-1].text.startswith("📰 Your news digest: 1 new post"))
    assert "For the group" in fake.replies(group)[-1].text


def test_the_installed_bot_killed_in_the_middle_of_a_digest_run_finishes_it_after_restart(tmp_path):
    """A digest run missed while the bot was down is made at start (that is how this test makes one due
    now, with the wall clock): kill -9 mid-run, restart, and every chat has its one digest."""

    from processes import StandaloneFake, bot_env, killed_mid_run_and_restarted

    from bot.delivery import CONCURRENCY
    from bot.digests import HOUR, hour_start
    from bot.fakeapi import DEFAULT_TOKEN
    from bot.settings import Settings
    from bot.store import Store

    content = tmp_path / "content" / "posts"
    content.mkdir(parents=True)
    for number in range(3):
        write_post(
            content, f"2026-12-0{number + 1}-p{number}", f"Post {number}", date=f"2026-12-0{number + 1}"
        )
    data = tmp_path / "data"
    config = tmp_path / "config.yaml"
    config.write_text("delivery:\n  global_per_second: 100\n  per_chat_per_second: 10\n", encoding="utf-8")
    zone = Settings().zone
    with StandaloneFake(tmp_path / "fake.log") as fake:
        users = [fake.control("user", {"first_name": f"U{i}", "started": True})["id"] for i in range(200)]
        store = Store.open(data / "newsbot.sqlite3")
        this_hour = hour_start(dt.datetime.now(dt.UTC), zone)
        store.set_meta("catalogue_seeded", "yes")
        store.start_digests((this_hour - HOUR).isoformat())  # the bot was down when this hour's run was due
        for user in users:
            store.seen_chat(user, "private")
            store.subscribe(user, ALL, DAILY)
            store.set_digest_hour(user, this_hour.astimezone(zone).hour)
        for number in range(3):
            store.enqueue_post(f"2026-12-0{number + 1}-p{number}", ())
        store.close()
        env = {**bot_env(fake.url, DEFAULT_TOKEN, data), "NEWSBOT_CONTENT_DIR": str(content.parent)}
        fake.control("slow", {"method": "sendMessage", "seconds": 0.05, "times": 2000})

        def per_chat() -> dict[str, int]:
            return fake.control("stats")["messages_per_chat"]

        counts = killed_mid_run_and_restarted(config, env, tmp_path, per_chat, users)
        assert min(counts) == 1 and sum(counts) - len(users) <= CONCURRENCY  # only sends in flight repeat
        store = Store.open(data / "newsbot.sqlite3")
        pages = {tuple(sorted(store.digested(u))): set(store.digested(u).values()) for u in users}
        assert list(pages) == [tuple(f"2026-12-0{n + 1}-p{n}" for n in range(3))]  # all three, for all
        assert len(set.union(*pages.values())) == 1  # in one run's one page: no second digest
        assert store.delivery_counts() == {"sent": len(users)}
        store.close()


async def test_a_button_on_an_older_message_that_already_shows_the_new_state_is_answered_quietly(fake, bot):
    ana = fake.user("Ana", started=True)
    await fake.ask(ana, "/subscribe")
    older, newer = await fake.ask(ana, "/subscriptions"), await fake.ask(ana, "/subscriptions")
    await press(fake, older, 1)  # instant -> daily: the older message shows daily
    await press(fake, newer, 1)  # daily -> weekly
    await press(fake, newer, 1)  # weekly -> instant
    answer = await press(fake, older, 1)  # instant -> daily, which the older message already shows
    assert "daily" in answer["text"]
    assert services_of(bot).store.modes(ana.id) == {ALL: DAILY}

    older, newer = await fake.ask(ana, "/digest"), await fake.ask(ana, "/digest")
    await press(fake, older, 3)  # 18:00
    await press(fake, newer, 0)  # 07:00
    await press(fake, older, 3)  # 18:00, which the older message shows already
    assert services_of(bot).store.digest_hour(ana.id) == 18
    # no call was rejected (the strict fake refuses an edit that changes nothing: checked at teardown)
