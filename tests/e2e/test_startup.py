"""`newsbot run` starting, as an operator sees it: one clear line for every failure (JSON in JSON mode),
no traceback unless asked for with --log-level DEBUG, a documented exit code, and one line on success.
The token never appears, in any shape or encoding."""

from __future__ import annotations

import json
import socket
from urllib.parse import quote

import pytest
from conftest import wait_until
from processes import bot_env, free_port, newsbot

from bot.fakeapi import DEFAULT_TOKEN

ODD_TOKENS = ("123:ABC", "notatoken", "12345:shortbutplausible", "weird tok/en%:ä")


def run(tmp_path, env, *args: str, timeout: float = 60) -> tuple[int, str]:
    with newsbot(*args, env=env, log_path=tmp_path / "run.log") as bot:
        code = bot.wait(timeout)
    return code, bot.output


def assert_token_absent(token: str, output: str) -> None:
    for form in (token, quote(token, safe=""), quote(token)):
        assert form not in output
    if ":" in token:
        assert token.split(":", 1)[1] not in output


@pytest.mark.parametrize("token", ODD_TOKENS)
@pytest.mark.parametrize("level", ["WARNING", "DEBUG"])
def test_a_token_of_the_wrong_shape_is_refused_in_one_line_that_does_not_repeat_it(
    fake, tmp_path, token, level
):
    env = bot_env(fake.url, token, tmp_path / "data")
    code, output = run(tmp_path, env, "--log-level", level, "run")
    assert code == 2
    assert output.count("\n") == 1, output
    assert "does not look like a bot token" in output and "@BotFather" in output
    assert_token_absent(token, output)
    assert fake.calls == [], "nothing is sent with a malformed token"


@pytest.mark.rejections_expected
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_rejected_token_gives_one_line_and_exit_2(fake, tmp_path, fmt):
    wrong = "987654321:AAWrongTokenWrongTokenWrongToken00"
    code, output = run(tmp_path, bot_env(fake.url, wrong, tmp_path / "data"), "--log-format", fmt, "run")
    assert code == 2
    (line,) = output.strip().splitlines()
    message = json.loads(line)["message"] if fmt == "json" else line
    assert "rejected the token" in message and "TELEGRAM_BOT_TOKEN" in message
    assert_token_absent(wrong, output)


@pytest.mark.rejections_expected
def test_at_debug_level_the_rejection_shows_its_traceback_still_without_the_token(fake, tmp_path):
    wrong = "987654321:AAWrongTokenWrongTokenWrongToken00"
    env = bot_env(fake.url, wrong, tmp_path / "data")
    code, output = run(tmp_path, env, "--log-level", "DEBUG", "--log-format", "json", "run")
    assert code == 2
    assert "Traceback" in output
    assert all(json.loads(line) for line in output.strip().splitlines())
    assert_token_absent(wrong, output)


def test_an_unreachable_bot_api_is_said_at_every_attempt_then_exit_3(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    env = bot_env(closed, DEFAULT_TOKEN, tmp_path / "data")
    code, output = run(tmp_path, env, "--log-format", "json", "run")
    assert code == 3
    lines = [json.loads(line) for line in output.strip().splitlines()]
    assert [line["level"] for line in lines] == ["WARNING"] * 3 + ["ERROR"]
    assert all(closed in line["message"] for line in lines)
    assert "attempt 1 of 4" in lines[0]["message"] and "giving up" in lines[-1]["message"]
    assert "Traceback" not in output
    assert_token_absent(DEFAULT_TOKEN, output)


def test_an_unreachable_bot_api_shows_tracebacks_at_debug_level_only(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    code, output = run(
        tmp_path, bot_env(closed, DEFAULT_TOKEN, tmp_path / "data"), "--log-level", "DEBUG", "run"
    )
    assert code == 3 and "Traceback" in output
    assert_token_absent(DEFAULT_TOKEN, output)


def test_a_webhook_port_in_use_is_one_clear_line(fake, tmp_path):
    port = free_port()
    env = bot_env(
        fake.url,
        fake.token,
        tmp_path / "data",
        NEWSBOT_WEBHOOK_URL="https://bot.example.org",
        NEWSBOT_WEBHOOK_LISTEN="127.0.0.1",
        NEWSBOT_WEBHOOK_PORT=str(port),
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        code, output = run(tmp_path, env, "run", "--webhook")
    assert code == 2
    (line,) = output.strip().splitlines()
    assert f"127.0.0.1:{port}" in line and "in use" in line and "NEWSBOT_WEBHOOK_PORT" in line


def test_a_data_dir_that_cannot_be_written_is_one_clear_line(fake, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data dir's parent should be")
    code, output = run(tmp_path, bot_env(fake.url, fake.token, blocker / "data"), "run")
    assert code == 2
    (line,) = output.strip().splitlines()
    assert "cannot write to the data dir" in line and str(blocker / "data") in line
    assert fake.calls == []


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_successful_start_says_so_in_one_line_at_the_default_level(fake, tmp_path, fmt):
    env = bot_env(fake.url, fake.token, tmp_path / "data")
    with newsbot("--log-format", fmt, "run", env=env, log_path=tmp_path / "run.log") as bot:
        wait_until(lambda: "started as" in bot.output, 60, "the start-up line")
        assert bot.stop() == 0
    (line,) = bot.output.strip().splitlines()
    message = json.loads(line)["message"] if fmt == "json" else line
    assert message.endswith("started as @newsbot_test_bot, 9 posts, polling")
