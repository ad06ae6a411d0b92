"""`newsbot health`: exit 0 (healthy) or 1, printing one line — for Docker's HEALTHCHECK and monitors.

Checks that the database is writable (a real committed write), that the search index exists, opens and
holds exactly the posts of the content folder, how many posts are embedded for search by meaning (and
that the model loads: unhealthy only with `search.semantic: on`), and — when a bot is running on this
data dir — that it had a successful Bot API contact recently (`bot.heartbeat`). Only reads otherwise: it
never creates a missing database, index or vector file.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from bot.heartbeat import last_contact
from bot.instance import InstanceLock
from bot.render.messages import counted
from bot.settings import Settings
from bot.store import NoDatabase, Store
from index import (
    EmbedderUnavailable,
    Index,
    IndexUnavailable,
    LoadResult,
    load_embedder,
    load_posts,
    stored_hashes,
    vectors_id,
)
from index.feeds import FeedState, missing_entries

DEFAULT_MAX_AGE = 300.0  # seconds without Bot API contact before a running bot counts as unwell


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE,
        metavar="SECONDS",
        help="longest acceptable time since the running bot's last Bot API contact "
        f"(default {DEFAULT_MAX_AGE:.0f})",
    )


def main(args: argparse.Namespace) -> int:
    quiet = logging.getLogger("index")  # one line of output: no per-post warnings
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        checks = run_checks(args.settings, args.max_age)
    finally:
        quiet.setLevel(level)
    healthy = all(check.ok for check in checks)
    print(("healthy: " if healthy else "UNHEALTHY: ") + "; ".join(check.text for check in checks))
    return 0 if healthy else 1


def run_checks(settings: Settings, max_age: float = DEFAULT_MAX_AGE) -> list[Check]:
    loaded = load_posts(*settings.post_folders)
    checks = [
        check_database(settings.database_path),
        check_index(settings, loaded),
        check_meaning(settings, loaded),
        check_contact(settings.data_dir, max_age),
    ]
    if settings.feeds and checks[0].ok:
        checks.append(check_feeds(settings))
    return checks


def check_database(path: Path) -> Check:
    """A committed write into the database's meta table."""
    if not path.is_file():
        return Check(False, str(NoDatabase(path)))
    try:
        store = Store.open_existing(path)
        try:
            store.set_meta("health_check", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        finally:
            store.close()
    except sqlite3.Error as exc:
        return Check(False, f"database not writable: {exc}")
    return Check(True, "database writable")


def check_index(settings: Settings, loaded: LoadResult) -> Check:
    """The index exists and holds exactly the content folder's posts (same ids, same versions)."""
    folder = settings.index_dir
    if not folder.is_dir() or not any(folder.iterdir()):
        return Check(False, f"no search index at {folder}")
    try:
        index = Index.open(folder, rebuild=False)  # a check must never wipe the running bot's index
    except IndexUnavailable as exc:
        return Check(False, str(exc))
    try:
        found = {post.id: index.get(post.id) for post in loaded.posts}
        missing = sum(got is None for got in found.values())
        changed = sum(1 for post in loaded.posts if (got := found[post.id]) and got.hash != post.hash)
        extra = len(index) - (len(found) - missing)
    finally:
        index.close()
    if missing or changed or extra:
        return Check(
            False,
            f"index out of date: {counted(missing, 'post')} missing, {changed} changed, {extra} removed "
            "still in it "
            "(the bot re-syncs every content.poll_seconds; or run newsbot index)",
        )
    return Check(True, f"index matches the content ({counted(len(loaded.posts), 'post')})")


def check_meaning(settings: Settings, loaded: LoadResult) -> Check:
    """Search by meaning: off, unavailable (the model does not load), or how many posts are embedded."""
    if settings.semantic == "off":
        return Check(True, "search by meaning off")
    try:
        embedder = load_embedder()
    except EmbedderUnavailable as exc:
        return Check(settings.semantic != "on", f"search by meaning unavailable ({exc})")
    stored = stored_hashes(settings.vectors_path, vectors_id(embedder))
    embedded = sum(post.hash in stored for post in loaded.posts)
    return Check(True, f"{embedded} of {counted(len(loaded.posts), 'post')} embedded for search by meaning")


def check_feeds(settings: Settings) -> Check:
    """Every entry each feed's state says was fetched still has its post file in the feeds folder."""
    store = Store.open_existing(settings.database_path, read_only=True)
    try:
        states = {url: store.get_meta(f"feed:{url}") for url in settings.feeds}
    finally:
        store.close()
    problems = []
    for url, saved in states.items():
        state = FeedState.from_dict(json.loads(saved)) if saved else FeedState()
        missing = missing_entries(state, settings.feeds_dir)
        if missing:
            problems.append(
                f"{url}: {missing} of {counted(len(state.keys), 'post')} gone from {settings.feeds_dir}"
            )
    if problems:
        return Check(False, f"feed posts missing ({'; '.join(problems)}; the bot fetches them again)")
    return Check(True, f"{counted(len(states), 'feed')} with all their posts")


def check_contact(data_dir: Path, max_age: float) -> Check:
    """When a bot runs on this data dir: its last successful Bot API contact is recent."""
    if not bot_running(data_dir):
        return Check(True, "no bot running")
    contact = last_contact(data_dir)
    if contact is None:
        return Check(False, "the running bot has not reached the Bot API yet")
    age = time.time() - contact
    if age > max_age:
        return Check(False, f"the running bot's last Bot API contact was {age:.0f} s ago")
    return Check(True, f"Bot API contact {age:.0f} s ago")


def bot_running(data_dir: Path) -> bool:
    """Whether a process holds the data dir's instance lock (probed with a shared lock, never created)."""
    try:
        fd = os.open(InstanceLock(data_dir).path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
