"""A strict local Telegram Bot API server for tests, benchmarks and `newsbot chat`.

`FakeBotAPI` serves ``/bot{token}/{method}`` over real HTTP on 127.0.0.1 from a background thread, answers
like Telegram (``{"ok": true, "result": ...}`` or an error with Telegram's code and description) and rejects
whatever Telegram would reject: invalid HTML, texts over 4096 UTF-16 units after entity parsing, malformed
keyboards, callback data over 64 bytes, unknown or already answered callback/inline queries, edits that
change nothing. Every call is recorded (`calls`, `rejections`). Optional Telegram-like flood limits (429
with ``retry_after``) and injected faults (`fail_next`, `block`, `slow`, migrations) exercise delivery code.

The user side (`user`, `group`, `send_text`, `press`, `inline_query`, ...) creates updates that the bot
receives through ``getUpdates`` long polling; `replies`, `wait_for` and friends observe what the bot did.
Run ``python -m bot.fakeapi --port 8081`` for a standalone server driven through ``/_control/...``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.fakeapi_checks import (
    MAX_CALLBACK_ANSWER,
    ApiError,
    bad_request,
    check_commands,
    check_inline_results,
    check_language_code,
    check_reply_markup,
    formatted_text,
)
from bot.fakeapi_html import utf16_len
from bot.fakeapi_limits import Fault, Limits, RateLimiter

__all__ = ["DEFAULT_TOKEN", "ApiError", "Call", "Chat", "FakeBotAPI", "Limits", "Message", "User", "polling"]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


DEFAULT_TOKEN = "123456789:AAFakeTokenForLocalTestsOnly-0123456789"
ALL_UPDATES = _names(
    "message edited_message channel_post edited_channel_post business_connection business_message "
    "edited_business_message deleted_business_messages message_reaction message_reaction_count "
    "inline_query chosen_inline_result callback_query shipping_query pre_checkout_query "
    "purchased_paid_media poll poll_answer my_chat_member chat_member chat_join_request chat_boost "
    "removed_chat_boost"
)
DEFAULT_UPDATES = ALL_UPDATES - {"chat_member", "message_reaction", "message_reaction_count"}
CHAT_ACTIONS = _names(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note"
)
_JSON_PARAMS = _names(
    "reply_markup entities caption_entities results commands scope menu_button allowed_updates "
    "reply_parameters link_preview_options button input_message_content"
)
_INT_PARAMS = _names(
    "chat_id from_chat_id message_id user_id offset limit timeout cache_time reply_to_message_id "
    "max_connections message_thread_id"
)
_BOOL_PARAMS = _names(
    "disable_notification protect_content show_alert is_personal drop_pending_updates "
    "allow_sending_without_reply disable_web_page_preview only_if_banned"
)
_USER_ENTITIES = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<url>https?://[^\s<>\"]+)"
    r"|(?P<mention>(?<!\w)@[A-Za-z0-9_]{5,32})"
    r"|(?P<hashtag>(?<![\w#])#\w*[^\W\d]\w*)"
)
_SEND_METHODS = frozenset({"sendmessage", "copymessage", "forwardmessage"})


@dataclass(eq=False)
class User:
    """A Telegram user of the fake. `started`: has opened a private chat with the bot (else 403 on send)."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "en"
    last_name: str | None = None
    is_bot: bool = False
    started: bool = False
    blocked: bool = False
    deactivated: bool = False

    def to_api(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                data[key] = getattr(self, key)
        return data


@dataclass(eq=False)
class Chat:
    """A chat: "private" (id = the user's id), "group" or "supergroup". `members`: user id -> status."""

    id: int
    type: str
    title: str | None = None
    user: User | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    migrated_to: int | None = None
    last_message_id: int = 0

    def to_api(self) -> dict:
        if self.type == "private" and self.user is not None:
            data = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.username:
                data["username"] = self.user.username
            return data
        return {"id": self.id, "type": self.type, "title": self.title or ""}


@dataclass(eq=False)
class Message:
    """A message in a chat, current state: edits change `text`/`entities`/`reply_markup` in place
    (earlier texts kept in `history`). `sender` is None for the bot's own messages."""

    chat: Chat
    message_id: int
    date: int
    sender: User | None
    text: str | None = None
    entities: list[dict] = field(default_factory=list)
    html: str | None = None
    caption: str | None = None
    kind: str = "text"
    reply_markup: dict | None = None
    reply_to: Message | None = None
    edit_date: int | None = None
    via_bot: bool = False
    deleted: bool = False
    inline_message_id: str | None = None
    history: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def from_bot(self) -> bool:
        return self.sender is None

    @property
    def keyboard(self) -> list[list[dict]]:
        """Inline keyboard rows (empty if none)."""
        return (self.reply_markup or {}).get("inline_keyboard", [])

    @property
    def buttons(self) -> list[dict]:
        return [button for row in self.keyboard for button in row]

    def button(self, which: str | int) -> dict:
        """A button by index, label or callback data; LookupError if there is none."""
        buttons = self.buttons
        if isinstance(which, int):
            if 0 <= which < len(buttons):
                return buttons[which]
        else:
            for button in buttons:
                if which in (button.get("callback_data"), button.get("text")):
                    return button
        raise LookupError(f"no button {which!r} in message {self.message_id}: {[b['text'] for b in buttons]}")

    def to_api(self, bot: User, *, nested: bool = True) -> dict:
        data: dict[str, Any] = {"message_id": self.message_id, "date": self.date, "chat": self.chat.to_api()}
        data["from"] = (self.sender or bot).to_api()
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.kind == "sticker":
            data["sticker"] = {
                "file_id": f"sticker{self.message_id}",
                "file_unique_id": f"s{self.message_id}",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": self.extra.get("emoji", "👍"),
            }
        if self.kind == "photo":
            data["photo"] = [{"file_id": f"photo{self.message_id}", "file_unique_id": f"p{self.message_id}",
                              "width": 800, "height": 600}]  # fmt: skip
            if self.caption:
                data["caption"] = self.caption
                if self.entities:
                    data["caption_entities"] = self.entities
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if self.edit_date:
            data["edit_date"] = self.edit_date
        if self.via_bot:
            data["via_bot"] = bot.to_api()
        if self.reply_to is not None and nested:
            data["reply_to_message"] = self.reply_to.to_api(bot, nested=False)
        data.update({k: v for k, v in self.extra.items() if k != "emoji"})
        return data


@dataclass
class Call:
    """One Bot API call as the fake saw it."""

    method: str
    params: dict
    ok: bool
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    kind: str | None = None  # for errors: see ApiError
    parameters: dict | None = None  # for errors: retry_after, migrate_to_chat_id
    time: float = 0.0
    duration: float = 0.0


@dataclass
class _Query:
    """A callback or inline query waiting for its answer."""

    user: User
    created: float
    answer: dict | None = None
    message: Message | None = None
    data: str | None = None


class FakeBotAPI:
    """Strict fake Bot API over HTTP; see the module docstring. Use as a context manager or start()/stop()."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        username: str = "newsbot_test_bot",
        limits: Limits | None = None,
        callback_timeout: float = 15.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.token = token
        self.bot = User(
            int(token.split(":")[0]), "NewsBot", username=username, is_bot=True, language_code=None
        )
        self.limits = limits
        self.callback_timeout = callback_timeout
        self._address = (host, port)
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._limiter = RateLimiter(limits) if limits else None
        self._ids = itertools.count(1001)
        self._group_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self._messages: dict[tuple[int, int], Message] = {}
        self._inline_messages: dict[str, Message] = {}
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._allowed = set(DEFAULT_UPDATES)
        self._poll_generation = 0
        self._callbacks: dict[str, _Query] = {}
        self._inline: dict[str, _Query] = {}
        self._faults: list[Fault] = []
        self._delays: list[list] = []  # [method, seconds, times]
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.menu_buttons: dict[int | None, dict] = {}
        self.webhook_url = ""
        self.calls: list[Call] = []
        self.warnings: list[str] = []
        self.messages_per_chat: Counter[int] = Counter()
        self.too_many_requests = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._methods: dict[str, Callable[[dict], Any]] = {
            name[3:].lower(): getattr(self, name) for name in dir(self) if name.startswith("_m_")
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotAPI:
        self._server = _Server(self._address, _Handler, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-bot-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake long polls, close every connection, join the threads."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
            self._server.join_handlers(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The Bot API root, to use as TELEGRAM_API_URL (PTB base_url is ``f"{url}/bot"``)."""
        assert self._server is not None, "FakeBotAPI not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ------------------------------------------------------------------ dispatch

    def call(self, token: str, method: str, params: dict) -> tuple[int, dict]:
        """Handle one Bot API call; returns (HTTP status, JSON body). Used by the HTTP handler."""
        started = time.monotonic()
        name = method.lower()
        delay = 0.0
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self._methods.get(name)
            if handler is None:
                raise ApiError(404, "Not Found")
            with self._lock:
                delay = self._take_delay(name)
                fault = next((f for f in self._faults if f.matches(name, params)), None)
                if fault is not None:
                    raise fault.fire()
            if name == "getupdates":
                result = self._get_updates(params)
            else:
                with self._cond:
                    result = handler(params)
                    self._cond.notify_all()
            call = Call(method, params, True, result=result)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            call = Call(method, params, False, None, exc.code, exc.description, exc.kind, exc.parameters)
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            status = exc.code
        if delay:
            time.sleep(delay)
        call.time, call.duration = started, time.monotonic() - started
        with self._cond:
            if call.error_code == 429:
                self.too_many_requests += 1
            self.calls.append(call)
            self._cond.notify_all()
        return status, body

    def _take_delay(self, name: str) -> float:
        for entry in self._delays:
            if entry[0] in (name, "*") and entry[2] > 0:
                entry[2] -= 1
                return entry[1]
        return 0.0

    # ------------------------------------------------------------------ observing

    @property
    def rejections(self) -> list[Call]:
        """Calls Telegram would reject because the bot sent something invalid (the bugs to fix)."""
        with self._lock:
            return [c for c in self.calls if not c.ok and c.kind == "invalid"]

    @property
    def errors(self) -> list[Call]:
        """Every failed call: rejections, flood control, injected faults, blocked users, conflicts."""
        with self._lock:
            return [c for c in self.calls if not c.ok]

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method.lower() == method.lower()]

    def assert_no_rejections(self) -> None:
        rejected = self.rejections
        assert not rejected, "Bot API calls rejected:\n" + "\n".join(
            f"  {c.method}: {c.description} (params {c.params})" for c in rejected
        )

    def replies(self, chat: Chat | User | int) -> list[Message]:
        """The bot's messages in a chat (not deleted), oldest first, in their current state."""
        chat_id = self._chat_id(chat)
        with self._lock:
            return [
                m for (cid, _), m in self._messages.items() if cid == chat_id and m.from_bot and not m.deleted
            ]

    def messages(self, chat: Chat | User | int) -> list[Message]:
        """Every message in a chat (user's and bot's, not deleted), oldest first."""
        chat_id = self._chat_id(chat)
        with self._lock:
            return [m for (cid, _), m in self._messages.items() if cid == chat_id and not m.deleted]

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (a getUpdates with a higher offset)."""
        with self._lock:
            return len(self._updates)

    def last_activity(self) -> float:
        """time.monotonic() of the bot's last call other than getUpdates/sendChatAction (0 if none)."""
        with self._lock:
            for call in reversed(self.calls):
                if call.method.lower() not in ("getupdates", "sendchataction"):
                    return call.time + call.duration
        return 0.0

    def unanswered_callbacks(self) -> list[str]:
        """Ids of callback queries the bot has not answered."""
        with self._lock:
            return [qid for qid, q in self._callbacks.items() if q.answer is None]

    def callback_answer(self, callback_id: str) -> dict | None:
        """The bot's answerCallbackQuery parameters for this query, or None while unanswered."""
        with self._lock:
            return self._callbacks[callback_id].answer

    def inline_answer(self, query_id: str) -> dict | None:
        """The bot's answerInlineQuery parameters (with "results"), or None while unanswered."""
        with self._lock:
            return self._inline[query_id].answer

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
        """Block until `predicate()` is truthy (checked under the fake's lock) and return its value."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
                self._cond.wait(min(remaining, 0.05))

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, what: str = "condition"
    ) -> Any:
        """Async `wait_until`: poll `predicate()` without blocking the event loop; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(0.005)

    def _reply_after(
        self, chat: Chat | User | int, after: Message | int | None
    ) -> Callable[[], Message | None]:
        def first_new() -> Message | None:
            replies = self.replies(chat)
            if isinstance(after, Message):
                replies = [m for m in replies if m.message_id > after.message_id]
            elif after is not None:
                replies = replies[after:]
            return replies[0] if replies else None

        return first_new

    def wait_for_reply(
        self, chat: Chat | User | int, after: Message | int | None = None, timeout: float = 5.0
    ) -> Message:
        """The bot's first message in `chat` after message `after` (or after the first `after` replies)."""
        return self.wait_until(
            self._reply_after(chat, after), timeout, f"a reply in chat {self._chat_id(chat)}"
        )

    async def next_reply(
        self, chat: Chat | User | int, after: Message | int | None = None, timeout: float = 5.0
    ) -> Message:
        """Async `wait_for_reply`."""
        return await self.wait_for(
            self._reply_after(chat, after), timeout, f"a reply in chat {self._chat_id(chat)}"
        )

    async def ask(self, user: User, text: str, timeout: float = 5.0) -> Message:
        """Send `text` from `user` in their private chat and return the bot's first reply."""
        sent = self.send_text(user, user, text)
        return await self.next_reply(user, after=sent, timeout=timeout)

    async def wait_callback_answer(self, callback_id: str, timeout: float = 5.0) -> dict:
        return await self.wait_for(
            lambda: self._callbacks[callback_id].answer, timeout, "answerCallbackQuery"
        )

    async def wait_inline_answer(self, query_id: str, timeout: float = 5.0) -> dict:
        return await self.wait_for(lambda: self._inline[query_id].answer, timeout, "answerInlineQuery")

    # ------------------------------------------------------------------ faults and limits

    def fail_next(
        self,
        method: str,
        error_code: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id` only, if given) with this error."""
        parameters: dict[str, int] = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        with self._lock:
            self._faults.append(Fault(method, error_code, description, parameters, times, chat_id))

    def slow(self, method: str, seconds: float, times: int = 1) -> None:
        """Delay the response of the next `times` calls of `method` ("*" = any) after processing them,
        like a slow network: a client that times out may still have had its message delivered."""
        with self._lock:
            self._delays.append([method.lower() if method != "*" else "*", seconds, times])

    def block(self, user: User) -> None:
        """The user blocks the bot: sends to them get 403, the bot gets a my_chat_member update."""
        with self._cond:
            user.blocked = True
            self._member_update(self._private(user), user, "member", "kicked", my=True)

    def unblock(self, user: User) -> None:
        with self._cond:
            user.blocked = False
            self._member_update(self._private(user), user, "kicked", "member", my=True)

    def deactivate(self, user: User) -> None:
        """The user deletes their account: sends to them get 403 "user is deactivated"."""
        with self._lock:
            user.deactivated = True

    def kick_bot(self, chat: Chat, by: User) -> None:
        """`by` removes the bot from the group: sends get 403, the bot gets a my_chat_member update."""
        with self._cond:
            old, chat.bot_status = chat.bot_status, "kicked"
            self._member_update(chat, by, old, "kicked", my=True)

    def add_bot(self, chat: Chat, by: User) -> None:
        """`by` adds the bot to the group: my_chat_member update and a new_chat_members message."""
        with self._cond:
            old, chat.bot_status = chat.bot_status, "member"
            self._member_update(chat, by, old, "member", my=True)
            message = self._new_message(chat, by, extra={"new_chat_members": [self.bot.to_api()]})
            self._push("message", message.to_api(self.bot))

    def migrate(self, chat: Chat) -> Chat:
        """Upgrade a group to a supergroup: sends to the old id get 400 with migrate_to_chat_id."""
        with self._cond:
            new = self._add_chat(
                Chat(
                    -1_000_000_000_000 - next(self._group_ids),
                    "supergroup",
                    chat.title,
                    members=dict(chat.members),
                )
            )
            new.bot_status = chat.bot_status
            chat.migrated_to = new.id
            sender = next((self.users[uid] for uid, s in chat.members.items() if s == "creator"), None)
            old_note = self._new_message(chat, sender, extra={"migrate_to_chat_id": new.id})
            self._push("message", old_note.to_api(self.bot))
            new_note = self._new_message(new, sender, extra={"migrate_from_chat_id": chat.id})
            self._push("message", new_note.to_api(self.bot))
            return new

    # ------------------------------------------------------------------ user side

    def user(
        self,
        first_name: str = "Ana",
        *,
        username: str | None = None,
        language_code: str | None = "en",
        started: bool = False,
        id: int | None = None,
    ) -> User:
        """A new user (with their private chat). `started=True`: they already opened the bot before."""
        with self._lock:
            user = User(id or next(self._ids), first_name, username, language_code, started=started)
            self.users[user.id] = user
            self._add_chat(Chat(user.id, "private", user=user))
            return user

    def group(
        self,
        title: str = "Working group",
        *,
        members: Iterable[User] = (),
        admins: Iterable[User] = (),
        creator: User | None = None,
        supergroup: bool = False,
        bot_admin: bool = False,
    ) -> Chat:
        """A group (or supergroup) that already has the bot as a member (or administrator)."""
        with self._lock:
            number = next(self._group_ids)
            chat_id = -1_000_000_000_000 - number if supergroup else -4_000_000_000 - number
            chat = Chat(chat_id, "supergroup" if supergroup else "group", title)
            chat.members.update({u.id: "member" for u in members})
            chat.members.update({u.id: "administrator" for u in admins})
            if creator is not None:
                chat.members[creator.id] = "creator"
            chat.bot_status = "administrator" if bot_admin else "member"
            return self._add_chat(chat)

    def send_text(
        self, chat: Chat | User | int, user: User, text: str, *, reply_to: Message | None = None
    ) -> Message:
        """`user` sends `text` in `chat`; commands, mentions, hashtags and URLs get Telegram's entities."""
        with self._cond:
            target = self._chat(chat)
            message = self._new_message(
                target, user, text=text, entities=_user_entities(text), reply_to=reply_to
            )
            self._push("message", message.to_api(self.bot))
            return message

    def reply_to(self, message: Message, user: User, text: str) -> Message:
        """`user` replies to `message` with `text`."""
        return self.send_text(message.chat, user, text, reply_to=message)

    def send_sticker(self, chat: Chat | User | int, user: User, emoji: str = "👍") -> Message:
        with self._cond:
            message = self._new_message(self._chat(chat), user, kind="sticker", extra={"emoji": emoji})
            self._push("message", message.to_api(self.bot))
            return message

    def send_photo(self, chat: Chat | User | int, user: User, caption: str | None = None) -> Message:
        with self._cond:
            entities = _user_entities(caption) if caption else []
            message = self._new_message(
                self._chat(chat), user, kind="photo", caption=caption, entities=entities
            )
            self._push("message", message.to_api(self.bot))
            return message

    def edit_text(self, message: Message, new_text: str) -> Message:
        """The sender edits their message: the bot gets an edited_message update."""
        with self._cond:
            assert message.sender is not None, "users can only edit their own messages"
            message.history.append(message.text or "")
            message.text, message.entities = new_text, _user_entities(new_text)
            message.edit_date = int(time.time())
            self._push("edited_message", message.to_api(self.bot))
            return message

    def press(
        self, message: Message, button: str | int = 0, *, user: User | None = None, forged: bool = False
    ) -> str:
        """Press an inline button of a bot message (by index, label or callback data); returns the
        callback query id. `forged=True` sends `button` as callback data even if no button carries it."""
        with self._cond:
            data = button if forged else message.button(button).get("callback_data")
            if data is None:
                raise LookupError(f"button {button!r} has no callback_data")
            presser = user or message.chat.user or next(iter(self.users.values()))
            query_id = str(next(self._query_ids) * 7919 + 4_000_000_000)
            payload: dict[str, Any] = {
                "id": query_id,
                "from": presser.to_api(),
                "chat_instance": str(abs(message.chat.id) * 31 + 17),
                "data": data,
            }
            if message.inline_message_id:
                payload["inline_message_id"] = message.inline_message_id
            else:
                payload["message"] = message.to_api(self.bot)
            self._callbacks[query_id] = _Query(presser, time.monotonic(), message=message, data=str(data))
            self._push("callback_query", payload)
            return query_id

    def inline_query(self, user: User, query: str, *, offset: str = "", chat_type: str = "sender") -> str:
        """`user` types ``@bot query``; returns the inline query id."""
        with self._cond:
            query_id = str(next(self._query_ids) * 104_729 + 9_000_000_000)
            self._inline[query_id] = _Query(user, time.monotonic())
            self._push(
                "inline_query",
                {
                    "id": query_id,
                    "from": user.to_api(),
                    "query": query,
                    "offset": offset,
                    "chat_type": chat_type,
                },
            )
            return query_id

    def choose_inline_result(self, query_id: str, result_id: str, chat: Chat | None = None) -> Message:
        """The user picks an inline result: it is posted (via the bot) in `chat` — by default a chat the bot
        is not in, so the bot gets no update, just as when inline mode is used in someone else's chat."""
        with self._cond:
            query = self._inline[query_id]
            assert query.answer is not None, "the inline query has not been answered"
            result = next(r for r in query.answer["results"] if str(r["id"]) == result_id)
            content = result.get("input_message_content") or {}
            parsed = formatted_text({**content, "text": content.get("message_text", "")})
            target = chat or self._add_chat(
                Chat(-4_000_000_000 - next(self._group_ids), "group", "elsewhere", bot_status="left")
            )
            message = self._new_message(
                target, query.user, text=parsed.text, entities=parsed.entities, via_bot=True,
                reply_markup=result.get("reply_markup"),
            )  # fmt: skip
            message.html = content.get("message_text")
            if message.reply_markup:
                message.inline_message_id = f"inl{query_id}-{result_id}"
                self._inline_messages[message.inline_message_id] = message
            if target.bot_status in ("member", "administrator"):
                self._push("message", message.to_api(self.bot))
            return message

    def push_update(self, kind: str, payload: dict) -> int:
        """Queue a raw update (for anything the helpers do not cover); returns its update_id."""
        with self._cond:
            return self._push(kind, payload)

    # ------------------------------------------------------------------ internals (call under the lock)

    def _chat_id(self, chat: Chat | User | int) -> int:
        return chat if isinstance(chat, int) else chat.id

    def _chat(self, chat: Chat | User | int) -> Chat:
        return self.chats[self._chat_id(chat)]

    def _private(self, user: User) -> Chat:
        return self.chats[user.id]

    def _add_chat(self, chat: Chat) -> Chat:
        self.chats[chat.id] = chat
        return chat

    def _new_message(self, chat: Chat, sender: User | None, **fields: Any) -> Message:
        chat.last_message_id += 1
        message = Message(chat, chat.last_message_id, int(time.time()), sender, **fields)
        self._messages[(chat.id, message.message_id)] = message
        if sender is not None and chat.type == "private":
            sender.started = True
        elif sender is not None and sender.id not in chat.members:
            chat.members[sender.id] = "member"
        return message

    def _push(self, kind: str, payload: dict) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        if kind in self._allowed:
            self._updates.append({"update_id": update_id, kind: payload})
        self._cond.notify_all()
        return update_id

    def _member_update(self, chat: Chat, by: User, old: str, new: str, *, my: bool) -> None:
        member = self.bot if my else by
        payload = {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": int(time.time()),
            "old_chat_member": _member(member, old),
            "new_chat_member": _member(member, new),
        }
        self._push("my_chat_member" if my else "chat_member", payload)

    def _target_chat(self, params: dict, *, sending: bool = True) -> Chat:
        """The chat a call addresses, with Telegram's errors for unknown, migrated and unreachable chats."""
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat", "state", migrate_to_chat_id=chat.migrated_to
            )
        if not sending:
            return chat
        if chat.type == "private" and chat.user is not None:
            if chat.user.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated", kind="state")
            if chat.user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user", kind="state")
            if not chat.user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user", kind="state")
        elif chat.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat.type} chat", kind="state")
        elif chat.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat", kind="state")
        return chat

    def _count_message(self, chat: Chat) -> None:
        if self._limiter is not None:
            self._limiter.acquire(chat.id, chat.type != "private", time.monotonic())
        self.messages_per_chat[chat.id] += 1

    def _reply_target(self, chat: Chat, params: dict) -> Message | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        message_id = message_id or params.get("reply_to_message_id")
        if not message_id:
            return None
        target = self._messages.get((chat.id, int(message_id)))
        if target is None or target.deleted:
            if reply.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return target

    def _edit_target(self, params: dict, what: str = "edit") -> Message:
        inline_id = params.get("inline_message_id")
        if inline_id:
            message = self._inline_messages.get(str(inline_id))
            if message is None:
                raise bad_request("MESSAGE_ID_INVALID")
            return message
        chat = self._target_chat(params, sending=False)
        message = self._messages.get((chat.id, params.get("message_id") or 0))
        if message is None or message.deleted:
            raise bad_request(f"message to {what} not found")
        if not message.from_bot and what == "edit":
            raise bad_request("message can't be edited")
        return message

    def _edited(self, message: Message) -> Any:
        message.edit_date = int(time.time())
        return True if message.inline_message_id else message.to_api(self.bot)

    def _query(self, table: dict[str, _Query], query_id: object) -> _Query:
        query = table.get(str(query_id))
        if (
            query is None
            or query.answer is not None
            or time.monotonic() - query.created > self.callback_timeout
        ):
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        return query

    def _get_updates(self, params: dict) -> list[dict]:
        with self._cond:
            if self.webhook_url:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                    kind="conflict",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()
            offset = int(params.get("offset") or 0)
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed = set(allowed) & ALL_UPDATES if allowed else set(DEFAULT_UPDATES)
            limit = min(max(int(params.get("limit") or 100), 1), 100)
            deadline = time.monotonic() + max(0, int(params.get("timeout") or 0))
            while True:
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                        kind="conflict",
                    )
                updates = [
                    u for u in self._updates if next(k for k in u if k != "update_id") in self._allowed
                ]
                remaining = deadline - time.monotonic()
                if updates or remaining <= 0 or self._stopping:
                    return updates[:limit]
                self._cond.wait(remaining)

    # ------------------------------------------------------------------ Bot API methods (under the lock)

    def _m_getMe(self, params: dict) -> dict:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_getUpdates(self, params: dict) -> list[dict]:  # dispatched to _get_updates outside the lock
        return self._get_updates(params)

    def _m_setWebhook(self, params: dict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        return True

    def _m_deleteWebhook(self, params: dict) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict) -> dict:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _m_close(self, params: dict) -> bool:
        return True

    def _m_logOut(self, params: dict) -> bool:
        return True

    def _commands_key(self, params: dict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), check_language_code(params.get("language_code"))

    def _m_setMyCommands(self, params: dict) -> bool:
        self.commands[self._commands_key(params)] = check_commands(params.get("commands"))
        return True

    def _m_getMyCommands(self, params: dict) -> list[dict]:
        return self.commands.get(self._commands_key(params), [])

    def _m_deleteMyCommands(self, params: dict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _m_setChatMenuButton(self, params: dict) -> bool:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            self._target_chat(params, sending=False)
        self.menu_buttons[chat_id] = params.get("menu_button") or {"type": "default"}
        return True

    def _m_getChatMenuButton(self, params: dict) -> dict:
        return self.menu_buttons.get(params.get("chat_id"), {"type": "commands"})

    def _m_sendMessage(self, params: dict) -> dict:
        chat = self._target_chat(params)
        parsed = formatted_text(params)
        markup = check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        self._count_message(chat)
        self.warnings.extend(parsed.warnings)
        message = self._new_message(
            chat, None, text=parsed.text, entities=parsed.entities, html=params.get("text"),
            reply_markup=markup, reply_to=reply_to,
        )  # fmt: skip
        return message.to_api(self.bot)

    def _m_editMessageText(self, params: dict) -> Any:
        message = self._edit_target(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        if not str(params.get("text") or "").strip():
            raise bad_request("text must be non-empty")
        parsed = formatted_text(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if (parsed.text, parsed.entities, markup) == (message.text, message.entities, message.reply_markup):
            raise _not_modified()
        self.warnings.extend(parsed.warnings)
        message.history.append(message.text)
        message.text, message.entities, message.html = parsed.text, parsed.entities, params.get("text")
        message.reply_markup = markup  # no reply_markup removes the keyboard, as on Telegram
        return self._edited(message)

    def _m_editMessageReplyMarkup(self, params: dict) -> Any:
        message = self._edit_target(params)
        markup = check_reply_markup(params.get("reply_markup"))
        if markup == message.reply_markup or (not markup and not message.reply_markup):
            raise _not_modified()
        message.reply_markup = markup
        return self._edited(message)

    def _m_deleteMessage(self, params: dict) -> bool:
        message = self._edit_target(params, "delete")
        if (
            not message.from_bot
            and message.chat.type != "private"
            and message.chat.bot_status != "administrator"
        ):
            raise bad_request("message can't be deleted")
        message.deleted = True
        return True

    def _m_answerCallbackQuery(self, params: dict) -> bool:
        query = self._query(self._callbacks, params.get("callback_query_id"))
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = dict(params)
        return True

    def _m_answerInlineQuery(self, params: dict) -> bool:
        query = self._query(self._inline, params.get("inline_query_id"))
        results = check_inline_results(params.get("results"))
        if len(str(params.get("next_offset") or "").encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        query.answer = {**params, "results": results}
        return True

    def _m_sendChatAction(self, params: dict) -> bool:
        self._target_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _m_getChat(self, params: dict) -> dict:
        chat = self._target_chat(params, sending=False)
        return {
            **chat.to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _m_getChatMember(self, params: dict) -> dict:
        chat = self._target_chat(params, sending=False)
        user_id = params.get("user_id")
        if user_id == self.bot.id:
            return _member(self.bot, chat.bot_status)
        user = self.users.get(user_id)  # type: ignore[arg-type]
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            return _member(user, "member" if user.id == chat.id else "left")
        return _member(user, chat.members.get(user.id, "left"))

    def _m_getChatAdministrators(self, params: dict) -> list[dict]:
        chat = self._target_chat(params, sending=False)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = [
            _member(self.users[uid], s)
            for uid, s in chat.members.items()
            if s in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(_member(self.bot, "administrator"))
        return admins

    def _source_message(self, params: dict, what: str) -> Message:
        source_chat = self._target_chat({"chat_id": params.get("from_chat_id")}, sending=False)
        source = self._messages.get((source_chat.id, params.get("message_id") or 0))
        if source is None or source.deleted:
            raise bad_request(f"message to {what} not found")
        return source

    def _m_copyMessage(self, params: dict) -> dict:
        chat = self._target_chat(params)
        source = self._source_message(params, "copy")
        markup = check_reply_markup(params.get("reply_markup"))
        self._count_message(chat)
        copy = self._new_message(
            chat, None, text=source.text, entities=list(source.entities), kind=source.kind,
            caption=source.caption, reply_markup=markup, extra=dict(source.extra),
        )  # fmt: skip
        return {"message_id": copy.message_id}

    def _m_forwardMessage(self, params: dict) -> dict:
        chat = self._target_chat(params)
        source = self._source_message(params, "forward")
        self._count_message(chat)
        origin = {"type": "user", "date": source.date, "sender_user": (source.sender or self.bot).to_api()}
        copy = self._new_message(
            chat, None, text=source.text, entities=list(source.entities), kind=source.kind,
            caption=source.caption, extra={**source.extra, "forward_origin": origin},
        )  # fmt: skip
        return copy.to_api(self.bot)


@asynccontextmanager
async def polling(app: Any, *, timeout: int = 10) -> AsyncIterator[Any]:
    """Run a PTB Application by long polling (e.g. against a FakeBotAPI) for the ``async with`` body:
    initialize, start, poll (``timeout`` = the long-poll seconds), then stop and shut down cleanly."""
    await app.initialize()
    try:
        await app.start()
        try:
            await app.updater.start_polling(
                poll_interval=0, timeout=timeout, allowed_updates=sorted(ALL_UPDATES)
            )
            try:
                yield app
            finally:
                await app.updater.stop()
        finally:
            await app.stop()
    finally:
        await app.shutdown()


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly the same "
        "as a current content and reply markup of the message"
    )


def _member(user: User, status: str) -> dict:
    """A ChatMember object as getChatMember returns it."""
    data: dict[str, Any] = {"status": status, "user": user.to_api()}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        rights = (
            "can_manage_chat can_delete_messages can_manage_video_chats can_restrict_members "
            "can_promote_members can_change_info can_invite_users can_post_stories can_edit_stories "
            "can_delete_stories"
        )
        data.update({right: True for right in rights.split()}, can_be_edited=False, is_anonymous=False)
    elif status == "kicked":
        data["until_date"] = 0
    return data


def _user_entities(text: str) -> list[dict]:
    """The entities Telegram's clients attach to what a user types (commands, mentions, hashtags, URLs)."""
    entities = []
    for match in _USER_ENTITIES.finditer(text):
        kind = match.lastgroup
        start = utf16_len(text[: match.start()])
        entities.append({"type": kind, "offset": start, "length": utf16_len(match.group(0))})
    return entities


def decode_params(content_type: str, body: bytes, query: str = "") -> dict:
    """Bot API parameters from a query string, a JSON body, a urlencoded form or multipart form data."""
    params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json" and body:
        params.update(json.loads(body))
        return params
    if kind == "application/x-www-form-urlencoded":
        params.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()})
    elif kind == "multipart/form-data":
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name and part.get_filename() is None:
                params[name] = (
                    part.get_content() if part.get_content_maintype() == "text" else part.get_payload()
                )
    return {name: _coerce(name, value) for name, value in params.items()}


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value.lower() == "true"
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], handler: type, fake: FakeBotAPI):
        self.fake = fake
        self._connections: set[socket.socket] = set()
        self._handlers: set[threading.Thread] = set()
        self._track = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address) -> None:  # type: ignore[override]
        with self._track:
            self._connections.add(request)
        thread = threading.Thread(target=self._serve, args=(request, client_address), daemon=True)
        with self._track:
            self._handlers.add(thread)
        thread.start()

    def _serve(self, request, client_address) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._track:
                self._connections.discard(request)
                self._handlers.discard(threading.current_thread())

    def close_connections(self) -> None:
        with self._track:
            connections = list(self._connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def join_handlers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._track:
            threads = list(self._handlers)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # no access log: URLs carry the token
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", parts.path)
        try:
            if parts.path.startswith("/_control/"):
                from bot.fakeapi_control import control

                status, payload = control(
                    fake, self.command, parts.path[len("/_control/") :], parts.query, body
                )
            elif match is None:
                status, payload = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            else:
                params = decode_params(self.headers.get("Content-Type", ""), body, parts.query)
                status, payload = fake.call(match.group(1), match.group(2), params)
        except (ValueError, KeyError, LookupError) as exc:
            status, payload = 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.fakeapi``: serve until interrupted; prints the root URL on the first line."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(
        prog="python -m bot.fakeapi", description="Strict local fake Telegram Bot API"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port (default)")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--username", default="newsbot_test_bot")
    parser.add_argument("--limits", action="store_true", help="enforce Telegram-like flood limits (429)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply the limits' rates")
    args = parser.parse_args(argv)
    limits = Limits(time_scale=args.time_scale) if args.limits else None
    fake = FakeBotAPI(args.token, username=args.username, limits=limits, host=args.host, port=args.port)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    with fake:
        print(fake.url, flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
