"""`newsbot run`: a clear refusal without a token; with one, a real process answering over long polling."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import pytest
from conftest import REPO

from bot.cli import main


@pytest.fixture
def restored_logging():
    """`main()` sets up logging on the (captured) stderr: put the root logger back afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    root.handlers[:], level = saved
    root.setLevel(level)


def test_without_a_token_run_explains_how_to_get_one_in_one_line(
    monkeypatch, tmp_path, capsys, restored_logging
):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["--data", str(tmp_path), "run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "@BotFather" in err and "TELEGRAM_BOT_TOKEN" in err and "newsbot chat" in err


def test_run_answers_over_long_polling_and_stops_cleanly_on_sigint(fake, tmp_path):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "NEWSBOT_CONTENT_DIR": str(REPO / "content"),
        "NEWSBOT_DATA_DIR": str(tmp_path / "data"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--log-level", "DEBUG", "run"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        ana = fake.user("Ana", started=True)
        fake.send_text(ana, ana, "/start")
        assert "Hello" in fake.wait_for_reply(ana, timeout=30).text
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert fake.token not in output
    assert "Traceback" not in output
