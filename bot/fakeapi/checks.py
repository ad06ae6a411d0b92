"""Telegram's rules for what a bot sends, as the fake Bot API checks them: texts, keyboards, commands,
inline results.

Every check raises `ApiError` with the status code and description Telegram answers with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.fakeapi.html import EntityParseError, Parsed, parse_html, utf16_len

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_ROW = 8
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID = 64
MAX_CALLBACK_ANSWER = 200
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "copy_text",
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_SCOPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_URL = re.compile(r"(https?|tg)://[^\s]+", re.IGNORECASE)


@dataclass
class ApiError(Exception):
    """A Bot API error response. `kind` says why, for the fake's bookkeeping:
    "invalid" (the bot sent something Telegram rejects), "state" (blocked user, kicked, migrated chat...),
    "limit" (429 flood control), "fault" (injected by a test), "conflict" (409)."""

    code: int
    description: str
    parameters: dict = field(default_factory=dict)
    kind: str = "invalid"

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


def bad_request(reason: str, kind: str = "invalid", **parameters) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}", parameters, kind)


def formatted_text(params: dict, key: str = "text") -> Parsed:
    """Parse the text (key "text") or caption (key "caption") of a call per its parse_mode and entities,
    enforcing Telegram's emptiness and length rules."""
    raw = params.get(key)
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    mode = str(params.get("parse_mode") or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(raw)
        except EntityParseError as exc:
            raise bad_request(str(exc).removeprefix("Bad Request: ")) from None
    elif mode:
        raise bad_request(
            f"unsupported parse_mode {params['parse_mode']!r} (the fake Bot API checks HTML only)"
        )
    else:
        stripped = raw.strip()
        entities = params.get("entities" if key == "text" else "caption_entities") or []
        parsed = Parsed(stripped, list(entities) if isinstance(entities, list) else [])
    if key == "caption":
        if utf16_len(parsed.text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return parsed
    if not parsed.text:
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > MAX_TEXT:
        raise bad_request("message is too long")
    return parsed


def check_reply_markup(markup: object) -> dict | None:
    """Validate a reply_markup; inline keyboards get Telegram's full rules. Returns it (or None)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
            raise bad_request("can't parse reply keyboard markup JSON object")
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS or any(len(row) > MAX_ROW for row in rows):
        raise bad_request("BUTTONS_TOO_MUCH")
    for row in rows:
        for button in row:
            check_button(button)
    return markup


def check_button(button: object) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not button["text"].strip():
        raise bad_request("can't parse inline keyboard button: Text must be non-empty")
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(actions) > 1:
        raise bad_request(
            f"can't parse inline keyboard button: exactly one action expected, got {', '.join(actions)}"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not _URL.fullmatch(str(button["url"])):
        raise bad_request(f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL")


def check_commands(commands: object) -> list[dict]:
    """setMyCommands: ≤ 100 commands, names 1–32 of [a-z0-9_], descriptions 1–256 characters."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return commands


def check_scope(scope: object) -> dict:
    """A BotCommandScope object (default scope when missing)."""
    scope = scope or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
        raise bad_request("can't parse BotCommandScope")
    if any(key not in scope for key in _SCOPES[scope["type"]]):
        raise bad_request(f"can't parse BotCommandScope: {_SCOPES[scope['type']]} required")
    return scope


def check_language_code(code: object) -> str:
    code = "" if code is None else str(code)
    if code and not re.fullmatch(r"[a-z]{2}", code):
        raise bad_request("invalid language code specified")
    return code


def check_inline_button(button: object) -> None:
    """answerInlineQuery's button: a text and a start_parameter (1–64 of A-Z a-z 0-9 _ -) or a web_app."""
    if button is None:
        return
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise bad_request("can't parse InlineQueryResultsButton")
    if "web_app" not in button and not _START_PARAMETER.fullmatch(str(button.get("start_parameter", ""))):
        raise bad_request("START_PARAM_INVALID")


def check_inline_results(results: object) -> list[dict]:
    """answerInlineQuery results: ≤ 50, unique ids of 1–64 bytes, valid content, keyboards and texts."""
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    for result in results:
        if not isinstance(result, dict):
            raise bad_request("can't parse inline query result")
        result_id = str(result.get("id", ""))
        if not 1 <= len(result_id.encode("utf-8")) <= MAX_RESULT_ID:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        if result.get("type") == "article" and not str(result.get("title", "")).strip():
            raise bad_request("RESULT_TITLE_EMPTY")
        check_reply_markup(result.get("reply_markup"))
        content = result.get("input_message_content")
        if result.get("type") == "article" and not isinstance(content, dict):
            raise bad_request("can't parse inline query result: input_message_content is required")
        if isinstance(content, dict) and "message_text" in content:
            try:
                formatted_text({**content, "text": content["message_text"]})
            except ApiError as exc:
                description = exc.description.removeprefix("Bad Request: ")
                raise bad_request(f"MESSAGE_TEXT_INVALID in result {result_id!r}: {description}") from None
    return results
