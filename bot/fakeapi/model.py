"""The fake Bot API's world: users, chats, messages and the record of calls, as Telegram objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.fakeapi.html import utf16_len

_USER_ENTITIES = re.compile(
    r"(?P<bot_command>(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)"
    r"|(?P<url>https?://[^\s<>\"]+)"
    r"|(?P<mention>(?<!\w)@[A-Za-z0-9_]{5,32})"
    r"|(?P<hashtag>(?<![\w#])#\w*[^\W\d]\w*)"
)


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
    """A chat: "private" (id = the user's id), "group", "supergroup" or "channel". `members`: user id ->
    status. A channel may have a public `username` (addressed as "@username"); the bot posts there only as
    an administrator with `bot_can_post`."""

    id: int
    type: str
    title: str | None = None
    user: User | None = None
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    username: str | None = None
    bot_can_post: bool = True
    migrated_to: int | None = None
    username: str | None = None  # channels: "@name" without the @
    last_message_id: int = 0
    messages: dict[int, Message] = field(default_factory=dict, repr=False)  # by message_id, oldest first

    def to_api(self) -> dict:
        if self.type == "private" and self.user is not None:
            data = {"id": self.id, "type": "private", "first_name": self.user.first_name}
            if self.user.username:
                data["username"] = self.user.username
            return data
        data = {"id": self.id, "type": self.type, "title": self.title or ""}
        if self.username:
            data["username"] = self.username
        return data


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
    file_id: str | None = None  # media: the file it shows (copies share it)
    media_group_id: str | None = None  # an album's messages share one

    @property
    def is_service(self) -> bool:
        """A service message (members joining, migrations...): Telegram copies none of these."""
        return self.kind == "text" and self.text is None

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
        if self.chat.type == "channel":  # a channel post is signed by the channel, not a user
            data["sender_chat"] = self.chat.to_api()
        else:
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
        if self.kind in MEDIA_KINDS:
            data[self.kind] = media_object(self.kind, self.file_id or f"{self.kind}{self.message_id}")
            if self.caption:
                data["caption"] = self.caption
                if self.entities:
                    data["caption_entities"] = self.entities
        if self.media_group_id:
            data["media_group_id"] = self.media_group_id
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


# what each kind of media message carries (sizes are plausible stand-ins, files are never stored)
MEDIA_KINDS = ("photo", "video", "document", "audio", "voice", "animation")
ALBUM_KINDS = ("photo", "video", "document", "audio")  # what sendMediaGroup takes


def media_object(kind: str, file_id: str) -> Any:
    """The Bot API object of one media kind (a photo is a list of sizes)."""
    ids = {"file_id": file_id, "file_unique_id": f"u{abs(hash(file_id)) % 10**10}"}
    if kind == "photo":
        return [{**ids, "width": 800, "height": 600}]
    if kind in ("video", "animation"):
        return {**ids, "width": 640, "height": 360, "duration": 12}
    if kind in ("audio", "voice"):
        return {**ids, "duration": 30}
    return {**ids, "file_name": f"{file_id}.pdf"}


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
class Query:
    """A callback or inline query waiting for its answer."""

    user: User
    created: float
    answer: dict | None = None
    message: Message | None = None
    data: str | None = None


def member(user: User, status: str, *, channel: bool = False, can_post: bool = True) -> dict:
    """A ChatMember object as getChatMember returns it (an administrator of a `channel` also says whether
    it `can_post` messages there, and may edit them)."""
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
        if channel:
            data.update(can_post_messages=can_post, can_edit_messages=can_post)
    elif status == "kicked":
        data["until_date"] = 0
    return data


def user_entities(text: str) -> list[dict]:
    """The entities Telegram's clients attach to what a user types (commands, mentions, hashtags, URLs)."""
    entities = []
    for match in _USER_ENTITIES.finditer(text):
        kind = match.lastgroup
        start = utf16_len(text[: match.start()])
        entities.append({"type": kind, "offset": start, "length": utf16_len(match.group(0))})
    return entities
