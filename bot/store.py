"""The bot's SQLite database: chats, subscriptions, announced posts, outgoing items and their deliveries.

One file in the data dir, WAL mode, schema upgraded in place by numbered migrations
(`PRAGMA user_version` records the last one applied). Calls are synchronous and short;
the standard library's sqlite3 is used from the event loop thread.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

# Each entry upgrades the schema by one version; never edit a released entry, append a new one.
MIGRATIONS: list[str] = [
    # 1: chats
    """
    CREATE TABLE chats (
        id          INTEGER PRIMARY KEY,
        type        TEXT NOT NULL,
        language    TEXT,              -- chosen with /language; NULL = follow Telegram's language_code
        active      INTEGER NOT NULL DEFAULT 1,
        first_seen  TEXT NOT NULL,
        last_seen   TEXT NOT NULL
    );
    """,
    # 2: subscriptions, announced posts, outgoing items (post notifications, announcements), deliveries
    """
    CREATE TABLE subscriptions (
        chat_id     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        tag         TEXT NOT NULL,     -- '' = every new post
        created     TEXT NOT NULL,
        PRIMARY KEY (chat_id, tag)
    );
    CREATE INDEX subscriptions_tag ON subscriptions(tag);
    CREATE TABLE announced_posts (
        post_id     TEXT PRIMARY KEY,
        announced   TEXT NOT NULL,
        notified    INTEGER NOT NULL   -- 0 = back catalogue or edit, marked without notifying
    );
    CREATE TABLE announcements (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,     -- 'post' (new-post notification) or 'text' (admin announcement)
        post_id     TEXT,
        author      INTEGER,
        text        TEXT NOT NULL DEFAULT '',
        target      TEXT,              -- a tag, or NULL for everyone
        status      TEXT NOT NULL,     -- draft -> queued -> done, or draft -> cancelled
        created     TEXT NOT NULL,
        finished    TEXT,
        reported    INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE deliveries (
        id          INTEGER PRIMARY KEY,
        item_id     INTEGER NOT NULL REFERENCES announcements(id) ON DELETE CASCADE,
        chat_id     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        status      TEXT NOT NULL DEFAULT 'queued',  -- queued, sending, sent, blocked, failed
        attempts    INTEGER NOT NULL DEFAULT 0,
        not_before  REAL NOT NULL DEFAULT 0,         -- unix time before which no retry is made
        last_error  TEXT,
        sent_at     TEXT,
        message_id  INTEGER,
        UNIQUE (item_id, chat_id)
    );
    CREATE INDEX deliveries_pending ON deliveries(status, not_before);
    CREATE TABLE meta (
        key         TEXT PRIMARY KEY,
        value       TEXT NOT NULL
    );
    """,
    # 3: the Telegram language of the person behind a private chat, for messages the bot starts itself
    """
    ALTER TABLE chats ADD COLUMN language_code TEXT;
    """,
    # 4: the table of outgoing items holds new-post notifications too, not only announcements
    """
    ALTER TABLE announcements RENAME TO items;
    """,
    # digests: a delivery mode per subscription, a digest hour per chat, the posts waiting for a chat's
    # next digest (each in at most one digest: the item of the page it went out in), and the posts
    # published to the channel (each once)
    """
    ALTER TABLE subscriptions ADD COLUMN mode TEXT NOT NULL DEFAULT 'instant';  -- instant, daily, weekly
    ALTER TABLE chats ADD COLUMN digest_hour INTEGER;  -- local hour of the chat's digests; NULL = 9
    ALTER TABLE items ADD COLUMN part INTEGER;    -- the page of a digest, the part of a channel post
    ALTER TABLE items ADD COLUMN parent INTEGER;  -- a digest page: the first page item of its run
    CREATE TABLE digest_entries (
        chat_id     INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE ON UPDATE CASCADE,
        post_id     TEXT NOT NULL,
        mode        TEXT NOT NULL,     -- daily or weekly
        queued      TEXT NOT NULL,
        item_id     INTEGER,           -- the digest page it went out in; NULL = waiting
        PRIMARY KEY (chat_id, post_id)
    );
    CREATE INDEX digest_entries_item ON digest_entries(item_id, chat_id);
    CREATE TABLE channel_posts (
        post_id     TEXT PRIMARY KEY,
        noted       TEXT NOT NULL,
        status      TEXT NOT NULL      -- known (there before the channel), waiting, queued
    );
    """,
    # media announcements (copies of messages), and how far a delivery of several messages got
    """
    ALTER TABLE items ADD COLUMN copy_from INTEGER;  -- the chat the messages to copy are in
    ALTER TABLE items ADD COLUMN copy_ids TEXT;      -- their ids, increasing, space-separated
    ALTER TABLE items ADD COLUMN caption TEXT;       -- HTML replacing the copied caption; NULL keeps it
    ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
    """,
    # scheduled announcements: draft -> scheduled -> queued (started), cancelled or missed
    """
    ALTER TABLE items ADD COLUMN due REAL;  -- unix time the announcement is to start
    CREATE INDEX items_scheduled ON items(status, due);
    """,
    # an album announced with /announce in its caption, sent anew from its files
    """
    ALTER TABLE items ADD COLUMN album TEXT;  -- "kind file_id" lines, in order
    """,
    # search questions under the short keys their page buttons carry, so that the buttons still work
    # after a restart; bounded: the least recently used beyond a cap are dropped (bot.services.QueryKeys)
    """
    CREATE TABLE query_keys (
        key         TEXT PRIMARY KEY,
        query       TEXT NOT NULL UNIQUE,
        used        REAL NOT NULL              -- unix time the key was last handed out or read
    );
    CREATE INDEX query_keys_used ON query_keys(used);
    """,
    # an announcement delivered to the channel too: the channel's chat id, chosen in the preview
    """
    ALTER TABLE items ADD COLUMN channel INTEGER;  -- NULL: to the members only
    """,
]

ALL = ""  # the subscription tag meaning "every new post"
INSTANT, DAILY, WEEKLY = "instant", "daily", "weekly"  # how a subscription's new posts arrive
MODES = (INSTANT, DAILY, WEEKLY)
DEFAULT_DIGEST_HOUR = 9  # local time of a chat's digests unless it chose another hour
DIGEST_SLOT = "digest_slot"  # meta: the hour (UTC, ISO) of the last digest run
_CHANNELS = "SELECT id FROM chats WHERE type = 'channel'"  # SQL: the channel's id (`remember_channel`)


@dataclass(frozen=True)
class Chat:
    id: int
    type: str
    language: str | None
    active: bool
    language_code: str | None = None  # Telegram's, of a private chat's user
    first_seen: str | None = None
    last_seen: str | None = None


@dataclass(frozen=True)
class Item:
    """Something to deliver: a new-post notification, an admin announcement, a page of a digest run or a
    part of a post published to the channel."""

    id: int
    kind: str
    post_id: str | None
    author: int | None
    text: str
    target: str | None
    status: str
    created: str
    part: int | None = None  # the page of a digest, the part of a channel post
    parent: int | None = None  # a digest page: the first page item of its run
    copy_from: int | None = None  # kind 'copy': the chat holding the messages to copy
    copy_ids: tuple[int, ...] = ()  # ... and their ids
    caption: str | None = None  # ... and the caption replacing theirs (None: theirs, as they are)
    album: tuple[tuple[str, str], ...] = ()  # kind 'album': (kind, file_id) of each item, in order
    due: float | None = None  # a scheduled announcement's start (unix time)
    channel: int | None = None  # an announcement: the channel (chat id) it goes to as well as the members


@dataclass(frozen=True)
class DigestPage:
    """One page of a chat's digest: its posts, which page of how many, and how many posts in all."""

    post_ids: tuple[str, ...]
    page: int
    pages: int
    total: int


@dataclass(frozen=True)
class Delivery:
    """One item to one chat (`parts_sent`: messages of it already delivered, when it is several)."""

    id: int
    item_id: int
    chat_id: int
    attempts: int
    parts_sent: int = 0


@dataclass(frozen=True)
class Report:
    """How an item's deliveries to members ended (so far), and the channel's (its delivery's status,
    None when the item does not go there; the Telegram error when it was refused)."""

    item_id: int
    delivered: int
    blocked: int
    failed: int
    pending: int
    channel: str | None = None
    channel_error: str | None = None

    @property
    def total(self) -> int:
        return self.delivered + self.blocked + self.failed + self.pending


def utcnow() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """Access to the database file; every write commits at once."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.db = connection

    @classmethod
    def open(cls, path: str | Path) -> Store:
        """Open (creating if needed) and migrate the database at `path`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=NORMAL")
        store = cls(connection)
        store.migrate()
        return store

    @classmethod
    def open_existing(cls, path: str | Path, *, read_only: bool = False, timeout: float = 5) -> Store:
        """Open the database at `path` as it is, never creating nor migrating it (for checks, exports and
        metrics, safe while the bot runs); FileNotFoundError when there is none."""
        path = Path(path)
        if not path.is_file():
            raise NoDatabase(path)
        uri = f"file:{path}?mode={'ro' if read_only else 'rw'}"
        connection = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=timeout
        )
        connection.row_factory = sqlite3.Row
        return cls(connection)

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Apply the migrations this file has not seen yet, each in its own transaction."""
        for number in range(self.version, len(MIGRATIONS)):
            try:
                self.db.executescript(
                    f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;"
                )
            except sqlite3.Error:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

    def transaction(self) -> sqlite3.Connection:
        """`with store.transaction():` groups writes atomically."""
        return _Transaction(self.db)  # type: ignore[return-value]

    def close(self) -> None:
        self.db.close()

    # chats -------------------------------------------------------------------------------------

    def seen_chat(self, chat_id: int, chat_type: str, language_code: str | None = None) -> Chat:
        """Record that `chat_id` talked to the bot now (with its user's Telegram `language_code`, if
        known); a chat seen again is active again."""
        now = utcnow()
        self.db.execute(
            """INSERT INTO chats (id, type, language_code, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE
               SET type = excluded.type, last_seen = excluded.last_seen, active = 1,
                   language_code = COALESCE(excluded.language_code, language_code)""",
            (chat_id, chat_type, language_code, now, now),
        )
        chat = self.chat(chat_id)
        assert chat is not None
        return chat

    def chat(self, chat_id: int) -> Chat | None:
        row = self.db.execute("SELECT * FROM chats WHERE id = ?", (chat_id,)).fetchone()
        return None if row is None else _chat(row)

    def chats(self) -> list[Chat]:
        """Every chat the bot knows, by id."""
        return [_chat(row) for row in self.db.execute("SELECT * FROM chats ORDER BY id")]

    def set_language(self, chat_id: int, language: str | None) -> None:
        self.db.execute("UPDATE chats SET language = ? WHERE id = ?", (language, chat_id))

    def set_active(self, chat_id: int, active: bool) -> None:
        self.db.execute("UPDATE chats SET active = ? WHERE id = ?", (int(active), chat_id))

    def forget_chat(self, chat_id: int) -> None:
        """Delete everything stored about `chat_id`: the chat, its subscriptions, its deliveries."""
        with self.transaction() as db:
            db.execute("UPDATE items SET author = NULL WHERE author = ?", (chat_id,))
            db.execute("DELETE FROM chats WHERE id = ?", (chat_id,))

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move its subscriptions and pending deliveries to `new_id`."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM chats WHERE id = ?", (new_id,)).fetchone() is None:
                db.execute("UPDATE chats SET id = ?, type = 'supergroup' WHERE id = ?", (new_id, old_id))
                return
            db.execute(
                """INSERT OR IGNORE INTO subscriptions (chat_id, tag, created)
                   SELECT ?, tag, created FROM subscriptions WHERE chat_id = ?""",
                (new_id, old_id),
            )
            db.execute("UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            db.execute("UPDATE OR IGNORE digest_entries SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            db.execute("DELETE FROM chats WHERE id = ?", (old_id,))

    def chat_count(self) -> tuple[int, int]:
        """(all chats, active chats); the channel is not counted."""
        row = self.db.execute(
            "SELECT COUNT(*), COALESCE(SUM(active), 0) FROM chats WHERE type != 'channel'"
        ).fetchone()
        return row[0], row[1]

    # subscriptions ------------------------------------------------------------------------------

    def subscribe(self, chat_id: int, tag: str = ALL, mode: str = INSTANT) -> bool:
        """Subscribe `chat_id` to `tag` (ALL = every new post), its posts arriving as `mode` says; False
        (and nothing changed) if it already was."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO subscriptions (chat_id, tag, created, mode) VALUES (?, ?, ?, ?)",
            (chat_id, tag, utcnow(), mode),
        )
        return cursor.rowcount == 1

    def set_mode(self, chat_id: int, tag: str, mode: str) -> bool:
        """How a subscription's new posts arrive (INSTANT, DAILY or WEEKLY); False if it already did so
        or there is no such subscription. Posts already waiting for a digest stay in it."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        cursor = self.db.execute(
            "UPDATE subscriptions SET mode = ? WHERE chat_id = ? AND tag = ? AND mode != ?",
            (mode, chat_id, tag, mode),
        )
        return cursor.rowcount == 1

    def unsubscribe(self, chat_id: int, tag: str | None = None) -> int:
        """Remove one subscription (`tag`, ALL included) or, with None, all of them and the posts
        waiting for the chat's next digest; returns how many subscriptions."""
        if tag is not None:
            return self.db.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND tag = ?", (chat_id, tag)
            ).rowcount
        with self.transaction() as db:
            db.execute("DELETE FROM digest_entries WHERE chat_id = ? AND item_id IS NULL", (chat_id,))
            return db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)).rowcount

    def subscriptions(self, chat_id: int) -> list[str]:
        """The chat's subscriptions, ALL first, then tags alphabetically."""
        rows = self.db.execute("SELECT tag FROM subscriptions WHERE chat_id = ? ORDER BY tag", (chat_id,))
        return [row[0] for row in rows]

    def modes(self, chat_id: int) -> dict[str, str]:
        """The chat's subscriptions (in `subscriptions` order) and how each one's posts arrive."""
        rows = self.db.execute(
            "SELECT tag, mode FROM subscriptions WHERE chat_id = ? ORDER BY tag", (chat_id,)
        )
        return {tag: mode for tag, mode in rows}

    def subscriptions_by_chat(self) -> dict[int, list[str]]:
        """Every chat's subscriptions (as `subscriptions` lists them), by chat id."""
        by_chat: dict[int, list[str]] = {}
        for chat_id, tag in self.db.execute("SELECT chat_id, tag FROM subscriptions ORDER BY chat_id, tag"):
            by_chat.setdefault(chat_id, []).append(tag)
        return by_chat

    def subscriber_count(self) -> int:
        """Active chats with at least one subscription."""
        return self.db.execute(
            """SELECT COUNT(DISTINCT s.chat_id) FROM subscriptions s
               JOIN chats c ON c.id = s.chat_id WHERE c.active = 1"""
        ).fetchone()[0]

    def recipients(self, tags: tuple[str, ...] | None) -> list[int]:
        """Active chats to reach: subscribers to everything or to any of `tags`; None = every active chat."""
        return [row[0] for row in self.db.execute(*_recipients_query(tags))]

    # posts --------------------------------------------------------------------------------------

    def announced(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT post_id FROM announced_posts")}

    def mark_announced(self, post_ids: list[str]) -> None:
        """Record posts as known without notifying anyone (the back catalogue on first start)."""
        now = utcnow()
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO announced_posts (post_id, announced, notified) VALUES (?, ?, 0)",
                [(post_id, now) for post_id in post_ids],
            )

    def enqueue_post(self, post_id: str, tags: tuple[str, ...]) -> int | None:
        """Queue a new post for its subscribers, once per post; None if announced already.

        Each chat gets it one way, decided now: a notification when any of its subscriptions that match
        is instant, else a place in its next daily (or, failing that, weekly) digest. Returns how many
        chats it will reach."""
        now = utcnow()
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO announced_posts (post_id, announced, notified) VALUES (?, ?, 1)",
                (post_id, now),
            )
            if cursor.rowcount == 0:
                return None
            item_id = db.execute(
                """INSERT INTO items (kind, post_id, status, created)
                   VALUES ('post', ?, 'queued', ?)""",
                (post_id, now),
            ).lastrowid
            sql, params = _modes_query(tags)
            instant = db.execute(
                f"""INSERT OR IGNORE INTO deliveries (item_id, chat_id)
                    SELECT ?, chat_id FROM ({sql}) WHERE rank = 0 ORDER BY chat_id""",
                (item_id, *params),
            ).rowcount
            digests = db.execute(
                f"""INSERT OR IGNORE INTO digest_entries (chat_id, post_id, mode, queued)
                    SELECT chat_id, ?, CASE rank WHEN 1 THEN '{DAILY}' ELSE '{WEEKLY}' END, ?
                    FROM ({sql}) WHERE rank > 0""",
                (post_id, now, *params),
            ).rowcount
            return instant + digests

    # items: new-post notifications and announcements -------------------------------------------

    def create_announcement(
        self,
        author: int | None,
        text: str,
        target: str | None,
        *,
        copy_from: int | None = None,
        copy_ids: tuple[int, ...] = (),
        caption: str | None = None,
        album: tuple[tuple[str, str], ...] = (),
    ) -> Item:
        """A draft announcement, waiting for the admin's confirmation: HTML `text` (kind 'text'), or copies
        of the messages `copy_ids` of chat `copy_from` (kind 'copy'), their caption replaced by `caption`
        unless it is None; or an `album` ((kind, file_id) of each item) sent anew with `caption` (kind
        'album')."""
        kind = "album" if album else "text" if copy_from is None else "copy"
        ids = " ".join(map(str, copy_ids)) or None
        media = "\n".join(f"{k} {f}" for k, f in album) or None
        item_id = self.db.execute(
            """INSERT INTO items
               (kind, author, text, target, status, created, copy_from, copy_ids, caption, album)
               VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)""",
            (kind, author, text, target, utcnow(), copy_from, ids, caption, media),
        ).lastrowid
        item = self.item(item_id)
        assert item is not None
        return item

    def item(self, item_id: int) -> Item | None:
        row = self.db.execute("SELECT * FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            return None
        return Item(
            id=row["id"],
            kind=row["kind"],
            post_id=row["post_id"],
            author=row["author"],
            text=row["text"],
            target=row["target"],
            status=row["status"],
            created=row["created"],
            part=row["part"],
            parent=row["parent"],
            copy_from=row["copy_from"],
            copy_ids=tuple(int(i) for i in (row["copy_ids"] or "").split()),
            caption=row["caption"],
            album=tuple(
                (kind, file)
                for kind, _, file in (m.partition(" ") for m in (row["album"] or "").split("\n") if m)
            ),
            due=row["due"],
            channel=row["channel"],
        )

    def queue_announcement(self, item_id: int, *, scheduled: bool = False) -> int | None:
        """Draft (or, with `scheduled`, scheduled) -> queued, atomically, with one delivery per recipient
        (and one to the channel, if it was chosen: `set_announcement_channel`); returns how many members
        it reaches, or None if it was not in that state any more (so it is queued once, however often
        asked)."""
        with self.transaction() as db:
            row = db.execute(
                """SELECT target, channel FROM items
                   WHERE id = ? AND status = ? AND kind IN ('text', 'copy', 'album')""",
                (item_id, "scheduled" if scheduled else "draft"),
            ).fetchone()
            if row is None:
                return None
            db.execute("UPDATE items SET status = 'queued', created = ? WHERE id = ?", (utcnow(), item_id))
            if row["channel"] is not None:
                self.queue_to_channel(item_id, row["channel"])
            return self._insert_deliveries(item_id, None if row["target"] is None else (row["target"],))

    def set_announcement_channel(self, item_id: int, chat_id: int | None) -> bool:
        """Whether a draft announcement goes to the channel `chat_id` too (None: the members only), as
        kept with it until it is queued; False if it is no draft any more."""
        cursor = self.db.execute(
            """UPDATE items SET channel = ?
               WHERE id = ? AND status = 'draft' AND kind IN ('text', 'copy', 'album')""",
            (chat_id, item_id),
        )
        return cursor.rowcount == 1

    def cancel_announcement(self, item_id: int) -> bool:
        """Draft or scheduled -> cancelled; False if it was neither."""
        cursor = self.db.execute(
            "UPDATE items SET status = 'cancelled' WHERE id = ? AND status IN ('draft', 'scheduled')",
            (item_id,),
        )
        return cursor.rowcount == 1

    def schedule_announcement(self, item_id: int, due: float) -> bool:
        """Draft (or scheduled: a new time) -> scheduled to start at `due` (unix time)."""
        cursor = self.db.execute(
            """UPDATE items SET status = 'scheduled', due = ?
               WHERE id = ? AND status IN ('draft', 'scheduled') AND kind IN ('text', 'copy', 'album')""",
            (due, item_id),
        )
        return cursor.rowcount == 1

    def scheduled(self) -> list[Item]:
        """Announcements waiting for their time, soonest first."""
        rows = self.db.execute("SELECT id FROM items WHERE status = 'scheduled' ORDER BY due, id")
        return [item for row in rows.fetchall() if (item := self.item(row[0])) is not None]

    def next_due(self) -> float | None:
        """When the soonest scheduled announcement is due (unix time), or None."""
        return self.db.execute("SELECT MIN(due) FROM items WHERE status = 'scheduled'").fetchone()[0]

    def miss_announcement(self, item_id: int) -> bool:
        """Scheduled -> missed (its time passed too long ago to send it); False if it was not scheduled."""
        cursor = self.db.execute(
            "UPDATE items SET status = 'missed', finished = ? WHERE id = ? AND status = 'scheduled'",
            (utcnow(), item_id),
        )
        return cursor.rowcount == 1

    def _insert_deliveries(self, item_id: int, tags: tuple[str, ...] | None) -> int:
        sql, params = _recipients_query(tags)
        cursor = self.db.execute(
            f"INSERT OR IGNORE INTO deliveries (item_id, chat_id) SELECT ?, id FROM ({sql})",
            (item_id, *params),
        )
        return cursor.rowcount

    # deliveries ---------------------------------------------------------------------------------

    def reset_in_flight(self) -> int:
        """After a restart: deliveries caught mid-send go back to the queue (they may repeat)."""
        return self.db.execute("UPDATE deliveries SET status = 'queued' WHERE status = 'sending'").rowcount

    def due_deliveries(self, now: float, limit: int, item_id: int | None = None) -> list[Delivery]:
        """Queued deliveries (of one item, if given) whose retry time has come, oldest first."""
        rows = self.db.execute(
            """SELECT id, item_id, chat_id, attempts, parts_sent FROM deliveries
               WHERE status = 'queued' AND not_before <= ? AND (? IS NULL OR item_id = ?)
               ORDER BY not_before, id LIMIT ?""",
            (now, item_id, item_id, limit),
        )
        return [Delivery(*row) for row in rows]

    def next_retry_time(self, item_id: int | None = None) -> float | None:
        return self.db.execute(
            "SELECT MIN(not_before) FROM deliveries WHERE status = 'queued' AND (? IS NULL OR item_id = ?)",
            (item_id, item_id),
        ).fetchone()[0]

    def delivery_counts(self) -> dict[str, int]:
        """How many deliveries the database holds, by status."""
        return dict(self.db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall())

    def queue_length(self, item_id: int | None = None) -> int:
        """Deliveries queued or in flight (of one item, if given)."""
        return self.db.execute(
            """SELECT COUNT(*) FROM deliveries
               WHERE status IN ('queued', 'sending') AND (? IS NULL OR item_id = ?)""",
            (item_id, item_id),
        ).fetchone()[0]

    def mark_sending(self, delivery_id: int) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = 'sending', attempts = attempts + 1 WHERE id = ?", (delivery_id,)
        )

    def mark_sent(self, delivery_id: int, message_id: int | None) -> None:
        self.db.execute(
            """UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?, last_error = NULL
               WHERE id = ?""",
            (utcnow(), message_id, delivery_id),
        )

    def mark_parts_sent(self, delivery_id: int, parts: int) -> None:
        """The first `parts` messages of a delivery of several have arrived (a retry goes on from there)."""
        self.db.execute("UPDATE deliveries SET parts_sent = ? WHERE id = ?", (parts, delivery_id))

    def mark_retry(self, delivery_id: int, not_before: float, error: str, *, count: bool = True) -> None:
        """Back to the queue until `not_before`; `count=False` gives the attempt back (flood waits)."""
        self.db.execute(
            """UPDATE deliveries SET status = 'queued', not_before = ?, last_error = ?,
               attempts = attempts - ? WHERE id = ?""",
            (not_before, error, 0 if count else 1, delivery_id),
        )

    def mark_failed(self, delivery_id: int, error: str) -> None:
        self.db.execute(
            "UPDATE deliveries SET status = 'failed', last_error = ? WHERE id = ?", (error, delivery_id)
        )

    def mark_blocked(self, delivery_id: int, chat_id: int, error: str) -> None:
        """The chat blocked the bot (or is gone): no retry, and the chat becomes inactive."""
        with self.transaction() as db:
            db.execute(
                "UPDATE deliveries SET status = 'blocked', last_error = ? WHERE id = ?", (error, delivery_id)
            )
            db.execute("UPDATE chats SET active = 0 WHERE id = ?", (chat_id,))

    def finish_items(self) -> list[int]:
        """Mark queued items with nothing left to send as done; returns their ids."""
        with self.transaction() as db:
            rows = db.execute(
                """SELECT i.id FROM items i WHERE i.status = 'queued' AND NOT EXISTS
                   (SELECT 1 FROM deliveries d
                    WHERE d.item_id = i.id AND d.status IN ('queued', 'sending'))"""
            ).fetchall()
            ids = [row[0] for row in rows]
            db.executemany(
                "UPDATE items SET status = 'done', finished = ? WHERE id = ?",
                [(utcnow(), i) for i in ids],
            )
        return ids

    def prune(self, before: str) -> int:
        """Forget the per-chat deliveries of items finished before `before` (ISO time); returns how many.

        The items themselves stay (the announced-posts ledger and the announcements' history); so do the
        posts of digests finished since (a post is queued once: the ledger keeps it out of later ones)."""
        with self.transaction() as db:
            done = """SELECT id FROM items
                      WHERE status = 'done' AND (reported = 1 OR kind != 'text') AND finished < ?"""
            db.execute(f"DELETE FROM digest_entries WHERE item_id IN ({done})", (before,))
            return db.execute(f"DELETE FROM deliveries WHERE item_id IN ({done})", (before,)).rowcount

    def unreported(self) -> list[Item]:
        """Finished announcements whose author has not had the report yet."""
        rows = self.db.execute(
            """SELECT id FROM items
               WHERE status = 'done' AND kind IN ('text', 'copy', 'album') AND reported = 0 ORDER BY id"""
        )
        return [item for row in rows.fetchall() if (item := self.item(row[0])) is not None]

    def mark_reported(self, item_id: int) -> None:
        self.db.execute("UPDATE items SET reported = 1 WHERE id = ?", (item_id,))

    def report(self, item_id: int) -> Report:
        counts = dict(
            self.db.execute(
                f"""SELECT status, COUNT(*) FROM deliveries
                    WHERE item_id = ? AND chat_id NOT IN ({_CHANNELS}) GROUP BY status""",
                (item_id,),
            ).fetchall()
        )
        channel = self.db.execute(
            f"SELECT status, last_error FROM deliveries WHERE item_id = ? AND chat_id IN ({_CHANNELS})",
            (item_id,),
        ).fetchone()
        return Report(
            item_id=item_id,
            delivered=counts.get("sent", 0),
            blocked=counts.get("blocked", 0),
            failed=counts.get("failed", 0),
            pending=counts.get("queued", 0) + counts.get("sending", 0),
            channel=None if channel is None else channel["status"],
            channel_error=None if channel is None or channel["status"] == "sent" else channel["last_error"],
        )

    def failure_reasons(self, item_id: int) -> dict[str, int]:
        """How many of an item's deliveries to members were blocked or failed, by the error Telegram
        gave (the channel's is in its `report`)."""
        rows = self.db.execute(
            f"""SELECT COALESCE(last_error, ''), COUNT(*) FROM deliveries
                WHERE item_id = ? AND status IN ('blocked', 'failed') AND chat_id NOT IN ({_CHANNELS})
                GROUP BY 1 ORDER BY 2 DESC""",
            (item_id,),
        )
        return dict(rows.fetchall())

    def recent_announcements(self, limit: int = 5) -> list[Item]:
        """The admin announcements sent (or being sent) last, newest first."""
        rows = self.db.execute(
            """SELECT id FROM items WHERE kind IN ('text', 'copy', 'album') AND status IN ('queued', 'done')
               ORDER BY created DESC, id DESC LIMIT ?""",
            (limit,),
        )
        return [item for row in rows.fetchall() if (item := self.item(row[0])) is not None]

    def last_announcement(self) -> Item | None:
        """The most recently queued or finished admin announcement."""
        row = self.db.execute(
            """SELECT id FROM items
               WHERE kind IN ('text', 'copy', 'album') AND status IN ('queued', 'done') ORDER BY id DESC"""
        ).fetchone()
        return None if row is None else self.item(row[0])

    # digests ------------------------------------------------------------------------------------

    def set_digest_hour(self, chat_id: int, hour: int) -> None:
        """The local hour (0-23) at which the chat's digests arrive."""
        if not 0 <= hour <= 23:
            raise ValueError(f"no hour {hour}")
        self.db.execute("UPDATE chats SET digest_hour = ? WHERE id = ?", (hour, chat_id))

    def digest_hour(self, chat_id: int) -> int:
        row = self.db.execute("SELECT digest_hour FROM chats WHERE id = ?", (chat_id,)).fetchone()
        return DEFAULT_DIGEST_HOUR if row is None or row[0] is None else row[0]

    def waiting_digest_posts(self, chat_id: int) -> int:
        """How many posts wait for the chat's next digests."""
        return self.db.execute(
            "SELECT COUNT(*) FROM digest_entries WHERE chat_id = ? AND item_id IS NULL", (chat_id,)
        ).fetchone()[0]

    def digest_due(self, hour: int, weekly: bool) -> dict[int, list[str]]:
        """The posts waiting for a digest in active chats whose digest hour is `hour`: those of daily
        subscriptions, and of weekly ones too when `weekly`; by chat, oldest first."""
        rows = self.db.execute(
            f"""SELECT e.chat_id, e.post_id FROM digest_entries e JOIN chats c ON c.id = e.chat_id
                WHERE e.item_id IS NULL AND c.active = 1 AND COALESCE(c.digest_hour, ?) = ?
                      AND (e.mode = '{DAILY}' OR ?)
                ORDER BY e.chat_id, e.queued, e.rowid""",
            (DEFAULT_DIGEST_HOUR, hour, int(weekly)),
        )
        due: dict[int, list[str]] = {}
        for chat_id, post_id in rows:
            due.setdefault(chat_id, []).append(post_id)
        return due

    def create_digests(
        self, slot: str, pages: dict[int, list[list[str]]], dropped: list[tuple[int, str]] = ()
    ) -> int | None:
        """Make the digest run of `slot` (an ISO time; runs go in order): one item per page number, each
        chat's waiting posts given to the items of its `pages`, one delivery per chat and page, and the
        `dropped` (chat, post) pairs (posts gone) taken off the queue — all at once, with `slot` recorded
        as done. None (and nothing changed) when `slot` is not after the last run's. Returns how many
        deliveries were queued."""
        with self.transaction() as db:
            last = db.execute("SELECT value FROM meta WHERE key = ?", (DIGEST_SLOT,)).fetchone()
            if last is not None and last[0] >= slot:
                return None
            db.execute(
                """INSERT INTO meta (key, value) VALUES (?, ?)
                   ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
                (DIGEST_SLOT, slot),
            )
            now, items = utcnow(), []
            for part in range(1, max(map(len, pages.values()), default=0) + 1):
                item_id = db.execute(
                    """INSERT INTO items (kind, status, created, part, parent)
                       VALUES ('digest', 'queued', ?, ?, ?)""",
                    (now, part, items[0] if items else None),
                ).lastrowid
                items.append(item_id)
            if items:
                db.execute("UPDATE items SET parent = id WHERE id = ?", (items[0],))
            db.executemany(
                "UPDATE digest_entries SET item_id = ? WHERE chat_id = ? AND post_id = ? AND item_id IS NULL",
                [
                    (items[number], chat_id, post_id)
                    for chat_id, chat_pages in pages.items()
                    for number, page in enumerate(chat_pages)
                    for post_id in page
                ],
            )
            db.executemany(
                "DELETE FROM digest_entries WHERE chat_id = ? AND post_id = ? AND item_id IS NULL", dropped
            )
            marks = ", ".join("?" * len(items))
            return db.execute(  # a page goes to a chat only with posts that were still waiting
                f"""INSERT INTO deliveries (item_id, chat_id) SELECT DISTINCT item_id, chat_id
                    FROM digest_entries WHERE item_id IN ({marks}) ORDER BY item_id, chat_id""",
                items,
            ).rowcount

    def last_digest_slot(self) -> str | None:
        """The slot of the last digest run (ISO time), if any."""
        return self.get_meta(DIGEST_SLOT)

    def start_digests(self, slot: str) -> None:
        """Record `slot` as the last run unless there was one (a first start makes no past runs)."""
        self.db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (DIGEST_SLOT, slot))

    def digest_page(self, item_id: int, chat_id: int) -> DigestPage | None:
        """What the digest page `item_id` holds for `chat_id` (None: nothing)."""
        posts = tuple(
            row[0]
            for row in self.db.execute(
                "SELECT post_id FROM digest_entries WHERE item_id = ? AND chat_id = ? ORDER BY queued, rowid",
                (item_id, chat_id),
            )
        )
        item = self.item(item_id)
        if not posts or item is None or item.kind != "digest":
            return None
        pages, total = self.db.execute(
            """SELECT COUNT(DISTINCT e.item_id), COUNT(*) FROM digest_entries e
               JOIN items i ON i.id = e.item_id WHERE e.chat_id = ? AND i.parent = ?""",
            (chat_id, item.parent),
        ).fetchone()
        return DigestPage(posts, item.part or 1, pages, total)

    def digested(self, chat_id: int) -> dict[str, int]:
        """Post id -> the digest page item it went out in, for the chat (what tests and exports check)."""
        rows = self.db.execute(
            "SELECT post_id, item_id FROM digest_entries WHERE chat_id = ? AND item_id IS NOT NULL",
            (chat_id,),
        )
        return dict(rows.fetchall())

    # the channel --------------------------------------------------------------------------------

    def note_channel_posts(self, post_ids: list[str], status: str) -> int:
        """Record posts for the channel: 'known' (there before it: never published) or 'waiting' (to
        publish); a post already recorded keeps its status. Returns how many were new."""
        now = utcnow()
        with self.transaction() as db:
            return db.executemany(
                "INSERT OR IGNORE INTO channel_posts (post_id, noted, status) VALUES (?, ?, ?)",
                [(post_id, now, status) for post_id in post_ids],
            ).rowcount

    def channel_posts(self, status: str) -> list[str]:
        """The posts recorded for the channel with `status`, oldest first."""
        rows = self.db.execute(
            "SELECT post_id FROM channel_posts WHERE status = ? ORDER BY noted, rowid", (status,)
        )
        return [row[0] for row in rows]

    def remember_channel(self, chat_id: int) -> None:
        """The channel as a chat deliveries can go to (never one of the members: see `recipients`)."""
        now = utcnow()
        self.db.execute(
            """INSERT INTO chats (id, type, first_seen, last_seen) VALUES (?, 'channel', ?, ?)
               ON CONFLICT(id) DO UPDATE SET type = 'channel', active = 1, last_seen = excluded.last_seen""",
            (chat_id, now, now),
        )

    def publish_to_channel(self, post_id: str, chat_id: int, parts: int) -> int | None:
        """Queue a waiting post for the channel `chat_id` as `parts` messages (items of kind 'channel'),
        once: None if it is not waiting. Returns the first item's id."""
        self.remember_channel(chat_id)
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE channel_posts SET status = 'queued' WHERE post_id = ? AND status = 'waiting'",
                (post_id,),
            )
            if cursor.rowcount == 0:
                return None
            now, first = utcnow(), None
            for part in range(1, parts + 1):
                item_id = db.execute(
                    """INSERT INTO items (kind, post_id, status, created, part)
                       VALUES ('channel', ?, 'queued', ?, ?)""",
                    (post_id, now, part),
                ).lastrowid
                db.execute("INSERT INTO deliveries (item_id, chat_id) VALUES (?, ?)", (item_id, chat_id))
                first = first or item_id
            return first

    def channel_refused(self, chat_id: int) -> bool:
        """Whether the channel `chat_id` refused a post (the bot lost its rights there, say)."""
        return (
            self.db.execute(
                """SELECT 1 FROM deliveries d JOIN items i ON i.id = d.item_id
                   WHERE i.kind = 'channel' AND d.chat_id = ? AND d.status IN ('blocked', 'failed')
                   LIMIT 1""",
                (chat_id,),
            ).fetchone()
            is not None
        )

    def retry_refused_channel_posts(self) -> int:
        """Posts the channel refused entirely wait again (their refused attempts are forgotten; a post
        with a part already out is not sent twice); returns how many."""
        with self.transaction() as db:
            refused = """SELECT i.id FROM items i JOIN deliveries d ON d.item_id = i.id
                         WHERE i.kind = 'channel' AND d.status IN ('blocked', 'failed')"""
            posts = [
                row[0]
                for row in db.execute(
                    f"""SELECT DISTINCT post_id FROM items WHERE id IN ({refused}) AND post_id NOT IN
                        (SELECT i.post_id FROM items i JOIN deliveries d ON d.item_id = i.id
                         WHERE i.kind = 'channel' AND d.status IN ('queued', 'sending', 'sent'))"""
                )
            ]
            db.execute(f"DELETE FROM items WHERE id IN ({refused})")
            db.executemany(
                "UPDATE channel_posts SET status = 'waiting' WHERE post_id = ?", [(p,) for p in posts]
            )
        return len(posts)

    def queue_to_channel(self, item_id: int, chat_id: int) -> bool:
        """Deliver an item that is already queued (an announcement) to the channel `chat_id` too; False if
        it already goes there. For the announcement preview's channel target."""
        self.remember_channel(chat_id)
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO deliveries (item_id, chat_id) VALUES (?, ?)", (item_id, chat_id)
        )
        return cursor.rowcount == 1

    # search questions behind page buttons -------------------------------------------------------

    def query_key(self, query: str) -> str | None:
        """The key `query` is kept under (now counted as used), or None."""
        row = self.db.execute(
            "UPDATE query_keys SET used = ? WHERE query = ? RETURNING key", (time.time(), query)
        ).fetchone()
        return None if row is None else row[0]

    def query_for_key(self, key: str) -> str | None:
        """The question kept under `key` (now counted as used), or None when it was never kept or dropped."""
        row = self.db.execute(
            "UPDATE query_keys SET used = ? WHERE key = ? RETURNING query", (time.time(), key)
        ).fetchone()
        return None if row is None else row[0]

    def keep_query(self, key: str, query: str, capacity: int) -> bool:
        """Keep `query` under `key`, dropping the least recently used beyond `capacity`; False when `key`
        is taken already."""
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO query_keys (key, query, used) VALUES (?, ?, ?)", (key, query, time.time())
                )
                db.execute(
                    """DELETE FROM query_keys WHERE key IN
                       (SELECT key FROM query_keys ORDER BY used DESC, rowid DESC LIMIT -1 OFFSET ?)""",
                    (capacity,),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    # meta ---------------------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def delete_meta(self, key: str) -> None:
        self.db.execute("DELETE FROM meta WHERE key = ?", (key,))

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            """INSERT INTO meta (key, value) VALUES (?, ?)
               ON CONFLICT(key) DO UPDATE SET value = excluded.value""",
            (key, value),
        )


def _chat(row: sqlite3.Row) -> Chat:
    return Chat(
        id=row["id"],
        type=row["type"],
        language=row["language"],
        active=bool(row["active"]),
        language_code=row["language_code"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
    )


def _recipients_query(tags: tuple[str, ...] | None) -> tuple[str, tuple]:
    """SQL selecting the ids of the active chats to reach (see `Store.recipients`); the channel is no
    member: it is only ever reached on purpose (`Store.queue_to_channel`)."""
    if tags is None:
        return "SELECT id FROM chats WHERE active = 1 AND type != 'channel' ORDER BY id", ()
    marks = ", ".join("?" * len(tags))
    return (
        f"""SELECT DISTINCT c.id FROM chats c JOIN subscriptions s ON s.chat_id = c.id
            WHERE c.active = 1 AND (s.tag = '' OR s.tag IN ({marks})) ORDER BY c.id""",
        (*tags,),
    )


def _modes_query(tags: tuple[str, ...]) -> tuple[str, tuple]:
    """SQL selecting, for each active chat a post with `tags` reaches, `chat_id` and `rank`: how soon it
    wants the post (0 instant, 1 daily, 2 weekly: the soonest of its matching subscriptions)."""
    marks = ", ".join("?" * len(tags))
    return (
        f"""SELECT s.chat_id AS chat_id,
                   MIN(CASE s.mode WHEN '{INSTANT}' THEN 0 WHEN '{DAILY}' THEN 1 ELSE 2 END) AS rank
            FROM subscriptions s JOIN chats c ON c.id = s.chat_id
            WHERE c.active = 1 AND (s.tag = '' OR s.tag IN ({marks})) GROUP BY s.chat_id""",
        (*tags,),
    )


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, traceback) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


# database files ----------------------------------------------------------------------------------


class NoDatabase(FileNotFoundError):
    """No database file: no bot has run with this data dir (or --data points elsewhere)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"no database at {path}: no bot has run with the data dir {path.parent} yet "
            "(is --data / NEWSBOT_DATA_DIR the bot's data dir? in Docker, run this inside its container)"
        )


def backup_database(source: Path, destination: Path) -> int:
    """Copy the live database at `source` to `destination` (SQLite's online backup, checked for
    integrity, written under a temporary name first); returns the number of pages copied."""
    if not source.exists():
        raise NoDatabase(source)
    if destination.resolve() == source.resolve() or (destination.exists() and destination.samefile(source)):
        raise ValueError(f"{destination} is the live database itself: back it up to another file")
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


def checkpoint(database: Path) -> None:
    """Fold the write-ahead log into the database file, so that a copy of the file is complete."""
    try:
        db = sqlite3.connect(database)
        try:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
    except sqlite3.Error:
        pass  # a broken database is kept as it is
