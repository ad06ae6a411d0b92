"""A backup taken (and an export made) while the bot broadcasts restores to a working bot with
`newsbot restore`, which refuses while the bot runs and refuses files that are not newsbot databases."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys

from conftest import wait_until
from processes import REPO, bot_env, newsbot

from bot.store import Store

RECIPIENTS = 120
# 120 messages at 30/s: about 4 s, time enough for a backup and an export (two processes) mid-broadcast
CONFIG = "delivery:\n  global_per_second: 30\n  per_chat_per_second: 10\n"


def sent(database) -> int:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return db.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'sent'").fetchone()[0]
    finally:
        db.close()


def announcements(fake, users) -> int:
    """Copies of the announcement the fake has delivered."""
    return sum("meeting moved" in (m.text or "") for user in users for m in fake.replies(user))


def cli(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_backup_taken_mid_broadcast_restores_to_a_working_bot(fake, tmp_path):
    data = tmp_path / "data"
    database = data / "newsbot.sqlite3"
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    users = [fake.user(f"U{i}", started=True) for i in range(RECIPIENTS)]
    store = Store.open(database)
    for user in users:
        store.seen_chat(user.id, "private")
        store.subscribe(user.id, "cnd")
    item = store.create_announcement(None, "Members' meeting moved to Friday", None)
    store.queue_announcement(item.id)
    store.close()
    fake.slow("sendMessage", 0.03, times=10 * RECIPIENTS)
    env = bot_env(fake.url, fake.token, data)

    with newsbot("--config", str(config), "run", env=env, log_path=tmp_path / "run.log") as bot:
        wait_until(lambda: sent(database) >= RECIPIENTS // 4, 60, "the broadcast to start")
        backup = cli(env, "backup", str(tmp_path / "backup.sqlite3"))
        export = cli(env, "export", str(tmp_path / "export.json"))
        assert sent(database) < RECIPIENTS, "the backup was not taken mid-broadcast"
        assert backup.returncode == 0 and "backed up" in backup.stdout, backup.stderr
        assert export.returncode == 0, export.stderr
        refused = cli(env, "restore", str(tmp_path / "backup.sqlite3"))
        assert refused.returncode == 1 and "already running" in refused.stderr
        wait_until(lambda: sent(database) == RECIPIENTS, 60, "the broadcast to finish")
        assert bot.stop(signal.SIGTERM) == 0, bot.output
    exported = json.loads((tmp_path / "export.json").read_text())["chats"]
    assert len(exported) == RECIPIENTS and all(chat["tags"] == ["cnd"] for chat in exported)

    restored = cli(env, "restore", str(tmp_path / "backup.sqlite3"))
    assert restored.returncode == 0, restored.stderr
    assert sent(data / "newsbot.sqlite3.before-restore") == RECIPIENTS  # the replaced database is kept
    restored_sent = sent(database)
    assert 0 < restored_sent < RECIPIENTS
    delivered_before = announcements(fake, users)
    assert delivered_before == RECIPIENTS

    ana = users[0]
    with newsbot("--config", str(config), "run", env=env, log_path=tmp_path / "restored.log") as bot:
        answered = len(fake.replies(ana))
        fake.send_text(ana, ana, "/subscriptions")
        reply = fake.wait_until(lambda: fake.replies(ana)[answered:], timeout=30, what="/subscriptions")[0]
        assert "Your subscriptions" in reply.text and any("cnd" in b["text"] for b in reply.buttons)
        wait_until(lambda: sent(database) == RECIPIENTS, 60, "the restored queue to finish")
        assert bot.stop(signal.SIGTERM) == 0, bot.output
    # what the backup had not yet recorded as sent was sent again, nothing else
    assert announcements(fake, users) == delivered_before + RECIPIENTS - restored_sent
    assert cli(env, "health").returncode == 0


def test_restore_refuses_what_is_not_a_newsbot_database(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    Store.open(tmp_path / "data" / "newsbot.sqlite3").seen_chat(7, "private")
    (tmp_path / "junk.sqlite3").write_bytes(b"junk" * 1000)
    other = sqlite3.connect(tmp_path / "other.sqlite3")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    for bad, reason in [
        ("missing.sqlite3", "no backup"),
        ("junk.sqlite3", "not"),
        ("other.sqlite3", "schema 0"),
    ]:
        assert main(["restore", str(tmp_path / bad)]) == 1
        assert reason in capsys.readouterr().err
    assert Store.open(tmp_path / "data" / "newsbot.sqlite3").chat(7) is not None  # untouched


def test_restore_is_refused_while_newsbot_chat_uses_the_data_dir_and_works_once_it_left(tmp_path):
    data = tmp_path / "data"
    store = Store.open(data / "newsbot.sqlite3")
    store.seen_chat(7, "private")
    store.close()
    env = bot_env("http://127.0.0.1:9", "x", data)  # the chat needs no token nor API: it brings its own
    assert cli(env, "backup", str(tmp_path / "b.sqlite3")).returncode == 0
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--data", str(data), "chat"],
        env=env, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        chat.stdin.write("/start\n")
        chat.stdin.flush()
        while not chat.stdout.readline().startswith("bot › "):
            assert chat.poll() is None
        refused = cli(env, "restore", str(tmp_path / "b.sqlite3"))
        assert refused.returncode == 1
        assert "is in use by a running newsbot" in refused.stderr and f"pid {chat.pid}" in refused.stderr
        assert not (data / "newsbot.sqlite3.before-restore").exists()
    finally:
        chat.communicate("/quit\n", timeout=60)
    assert chat.returncode == 0
    restored = cli(env, "restore", str(tmp_path / "b.sqlite3"))
    assert restored.returncode == 0, restored.stderr
