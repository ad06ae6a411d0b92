"""kill -9 in the middle of a broadcast, restart: nobody missed, repeats within the in-flight bound."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bot.store import Store

RECIPIENTS = 300
CONCURRENCY = 8
DRIVER = f"""
import asyncio, sys
from telegram.ext import ExtBot
from bot.delivery import DeliveryEngine
from bot.render.page import Page
from bot.settings import DeliveryLimits
from bot.store import Store

async def main():
    store = Store.open(sys.argv[1])
    limits = DeliveryLimits(global_per_second=300, per_chat_per_second=10, group_per_minute=600)
    async with ExtBot(sys.argv[3], base_url=sys.argv[2] + "/bot") as bot:
        render = lambda item, chat: Page(item.text)
        engine = DeliveryEngine(store, bot, render, limits, concurrency={CONCURRENCY})
        await engine.drain()

asyncio.run(main())
"""


def start_driver(database, fake) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(database), fake.url, fake.token], cwd=os.getcwd()
    )


def delivered(fake) -> int:
    return sum(fake.messages_per_chat.values())


@pytest.mark.rejections_expected  # a request cut short by the kill arrives without its parameters
def test_a_killed_broadcast_resumes_after_restart_without_missing_anyone(fake, tmp_path):
    users = [fake.user(f"U{i}", started=True) for i in range(RECIPIENTS)]
    database = tmp_path / "newsbot.sqlite3"
    store = Store.open(database)
    for user in users:
        store.seen_chat(user.id, "private")
    item = store.create_announcement(None, "General Assembly moved to Friday", None)
    assert store.queue_announcement(item.id) == RECIPIENTS
    store.close()
    fake.slow("sendMessage", 0.02, times=10 * RECIPIENTS)

    first = start_driver(database, fake)
    deadline = time.monotonic() + 60
    while delivered(fake) < RECIPIENTS // 3 and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    at_kill = delivered(fake)
    assert 0 < at_kill < RECIPIENTS, "the broadcast was not interrupted mid-way"

    second = start_driver(database, fake)
    assert second.wait(timeout=90) == 0

    per_chat = [fake.messages_per_chat[user.id] for user in users]
    assert min(per_chat) == 1, "somebody was missed"
    assert sum(per_chat) - RECIPIENTS <= CONCURRENCY
    store = Store.open(database)
    report = store.report(item.id)
    assert (report.delivered, report.pending, report.failed) == (RECIPIENTS, 0, 0)
    assert store.item(item.id).status == "done"


def test_the_installed_bot_killed_mid_broadcast_finishes_it_after_restart(tmp_path):
    from processes import StandaloneFake, bot_env, chats_of_users, killed_mid_run_and_restarted, newsbot

    from bot.delivery import CONCURRENCY
    from bot.fakeapi import DEFAULT_TOKEN

    data = tmp_path / "data"
    config = tmp_path / "config.yaml"
    config.write_text("delivery:\n  global_per_second: 100\n  per_chat_per_second: 10\n", encoding="utf-8")
    with StandaloneFake(tmp_path / "fake.log") as fake:
        users = chats_of_users(fake, data, 200)
        env = bot_env(fake.url, DEFAULT_TOKEN, data)
        queued = newsbot("announce", "--text", "Assembly on Friday", env=env, log_path=tmp_path / "cli.log")
        assert queued.wait() == 0 and "queued for 200 chats" in queued.output
        fake.control("slow", {"method": "sendMessage", "seconds": 0.05, "times": 2000})

        def per_chat() -> dict[str, int]:
            return fake.control("stats")["messages_per_chat"]

        counts = killed_mid_run_and_restarted(config, env, tmp_path, per_chat, users)
        assert min(counts) == 1 and sum(counts) - len(users) <= CONCURRENCY
        cut_short = [r for r in fake.control("rejections") if r["params"]]
        assert cut_short == [], "only requests cut short by the kill may be rejected"
