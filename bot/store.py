"""The bot's SQLite database: chats and their settings (later issues add subscriptions and deliveries).

One file in the data dir, WAL mode, schema upgraded in place by numbered migrations
(`PRAGMA user_version` records the last one applied). Calls are synchronous and short;
the standard library's sqlite3 is used from the event loop thread.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
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
]


@dataclass(frozen=True)
class Chat:
    id: int
    type: str
    language: str | None
    active: bool


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

    def seen_chat(self, chat_id: int, chat_type: str) -> Chat:
        """Record that `chat_id` talked to the bot now; a chat seen again is active again."""
        now = utcnow()
        self.db.execute(
            """INSERT INTO chats (id, type, first_seen, last_seen) VALUES (?, ?, ?, ?)
               ON CONFLICT(id) DO UPDATE SET type = excluded.type, last_seen = excluded.last_seen""",
            (chat_id, chat_type, now, now),
        )
        chat = self.chat(chat_id)
        assert chat is not None
        return chat

    def chat(self, chat_id: int) -> Chat | None:
        row = self.db.execute("SELECT * FROM chats WHERE id = ?", (chat_id,)).fetchone()
        if row is None:
            return None
        return Chat(id=row["id"], type=row["type"], language=row["language"], active=bool(row["active"]))

    def set_language(self, chat_id: int, language: str | None) -> None:
        self.db.execute("UPDATE chats SET language = ? WHERE id = ?", (language, chat_id))

    def set_active(self, chat_id: int, active: bool) -> None:
        self.db.execute("UPDATE chats SET active = ? WHERE id = ?", (int(active), chat_id))


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, traceback) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")
