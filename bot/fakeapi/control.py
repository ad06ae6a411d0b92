"""The fake Bot API's JSON control endpoint (``/_control/<action>``) for tests driving
a bot in another process, as a mixin of `FakeBotAPI` (whose user-side and observing methods it calls).

GET ``calls``, ``rejections``, ``replies?chat_id=N``, ``inline_answer?id=Q``, ``stats``; POST (JSON body)
``user``, ``group``, ``send_text``, ``edit_text``, ``press``, ``inline_query``, ``block``, ``unblock``,
``deactivate``, ``migrate``, ``fail_next``, ``garble_next``, ``slow``, ``update``. Users, chats and
messages are named by id.
Answers ``{"ok": true, "result": ...}``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from bot.fakeapi.model import Call, Chat, Message


class ControlActions:
    """The ``/_control`` endpoint; mixed into FakeBotAPI."""

    def control(self, verb: str, action: str, query: str, body: bytes) -> tuple[int, dict]:
        """Run one control action (GET or POST ``action``); returns (HTTP status, JSON body)."""
        args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
        if body:
            args.update(json.loads(body))
        handler = _GET.get(action) if verb == "GET" else _POST.get(action)
        if handler is None:
            return 404, {
                "ok": False,
                "error_code": 404,
                "description": f"Not Found: no control action {action!r}",
            }
        return 200, {"ok": True, "result": handler(self, args)}


def call_dict(call: Call) -> dict:
    return {
        "method": call.method,
        "params": call.params,
        "ok": call.ok,
        "error_code": call.error_code,
        "description": call.description,
        "kind": call.kind,
        "time": call.time,
        "duration": call.duration,
    }


def message_dict(message: Message) -> dict:
    return {
        "chat_id": message.chat.id,
        "message_id": message.message_id,
        "from_bot": message.from_bot,
        "text": message.text,
        "html": message.html,
        "caption": message.caption,
        "entities": message.entities,
        "keyboard": message.keyboard,
        "edit_date": message.edit_date,
        "history": message.history,
    }


def chat_dict(chat: Chat) -> dict:
    return {**chat.to_api(), "members": chat.members, "bot_status": chat.bot_status}


def _message(fake: Any, args: dict) -> Message:
    with fake._lock:
        return fake.chats[int(args["chat_id"])].messages[int(args["message_id"])]


def _users(fake: Any, ids: Any) -> list:
    return [fake.users[int(i)] for i in ids or ()]


_GET = {
    "calls": lambda fake, a: (
        [call_dict(c) for c in fake.calls_to(a["method"]) if True]
        if "method" in a
        else [call_dict(c) for c in list(fake.calls)]
    ),
    "rejections": lambda fake, a: [call_dict(c) for c in fake.rejections],
    "replies": lambda fake, a: [message_dict(m) for m in fake.replies(int(a["chat_id"]))],
    "messages": lambda fake, a: [message_dict(m) for m in fake.messages(int(a["chat_id"]))],
    "inline_answer": lambda fake, a: fake.inline_answer(str(a["id"])),
    "callback_answer": lambda fake, a: fake.callback_answer(str(a["id"])),
    "stats": lambda fake, a: {
        "calls": len(fake.calls),
        "rejections": len(fake.rejections),
        "too_many_requests": fake.too_many_requests,
        "messages_per_chat": {str(k): v for k, v in fake.messages_per_chat.items()},
        "unanswered_callbacks": fake.unanswered_callbacks(),
    },
}

_POST = {
    "user": lambda fake, a: fake.user(**a).to_api(),
    "group": lambda fake, a: chat_dict(
        fake.group(
            a.get("title", "Working group"),
            members=_users(fake, a.get("member_ids")),
            admins=_users(fake, a.get("admin_ids")),
            creator=fake.users[int(a["creator_id"])] if a.get("creator_id") else None,
            supergroup=bool(a.get("supergroup")),
            bot_admin=bool(a.get("bot_admin")),
        )
    ),
    "send_text": lambda fake, a: message_dict(
        fake.send_text(
            int(a["chat_id"]),
            fake.users[int(a["user_id"])],
            a["text"],
            reply_to=_message(fake, {**a, "message_id": a["reply_to_message_id"]})
            if a.get("reply_to_message_id")
            else None,
        )
    ),
    "edit_text": lambda fake, a: message_dict(fake.edit_text(_message(fake, a), a["text"])),
    "press": lambda fake, a: {
        "callback_query_id": fake.press(
            _message(fake, a),
            a.get("button", 0),
            user=fake.users[int(a["user_id"])] if a.get("user_id") else None,
            forged=bool(a.get("forged")),
        )
    },
    "inline_query": lambda fake, a: {
        "inline_query_id": fake.inline_query(
            fake.users[int(a["user_id"])], a.get("query", ""), offset=a.get("offset", "")
        )
    },
    "block": lambda fake, a: fake.block(fake.users[int(a["user_id"])]),
    "unblock": lambda fake, a: fake.unblock(fake.users[int(a["user_id"])]),
    "deactivate": lambda fake, a: fake.deactivate(fake.users[int(a["user_id"])]),
    "migrate": lambda fake, a: chat_dict(fake.migrate(fake.chats[int(a["chat_id"])])),
    "fail_next": lambda fake, a: fake.fail_next(**a),
    "slow": lambda fake, a: fake.slow(**a),
    "garble_next": lambda fake, a: fake.garble_next(**a),
    "update": lambda fake, a: {"update_id": fake.push_update(a["kind"], a["payload"])},
}
