"""`newsbot health`: one line, exit 0 only when the database is writable, the index matches the content
and a running bot has reached the Bot API recently."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import wait_until, write_post
from processes import REPO, bot_env, newsbot

from bot.cli import main
from bot.cli.health import bot_running
from bot.cli.run import lock_data_dir
from bot.heartbeat import Heartbeat, heartbeat_path, last_contact
from bot.instance import InstanceLock
from bot.store import Store

CONTENT = REPO / "content"


@pytest.fixture
def ready(tmp_path, monkeypatch) -> Path:
    """A data dir as a bot leaves it: database and an index synced with a copy of the content."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    data = tmp_path / "data"
    monkeypatch.setenv("NEWSBOT_CONTENT_DIR", str(content))
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(data))
    assert main(["index"]) == 0
    Store.open(data / "newsbot.sqlite3").close()
    return data


def health(capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["health", *args])
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out
    return code, out


def test_a_fresh_data_dir_is_unhealthy_and_health_creates_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    code, out = health(capsys)
    assert code == 1
    assert out.startswith("UNHEALTHY") and "no database" in out and "no search index" in out
    assert not (tmp_path / "data").exists()


def test_database_and_index_in_order_and_no_bot_running_is_healthy(ready, capsys):
    code, out = health(capsys)
    assert code == 0, out
    assert out.startswith("healthy") and "database writable" in out and "9 posts" in out
    assert "no bot running" in out


def test_a_missing_index_is_unhealthy(ready, capsys):
    shutil.rmtree(ready / "index")
    code, out = health(capsys)
    assert code == 1 and "no search index" in out


def test_a_corrupt_index_is_reported_and_left_for_the_bot_to_rebuild(ready, capsys):
    broken = sorted(f for f in (ready / "index").iterdir() if f.suffix == ".seg")
    assert broken, "expected Whoosh segment files"
    for file in broken:
        file.write_bytes(b"garbage")
    code, out = health(capsys)
    assert code == 1 and "corrupt" in out
    assert all(file.read_bytes() == b"garbage" for file in broken)  # health never rebuilds


def test_an_index_behind_the_content_is_unhealthy(ready, tmp_path, capsys):
    posts = tmp_path / "content" / "posts"
    first = sorted(posts.glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nA late correction.\n", encoding="utf-8")
    write_post(posts, "2024-01-01-new", "New", "Body.", date="2024-01-01")
    code, out = health(capsys)
    assert code == 1 and "1 post missing, 1 changed" in out
    assert main(["index"]) == 0
    assert health(capsys)[0] == 0


def test_a_database_that_is_not_a_database_is_unhealthy(ready, capsys):
    (ready / "newsbot.sqlite3").write_bytes(b"not a database" * 100)
    for leftover in ready.glob("newsbot.sqlite3-*"):
        leftover.unlink()
    code, out = health(capsys)
    assert code == 1 and "database not writable" in out


def test_a_read_only_database_is_unhealthy(ready, capsys):
    """File modes do not stop root, so as root the file is made immutable instead (chattr +i)."""
    database = ready / "newsbot.sqlite3"
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(database)], capture_output=True, check=False).returncode:
            pytest.skip("running as root on a file system without chattr +i: cannot make a file read-only")
        undo = ["chattr", "-i", str(database)]
    else:
        database.chmod(0o444)
        ready.chmod(0o555)
        undo = ["chmod", "-R", "u+w", str(ready)]
    try:
        code, out = health(capsys)
    finally:
        subprocess.run(undo, check=True, timeout=10)
    assert code == 1 and "database not writable" in out and "index matches" in out


def test_a_running_bot_needs_a_recent_bot_api_contact(ready, capsys):
    with InstanceLock(ready):  # a bot is running on this data dir
        code, out = health(capsys)
        assert code == 1 and "not reached the Bot API" in out
        Heartbeat(heartbeat_path(ready))("getUpdates", 200)
        code, out = health(capsys)
        assert code == 0 and "Bot API contact 0 s ago" in out, out
        old = time.time() - 600
        os.utime(heartbeat_path(ready), (old, old))
        code, out = health(capsys)
        assert code == 1 and "last Bot API contact was 600 s ago" in out
        assert health(capsys, "--max-age", "900")[0] == 0
    assert "no bot running" in health(capsys)[1]


def test_the_heartbeat_records_successful_contact_at_most_every_interval(tmp_path):
    beat = Heartbeat(tmp_path / "heartbeat", interval=60)
    beat("getUpdates", 502)
    assert last_contact(tmp_path) is None
    beat("getUpdates", 200)
    first = last_contact(tmp_path)
    assert first is not None
    os.utime(tmp_path / "heartbeat", (first - 100, first - 100))
    beat("sendMessage", 200)  # within the interval: not written again
    assert last_contact(tmp_path) == first - 100


def test_a_running_bot_is_healthy_and_its_json_logs_never_show_the_token(fake, tmp_path):
    env = bot_env(fake.url, fake.token, tmp_path / "data")
    ana = fake.user("Ana", started=True)
    args = ("--log-level", "DEBUG", "--log-format", "json", "run")
    with newsbot(*args, env=env, log_path=tmp_path / "run.log") as bot:
        fake.send_text(ana, ana, "/start")
        fake.wait_for_reply(ana, timeout=30)
        fake.send_text(ana, ana, "harm reduction")
        fake.wait_until(lambda: len(fake.replies(ana)) >= 2, timeout=30, what="the answer")
        wait_until(lambda: last_contact(tmp_path / "data"), 30, "the heartbeat")
        check = subprocess.run(
            [sys.executable, "-m", "bot.cli", "health"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "Bot API contact" in check.stdout
        assert bot.stop(signal.SIGTERM) == 0, bot.output
    output = bot.output
    secret = fake.token.split(":", 1)[1]
    assert fake.token not in output and secret not in output
    lines = output.splitlines()
    assert any("stopped cleanly" in line for line in lines)
    for line in lines:
        json.loads(line)  # every line is one JSON record


def test_a_health_probe_does_not_make_a_starting_bot_refuse(tmp_path):
    InstanceLock(tmp_path).acquire().release()  # the lock file exists, as after any earlier run
    fd = os.open(InstanceLock(tmp_path).path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH)  # what `newsbot health` holds for an instant
    threading.Timer(0.3, os.close, (fd,)).start()
    lock = lock_data_dir(tmp_path, attempts=10, pause=0.1)
    assert not bot_running(tmp_path / "elsewhere")
    lock.release()
