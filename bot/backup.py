"""`newsbot backup FILE`: a consistent copy of the database, safe while the bot runs."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path


def backup_database(source: Path, destination: Path) -> int:
    """Copy the live database at `source` to `destination`; returns the number of pages copied."""
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(destination.name + ".partial")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(tmp)
    try:
        src.backup(dst, pages=256)
        pages = dst.execute("PRAGMA page_count").fetchone()[0]
        if dst.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("the copy failed its integrity check")
    finally:
        dst.close()
        src.close()
    tmp.replace(destination)
    return pages


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="where to write the backup (an SQLite file)")


def main(args: argparse.Namespace) -> int:
    source = args.settings.database_path
    try:
        pages = backup_database(source, args.file)
    except (OSError, sqlite3.Error) as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {source} to {args.file} ({pages} pages)")
    return 0
