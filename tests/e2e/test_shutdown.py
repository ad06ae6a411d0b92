"""SIGTERM in the middle of a broadcast: the bot stops cleanly, nothing is marked wrongly, and the next
start finishes the broadcast — nobody missed, nobody messaged twice.

Both the bot (`newsbot run`) and the fake Bot API (`python -m bot.fakeapi`) are real processes.
"""

from __future__ import annotations

import signal
import sqlite3

import pytest
from conftest import wait_until
from processes import StandaloneFake, bot_env, newsbot

from bot.fakeapi import DEFAULT_TOKEN
from bot.store import Store

RECIPIENTS = 200
CONFIG = """
delivery:
  global_per_second: 100
  per_chat_per_second: 10
"""


def statuses(database) -> dict[str, int]:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall())
    finally:
        db.close()


def test_sigterm_mid_broadcast_then_restart_delivers_to_everyone_exactly_once(tmp_path):
    data = tmp_path / "data"
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    with StandaloneFake(tmp_path / "fake.log") as fake:
        users = [
            fake.control("user", {"first_name": f"U{i}", "started": True})["id"] for i in range(RECIPIENTS)
        ]
        store = Store.open(data / "newsbot.sqlite3")
        for user in users:
            store.seen_chat(user, "private")
        item = store.create_announcement(None, "General Assembly moved to <b>Friday</b>", None)
        assert store.queue_announcement(item.id) == RECIPIENTS
        store.close()
        # every send takes a while to answer, so SIGTERM finds sends in flight
        fake.control("slow", {"method": "sendMessage", "seconds": 0.05, "times": 10 * RECIPIENTS})

        def delivered() -> int:
            per_chat = fake.control("stats")["messages_per_chat"]
            return sum(per_chat.get(str(user), 0) for user in users)

        env = bot_env(fake.url, DEFAULT_TOKEN, data)
        with newsbot("--config", str(config), "run", env=env, log_path=tmp_path / "run1.log") as first:
            wait_until(lambda: delivered() >= RECIPIENTS // 4, 60, "the broadcast to start")
            assert first.stop(signal.SIGTERM) == 0, first.output
        assert "Traceback" not in first.output, first.output
        # the database was closed: its last connection checkpointed and removed the write-ahead log
        assert not (data / "newsbot.sqlite3-wal").exists()

        at_stop = statuses(data / "newsbot.sqlite3")
        assert "sending" not in at_stop, "a send in flight at SIGTERM was left unrecorded"
        assert at_stop.get("queued", 0) > 0, "the broadcast was not interrupted mid-way"
        assert at_stop.get("sent", 0) == delivered(), "the database and what was delivered disagree"

        with newsbot("--config", str(config), "run", env=env, log_path=tmp_path / "run2.log") as second:
            wait_until(lambda: statuses(data / "newsbot.sqlite3").get("sent") == RECIPIENTS, 60, "the rest")
            assert second.stop(signal.SIGINT) == 0, second.output

        per_chat = fake.control("stats")["messages_per_chat"]
        assert sorted({per_chat.get(str(user), 0) for user in users}) == [1], "missed or repeated"
        assert fake.control("rejections") == []


def test_a_second_bot_on_the_same_data_dir_refuses_to_start(fake, tmp_path):
    env = bot_env(fake.url, fake.token, tmp_path / "data")
    ana = fake.user("Ana", started=True)
    with newsbot("run", env=env, log_path=tmp_path / "first.log") as first:
        fake.send_text(ana, ana, "/start")
        fake.wait_for_reply(ana, timeout=30)
        with newsbot("run", env=env, log_path=tmp_path / "second.log") as second:
            assert second.wait(30) == 1
        assert f"pid {first.popen.pid}" in second.output and "already running" in second.output
        assert len(second.output.strip().splitlines()) == 1
        assert first.popen.poll() is None, "the first bot must keep running"
        assert first.stop() == 0


@pytest.mark.rejections_expected  # the 401s are the point
def test_a_token_the_bot_api_rejects_stops_the_bot_with_a_clear_message(fake, tmp_path):
    wrong = "987654321:AAWrongTokenWrongTokenWrongToken00"
    with newsbot(
        "run", env=bot_env(fake.url, wrong, tmp_path / "data"), log_path=tmp_path / "run.log"
    ) as bot:
        assert bot.wait(60) == 2
    assert "rejected the token" in bot.output and "TELEGRAM_BOT_TOKEN" in bot.output
    assert wrong not in bot.output and wrong.split(":")[1] not in bot.output
