"""Subscriptions end to end: the real Application long-polling the strict fake Bot API."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import polls_done, press, services_of, write_post

from bot.app import build_application
from bot.fakeapi import polling
from bot.store import ALL, Store


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    folder = tmp_path / "content" / "posts"
    folder.mkdir(parents=True)
    write_post(folder, "2023-03-17-a-quiet-cnd", "A quiet CND", tags=["cnd", "unodc"], date="2023-03-17")
    write_post(
        folder, "2023-05-01-naloxone", "Naloxone in Belgrade", tags=["harm reduction"], date="2023-05-01"
    )
    write_post(
        folder, "2023-06-01-decriminalisation", "Decriminalisation", tags=["drug policy"], date="2023-06-01"
    )
    return folder


@pytest.fixture
async def bot(fake, settings_factory, posts):
    settings = settings_factory(content_dir=posts.parent, poll_seconds=0.2)
    app = build_application(settings)
    async with polling(app):
        yield app


def store_of(app) -> Store:
    return services_of(app).store


async def test_subscribe_to_everything_then_unsubscribe(fake, bot):
    ana = fake.user("Ana", started=True)
    assert "every new post" in (await fake.ask(ana, "/subscribe")).text
    assert "already" in (await fake.ask(ana, "/subscribe")).text
    assert store_of(bot).subscriptions(ana.id) == [ALL]
    assert "Unsubscribed" in (await fake.ask(ana, "/unsubscribe")).text
    assert store_of(bot).subscriptions(ana.id) == []
    assert "no subscriptions" in (await fake.ask(ana, "/unsubscribe")).text


async def test_subscribe_to_topics_named_in_full_or_as_hashtags(fake, bot):
    ana = fake.user("Ana", started=True)
    assert "#drug_policy" in (await fake.ask(ana, "/subscribe drug policy")).text  # as Telegram links it
    assert "#harm_reduction" in (await fake.ask(ana, "/subscribe #Harm_Reduction")).text
    reply = await fake.ask(ana, "/subscribe #cnd #unodc")
    assert "#cnd" in reply.text and "#unodc" in reply.text
    assert store_of(bot).subscriptions(ana.id) == ["cnd", "drug policy", "harm reduction", "unodc"]
    assert "no longer follow" in (await fake.ask(ana, "/unsubscribe cnd")).text
    assert "do not follow" in (await fake.ask(ana, "/unsubscribe cnd")).text


async def test_an_unknown_topic_gets_suggestions_that_subscribe_when_tapped(fake, bot):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, "/subscribe cdn")
    assert reply.text.startswith("No post has the topic #cdn yet. Did you mean one of these?")
    assert [b["text"] for b in reply.buttons] == ["🔔 #cnd", "🔔 Follow #cdn anyway"]
    await press(fake, reply, 0)
    assert store_of(bot).subscriptions(ana.id) == ["cnd"]
    await fake.wait_for(lambda: "#cnd" in fake.replies(ana)[-1].text)
    nothing = await fake.ask(ana, "/subscribe zzzz")
    assert "/topics" in nothing.text and [b["text"] for b in nothing.buttons] == ["🔔 Follow #zzzz anyway"]


async def test_topics_are_found_through_the_glossary_however_they_are_written(fake, bot):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, "/subscribe smanjenje štete")
    assert reply.text == "🔔 Subscribed to #harm_reduction: I will send you new posts on this topic."
    assert "already" in (await fake.ask(ana, "/subscribe Смањење штете")).text
    assert "#cnd" in (await fake.ask(ana, "/subscribe Commission on Narcotic Drugs")).text
    assert store_of(bot).subscriptions(ana.id) == ["cnd", "harm reduction"]
    assert (
        await fake.ask(ana, "/unsubscribe smanjenje stete")
    ).text == "🔕 You no longer follow #harm_reduction."
    mila = fake.user("Mila", language_code="sr", started=True)
    reply = await fake.ask(mila, "/subscribe smanjenju štete")
    assert reply.text.startswith("🔔 Pretplaćeni ste na #harm_reduction")


async def test_a_topic_no_post_has_yet_can_be_followed_and_its_first_post_arrives(fake, bot, posts):
    ana = fake.user("Ana", started=True)
    offer = await fake.ask(ana, "/subscribe Ukraine War")
    assert offer.text.startswith("No post has the topic #ukraine_war yet. Follow it anyway")
    assert (await press(fake, offer, "🔔 Follow #ukraine_war anyway"))["text"] == "Subscribed to #ukraine_war"
    await fake.wait_for(lambda: "No post has this topic yet" in offer.text, what="the offer edited")
    assert (
        offer.text
        == "🔔 Subscribed to #ukraine_war. No post has this topic yet: I will send you the first ones."
    )
    assert store_of(bot).subscriptions(ana.id) == ["ukraine war"]
    await polls_done(bot, 1)
    before = len(fake.replies(ana))
    write_post(posts, "2024-03-01-ukraine", "Refugees from Ukraine", tags=["ukraine war"], date="2024-03-01")
    note = await fake.next_reply(ana, after=before, timeout=10)
    assert "New post · #ukraine_war" in note.text and "Refugees from Ukraine" in note.text
    mila = fake.user("Mila", language_code="sr", started=True)
    offer = await fake.ask(mila, "/subscribe mir")
    assert offer.text.startswith("Nijedan tekst još nema temu #mir.")
    assert [b["text"] for b in offer.buttons][-1] == "🔔 Ipak prati #mir"


async def test_the_subscriptions_list_removes_what_is_tapped(fake, bot):
    ana = fake.user("Ana", started=True)
    assert "no subscriptions" in (await fake.ask(ana, "/subscriptions")).text
    await fake.ask(ana, "/subscribe")
    await fake.ask(ana, "/subscribe cnd")
    listing = await fake.ask(ana, "/subscriptions")
    assert [b["text"] for b in listing.buttons] == ["✖ All new posts", "⚡ Instant", "✖ #cnd", "⚡ Instant"]
    answer = await press(fake, listing, "✖ #cnd")
    assert "#cnd" in answer["text"]
    assert store_of(bot).subscriptions(ana.id) == [ALL]
    await fake.wait_for(
        lambda: [b["text"] for b in fake.replies(ana)[-1].buttons] == ["✖ All new posts", "⚡ Instant"]
    )


async def test_topics_show_what_is_followed_and_toggle_it(fake, bot):
    ana = fake.user("Ana", started=True)
    topics = await fake.ask(ana, "/topics")
    assert topics.text.startswith("🏷 4 topics — tap one to see its latest posts")
    labels = [b["text"] for b in topics.buttons]
    assert "#cnd (1)" in labels and labels.count("🔔 Follow") == 4
    assert not any(label.endswith("/1") for label in labels)  # one page: no page buttons
    toggle = labels.index("#cnd (1)") + 1
    await press(fake, topics, toggle)
    assert store_of(bot).subscriptions(ana.id) == ["cnd"]
    await fake.wait_for(lambda: topics.buttons[toggle]["text"] == "✖ Unfollow")
    assert topics.buttons[toggle - 1]["text"] == "✅ #cnd (1)"
    await press(fake, topics, toggle)
    assert store_of(bot).subscriptions(ana.id) == []
    await fake.wait_for(lambda: topics.buttons[toggle - 1]["text"] == "#cnd (1)")


async def test_many_topics_come_in_pages_and_a_toggle_keeps_its_page(fake, settings_factory, tmp_path):
    folder = tmp_path / "many" / "posts"
    folder.mkdir(parents=True)
    for i in range(21):
        write_post(
            folder,
            f"2023-01-{i + 1:02d}-t{i}",
            f"Post {i}",
            tags=[f"topic {i:02d}"],
            date=f"2023-01-{i + 1:02d}",
        )
    async with polling(build_application(settings_factory(content_dir=folder.parent))) as app:
        ana = fake.user("Ana", started=True)
        topics = await fake.ask(ana, "/topics")
        assert topics.text.startswith("🏷 21 topics")
        assert [b["text"] for b in topics.keyboard[-1]] == ["1/3", "Next ›"]
        assert len(topics.keyboard) == 9  # 8 topics and the page buttons
        await press(fake, topics, "Next ›")
        await fake.wait_for(lambda: topics.keyboard[-1][1]["text"] == "2/3", what="page 2")
        assert topics.keyboard[0][0]["text"] == "#topic_08 (1)"
        await press(fake, topics, 1)
        await fake.wait_for(lambda: topics.keyboard[0][0]["text"] == "✅ #topic_08 (1)", what="the toggle")
        assert topics.keyboard[-1][1]["text"] == "2/3" and services_of(app).store.subscriptions(ana.id) == [
            "topic 08"
        ]
        mila = fake.user("Mila", language_code="sr", started=True)
        serbian = await fake.ask(mila, "/topics")
        assert serbian.text.startswith("🏷 21 tema — dodirnite")
        assert [b["text"] for b in serbian.keyboard[0]] == ["#topic_00 (1)", "🔔 Prati"]
        assert [b["text"] for b in serbian.keyboard[-1]] == ["1/3", "Dalje ›"]


async def test_start_with_the_subscribe_deep_link_subscribes(fake, bot):
    ana = fake.user("Ana")
    assert "every new post" in (await fake.ask(ana, "/start subscribe")).text
    assert store_of(bot).subscriptions(ana.id) == [ALL]


async def test_a_new_post_notifies_each_matching_subscriber_once_and_nobody_else(fake, bot, posts):
    everything, cnd, both, other, nobody = (fake.user(name, started=True) for name in "ABCDE")
    await fake.ask(everything, "/subscribe")
    await fake.ask(cnd, "/subscribe cnd")
    await fake.ask(both, "/subscribe")
    await fake.ask(both, "/subscribe unodc")
    await fake.ask(other, "/subscribe drug policy")
    await fake.ask(nobody, "/help")
    before = {u.id: len(fake.replies(u)) for u in (everything, cnd, both, other, nobody)}

    write_post(posts, "2024-01-10-cnd-2024", "CND 2024 & <beyond>", tags=["cnd", "unodc"], date="2024-01-10")
    for user in (everything, cnd, both):
        note = await fake.next_reply(user, after=before[user.id], timeout=10)
        assert (
            "New post" in note.text and "CND 2024 & <beyond>" in note.text and "10 January 2024" in note.text
        )
    await fake.wait_for(lambda: store_of(bot).queue_length() == 0, timeout=5)
    edited = posts / "2024-01-10-cnd-2024.md"
    edited.write_text(edited.read_text().replace("CND 2024", "CND 2024 (corrected)"), encoding="utf-8")
    await polls_done(bot, 2)
    for user in (everything, cnd, both, other, nobody):
        expected = 1 if user in (everything, cnd, both) else 0
        assert len(fake.replies(user)) - before[user.id] == expected, user.first_name


async def test_the_back_catalogue_is_not_announced_on_first_start(fake, bot):
    ana = fake.user("Ana", started=True)
    await fake.ask(ana, "/subscribe")
    store = store_of(bot)
    await fake.wait_for(lambda: store.get_meta("last_sync") is not None)
    assert len(store.announced()) == 3
    assert len(fake.replies(ana)) == 1


async def test_stop_asks_first_and_erases_everything_about_the_chat_when_confirmed(fake, bot):
    ana = fake.user("Ana", started=True)
    await fake.ask(ana, "/language")
    await fake.ask(ana, "/subscribe cnd")
    question = await fake.ask(ana, "/stop")
    assert question.text.startswith("🗑 Forget this chat?")
    assert [b["text"] for b in question.buttons] == ["🗑 Yes, forget this chat", "Keep it"]
    await press(fake, question, "Keep it")
    await fake.wait_for(lambda: question.text.startswith("Nothing was deleted"), what="the kept answer")
    assert store_of(bot).subscriptions(ana.id) == ["cnd"] and not question.buttons
    question = await fake.ask(ana, "/stop")
    await press(fake, question, "🗑 Yes, forget this chat")
    await fake.wait_for(lambda: "deleted everything" in question.text, what="the forgotten answer")
    assert store_of(bot).chat(ana.id) is None
    assert store_of(bot).subscriptions(ana.id) == []
    mila = fake.user("Mila", language_code="sr", started=True)
    assert [b["text"] for b in (await fake.ask(mila, "/stop")).buttons] == [
        "🗑 Da, zaboravi ovaj čet",
        "Zadrži",
    ]


async def test_blocking_the_bot_deactivates_the_chat_and_start_reactivates_it(fake, bot):
    ana = fake.user("Ana", started=True)
    await fake.ask(ana, "/subscribe")
    fake.block(ana)
    await fake.wait_for(lambda: not store_of(bot).chat(ana.id).active)
    fake.unblock(ana)
    await fake.ask(ana, "/start")
    assert store_of(bot).chat(ana.id).active
    assert store_of(bot).subscriptions(ana.id) == [ALL]


async def test_in_a_group_only_admins_change_subscriptions(fake, bot):
    admin, member = fake.user("Admin", started=True), fake.user("Member", started=True)
    group = fake.group(members=[member], admins=[admin])
    fake.send_text(group, member, "/subscribe")
    refusal = await fake.next_reply(group)
    assert "Only this group's admins" in refusal.text
    fake.send_text(group, admin, "/subscribe@newsbot_test_bot cnd")
    question = await fake.next_reply(group, after=refusal)
    assert store_of(bot).subscriptions(group.id) == ["cnd"]
    fake.send_text(group, admin, "/stop")
    question = await fake.next_reply(group, after=question)
    refused = await press(fake, question, "🗑 Yes, forget this chat", user=member)
    assert refused["text"] == "Only this group's admins can change its subscriptions."
    assert store_of(bot).subscriptions(group.id) == ["cnd"]


async def test_a_group_that_becomes_a_supergroup_keeps_its_subscriptions(fake, bot):
    admin = fake.user("Admin", started=True)
    group = fake.group(admins=[admin])
    fake.send_text(group, admin, "/subscribe")
    await fake.next_reply(group)
    supergroup = fake.migrate(group)
    await fake.wait_for(lambda: store_of(bot).subscriptions(supergroup.id) == [ALL])
    assert store_of(bot).chat(group.id) is None


async def test_a_group_that_removes_the_bot_is_inactive(fake, bot):
    admin = fake.user("Admin", started=True)
    group = fake.group(admins=[admin])
    fake.send_text(group, admin, "/subscribe")
    await fake.next_reply(group)
    fake.kick_bot(group, admin)
    await fake.wait_for(lambda: not store_of(bot).chat(group.id).active)


async def test_notifications_speak_the_subscribers_language(fake, bot, posts):
    mila = fake.user("Mila", language_code="sr", started=True)
    ana = fake.user("Ana", language_code="sr", started=True)
    await fake.ask(mila, "/subscribe")
    await fake.ask(ana, "/language")
    await press(fake, fake.replies(ana)[-1], "English")
    await fake.ask(ana, "/subscribe")
    await polls_done(bot, 1)
    write_post(posts, "2024-05-25-skupstina", "Skupština", tags=["cnd"], date="2024-05-25")
    note = await fake.next_reply(mila, after=fake.replies(mila)[-1], timeout=10)
    assert "Novi tekst" in note.text and "25. maj 2024." in note.text
    note = await fake.next_reply(ana, after=fake.replies(ana)[-1], timeout=10)
    assert "New post" in note.text and "25 May 2024" in note.text


async def test_a_broken_post_file_is_logged_once_per_run_while_the_others_are_served(
    fake, bot, posts, caplog
):
    (posts / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    await polls_done(bot, 2)
    write_post(posts, "2024-02-01-more", "More news", date="2024-02-01")
    await fake.wait_for(lambda: services_of(bot).post_count == 4, timeout=10)
    await polls_done(bot, 2)
    skipped = [r for r in caplog.records if "post skipped" in r.getMessage()]
    assert len(skipped) == 1 and "broken.md" in skipped[0].getMessage()
