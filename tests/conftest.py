"""What every kind of test shares. The tests are in folders by kind: `unit/` (one module or the search
core, no Telegram), `e2e/` (the real Application through the strict fake Bot API, or `newsbot` run as a
process; see `processes.py`), `fakeapi/` (the fake Bot API itself).

Fixtures: the strict fake Bot API, settings pointing at it, the real bot polling it, the shipped posts
indexed once. Helpers: writing a post file, pressing a button, reaching a running bot's services, waiting
for a condition.

Every test using `fake` fails at teardown if the bot made a call Telegram would reject (invalid HTML, too
long, bad keyboard, unanswerable callback...). Mark a test ``@pytest.mark.rejections_expected`` when
provoking rejections is the point.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from feedserver import FeedServer
from telegram.ext import Application

from bot.context import SERVICES
from bot.fakeapi import FakeBotAPI, Message, User, polling
from bot.notify import LAST_SYNC
from bot.services import Services
from bot.settings import Settings
from index import Index, load_posts

REPO = Path(__file__).resolve().parents[1]
CONTENT_DIR = REPO / "content"
ADMIN_ID = 4242  # the admin (NEWSBOT_ADMINS) of `admin_bot`


# helpers ------------------------------------------------------------------------------------------


def write_post(folder: Path, name: str, title: str, body: str = "Body text.", **meta: object) -> Path:
    """Write ``<folder>/<name>.md`` with `title` and `meta` (lists as ``[a, b]``) in its front matter."""
    front = "".join(
        f"{key}: [{', '.join(map(str, value))}]\n" if isinstance(value, list | tuple) else f"{key}: {value}\n"
        for key, value in meta.items()
    )
    path = folder / f"{name}.md"
    path.write_text(f"---\ntitle: {title}\n{front}---\n{body}\n", encoding="utf-8")
    return path


async def press(fake: FakeBotAPI, message: Message, button: str | int, **kwargs: Any) -> dict:
    """Press a button of a bot message (by index or label) and return the bot's answerCallbackQuery."""
    return await fake.wait_callback_answer(fake.press(message, button, **kwargs))


def services_of(app: Application) -> Services:
    """A running bot's services (open between `initialize()` and `shutdown()`)."""
    return app.bot_data[SERVICES]


def wait_until(predicate: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
    """Block until `predicate()` is truthy and return its value; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


async def polls_done(app: Application, count: int) -> None:
    """Wait until a running bot's content poll has run about `count` more times (its last sync moved on;
    at most 5 s each)."""
    store = services_of(app).store
    for _ in range(count):
        last = store.get_meta(LAST_SYNC)
        for _ in range(100):
            await asyncio.sleep(0.05)
            if store.get_meta(LAST_SYNC) != last:
                break


async def eventually(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """`wait_until` for async tests: polls without blocking the event loop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


# fixtures -----------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rejections_expected: the test provokes Bot API rejections on purpose")
    # `newsbot` commands run in-process search by words alone unless a test asks for meaning
    # (tests/e2e/test_meaning.py): the model would embed the posts in every one of them
    os.environ["NEWSBOT_SEMANTIC"] = "off"


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[FakeBotAPI]:
    """A started FakeBotAPI on 127.0.0.1 (random port), stopped after the test with no threads left."""
    before = set(threading.enumerate())
    api = FakeBotAPI().start()
    try:
        yield api
    finally:
        api.stop()
    leaked = [
        t for t in set(threading.enumerate()) - before if t.is_alive() and t.name.startswith("fake-bot-api")
    ]
    assert not leaked, f"FakeBotAPI threads left running: {leaked}"
    if request.node.get_closest_marker("rejections_expected") is None:
        api.assert_no_rejections()


@pytest.fixture
def settings_factory(fake: FakeBotAPI, tmp_path: Path) -> Callable[..., Settings]:
    """Settings(token/api_url of the fake, the repo's content, a temporary data dir); kwargs override."""

    def make(**overrides: Any) -> Settings:
        base = Settings(
            token=fake.token,
            api_url=fake.url,
            content_dir=CONTENT_DIR,
            data_dir=tmp_path / "data",
            semantic="off",  # words alone: embedding every test's posts would cost seconds each
        )
        return replace(base, **overrides)

    return make


@pytest.fixture
def settings(settings_factory: Callable[..., Settings]) -> Settings:
    return settings_factory()


@pytest.fixture
async def running_bot(fake: FakeBotAPI, settings: Settings) -> AsyncIterator[Any]:
    """The real Application (`bot.app.build_application`) long-polling the fake over HTTP; yields the app."""
    from bot.app import build_application

    app = build_application(settings)
    async with polling(app):
        yield app


@pytest.fixture
async def admin_bot(fake: FakeBotAPI, settings: Settings) -> AsyncIterator[Any]:
    """The real Application with ADMIN_ID as its admin, long-polling the fake; yields the app."""
    from bot.app import build_application

    async with polling(
        build_application(replace(settings, admins=frozenset({ADMIN_ID}), poll_seconds=30))
    ) as app:
        yield app


@pytest.fixture
def admin(fake: FakeBotAPI) -> User:
    """The admin of `admin_bot`, who has started the bot."""
    return fake.user("Admin", id=ADMIN_ID, started=True)


async def members(fake: FakeBotAPI, count: int, command: str = "/start") -> list[User]:
    """`count` new users who each sent `command` (and got its answer)."""
    users = [fake.user(f"Member{i}", started=True) for i in range(count)]
    for user in users:
        await fake.ask(user, command)
    return users


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """The shipped posts indexed once (with the shipped glossary), for tests that only search."""
    index = Index.open(tmp_path_factory.mktemp("seeds") / "index", glossary=CONTENT_DIR / "glossary.yaml")
    index.sync(load_posts(CONTENT_DIR / "posts").posts)
    yield index
    index.close()


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    """A content folder with one post, "A quiet CND" (#cnd), for tests of what the bot sends about it
    (a module may define its own)."""
    folder = tmp_path / "content" / "posts"
    folder.mkdir(parents=True)
    write_post(folder, "2023-03-17-a-quiet-cnd", "A quiet CND", tags=["cnd"], date="2023-03-17")
    return folder


@pytest.fixture
def feed() -> Iterator[FeedServer]:
    """An RSS feed served over loopback HTTP (`feedserver.FeedServer`); set its `body`."""
    server = FeedServer()
    yield server
    server.close()
