"""A data dir the bot never ran with, and a backup aimed at the live database: clear refusals."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.store import Store


@pytest.mark.parametrize("command", [["health"], ["backup", "copy.sqlite3"], ["export", "-"]])
def test_a_data_dir_without_a_database_says_why_and_where(tmp_path, capsys, command):
    data = tmp_path / "data"
    assert main(["--data", str(data), *command]) == 1
    out = "".join(capsys.readouterr())
    assert f"no database at {data / 'newsbot.sqlite3'}" in out
    assert f"no bot has run with the data dir {data} yet" in out and "NEWSBOT_DATA_DIR" in out


def test_backup_onto_the_live_database_is_refused_and_leaves_it_intact(tmp_path, capsys):
    data = tmp_path / "data"
    store = Store.open(data / "newsbot.sqlite3")
    store.seen_chat(42, "private")
    store.close()
    for target in (data / "newsbot.sqlite3", data / "." / "newsbot.sqlite3"):
        assert main(["--data", str(data), "backup", str(target)]) == 1
        assert "is the live database itself" in capsys.readouterr().err
    store = Store.open_existing(data / "newsbot.sqlite3", read_only=True)
    assert [chat.id for chat in store.chats()] == [42]
    store.close()
    assert main(["--data", str(data), "backup", str(tmp_path / "copy.sqlite3")]) == 0
