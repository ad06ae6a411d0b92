"""`FakeBotAPI`: the fake's state (users, chats, messages, calls), its lifecycle and dispatch, the user side
that creates updates, and the observers tests wait with. Bot API methods live in `methods`, the
``/_control`` actions in `control`, HTTP in `transport`."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from bot.fakeapi.checks import ApiError, formatted_text
from bot.fakeapi.control import ControlActions
from bot.fakeapi.html import parse_html
from bot.fakeapi.limits import Fault, Limits, RateLimiter
from bot.fakeapi.media import MediaMethods, new_media_group_id
from bot.fakeapi.methods import DEFAULT_KINDS, BotApiMethods
from bot.fakeapi.model import MEDIA_KINDS, Call, Chat, Message, Query, User, member, user_entities
from bot.fakeapi.transport import Handler, Server

# Shaped like a real token (the redaction of tokens in logs is tested with it), but not one.
DEFAULT_TOKEN = "123456789:AAFakeTokenForLocalTestsNotReal01"


class FakeBotAPI(BotApiMethods, MediaMethods, ControlActions):
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
        self.file_ids: set[str] = set()  # every file the fake has seen (users' media, uploads)
        self.chats: dict[int, Chat] = {}
        self._inline_messages: dict[str, Message] = {}
        self._updates: list[dict] = []
        self._next_update_id = 1
        self._allowed = set(DEFAULT_KINDS)
        self._poll_generation = 0
        self._callbacks: dict[str, Query] = {}
        self._inline: dict[str, Query] = {}
        self._faults: list[Fault] = []
        self._delays: list[list] = []  # [method, seconds, times]
        self._garbles: list[Fault] = []  # calls carried out, answered with a body that is not JSON
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.menu_buttons: dict[int | None, dict] = {}
        self.profile: dict[tuple[str, str], str] = {}  # (field, language) -> text
        self.webhook_url = ""
        self.calls: list[Call] = []
        self.warnings: list[str] = []  # accepted but lossy: unknown &entities; shown literally, invalid hrefs
        self.messages_per_chat: Counter[int] = Counter()
        self.too_many_requests = 0
        # messages the bot sent successfully (sendMessage, copyMessage, forwardMessage)
        self.messages_sent = 0
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._methods: dict[str, Callable[[dict], Any]] = {
            name[3:].lower(): getattr(self, name) for name in dir(self) if name.startswith("_m_")
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeBotAPI:
        self._server = Server(self._address, Handler, self)
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

    def call(self, token: str, method: str, params: dict) -> tuple[int, dict | bytes]:
        """Handle one Bot API call; returns (HTTP status, JSON body, or raw bytes for a garbled answer).
        Used by the HTTP handler."""
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
        except Exception as exc:  # a bug in the fake itself: answer 500 and count it as a rejection, loudly
            description = f"Internal Server Error: fake Bot API failed on {method}: {exc!r}"
            call = Call(method, params, False, None, 500, description, "invalid")
            status, body = 500, {"ok": False, "error_code": 500, "description": description}
        if delay:
            time.sleep(delay)
        with self._lock:
            garble = next((g for g in self._garbles if call.ok and g.matches(name, params)), None)
            if garble is not None:
                garble.times -= 1
        call.time, call.duration = started, time.monotonic() - started
        with self._cond:
            if call.error_code == 429:
                self.too_many_requests += 1
            self.calls.append(call)
            self._cond.notify_all()
        if garble is not None:
            return status, b"<html><body>502 Bad Gateway</body></html>"
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
            return [m for m in self._chat_messages(chat_id) if m.from_bot and not m.deleted]

    def messages(self, chat: Chat | User | int) -> list[Message]:
        """Every message in a chat (user's and bot's, not deleted), oldest first."""
        chat_id = self._chat_id(chat)
        with self._lock:
            return [m for m in self._chat_messages(chat_id) if not m.deleted]

    def _chat_messages(self, chat_id: int) -> list[Message]:
        chat = self.chats.get(chat_id)
        return list(chat.messages.values()) if chat else []

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

    def garble_next(self, method: str, *, times: int = 1, chat_id: int | None = None) -> None:
        """Carry out the next `times` successful calls of `method` (to `chat_id` only, if given) but answer
        them with a body that is not JSON, like a broken proxy: the message was sent, the client cannot
        tell."""
        with self._lock:
            self._garbles.append(Fault(method, 200, "garbled", {}, times, chat_id))

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

    def join(self, chat: Chat, user: User) -> Message:
        """`user` joins the group: a new_chat_members message (and a chat_member update, if allowed)."""
        with self._cond:
            old, chat.members[user.id] = chat.members.get(user.id, "left"), "member"
            self._member_update(chat, user, old, "member", my=False)
            message = self._new_message(chat, user, extra={"new_chat_members": [user.to_api()]})
            self._push("message", message.to_api(self.bot))
            return message

    def leave(self, chat: Chat, user: User) -> Message:
        """`user` leaves the group: a left_chat_member message (and a chat_member update, if allowed)."""
        with self._cond:
            old, chat.members[user.id] = chat.members.get(user.id, "member"), "left"
            self._member_update(chat, user, old, "left", my=False)
            message = self._new_message(chat, user, extra={"left_chat_member": user.to_api()})
            self._push("message", message.to_api(self.bot))
            return message

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

    def channel(
        self,
        title: str = "News",
        *,
        username: str | None = None,
        bot_status: str = "administrator",
        can_post: bool = True,
    ) -> Chat:
        """A channel (public when it has a `username`), with the bot as `bot_status` ("administrator",
        "member" or "left") and, as an administrator, allowed to post or not."""
        with self._lock:
            chat_id = -1_000_000_000_000 - next(self._group_ids)
            chat = Chat(chat_id, "channel", title, username=username, bot_status=bot_status)
            chat.bot_can_post = can_post
            return self._add_chat(chat)

    def set_bot_in_channel(self, chat: Chat, bot_status: str, can_post: bool = True) -> None:
        """The channel's owner promotes, restricts or removes the bot."""
        with self._lock:
            chat.bot_status, chat.bot_can_post = bot_status, can_post

    def send_text(
        self, chat: Chat | User | int, user: User, text: str, *, reply_to: Message | None = None
    ) -> Message:
        """`user` sends `text` in `chat`; commands, mentions, hashtags and URLs get Telegram's entities."""
        with self._cond:
            target = self._chat(chat)
            message = self._new_message(
                target, user, text=text, entities=user_entities(text), reply_to=reply_to
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
        return self.send_media(chat, user, "photo", caption)

    def send_media(
        self,
        chat: Chat | User | int,
        user: User,
        kind: str = "photo",
        caption: str | None = None,
        *,
        html: bool = False,
        media_group_id: str | None = None,
        forward_from: Chat | None = None,
    ) -> Message:
        """`user` sends a photo, video, document, audio, voice note or animation with an optional caption
        (`html=True`: the caption is Telegram HTML, its formatting kept as entities), as part of an album
        (`media_group_id`) or forwarded from a channel post of `forward_from`."""
        assert kind in MEDIA_KINDS, kind
        with self._cond:
            if caption and html:
                parsed = parse_html(caption)
                caption, entities = parsed.text, parsed.entities
            else:
                entities = user_entities(caption) if caption else []
            file_id = f"{kind}-{len(self.file_ids) + 1}"
            self.file_ids.add(file_id)
            message = self._new_message(
                self._chat(chat), user, kind=kind, caption=caption, entities=entities, file_id=file_id,
                media_group_id=media_group_id, extra=self._forward_origin(forward_from),
            )  # fmt: skip
            self._push("message", message.to_api(self.bot))
            return message

    def send_album(
        self, chat: Chat | User | int, user: User, kinds: Iterable[str], caption: str | None = None
    ) -> list[Message]:
        """`user` sends an album: one message per item sharing a media_group_id, the caption on the first
        (as Telegram's apps do)."""
        group_id = new_media_group_id()
        return [
            self.send_media(chat, user, kind, caption if i == 0 else None, media_group_id=group_id)
            for i, kind in enumerate(kinds)
        ]

    def source_channel(self, title: str = "DPNSEE news", username: str | None = None) -> Chat:
        """A channel the bot is not in (a source of forwarded posts)."""
        with self._lock:
            chat = Chat(-1_002_000_000_000 - next(self._group_ids), "channel", title, bot_status="left")
            chat.username = username
            return self._add_chat(chat)

    def forward_text(self, chat: Chat | User | int, user: User, html: str, channel: Chat) -> Message:
        """`user` forwards a channel's text post (Telegram HTML, its formatting kept as entities)."""
        with self._cond:
            parsed = parse_html(html)
            message = self._new_message(
                self._chat(chat), user, text=parsed.text, entities=parsed.entities,
                extra=self._forward_origin(channel),
            )  # fmt: skip
            self._push("message", message.to_api(self.bot))
            return message

    def _forward_origin(self, channel: Chat | None) -> dict:
        if channel is None:
            return {}
        channel.last_message_id += 1
        origin = {"type": "channel", "chat": channel.to_api(), "message_id": channel.last_message_id}
        return {"forward_origin": {**origin, "date": int(time.time())}}

    def edit_text(self, message: Message, new_text: str) -> Message:
        """The sender edits their message: the bot gets an edited_message update."""
        with self._cond:
            assert message.sender is not None, "users can only edit their own messages"
            message.history.append(message.text or "")
            message.text, message.entities = new_text, user_entities(new_text)
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
            self._callbacks[query_id] = Query(presser, time.monotonic(), message=message, data=str(data))
            self._push("callback_query", payload)
            return query_id

    def inline_query(self, user: User, query: str, *, offset: str = "", chat_type: str = "sender") -> str:
        """`user` types ``@bot query``; returns the inline query id."""
        with self._cond:
            query_id = str(next(self._query_ids) * 104_729 + 9_000_000_000)
            self._inline[query_id] = Query(user, time.monotonic())
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
        chat.messages[message.message_id] = message
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
        subject = self.bot if my else by
        payload = {
            "chat": chat.to_api(),
            "from": by.to_api(),
            "date": int(time.time()),
            "old_chat_member": member(subject, old),
            "new_chat_member": member(subject, new),
        }
        self._push("my_chat_member" if my else "chat_member", payload)
