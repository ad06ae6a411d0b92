"""Backups are consistent copies, taken while the database is being written."""

import sqlite3
import threading

from bot.cli import main
from bot.store import Store, backup_database


def test_backup_while_writing_gives_a_consistent_openable_copy(tmp_path):
    store = Store.open(tmp_path / "live.sqlite3")
    for chat in range(500):
        store.seen_chat(chat, "private")
    stop = threading.Event()

    def writer() -> None:
        other = Store.open(tmp_path / "live.sqlite3")
        chat = 10_000
        while not stop.is_set():
            other.seen_chat(chat, "private")
            chat += 1
        other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        backup_database(tmp_path / "live.sqlite3", tmp_path / "copy.sqlite3")
    finally:
        stop.set()
        thread.join()
    copy = Store.open(tmp_path / "copy.sqlite3")
    assert copy.version == store.version
    assert copy.chat(499) is not None
    assert copy.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_command_reports_success_and_failure(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["backup", str(tmp_path / "b.sqlite3")]) == 1
    assert "no database" in capsys.readouterr().err
    Store.open(tmp_path / "data" / "newsbot.sqlite3").seen_chat(1, "private")
    assert main(["backup", str(tmp_path / "b.sqlite3")]) == 0
    assert "backed up" in capsys.readouterr().out
    assert sqlite3.connect(tmp_path / "b.sqlite3").execute("SELECT count(*) FROM chats").fetchone()[0] == 1
