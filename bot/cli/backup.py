"""`newsbot backup FILE`: a consistent copy of the database, safe while the bot runs."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from bot.store import backup_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="where to write the backup (an SQLite file)")


def main(args: argparse.Namespace) -> int:
    source = args.settings.database_path
    try:
        pages = backup_database(source, args.file)
    except (OSError, sqlite3.Error, ValueError) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {source} to {args.file} ({pages} pages)")
    return 0
