"""Inline mode (`@bot words` in any chat) and behaviour in groups, end to end against the fake Bot API."""

from __future__ import annotations

from conftest import press, write_post

from bot.app import build_application
from bot.fakeapi import polling
from bot.fakeapi.html import parse_html

BOT = "@newsbot_test_bot"


async def test_an_inline_query_offers_formatted_hits(fake, running_bot):
    ana = fake.user("Ana")
    answer = await fake.wait_inline_answer(fake.inline_query(ana, "cnd"))
    results = answer["results"]
    assert 1 <= len(results) <= 50
    assert len({r["id"] for r in results}) == len(results)
    assert 0 < answer["cache_time"] <= 300
    titles = [r["title"] for r in results]
    assert "A quiet CND" in titles
    quiet = results[titles.index("A quiet CND")]
    shown = parse_html(quiet["input_message_content"]["message_text"]).text
    assert shown.startswith("A quiet CND\n17 March 2023\n")
    assert quiet["description"].startswith("17 March 2023 · ")
    read = quiet["reply_markup"]["inline_keyboard"][0][0]["url"]
    assert read.startswith("https://t.me/newsbot_test_bot?start=r_")


async def test_an_empty_inline_query_offers_the_latest_posts(fake, running_bot):
    ana = fake.user("Ana", language_code="sr")
    answer = await fake.wait_inline_answer(fake.inline_query(ana, ""))
    titles = [r["title"] for r in answer["results"]]
    assert titles[0] == "Quality Assurance for Drug Use Disorder Treatment Systems"
    assert len(titles) == 9
    assert answer["results"][0]["description"].startswith("23. jun 2023. · ")


async def test_an_inline_query_that_finds_nothing_answers_with_no_results(fake, running_bot):
    ana = fake.user("Ana")
    answer = await fake.wait_inline_answer(fake.inline_query(ana, "xylophone quasar", offset="junk"))
    assert answer["results"] == [] and not answer.get("next_offset")


async def test_the_read_link_of_an_inline_result_opens_the_post_in_the_bot(fake, running_bot):
    ana = fake.user("Ana")
    answer = await fake.wait_inline_answer(fake.inline_query(ana, "quiet cnd"))
    payload = answer["results"][0]["reply_markup"]["inline_keyboard"][0][0]["url"].split("start=")[1]
    reply = await fake.ask(ana, f"/start {payload}")
    assert reply.text.startswith("A quiet CND\n17 March 2023\n\nThe 66th session")


async def test_in_groups_the_bot_answers_commands_mentions_and_replies_only(fake, running_bot):
    ana, bob = fake.user("Ana"), fake.user("Bob")
    group = fake.group(members=[ana, bob])
    fake.send_text(group, ana, "cnd is next week, who goes?")
    fake.send_text(group, bob, "/search@some_other_bot cnd")
    fake.send_text(group, bob, "/search@newsbot_test_bot unodc belgrade")
    first = await fake.next_reply(group)
    assert first.text.startswith("🔎 unodc belgrade")
    assert first.reply_to is not None and first.reply_to.sender is bob

    fake.send_text(group, ana, f"{BOT} quiet cnd")
    second = await fake.next_reply(group, after=first)
    assert second.text.startswith("🔎 quiet cnd") and BOT not in second.text

    fake.send_text(group, bob, "thanks!")
    fake.reply_to(second, ana, "trafficking")
    third = await fake.next_reply(group, after=second)
    assert third.text.startswith("🔎 trafficking")

    fake.send_text(group, ana, "/latest")
    fourth = await fake.next_reply(group, after=third)
    assert fourth.text.startswith("🗞 Latest posts")
    assert len(fake.replies(group)) == 4


async def test_a_group_sticker_or_photo_is_ignored(fake, running_bot):
    ana = fake.user("Ana")
    group = fake.group(members=[ana])
    fake.send_sticker(group, ana)
    fake.send_photo(group, ana, caption="look")
    fake.send_text(group, ana, "/help")
    reply = await fake.next_reply(group)
    assert "How to ask" in reply.text
    assert len(fake.replies(group)) == 1


async def test_a_group_can_choose_its_language(fake, running_bot):
    ana = fake.user("Ana")
    group = fake.group(members=[ana])
    fake.send_text(group, ana, "/language@newsbot_test_bot")
    chooser = await fake.next_reply(group)
    await press(fake, chooser, "Srpski (latinica)", user=ana)
    fake.send_text(group, ana, "/latest")
    latest = await fake.next_reply(group, after=chooser)
    assert latest.text.startswith("🗞 Najnoviji tekstovi")


async def test_inline_results_come_in_pages_of_twenty_with_next_offset(fake, settings_factory, tmp_path):
    folder = tmp_path / "many" / "posts"
    folder.mkdir(parents=True)
    for i in range(45):
        body = f"Drug policy note number {i} about prevention."
        write_post(folder, f"note-{i}", f"Drug policy note {i}", body, date=f"2022-01-{i % 28 + 1:02d}")
    app = build_application(settings_factory(content_dir=folder.parent))
    async with polling(app):
        ana = fake.user("Ana")
        first = await fake.wait_inline_answer(fake.inline_query(ana, "drug policy note"))
        assert len(first["results"]) == 20 and first["next_offset"] == "2"
        third = await fake.wait_inline_answer(fake.inline_query(ana, "drug policy note", offset="3"))
        assert len(third["results"]) == 5 and not third.get("next_offset")
        ids = {r["id"] for r in first["results"]} | {r["id"] for r in third["results"]}
        assert len(ids) == 25
