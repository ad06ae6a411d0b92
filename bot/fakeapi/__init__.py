"""A strict local Telegram Bot API server for tests, benchmarks and `newsbot chat`.

`FakeBotAPI` serves ``/bot{token}/{method}`` over real HTTP on 127.0.0.1 from a background thread, answers
like Telegram (``{"ok": true, "result": ...}`` or an error with Telegram's code and description) and rejects
whatever Telegram would reject: invalid HTML, texts over 4096 UTF-16 units after entity parsing, malformed
keyboards, callback data over 64 bytes, unknown or already answered callback/inline queries, edits that
change nothing. Every call is recorded (`calls`, `rejections`). Optional Telegram-like flood limits (429
with ``retry_after``) and injected faults (`fail_next`, `garble_next`, `block`, `slow`, migrations)
exercise delivery code.

The user side (`user`, `group`, `send_text`, `press`, `inline_query`, ...) creates updates that the bot
receives through ``getUpdates`` long polling; `replies`, `wait_for` and friends observe what the bot did.
Run ``python -m bot.fakeapi --port 8081`` for a standalone server driven through ``/_control/...``.

The public face is below; the modules behind it (`server`, `methods`, `control`, `transport`, `model`,
`checks`, `html`, `limits`) are the fake's own business.
"""

from bot.fakeapi.limits import Limits
from bot.fakeapi.model import Call, Chat, Message, User
from bot.fakeapi.polling import polling
from bot.fakeapi.server import DEFAULT_TOKEN, FakeBotAPI

__all__ = ["DEFAULT_TOKEN", "Call", "Chat", "FakeBotAPI", "Limits", "Message", "User", "polling"]
