"""Fixtures of the fake Bot API's own tests."""

import pytest
from telegram import Bot


@pytest.fixture
async def bot(fake):
    """A PTB Bot talking to the fake over HTTP."""
    async with Bot(fake.token, base_url=f"{fake.url}/bot") as client:
        yield client
