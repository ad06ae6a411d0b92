"""kill -9 between scheduling an announcement and its time: after the restart it is sent, once."""

from __future__ import annotations

import datetime as dt
import signal
import time
from zoneinfo import ZoneInfo

from conftest import wait_until
from processes import StandaloneFake, bot_env, chats_of_users, newsbot

from bot.fakeapi import DEFAULT_TOKEN
from bot.store import Store


def test_a_schedule_survives_kill_9_and_is_sent_once_after_the_restart(tmp_path):
    data = tmp_path / "data"
    with StandaloneFake(tmp_path / "fake.log") as fake:
        users = chats_of_users(fake, data, 20)
        env = bot_env(fake.url, DEFAULT_TOKEN, data)

        def per_chat() -> dict[str, int]:
            return fake.control("stats")["messages_per_chat"]

        with newsbot("run", env=env, log_path=tmp_path / "run1.log") as first:
            calls = fake.control("stats")["calls"]
            wait_until(lambda: fake.control("stats")["calls"] > calls + 2, 30, "the bot to start")
            due = dt.datetime.now(ZoneInfo("Europe/Belgrade")) + dt.timedelta(seconds=8)
            at = due.strftime("%Y-%m-%d %H:%M:%S")
            queued = newsbot(
                "announce", "--text", "Assembly now", "--at", at, env=env, log_path=tmp_path / "cli.log"
            )
            assert queued.wait() == 0 and "scheduled for" in queued.output, queued.output
            time.sleep(1)
            first.stop(signal.SIGKILL)
        time.sleep(max(0.0, due.timestamp() - time.time()) + 1)
        assert sum(per_chat().get(str(u), 0) for u in users) == 0, "sent by a dead bot?"
        with newsbot("run", env=env, log_path=tmp_path / "run2.log") as second:
            wait_until(lambda: all(per_chat().get(str(u)) for u in users), 30, "everyone to get it")
            time.sleep(1.5)  # a second start of it would show by now
            assert second.stop(signal.SIGTERM) == 0, second.output
        assert [per_chat()[str(u)] for u in users] == [1] * len(users)
        store = Store.open(data / "newsbot.sqlite3")
        (item,) = [i for i in (store.item(n) for n in range(1, 5)) if i is not None]
        assert item.status == "done" and store.report(item.id).delivered == len(users)
        store.close()
