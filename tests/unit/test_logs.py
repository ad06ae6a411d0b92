"""Logs never carry the bot token, whatever path the record took."""

import io
import json
import logging

from bot.logs import JsonFormatter, RedactingFormatter, SafeStreamHandler, redact, setup_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


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
