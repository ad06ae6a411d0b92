"""Logs never carry the bot token, whatever path the record took."""

import io
import json
import logging
import sys
import threading
from urllib.parse import quote, quote_plus

import pytest

from bot.logs import (
    JsonFormatter,
    RedactingFormatter,
    SafeStreamHandler,
    protect,
    redact,
    say,
    setup_logging,
)

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def restored_logging():
    """`setup_logging` changes the root logger and the exception hooks: put them back afterwards."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, sys.excepthook, threading.excepthook
    yield
    root.handlers[:], level, sys.excepthook, threading.excepthook = saved
    root.setLevel(level)


def test_redact_removes_tokens_in_plain_text_and_in_urls():
    assert TOKEN not in redact(f"token {TOKEN}")
    url = f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    assert redact(url) == "https://api.telegram.org/bot[REDACTED]/getUpdates"


def make_record(message: str, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("t", logging.ERROR, __file__, 1, message, None, exc_info)


def test_text_and_json_formats_redact_messages_and_tracebacks():
    try:
        raise RuntimeError(f"failed calling /bot{TOKEN}/sendMessage")
    except RuntimeError as exc:
        record = make_record(f"boom {TOKEN}", exc)
    text = RedactingFormatter("%(message)s").format(record)
    line = JsonFormatter().format(record)
    assert TOKEN not in text and "RuntimeError" in text
    assert TOKEN not in line
    assert json.loads(line)["level"] == "ERROR"


def test_setup_logging_quiets_http_request_logs(capsys):
    setup_logging("DEBUG")
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
    logging.getLogger("newsbot").warning("hello %s", TOKEN)
    err = capsys.readouterr().err
    assert "HTTP Request" not in err
    assert "hello [REDACTED]" in err


def test_a_failing_log_stream_reports_a_redacted_line_not_the_record(capsys):
    stream = io.StringIO()
    handler = SafeStreamHandler(stream)
    stream.close()
    handler.emit(make_record(f"secret {TOKEN}"))
    err = capsys.readouterr().err
    assert "logging error" in err and TOKEN not in err


def test_a_protected_token_of_any_shape_is_redacted_with_its_url_encoded_forms():
    for token in ("123:ABC", "notatoken", "a b/c%d:é"):
        protect(token)
        for form in (token, quote(token, safe=""), quote_plus(token)):
            assert redact(f"The token `{form}` was rejected") == "The token `[REDACTED]` was rejected"


def test_a_protected_token_is_redacted_from_tracebacks_in_both_formats():
    token = "notatoken-either"
    protect(token)
    try:
        raise RuntimeError(f"GET http://x/bot{quote(token, safe='')}/getMe failed for {token}")
    except RuntimeError as exc:
        record = make_record(f"start failed: {token}", exc)
    for formatter in (RedactingFormatter("%(message)s"), JsonFormatter()):
        text = formatter.format(record)
        assert token not in text and quote(token, safe="") not in text and "RuntimeError" in text


def test_uncaught_exceptions_go_through_the_redacting_log(capsys):
    token = "uncaught:tok"
    protect(token)
    sys.excepthook = sys.__excepthook__
    setup_logging("WARNING")
    try:
        raise ValueError(f"bad {token}")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    err = capsys.readouterr().err
    assert "uncaught exception" in err and "ValueError" in err and token not in err


def test_below_debug_library_errors_come_without_traceback_and_with_their_reason(capsys):
    setup_logging("WARNING")
    try:
        raise ConnectionError("all connection attempts failed")
    except ConnectionError:
        logging.getLogger("telegram.ext.Updater").exception("polling failed")
        logging.getLogger("bot.handlers").exception("handler failed")
    err = capsys.readouterr().err
    assert "polling failed (ConnectionError: all connection attempts failed)" in err
    assert err.count("Traceback") == 1, "the bot's own errors keep theirs"


def test_say_writes_one_line_at_any_level_json_in_json_mode(capsys):
    protect("say:secret")
    setup_logging("ERROR", "json")
    say("started with say:secret", logging.INFO)
    setup_logging("ERROR")
    say("plain")
    first, second = capsys.readouterr().err.splitlines()
    assert json.loads(first)["message"] == "started with [REDACTED]"
    assert json.loads(first)["level"] == "INFO"
    assert second == "newsbot: plain"
