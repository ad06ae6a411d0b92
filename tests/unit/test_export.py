"""`newsbot export FILE`: every chat with its language, state and subscriptions, as JSON or CSV."""

from __future__ import annotations

import csv
import json

import pytest

from bot.cli import main
from bot.store import Store


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "data"))
    store = Store.open(tmp_path / "data" / "newsbot.sqlite3")
    store.seen_chat(101, "private")
    store.set_language(101, "sr")
    store.subscribe(101)
    store.subscribe(101, "drug policy")
    store.subscribe(101, "cnd")
    store.seen_chat(-202, "supergroup")
    store.subscribe(-202, "harm reduction")
    store.seen_chat(303, "private")
    store.set_active(303, False)
    store.close()
    return tmp_path


def test_json_export_lists_every_chat_with_settings_and_subscriptions(data, capsys):
    assert main(["export", str(data / "out.json")]) == 0
    assert "exported 3 chats (2 with subscriptions)" in capsys.readouterr().out
    chats = {chat["chat_id"]: chat for chat in json.loads((data / "out.json").read_text())["chats"]}
    assert chats[101]["language"] == "sr" and chats[101]["all_posts"] is True
    assert chats[101]["tags"] == ["cnd", "drug policy"]
    assert chats[-202] | {"first_seen": None, "last_seen": None} == {
        "chat_id": -202,
        "type": "supergroup",
        "language": None,
        "active": True,
        "first_seen": None,
        "last_seen": None,
        "all_posts": False,
        "tags": ["harm reduction"],
    }
    assert chats[303]["active"] is False and chats[303]["tags"] == []


def test_csv_export_has_one_row_per_chat(data):
    assert main(["export", str(data / "out.CSV")]) == 0
    with open(data / "out.CSV", newline="", encoding="utf-8") as f:
        rows = {int(row["chat_id"]): row for row in csv.DictReader(f)}
    assert sorted(rows) == [-202, 101, 303]
    assert rows[101]["tags"] == "cnd; drug policy" and rows[101]["all_posts"] == "True"
    assert rows[101]["language"] == "sr" and rows[-202]["language"] == ""


def test_dash_writes_json_to_stdout(data, capsys):
    assert main(["export", "-"]) == 0
    assert len(json.loads(capsys.readouterr().out)["chats"]) == 3


def test_export_without_a_database_fails_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "none"))
    assert main(["export", str(tmp_path / "out.json")]) == 1
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "out.json").exists() and not (tmp_path / "none").exists()
