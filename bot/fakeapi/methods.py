"""The Bot API methods of the fake, as a mixin of `FakeBotAPI`: each ``_m_<method>`` validates its
parameters as Telegram does and updates the fake's state (called with the fake's lock held)."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.fakeapi.checks import (
    MAX_CALLBACK_ANSWER,
    ApiError,
    bad_request,
    check_commands,
    check_inline_button,
    check_inline_results,
    check_language_code,
    check_reply_markup,
    check_scope,
    formatted_text,
)
from bot.fakeapi.model import Chat, Message, Query, member


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# update kinds: every one the Bot API knows, and those sent when a bot does not say which it wants
ALL_KINDS = _names(
    "message edited_message channel_post edited_channel_post business_connection business_message "
    "edited_business_message deleted_business_messages message_reaction message_reaction_count "
    "inline_query chosen_inline_result callback_query shipping_query pre_checkout_query "
    "purchased_paid_media poll poll_answer my_chat_member chat_member chat_join_request chat_boost "
    "removed_chat_boost"
)
DEFAULT_KINDS = ALL_KINDS - {"chat_member", "message_reaction", "message_reaction_count"}
CHAT_ACTIONS = _names(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note"
)


class BotApiMethods:
    """Bot API method implementations; mixed into FakeBotAPI, whose state they use."""

    def _target_chat(self, params: dict, *, sending: bool = True) -> Chat:
        """The chat a call addresses, with Telegram's errors for unknown, migrated and unreachable chats."""
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else self._by_username(chat_id)
        if chat is None or (chat.type == "channel" and not chat.username and chat.bot_status == "left"):
            raise bad_request("chat not found")  # a private channel is invisible from outside
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
        elif chat.type == "channel" and (chat.bot_status != "administrator" or not chat.bot_can_post):
            raise bad_request("need administrator rights in the channel chat", "state")
        return chat

    def _by_username(self, chat_id: object) -> Chat | None:
        """A channel addressed as "@username" (case-insensitive, as Telegram resolves it); a private one
        the bot is not in cannot be found."""
        name = str(chat_id)
        if not name.startswith("@"):
            return None
        wanted = name[1:].lower()
        return next((c for c in self.chats.values() if c.username and c.username.lower() == wanted), None)

    def _count_message(self, chat: Chat) -> None:
        if self._limiter is not None:
            self._limiter.acquire(chat.id, chat.type != "private", time.monotonic())
        self.messages_per_chat[chat.id] += 1
        self.messages_sent += 1

    def _reply_target(self, chat: Chat, params: dict) -> Message | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id") if isinstance(reply, dict) else None
        message_id = message_id or params.get("reply_to_message_id")
        if not message_id:
            return None
        target = chat.messages.get(int(message_id))
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
        message = chat.messages.get(params.get("message_id") or 0)
        if message is None or message.deleted:
            raise bad_request(f"message to {what} not found")
        if not message.from_bot and what == "edit":
            raise bad_request("message can't be edited")
        return message

    def _edited(self, message: Message) -> Any:
        message.edit_date = int(time.time())
        return True if message.inline_message_id else message.to_api(self.bot)

    def _query(self, table: dict[str, Query], query_id: object) -> Query:
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
                self._allowed = set(allowed) & ALL_KINDS if allowed else set(DEFAULT_KINDS)
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
            "can_read_all_group_messages": True,  # group chatter reaches the bot: it must ignore it itself
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
        scope = check_scope(params.get("scope"))
        return json.dumps(scope, sort_keys=True), check_language_code(params.get("language_code"))

    def _m_setMyCommands(self, params: dict) -> bool:
        self.commands[self._commands_key(params)] = check_commands(params.get("commands"))
        return True

    def _m_getMyCommands(self, params: dict) -> list[dict]:
        return self.commands.get(self._commands_key(params), [])

    def _m_deleteMyCommands(self, params: dict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _set_profile(self, params: dict, field: str, limit: int) -> bool:
        value = str(params.get(field) or "")
        if len(value) > limit:
            raise bad_request(f"{field.upper()}_INVALID")
        self.profile[(field, check_language_code(params.get("language_code")))] = value
        return True

    def _get_profile(self, params: dict, field: str) -> dict:
        return {field: self.profile.get((field, check_language_code(params.get("language_code"))), "")}

    def _m_setMyName(self, params: dict) -> bool:
        return self._set_profile(params, "name", 64)

    def _m_getMyName(self, params: dict) -> dict:
        return self._get_profile(params, "name")

    def _m_setMyDescription(self, params: dict) -> bool:
        return self._set_profile(params, "description", 512)

    def _m_getMyDescription(self, params: dict) -> dict:
        return self._get_profile(params, "description")

    def _m_setMyShortDescription(self, params: dict) -> bool:
        return self._set_profile(params, "short_description", 120)

    def _m_getMyShortDescription(self, params: dict) -> dict:
        return self._get_profile(params, "short_description")

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
        check_inline_button(params.get("button"))
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
            channel = chat.type == "channel"
            return member(self.bot, chat.bot_status, channel=channel, can_post=chat.bot_can_post)
        user = self.users.get(user_id)  # type: ignore[arg-type]
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            return member(user, "member" if user.id == chat.id else "left")
        return member(user, chat.members.get(user.id, "left"))

    def _m_getChatMemberCount(self, params: dict) -> int:
        chat = self._target_chat(params, sending=False)
        if chat.type == "private":
            return 2
        members = sum(status not in ("left", "kicked") for status in chat.members.values())
        return members + (chat.bot_status in ("member", "administrator"))

    def _m_leaveChat(self, params: dict) -> bool:
        chat = self._target_chat(params, sending=False)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        if chat.bot_status not in ("member", "administrator"):
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.type} chat", kind="state")
        chat.bot_status = "left"
        return True

    def _m_getChatAdministrators(self, params: dict) -> list[dict]:
        chat = self._target_chat(params, sending=False)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = [
            member(self.users[uid], s) for uid, s in chat.members.items() if s in ("creator", "administrator")
        ]
        if chat.bot_status == "administrator":
            admins.append(member(self.bot, "administrator"))
        return admins

    def _m_forwardMessage(self, params: dict) -> dict:
        chat = self._target_chat(params)
        source = self._source_message(params, "forward")  # see bot.fakeapi.media
        self._count_message(chat)
        origin = {"type": "user", "date": source.date, "sender_user": (source.sender or self.bot).to_api()}
        copy = self._new_message(
            chat, None, text=source.text, entities=list(source.entities), kind=source.kind,
            caption=source.caption, extra={**source.extra, "forward_origin": origin},
        )  # fmt: skip
        return copy.to_api(self.bot)


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly the same "
        "as a current content and reply markup of the message"
    )
