"""Sending through the real Application and the fake Bot API: a surge under Telegram's limits, answers
after a 5xx or an unreadable Bot API answer, and member text echoed back only as much as fits."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.app import build_application
from bot.fakeapi import FakeBotAPI, Limits, polling
from bot.render.html import visible_text
from bot.render.messages import t

ERROR = visible_text(t("en", "error")).strip()


async def test_a_surge_of_questions_is_answered_late_but_in_full_without_a_429(settings_factory, tmp_path):
    with FakeBotAPI(limits=Limits()) as limited:
        app = build_application(settings_factory(token=limited.token, api_url=limited.url))
        async with polling(app):
            members = [limited.user(f"Member {n}", started=True) for n in range(45)]
            asked = [limited.send_text(m, m, "harm reduction") for m in members]  # 45 answers, 30 a second
            for member, question in zip(members, asked, strict=True):
                answer = await limited.next_reply(member, after=question, timeout=20)
                assert answer.text.startswith("🔎")
        assert limited.too_many_requests == 0
        limited.assert_no_rejections()


async def test_answers_survive_five_percent_server_errors_and_a_refusal_is_not_retried(fake, running_bot):
    members = [fake.user(f"Member {n}", started=True) for n in range(60)]
    for member in members[::20]:  # 3 of 60: a 502 on their confirmation
        fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=member.id)
    for member in members:
        fake.send_text(member, member, "/subscribe cnd")
    for member in members:
        reply = await fake.next_reply(member, timeout=10)
        assert "Subscribed to" in reply.text
    refused = fake.user("Refused", started=True)
    fake.fail_next("sendMessage", 400, "Bad Request: chat not found", chat_id=refused.id)
    fake.send_text(refused, refused, "/subscribe cnd")
    await fake.wait_for(lambda: any(c.params.get("chat_id") == refused.id for c in fake.errors))
    await asyncio.sleep(1.5)
    sends = [c for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == refused.id]
    assert len(sends) == 2 and not sends[0].ok  # the refusal, then 'something went wrong'; no retry


async def test_an_unreadable_answer_after_the_message_was_sent_brings_no_apology(fake, running_bot, caplog):
    ana = fake.user("Ana", started=True)
    fake.garble_next("sendMessage", chat_id=ana.id)
    with caplog.at_level(logging.WARNING):
        first = await fake.ask(ana, "harm reduction")
        assert first.text.startswith("🔎")
        second = await fake.ask(ana, "cnd")
    assert second.text.startswith("🔎")
    assert [m.text for m in fake.replies(ana)].count(ERROR) == 0
    assert "could not be read" in caplog.text


@pytest.mark.parametrize("command", ["/unsubscribe", "/subscribe"])
async def test_a_very_long_topic_is_echoed_shortened(fake, running_bot, command):
    ana = fake.user("Ana", started=True)
    reply = await fake.ask(ana, f"{command} {'Ab' * 2000}")
    assert len(reply.text) <= 4096 and "#abab" in reply.text
    assert len(reply.text) < 400


def test_the_installed_bot_answers_a_surge_in_full_without_a_429_or_a_traceback(tmp_path):
    from conftest import wait_until
    from processes import StandaloneFake, bot_env, newsbot

    from bot.fakeapi import DEFAULT_TOKEN

    with StandaloneFake(tmp_path / "fake.log", "--limits") as fake:
        members = [fake.control("user", {"first_name": f"M{n}", "started": True})["id"] for n in range(60)]
        for member in members:  # 60 questions at once: two seconds' worth of Telegram's limit
            fake.control("send_text", {"chat_id": member, "user_id": member, "text": "harm reduction"})
        env = bot_env(fake.url, DEFAULT_TOKEN, tmp_path / "data")
        with newsbot("run", env=env, log_path=tmp_path / "run.log") as bot:

            def answered() -> bool:
                per_chat = fake.control("stats")["messages_per_chat"]
                return all(per_chat.get(str(member)) for member in members)

            wait_until(answered, 60, "every member's answer")
            assert bot.stop() == 0, bot.output
        assert fake.control("stats")["too_many_requests"] == 0
        assert fake.control("rejections") == []
        assert "Traceback" not in bot.output and "RetryAfter" not in bot.output
