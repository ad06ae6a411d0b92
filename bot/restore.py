"""`newsbot restore FILE`: put a backup (from `newsbot backup`) in place of the database.

Refuses while a bot runs on the data dir, and refuses a file that is not a sound newsbot database. The
current database is kept next to it as ``newsbot.sqlite3.before-restore``. The search index is not part
of a backup: the bot rebuilds it from the content folder when needed.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

from bot.instance import AlreadyRunning, InstanceLock
from bot.store import MIGRATIONS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a backup written by `newsbot backup`")


def main(args: argparse.Namespace) -> int:
    database: Path = args.settings.database_path
    try:
        with InstanceLock(args.settings.data_dir):
            check_backup(args.file)
            restore(args.file, database)
    except (AlreadyRunning, OSError, sqlite3.Error, ValueError) as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"restored {args.file} to {database}; start the bot to resume")
    return 0


def check_backup(path: Path) -> None:
    """Raise ValueError unless `path` is an intact newsbot database this version can open."""
    if not path.is_file():
        raise FileNotFoundError(f"no backup at {path}")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValueError(f"{path} failed its integrity check")
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{path} is not an SQLite database: {exc}") from None
    finally:
        db.close()
    if not 1 <= version <= len(MIGRATIONS):
        raise ValueError(f"{path} is not a newsbot database this version can use (schema {version})")


def restore(backup: Path, database: Path) -> None:
    """Copy `backup` over `database` (old one kept as .before-restore, its WAL files removed)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(database.name + ".partial")
    shutil.copyfile(backup, partial)
    if database.exists():
        _checkpoint(database)
        database.replace(database.with_name(database.name + ".before-restore"))
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    partial.replace(database)


def _checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the database file, so the kept copy is complete."""
    try:
        db = sqlite3.connect(database)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    except sqlite3.Error:
        pass  # a broken database is kept as it is
