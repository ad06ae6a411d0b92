"""The fake's media methods, as a mixin of `FakeBotAPI`: sending photos, videos, documents, audio, voice
notes, animations and albums, and copying messages (one, or several keeping their album together).

Telegram's rules, as the Bot API documents them: a caption holds at most 1024 characters after entity
parsing; a file is a file_id the server issued, an HTTP URL or an upload; an album (sendMediaGroup) has 2–10
photos/videos, or only documents, or only audio files; copyMessages takes 1–100 message ids in strictly
increasing order, skips those it cannot find or copy (service messages) and keeps albums together; copies
carry no "forwarded from".
"""

from __future__ import annotations

import itertools
from typing import Any

from bot.fakeapi.checks import bad_request, check_reply_markup, formatted_text
from bot.fakeapi.model import ALBUM_KINDS, Chat, Message

MAX_ALBUM = 10
MAX_COPIES = 100
_group_ids = itertools.count(13_000_000_000_000_000)


def new_media_group_id() -> str:
    return str(next(_group_ids))


class MediaMethods:
    """sendPhoto … sendMediaGroup, copyMessage, copyMessages; mixed into FakeBotAPI, whose state they use."""

    chats: dict[int, Chat]
    file_ids: set[str]

    def _source_message(self, params: dict, what: str) -> Message:
        source_chat = self._target_chat({"chat_id": params.get("from_chat_id")}, sending=False)
        source = source_chat.messages.get(params.get("message_id") or 0)
        if source is None or source.deleted:
            raise bad_request(f"message to {what} not found")
        return source

    def _file(self, value: object, kind: str) -> str:
        """The file a send refers to: a known file_id, an HTTP URL or an upload (`upload:<name>`)."""
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {kind} in the request")
        if value.startswith(("http://", "https://", "upload:")):
            file_id = f"{kind}-{len(self.file_ids) + 1}"
            self.file_ids.add(file_id)
            return file_id
        if value.startswith("attach://"):
            raise bad_request(f"file {value} not found in the request")
        if value not in self.file_ids:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return value

    def _send_media(self, params: dict, kind: str) -> dict:
        chat = self._target_chat(params)
        file_id = self._file(params.get(kind), kind)
        caption = formatted_text(params, "caption") if params.get("caption") else None
        markup = check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        self._count_message(chat)
        message = self._new_message(
            chat, None, kind=kind, file_id=file_id, caption=caption.text if caption else None,
            entities=caption.entities if caption else [], reply_markup=markup, reply_to=reply_to,
        )  # fmt: skip
        return message.to_api(self.bot)

    def _m_sendPhoto(self, params: dict) -> dict:
        return self._send_media(params, "photo")

    def _m_sendVideo(self, params: dict) -> dict:
        return self._send_media(params, "video")

    def _m_sendDocument(self, params: dict) -> dict:
        return self._send_media(params, "document")

    def _m_sendAudio(self, params: dict) -> dict:
        return self._send_media(params, "audio")

    def _m_sendVoice(self, params: dict) -> dict:
        return self._send_media(params, "voice")

    def _m_sendAnimation(self, params: dict) -> dict:
        return self._send_media(params, "animation")

    def _m_sendMediaGroup(self, params: dict) -> list[dict]:
        chat = self._target_chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not all(isinstance(m, dict) for m in media):
            raise bad_request("can't parse media JSON object")
        if not 2 <= len(media) <= MAX_ALBUM:
            raise bad_request("wrong number of media specified: an album has 2-10 items")
        kinds = [m.get("type") for m in media]
        if any(kind not in ALBUM_KINDS for kind in kinds):
            raise bad_request("wrong media type in an album")
        for single in ("document", "audio"):
            if single in kinds and set(kinds) != {single}:
                raise bad_request(f"{single} can't be mixed with other media types")
        items = []
        for item in media:
            file_id = self._file(item.get("media"), item["type"])
            caption = formatted_text(item, "caption") if item.get("caption") else None
            items.append((item["type"], file_id, caption))
        reply_to = self._reply_target(chat, params)
        group_id = new_media_group_id()
        self._count_album(chat, len(items))
        sent = []
        for kind, file_id, caption in items:
            message = self._new_message(
                chat, None, kind=kind, file_id=file_id, caption=caption.text if caption else None,
                entities=caption.entities if caption else [], media_group_id=group_id, reply_to=reply_to,
            )  # fmt: skip
            sent.append(message.to_api(self.bot))
        return sent

    def _count_album(self, chat: Chat, size: int) -> None:
        """An album (or several copies) is one request: flood control counts it once, before any of it
        is sent, so that a 429 never leaves half an album behind; the counters see every message."""
        self._count_message(chat)
        self.messages_per_chat[chat.id] += size - 1
        self.messages_sent += size - 1

    def _copy(self, chat: Chat, source: Message, **changes: Any) -> Message:
        """A copy of `source` in `chat`: same content, no forward origin, no album (the caller sets one)."""
        fields: dict[str, Any] = {
            "text": source.text, "entities": list(source.entities), "kind": source.kind,
            "caption": source.caption, "file_id": source.file_id, "html": source.html,
            "extra": {k: v for k, v in source.extra.items() if k != "forward_origin"},
        }  # fmt: skip
        fields.update(changes)
        return self._new_message(chat, None, **fields)

    def _m_copyMessage(self, params: dict) -> dict:
        chat = self._target_chat(params)
        source = self._source_message(params, "copy")
        if source.is_service:
            raise bad_request("message can't be copied")
        markup = check_reply_markup(params.get("reply_markup"))
        changes: dict[str, Any] = {"reply_markup": markup}
        if "caption" in params and source.kind != "text":
            parsed = formatted_text(params, "caption")
            changes.update(caption=parsed.text or None, entities=parsed.entities)
        self._count_message(chat)
        copy = self._copy(chat, source, **changes)
        return {"message_id": copy.message_id}

    def _m_copyMessages(self, params: dict) -> list[dict]:
        chat = self._target_chat(params)
        source_chat = self._target_chat({"chat_id": params.get("from_chat_id")}, sending=False)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) for i in ids):
            raise bad_request("message_ids must be a non-empty list of message identifiers")
        if len(ids) > MAX_COPIES:
            raise bad_request("too many messages to copy")
        if any(a >= b for a, b in itertools.pairwise(ids)):
            raise bad_request("message identifiers must be in strictly increasing order")
        sources = [
            m for i in ids if (m := source_chat.messages.get(i)) and not m.deleted and not m.is_service
        ]
        if not sources:
            raise bad_request("message to copy not found")
        self._count_album(chat, len(sources))
        albums: dict[str, str] = {}
        copies = []
        for source in sources:
            changes: dict[str, Any] = {}
            if source.media_group_id:
                changes["media_group_id"] = albums.setdefault(source.media_group_id, new_media_group_id())
            if params.get("remove_caption"):
                changes.update(caption=None, entities=[] if source.kind != "text" else source.entities)
            copies.append({"message_id": self._copy(chat, source, **changes).message_id})
        return copies
