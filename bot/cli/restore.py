"""`newsbot restore FILE`: put a backup (from `newsbot backup`) in place of the database.

Refuses while a bot (or `newsbot chat`) uses the data dir, and refuses a file that is not a sound
newsbot database. The current database is kept next to it as ``newsbot.sqlite3.before-restore``. The
search index is not part of a backup: the bot rebuilds it from the content folder when needed.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

from bot.instance import AlreadyRunning, DataDirInUse, DataDirUse, InstanceLock
from bot.store import check_backup, checkpoint


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a backup written by `newsbot backup`")


def main(args: argparse.Namespace) -> int:
    database: Path = args.settings.database_path
    alone = DataDirUse(args.settings.data_dir)
    try:
        with InstanceLock(args.settings.data_dir):
            alone.exclusive()
            check_backup(args.file)
            restore(args.file, database)
    except (AlreadyRunning, DataDirInUse, OSError, sqlite3.Error, ValueError) as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    finally:
        alone.release()
    print(f"restored {args.file} to {database}; start the bot to resume")
    return 0


def restore(backup: Path, database: Path) -> None:
    """Copy `backup` over `database` (old one kept as .before-restore, its WAL files removed)."""
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(database.name + ".partial")
    shutil.copyfile(backup, partial)
    if database.exists():
        checkpoint(database)
        database.replace(database.with_name(database.name + ".before-restore"))
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    partial.replace(database)
