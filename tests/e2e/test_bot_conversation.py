"""The bot in a private chat, end to end: the real Application long-polling the strict fake Bot API.

Every test also fails (in the `fake` fixture) if the bot made a call Telegram would reject."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import press, write_post

from bot.app import build_application
from bot.fakeapi import polling
from bot.render.html import units
from bot.store import Store

PAGE_SIZE = 5


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """12 posts about harm reduction, a Serbian one (found through the glossary: 3 pages), and one very
    long report."""
    folder = tmp_path / "content" / "posts"
    folder.mkdir(parents=True)
    start = dt.date(2023, 1, 2)
    for i in range(12):
        day = start + dt.timedelta(days=7 * i)
        url = f"url: https://dpnsee.org/news/{i}" if i % 2 else ""
        write_post(
            folder,
            f"{day}-harm-reduction-week-{i}",
            f"Harm reduction week {i}",
            f"Outreach workers met in Belgrade to talk about harm reduction services, meeting {i}.",
            date=day,
            tags=["harm reduction", "outreach"],
            **({"url": url[5:]} if url else {}),
        )
    paragraphs = [
        f"Section {n}. " + "The annual report describes naloxone programmes. " * 30 for n in range(12)
    ]
    report = "\n\n".join(paragraphs)
    write_post(
        folder, "2024-01-15-annual-report", "Annual report 2023", report, date="2024-01-15", tags=["report"]
    )
    serbian = "Terenski radnici su razgovarali o smanjenju štete."
    write_post(
        folder, "2024-02-01-smanjenje-stete", "Smanjenje štete u Nišu", serbian, date="2024-02-01", lang="sr"
    )
    return folder.parent


@pytest.fixture
async def bot(fake, settings_factory, content):
    app = build_application(settings_factory(content_dir=content))
    async with polling(app):
        yield app


async def test_start_greets_and_says_what_the_bot_knows(fake, bot):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, "/start")
    assert "DPNSEE" in reply.text and "14 posts" in reply.text and "/latest" in reply.text
    help_text = (await fake.ask(ana, "/help")).text
    assert "/search" in help_text and "@newsbot_test_bot" in help_text


async def test_start_with_a_deep_link_payload_is_understood(fake, bot):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, "/start subscribe")
    assert "went wrong" not in reply.text and "do not know" not in reply.text
    unknown = await fake.ask(ana, "/start nonsense_payload")
    assert "DPNSEE" in unknown.text


async def test_the_command_menu_is_set_in_english_and_serbian(fake, bot):
    menus = {
        language: [c["command"] for c in commands] for (_scope, language), commands in fake.commands.items()
    }
    assert set(menus) >= {"", "sr"}
    assert {"start", "help", "search", "latest", "topics", "language"} <= set(menus[""])
    serbian = dict(
        (c["command"], c["description"])
        for (_s, language), cs in fake.commands.items()
        if language == "sr"
        for c in cs
    )
    assert serbian["search"] == "Pretraga vesti"


def hits_shown(answer) -> int:
    return answer.text.count("Harm reduction week") + answer.text.count("Smanjenje štete u Nišu")


async def test_a_question_gets_five_hits_and_buttons_that_page_through_the_same_message(fake, bot):
    ana = fake.user("Ana", started=True)
    answer = await fake.ask(ana, "harm reduction")
    assert answer.text.startswith("🔎 harm reduction — 13 posts")
    assert hits_shown(answer) == PAGE_SIZE
    assert [b["text"] for b in answer.keyboard[-1]] == ["1/3", "Next ›"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in answer.buttons if "callback_data" in b)
    first_page = answer.text

    await press(fake, answer, "Next ›")
    await fake.wait_for(lambda: answer.edit_date, what="the page edit")
    assert [b["text"] for b in answer.keyboard[-1]] == ["‹ Prev", "2/3", "Next ›"]
    assert answer.text != first_page
    await press(fake, answer, "Next ›")
    await fake.wait_for(lambda: answer.keyboard[-1][-1]["text"] == "3/3", what="page 3")
    assert hits_shown(answer) == 3
    await press(fake, answer, "‹ Prev")
    await press(fake, answer, "‹ Prev")
    await fake.wait_for(lambda: answer.text == first_page, what="back on page 1")
    assert await press(fake, answer, "1/3") is not None  # the page label is a button too: answered
    assert len(fake.replies(ana)) == 1
    assert fake.unanswered_callbacks() == []


async def test_titles_link_to_the_post_url(fake, bot):
    ana = fake.user("Ana", started=True)
    answer = await fake.ask(ana, "harm reduction week 3")
    links = [e["url"] for e in answer.entities if e["type"] == "text_link"]
    assert "https://dpnsee.org/news/3" in links


async def test_a_post_without_url_can_be_read_in_telegram_in_messages_that_fit(fake, bot):
    ana = fake.user("Ana", started=True)
    answer = await fake.ask(ana, "annual report naloxone")
    await press(fake, answer, 0)
    # the parts come one a second (Telegram's limit in one chat)
    parts = await fake.wait_for(
        lambda: "Section 11." in (fake.replies(ana)[-1].text or "") and fake.replies(ana)[1:],
        timeout=15,
        what="the whole post",
    )
    assert len(parts) > 2 and parts[0].text.startswith("Annual report 2023\n15 January 2024")
    assert all(units(p.text) <= 4096 for p in parts)
    joined = "\n".join(p.text for p in parts)
    assert all(f"Section {n}." in joined for n in range(12))


async def test_nothing_found_gives_hints(fake, bot):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, "xylophone quasar")
    assert "nothing" in reply.text and "/topics" in reply.text and "/latest" in reply.text


async def test_latest_lists_the_newest_posts_first(fake, bot):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, "/latest 3")
    text = reply.text
    assert text.startswith("🗞 Latest posts")
    assert text.index("Smanjenje štete") < text.index("Annual report") < text.index("Harm reduction week 11")
    assert "Harm reduction week 10" not in text
    assert "1 February 2024" in text
    assert (await fake.ask(ana, "/latest")).text.count("\n\n") == 5


@pytest.mark.parametrize("argument", ["lots", "0", "-3", "11", "2.5", "3 4"])
async def test_latest_with_a_bad_argument_explains_the_range(fake, bot, argument):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, f"/latest {argument}")
    assert (
        reply.text == "Give me a number from 1 to 10, e.g. /latest 3; /latest alone shows the 5 newest posts."
    )
    mila = fake.user("Mila", language_code="sr", started=True)
    reply = await fake.ask(mila, f"/latest {argument}")
    assert reply.text.startswith("Upišite broj od 1 do 10, npr. /latest 3")


@pytest.mark.parametrize(
    ("said", "language", "expected"),
    [("hello", "en", "👋 Hello, Ana! Ask me about the network's news"), ("Hi there!", "en", "👋 Hello, Ana!"),
     ("Thank you very much 🙏", "en", "You're welcome! 😊"), ("zdravo", "sr", "👋 Zdravo, Ana! Pitajte me"),
     ("Ћао", "sr", "👋 Zdravo, Ana!"), ("hvala puno", "sr", "Nema na čemu! 😊"),
     ("Хвала", "en", "You're welcome!")],
)  # fmt: skip
async def test_greetings_and_thanks_get_a_friendly_word_not_a_search(fake, bot, said, language, expected):
    ana = fake.user("Ana", language_code=language, started=True)
    reply = await fake.ask(ana, said)
    assert reply.text.startswith(expected) and "🔎" not in reply.text


async def test_a_question_that_starts_with_a_greeting_is_still_searched(fake, bot):
    ana = fake.user("Ana", started=True)
    assert (await fake.ask(ana, "hello, anything on harm reduction?")).text.startswith("🔎")
    assert (await fake.ask(ana, "/search thanks")).text.startswith("I found nothing about")


async def test_topics_are_buttons_and_a_tap_lists_the_topic(fake, bot):
    ana = fake.user("Ana", started=True)
    topics = await fake.ask(ana, "/topics")
    labels = [b["text"] for b in topics.buttons if b.get("callback_data", "").startswith("t:")]
    assert labels[:2] == ["#harm_reduction (12)", "#outreach (12)"]
    assert "#report (1)" in labels
    await press(fake, topics, "#report (1)")
    listing = await fake.next_reply(ana, after=topics)
    assert listing.text.startswith("🏷 #report") and "Annual report 2023" in listing.text


async def test_serbian_telegram_users_get_serbian_until_they_choose(fake, bot, settings_factory, content):
    for code in ("sr", "hr", "bs", "me"):
        user = fake.user("Marko", language_code=code, started=True)
        assert "Zdravo" in (await fake.ask(user, "/start")).text
    marko = fake.user("Marko", language_code="sr", started=True)
    reply = await fake.ask(marko, "xylophone")
    assert "Nisam našao ništa" in reply.text
    chooser = await fake.ask(marko, "/language")
    await press(fake, chooser, "English")
    await fake.wait_for(
        lambda: "English" in (chooser.text or "") and not chooser.keyboard, what="language set"
    )
    assert "found nothing" in (await fake.ask(marko, "xylophone")).text
    store = Store.open(settings_factory(content_dir=content).database_path)
    try:
        assert store.chat(marko.id).language == "en"
    finally:
        store.close()


async def test_dates_and_buttons_follow_the_language(fake, bot):
    mila = fake.user("Mila", language_code="sr-Latn", started=True)
    answer = await fake.ask(mila, "harm reduction")
    assert "— 13 tekstova" in answer.text
    assert re.search(r"\n\d{1,2}\. (januar|februar|mart) 2023\.\n", answer.text)
    assert [b["text"] for b in answer.keyboard[-1]] == ["1/3", "Dalje ›"]


async def test_an_edited_question_edits_the_earlier_answer(fake, bot):
    ana = fake.user("Ana", started=True)
    question = fake.send_text(ana, ana, "annual report")
    answer = await fake.next_reply(ana, after=question)
    assert "Annual report 2023" in answer.text
    fake.edit_text(question, "harm reduction")
    await fake.wait_for(lambda: answer.edit_date, what="the edited answer")
    assert answer.text.startswith("🔎 harm reduction")
    assert len(fake.replies(ana)) == 1


async def test_forged_and_expired_buttons_get_a_polite_answer(fake, bot):
    ana = fake.user("Ana", started=True)
    answer = await fake.ask(ana, "harm reduction")
    for data in ("p:zzzzzz:2", "r:0000000000", "t:0000000000", "l:xx", "garbage", "p:x:99999999"):
        reply = await press(fake, answer, data, forged=True)
        assert "expired" in reply.get("text", "")
    assert len(fake.replies(ana)) == 1 and fake.unanswered_callbacks() == []


@pytest.mark.parametrize(
    "text",
    ["\u200b\u200b", "   ", "/", "\u202e\u200f", "\x00\x01"],
)
async def test_messages_without_words_get_a_hint(fake, bot, text):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, text)
    assert "/latest" in reply.text and "went wrong" not in reply.text


@pytest.mark.parametrize(
    "text",
    ["שלום עולם harm", "harm\u200breduction", "x" * 4096, "<b>harm</b> & reduction", "🙂" * 2048,
     "harm " * 800, "AND OR NOT ( ) * ? ~ ^ : \" ' [ ] { }", "#report", "tag:", "2023"],
)  # fmt: skip
async def test_odd_questions_get_a_proper_answer(fake, bot, text):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, text)
    assert "went wrong" not in reply.text
    assert units(reply.text) <= 4096


async def test_stickers_photos_and_unknown_commands_get_a_hint(fake, bot):
    ana = fake.user("Ana", started=True)
    fake.send_sticker(ana, ana)
    sticker_reply = await fake.next_reply(ana)
    assert "only read text" in sticker_reply.text
    fake.send_photo(ana, ana, caption="harm")
    assert "only read text" in (await fake.next_reply(ana, after=sticker_reply)).text
    assert "/help" in (await fake.ask(ana, "/frobnicate")).text


async def test_a_double_tap_or_an_unchanged_edit_does_not_send_an_edit_that_changes_nothing(fake, bot):
    ana = fake.user("Ana", started=True)
    question = fake.send_text(ana, ana, "harm reduction")
    answer = await fake.next_reply(ana, after=question)
    first, second = fake.press(answer, "Next ›"), fake.press(answer, "Next ›")
    await fake.wait_callback_answer(first)
    await fake.wait_callback_answer(second)
    assert len(fake.calls_to("editMessageText")) == 1
    fake.edit_text(question, "harm  reduction\u200b")  # the same question after cleaning
    fake.send_text(ana, ana, "/help")
    await fake.wait_for(lambda: len(fake.replies(ana)) == 2, what="the help")
    assert len(fake.calls_to("editMessageText")) == 2  # page 1 again, once
    assert answer.keyboard[-1][0]["text"] == "1/3"


async def test_search_without_words_says_how_to_use_it(fake, bot):
    ana = fake.user("Ana", started=True)
    assert "/search harm reduction" in (await fake.ask(ana, "/search")).text
    assert "/search harm reduction" in (await fake.ask(ana, "/search@newsbot_test_bot \u200b")).text


async def test_a_year_without_an_answer_is_said_and_answers_from_other_years_follow(fake, bot):
    ana = fake.user("Ana", started=True)
    answer = await fake.ask(ana, "harm reduction 2019")
    lines = answer.text.split("\n")
    assert lines[0] == "🔎 harm reduction 2019 — 13 posts"
    assert lines[2] == "Nothing from 2019 — here is what I found in other years:"
    month = await fake.ask(ana, "harm reduction May 2019")
    assert "Nothing from May 2019 — here is what I found in other months:" in month.text
    same_year = await fake.ask(ana, "harm reduction 2023")
    assert same_year.text.startswith("🔎 harm reduction 2023 — 12 posts")
    assert "Nothing from" not in same_year.text
    await press(fake, answer, "Next ›")  # every page says it
    await fake.wait_for(lambda: answer.edit_date, what="the page edit")
    assert "Nothing from 2019 — here is what I found in other years:" in answer.text
    mila = fake.user("Mila", language_code="sr", started=True)
    serbian = await fake.ask(mila, "smanjenje štete 2019")
    assert serbian.text.startswith("🔎 smanjenje štete 2019 — 13 tekstova\n")
    assert "Za 2019. nisam našao ništa — evo šta sam našao iz drugih godina:" in serbian.text


async def test_inline_results_from_other_years_say_so_above_them(fake, bot):
    ana = fake.user("Ana")
    answer = await fake.wait_inline_answer(fake.inline_query(ana, "harm reduction 2019"))
    assert answer["results"] and answer["button"]["text"] == "Nothing from 2019 — posts from other dates"
    assert answer["button"]["start_parameter"] == "start"
    mila = fake.user("Mila", language_code="sr")
    answer = await fake.wait_inline_answer(fake.inline_query(mila, "smanjenje štete 2019"))
    assert answer["button"]["text"] == "Ništa za 2019. — tekstovi iz drugih perioda"
    same_year = await fake.wait_inline_answer(fake.inline_query(ana, "harm reduction 2023"))
    assert same_year["results"] and "button" not in same_year


@pytest.mark.parametrize(
    ("count", "serbian"),
    [(1, "1 tekst"), (2, "2 teksta"), (5, "5 tekstova"),
     (21, "21 tekst"), (22, "22 teksta"), (25, "25 tekstova")],
)  # fmt: skip
async def test_counts_take_serbian_plural_forms_in_answers(fake, settings_factory, tmp_path, count, serbian):
    folder = tmp_path / "plurals" / "posts"
    folder.mkdir(parents=True)
    for i in range(25):
        groups = [f"g{n}" for n in (1, 2, 5, 21, 22, 25) if i < n]
        write_post(folder, f"2023-01-{i + 1:02d}-p{i}", f"Post {i}", date=f"2023-01-{i + 1:02d}", tags=groups)
    async with polling(build_application(settings_factory(content_dir=folder.parent))):
        mila = fake.user("Mila", language_code="sr", started=True)
        assert (await fake.ask(mila, f"#g{count}")).text.startswith(f"🔎 #g{count} — {serbian}\n")
        assert "(25 tekstova)" in (await fake.ask(mila, "/start")).text
        ana = fake.user("Ana", started=True)
        english = "1 post" if count == 1 else f"{count} posts"
        assert (await fake.ask(ana, f"#g{count}")).text.startswith(f"🔎 #g{count} — {english}\n")


async def test_a_whole_post_read_in_telegram_lines_up_all_its_bullets(fake, running_bot):
    ana = fake.user("Ana", started=True)
    answer = await fake.ask(ana, "first meeting of the new csfd")
    await press(fake, answer, next(b["text"] for b in answer.buttons if "First meeting" in b["text"]))
    post = await fake.next_reply(ana, after=answer)
    assert "created\n\n• WG1: EU drug policy\n• WG2: International drug policy\n• WG3:" in post.text
