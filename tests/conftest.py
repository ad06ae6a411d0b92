"""Shared fixtures: the strict fake Bot API, settings pointing at it, and the real bot polling it.

Every test using `fake` fails at teardown if the bot made a call Telegram would reject (invalid HTML, too
long, bad keyboard, unanswerable callback...). Mark a test ``@pytest.mark.rejections_expected`` when
provoking rejections is the point.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.fakeapi import FakeBotAPI, polling
from bot.settings import Settings
from index import Index, load_posts

REPO = Path(__file__).resolve().parents[1]
CONTENT_DIR = REPO / "content"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rejections_expected: the test provokes Bot API rejections on purpose")


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
            token=fake.token, api_url=fake.url, content_dir=CONTENT_DIR, data_dir=tmp_path / "data"
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


@pytest.fixture(scope="session")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """The shipped posts indexed once (with the shipped glossary), for tests that only search."""
    index = Index.open(tmp_path_factory.mktemp("seeds") / "index", glossary=CONTENT_DIR / "glossary.yaml")
    index.sync(load_posts(CONTENT_DIR / "posts").posts)
    yield index
    index.close()
