"""When things go wrong: handler errors, a failing command menu, bursts, and logs without the token."""

from __future__ import annotations

import asyncio
import io
import logging
import re

import pytest
from conftest import press, services_of

from bot.app import build_application
from bot.context import FLOOD
from bot.fakeapi import polling
from bot.flood import Flood
from bot.logs import setup_logging
from bot.settings import DeliveryLimits


@pytest.fixture
def app(settings):
    return build_application(settings)


@pytest.fixture
def logged():
    """The project's own logging set-up (DEBUG), its output kept in a buffer; restored afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    setup_logging("DEBUG")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)
    yield buffer
    root.handlers[:], level = saved
    root.setLevel(level)


def break_search(app, fake):
    def failing(*args, **kwargs):
        raise RuntimeError(f"index exploded while calling {fake.url}/bot{fake.token}/getMe")

    services_of(app).index.search = failing


async def test_an_error_is_logged_without_the_token_and_the_user_is_told(fake, app, logged):
    async with polling(app):
        break_search(app, fake)
        ana = fake.user("Ana", started=True)
        reply = await fake.ask(ana, "cnd")
        assert "Sorry, something went wrong" in reply.text
        fake.send_text(ana, ana, "/start")  # the bot carries on
        assert "Hello" in (await fake.next_reply(ana, after=reply)).text
    output = logged.getvalue()
    assert "index exploded" in output and "RuntimeError" in output
    assert fake.token not in output
    assert fake.token.split(":")[1] not in output


async def test_an_error_behind_a_button_still_answers_the_button(fake, app):
    async with polling(app):
        ana = fake.user("Ana", started=True)
        topics = await fake.ask(ana, "/topics")
        services_of(app).index.latest = lambda *a, **k: 1 / 0
        answer = await press(fake, topics, 0)
        assert "went wrong" in answer["text"]


async def test_the_bot_starts_even_when_the_command_menu_cannot_be_set(fake, app, caplog):
    fake.fail_next("setMyCommands", 400, "Bad Request: BOT_COMMANDS_TOO_MUCH", times=2)
    async with polling(app):
        ana = fake.user("Ana", started=True)
        assert "Hello" in (await fake.ask(ana, "/start")).text
    assert "could not set the command menu" in caplog.text


async def test_a_bursting_user_is_slowed_politely_without_delaying_others(fake, settings_factory):
    # Telegram's one message a second into a chat would pace the flooder's answers more than the flood
    # buckets do: a faster chat limit keeps this about the buckets
    app = build_application(settings_factory(delivery=DeliveryLimits(per_chat_per_second=50)))
    app.bot_data[FLOOD] = Flood(burst=2, per_second=5.0, max_backlog=20)
    async with polling(app):
        flooder, other = fake.user("Flo", started=True), fake.user("Ana", started=True)
        for n in range(10):
            fake.send_text(flooder, flooder, f"cnd {n}")
        await fake.wait_for(lambda: len(fake.replies(flooder)) >= 3, what="the first answers")
        calm = await fake.ask(other, "unodc")
        assert calm.text.startswith("🔎 unodc")
        assert len(fake.replies(flooder)) < 11  # still being slowed when the other user was answered
        replies = await fake.wait_for(lambda: len(fake.replies(flooder)) == 11 and fake.replies(flooder))
    notices = [m for m in replies if "very quickly" in m.text]
    assert len(notices) == 1
    answers = [m.text for m in replies if m not in notices]
    assert [int(re.search(r"cnd (\d)", a).group(1)) for a in answers] == list(range(10))  # all, in order


async def test_a_flood_beyond_the_backlog_is_dropped_but_buttons_are_answered(fake, app):
    app.bot_data[FLOOD] = Flood(burst=1, per_second=20.0, max_backlog=3)
    async with polling(app):
        ana = fake.user("Ana", started=True)
        answer = await fake.ask(ana, "cnd")
        presses = [fake.press(answer, 0) for _ in range(12)]
        await fake.wait_for(lambda: not fake.unanswered_callbacks(), what="every button answered")
        texts = [fake.callback_answer(q).get("text", "") for q in presses]
        assert any("Slow down" in text for text in texts)
        await asyncio.sleep(0.3)
        assert len(fake.replies(ana)) < 14


def test_flood_buckets_allow_a_burst_then_one_update_per_interval():
    now = [0.0]
    flood = Flood(burst=3, per_second=2.0, notice_backlog=3, clock=lambda: now[0])
    assert [flood.delay(1, backlog=5) for _ in range(3)] == [(0.0, False)] * 3
    assert flood.delay(1, backlog=2) == (0.5, False)  # a short queue needs no explanation
    assert flood.delay(1, backlog=3) == (1.0, True)
    assert flood.delay(1, backlog=9) == (1.5, False)  # one notice per burst
    assert flood.delay(2, backlog=9) == (0.0, False)  # others are not affected
    now[0] = 10.0
    assert flood.delay(1) == (0.0, False)
    assert [flood.delay(1, backlog=4)[1] for _ in range(4)] == [False, False, True, False]


def test_someone_who_waits_for_each_answer_is_paced_but_never_told_off():
    now = [0.0]
    flood = Flood(burst=3, per_second=2.0, clock=lambda: now[0])
    for _ in range(20):
        wait, notify = flood.delay(1, backlog=1)
        assert not notify
        now[0] += wait + 0.01


async def test_a_user_who_blocked_the_bot_is_not_sent_an_error_message(fake, app, caplog):
    caplog.set_level(logging.INFO, logger="bot.handlers.errors")
    async with polling(app):
        ana = fake.user("Ana", started=True)
        fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=ana.id)
        fake.send_text(ana, ana, "cnd")
        await fake.wait_for(lambda: "blocked the bot" in caplog.text, what="the log line")
        assert "🔎 cnd" in (await fake.ask(ana, "cnd")).text
    sends = [c for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == ana.id]
    assert [c.ok for c in sends] == [False, True]


async def test_a_user_who_waits_for_each_answer_is_never_told_to_slow_down(fake, app):
    app.bot_data[FLOOD] = Flood(burst=2, per_second=20.0)
    async with polling(app):
        ana = fake.user("Ana", started=True)
        for n in range(8):
            assert (await fake.ask(ana, f"cnd {n}")).text.startswith(("🔎", "I found nothing"))
    assert not any("very quickly" in m.text for m in fake.replies(ana))
