"""`newsbot export FILE`: every chat the bot knows, with its settings and subscriptions, as JSON or CSV.

The format follows the file's extension (``.csv``, else JSON; ``-`` writes JSON to stdout). Reads through
its own read-only connection, so it is safe while the bot runs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import sys
import time
from pathlib import Path

from bot.render.messages import counted
from bot.store import ALL, Store

CSV_FIELDS = ("chat_id", "type", "language", "active", "first_seen", "last_seen", "all_posts", "tags")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="where to write: a .csv file, a .json file, or - for JSON on stdout")


def main(args: argparse.Namespace) -> int:
    try:
        chats = read_chats(args.settings.database_path)
    except (OSError, sqlite3.Error) as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    if args.file == "-":
        sys.stdout.write(to_json(chats))
        return 0
    path = Path(args.file)
    text = to_csv(chats) if path.suffix.lower() == ".csv" else to_json(chats)
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        return 1
    subscribers = sum(1 for chat in chats if chat["all_posts"] or chat["tags"])
    print(f"exported {counted(len(chats), 'chat')} ({subscribers} with subscriptions) to {path}")
    return 0


def read_chats(database: Path) -> list[dict]:
    """Every chat with its language, state and subscriptions (all posts and/or tags), by id."""
    store = Store.open_existing(database, read_only=True)
    try:
        chats = store.chats()
        subscriptions = store.subscriptions_by_chat()
    finally:
        store.close()
    return [
        {
            "chat_id": chat.id,
            "type": chat.type,
            "language": chat.language,
            "active": chat.active,
            "first_seen": chat.first_seen,
            "last_seen": chat.last_seen,
            "all_posts": ALL in subscriptions.get(chat.id, ()),
            "tags": [tag for tag in subscriptions.get(chat.id, ()) if tag != ALL],
        }
        for chat in chats
    ]


def to_json(chats: list[dict]) -> str:
    exported = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return json.dumps({"exported": exported, "chats": chats}, ensure_ascii=False, indent=1) + "\n"


def to_csv(chats: list[dict]) -> str:
    """One row per chat; tags joined with "; " (a tag never contains ';')."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    for chat in chats:
        writer.writerow({**chat, "language": chat["language"] or "", "tags": "; ".join(chat["tags"])})
    return out.getvalue()
