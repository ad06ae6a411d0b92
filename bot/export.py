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

from bot.store import ALL

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
    print(f"exported {len(chats)} chats ({subscribers} with subscriptions) to {path}")
    return 0


def read_chats(database: Path) -> list[dict]:
    """Every chat with its language, state and subscriptions (all posts and/or tags), by id."""
    if not database.is_file():
        raise FileNotFoundError(f"no database at {database}")
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        chats = {
            row[0]: {
                "chat_id": row[0],
                "type": row[1],
                "language": row[2],
                "active": bool(row[3]),
                "first_seen": row[4],
                "last_seen": row[5],
                "all_posts": False,
                "tags": [],
            }
            for row in db.execute(
                "SELECT id, type, language, active, first_seen, last_seen FROM chats ORDER BY id"
            )
        }
        for chat_id, tag in db.execute("SELECT chat_id, tag FROM subscriptions ORDER BY chat_id, tag"):
            if chat_id in chats:
                if tag == ALL:
                    chats[chat_id]["all_posts"] = True
                else:
                    chats[chat_id]["tags"].append(tag)
    finally:
        db.close()
    return list(chats.values())


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
