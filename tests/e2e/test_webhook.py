"""`newsbot run --webhook`: Telegram's updates posted to the bot's own HTTP server, secret enforced;
`setWebhook` gets the secret and only the update kinds the bot handles; polling removes the webhook."""

from __future__ import annotations

import json
import signal
import time
import urllib.error
import urllib.request

from conftest import wait_until
from processes import bot_env, free_port, newsbot
from telegram import Update
from telegram.ext import BaseHandler, CallbackContext

from bot.app import build_application
from bot.cli.run import allowed_updates, ping_api, webhook_settings
from bot.heartbeat import last_contact
from bot.settings import Webhook

SECRET = "s3cret_Token-for-tests"
HANDLED = ["message", "edited_message", "callback_query", "inline_query", "my_chat_member"]


def test_allowed_updates_are_exactly_the_kinds_the_handlers_take(settings):
    assert sorted(allowed_updates(build_application(settings))) == sorted(HANDLED)


def test_webhook_settings_need_a_public_https_url_and_a_valid_secret():
    assert "NEWSBOT_WEBHOOK_URL" in webhook_settings(Webhook())
    assert "https://" in webhook_settings(Webhook(url="http://bot.example.org"))
    assert "secret" in webhook_settings(Webhook(url="https://bot.example.org", secret_token="has space"))
    hook = webhook_settings(Webhook(url="https://bot.example.org", secret_token=SECRET))
    assert hook == Webhook(url="https://bot.example.org", secret_token=SECRET)


def test_without_a_configured_secret_each_start_gets_a_random_one():
    first = webhook_settings(Webhook(url="https://bot.example.org"))
    second = webhook_settings(Webhook(url="https://bot.example.org"))
    assert isinstance(first, Webhook) and isinstance(second, Webhook)
    assert len(first.secret_token) >= 32 and first.secret_token != second.secret_token


def test_webhook_without_a_url_is_refused_in_one_line(tmp_path, fake, capsys, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.token)
    monkeypatch.setenv("TELEGRAM_API_URL", fake.url)
    monkeypatch.delenv("NEWSBOT_WEBHOOK_URL", raising=False)
    assert main(["--data", str(tmp_path), "run", "--webhook"]) == 2
    assert "NEWSBOT_WEBHOOK_URL" in capsys.readouterr().err
    assert fake.calls == []


def update(update_id: int, user, text: str) -> dict:
    sender = user.to_api()
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": sender,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
            if text.startswith("/")
            else [],
        },
    }


def post(url: str, payload: dict, secret: str | None) -> int:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_webhook_serves_updates_with_the_secret_only_and_polling_removes_it(fake, tmp_path):
    port = free_port()
    env = bot_env(
        fake.url,
        fake.token,
        tmp_path / "data",
        NEWSBOT_WEBHOOK_URL="https://bot.example.org/",
        NEWSBOT_WEBHOOK_LISTEN="127.0.0.1",
        NEWSBOT_WEBHOOK_PORT=str(port),
        NEWSBOT_WEBHOOK_PATH="hook",
        NEWSBOT_WEBHOOK_SECRET=SECRET,
    )
    url = f"http://127.0.0.1:{port}/hook"
    intruder, stranger, ana = (fake.user(name, started=True) for name in ("Mallory", "Eve", "Ana"))
    with newsbot("run", "--webhook", env=env, log_path=tmp_path / "webhook.log") as bot:
        call = fake.wait_until(lambda: fake.calls_to("setWebhook"), timeout=30, what="setWebhook")[0]
        assert call.params["url"] == "https://bot.example.org/hook"
        assert call.params["secret_token"] == SECRET
        assert sorted(call.params["allowed_updates"]) == sorted(HANDLED)

        def listening() -> bool:
            try:
                return post(url, {}, "wrong") == 403
            except OSError:
                return False

        wait_until(listening, 30, "the webhook server")
        assert post(url, update(1, intruder, "/start"), None) == 403
        assert post(url, update(2, stranger, "/start"), "not-the-secret") == 403
        assert post(url, update(3, ana, "/start"), SECRET) == 200
        assert "Hello" in fake.wait_for_reply(ana, timeout=30).text
        assert time.time() - last_contact(tmp_path / "data") < 60
        assert bot.stop(signal.SIGTERM) == 0, bot.output
    assert fake.replies(intruder) == [] and fake.replies(stranger) == []
    assert fake.webhook_url == "https://bot.example.org/hook"

    polling_env = {k: v for k, v in env.items() if not k.startswith("NEWSBOT_WEBHOOK")}
    with newsbot("run", env=polling_env, log_path=tmp_path / "polling.log") as bot:
        answered = len(fake.replies(ana))
        fake.send_text(ana, ana, "/help")
        fake.wait_until(lambda: len(fake.replies(ana)) > answered, timeout=30, what="the /help answer")
        assert bot.stop(signal.SIGTERM) == 0, bot.output
    assert fake.calls_to("deleteWebhook") and fake.webhook_url == ""
    for log in ("webhook.log", "polling.log"):
        output = (tmp_path / log).read_text()
        assert "Traceback" not in output and fake.token not in output and SECRET not in output


def test_a_handler_of_unknown_kind_makes_the_bot_ask_for_every_update(settings):
    class Custom(BaseHandler):
        def check_update(self, update: object) -> bool:
            return False

    app = build_application(settings)
    app.add_handler(Custom(lambda update, context: None))
    assert allowed_updates(app) == list(Update.ALL_TYPES)


async def test_in_webhook_mode_a_regular_ping_keeps_the_heartbeat_fresh(fake, settings):
    app = build_application(settings)
    async with app.bot:
        await ping_api(CallbackContext(app))
    assert [call.method for call in fake.calls[-1:]] == ["getWebhookInfo"]
    assert time.time() - last_contact(settings.data_dir) < 60
