"""`newsbot chat`: talk to the real bot in the terminal, offline.

The real Application (`bot.app.build_application`) long-polls a strict local fake Bot API
(`bot.fakeapi.FakeBotAPI`) started in this process: no token, no network. Lines typed (or piped) are sent
as a user's messages; the bot's messages are printed readably with their buttons numbered, edits shown as
edits, and anything Telegram would reject printed loudly (exit status 1 if that happened).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import bot.app
from bot.context import SERVICES
from bot.fakeapi import FakeBotAPI, Message, polling
from bot.pacing import Pacer
from bot.render.html import units
from bot.services import Services
from bot.settings import Settings

BANNER = """\
newsbot chat — the real bot, offline, through a local fake Telegram (no token, no network).
Type a question or a command (/start, /help, /latest, /topics). Buttons are shown as [1] [2] …:
type a button's number (or /press 2) to press it; other numbers are sent as text. "@ words" tries
inline mode, /edit <text> edits your last message, "> text" replies to the bot's last message, /group
switches between your private chat and a group with the bot. /quit or Ctrl-D leaves.
"""
FIRST_REPLY_WAIT = 5.0  # seconds to wait for the bot to react to a line
MEANING_WAIT = 60.0  # seconds a chat waits at start for the posts to be embedded
QUIET = 0.3  # the bot is done when it has made no call for this long
_ANSI = {  # entity type -> (on, off), used when stdout is a terminal
    "bold": ("\x1b[1m", "\x1b[22m"),
    "italic": ("\x1b[3m", "\x1b[23m"),
    "underline": ("\x1b[4m", "\x1b[24m"),
    "strikethrough": ("\x1b[9m", "\x1b[29m"),
    "code": ("\x1b[36m", "\x1b[39m"),
    "pre": ("\x1b[36m", "\x1b[39m"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--language", default="en", help="your Telegram language_code (en, sr, ...)")
    parser.add_argument("--name", default="You", help="your first name in the chat")
    parser.add_argument("--admin", action="store_true", help="be one of the bot's admins (/announce, /stats)")


def main(args: argparse.Namespace) -> int:
    settings: Settings = args.settings
    try:
        with tempfile.TemporaryDirectory(prefix="newsbot-chat-") as scratch:
            if not getattr(args, "data", None):  # keep the real database free of pretend users, but
                # share the passage vectors (a cache by post content): search by meaning is ready sooner
                settings = replace(settings, data_dir=Path(scratch), vectors_file=settings.vectors_path)
            chat = TerminalChat(settings, sys.stdin, sys.stdout, language=args.language, name=args.name)
            return asyncio.run(chat.run(admin=args.admin))
    except KeyboardInterrupt:
        print()
        return 0


def render(text: str, entities: list[dict], *, color: bool) -> str:
    """Plain text + Bot API entities -> terminal text: links as ``text <url>``, ANSI styles if `color`."""
    offsets = _utf16_index(text)
    inserts: list[tuple[int, int, str]] = []  # (position, order, string): closings before openings
    for number, entity in enumerate(entities):
        start, end = offsets[entity["offset"]], offsets[entity["offset"] + entity["length"]]
        kind = entity["type"]
        if kind == "text_link" and entity.get("url") != text[start:end]:
            inserts.append((end, -number - 1, f" <{entity['url']}>"))
        elif color and kind in _ANSI:
            opening, closing = _ANSI[kind]
            inserts.append((start, number + 1, opening))
            inserts.append((end, -number - 1, closing))
        elif kind in ("blockquote", "expandable_blockquote"):
            inserts.append((start, number + 1, "│ "))
    out, last = [], 0
    for position, _order, piece in sorted(inserts):
        out.append(text[last:position])
        out.append(piece)
        last = position
    out.append(text[last:])
    return "".join(out)


def _number(text: str) -> bool:
    """Digits 0-9 only ("²" and "٣" are digits to Python, but not button numbers)."""
    return text.isascii() and text.isdigit()


def _utf16_index(text: str) -> list[int]:
    """Map each UTF-16 offset (0..len) to a Python string index."""
    index = []
    for position, char in enumerate(text):
        index.extend([position] * units(char))
    index.append(len(text))
    return index


class TerminalChat:
    """One user talking to the bot, privately or in a group, in a terminal (or any text streams)."""

    def __init__(
        self, settings: Settings, stdin: TextIO, stdout: TextIO, *, language: str = "en", name: str = "You"
    ):
        self.settings = settings
        self.stdin, self.stdout = stdin, stdout
        self.tty = stdout.isatty()
        self.echo = not stdin.isatty()
        self.fake = FakeBotAPI()
        self.user = self.fake.user(name, language_code=language)
        self.private = self.fake.chats[self.user.id]
        self.group = self.fake.group("Test group", creator=self.user)
        self.chat = self.private  # where typed lines go
        self.shown: dict[tuple[int, int], tuple] = {}  # (chat id, message id) -> state as last printed
        self.rejections_shown = 0
        # what typing a number does: ("button", (message, index, the button as shown)) or
        # ("result", (query id, result id))
        self.choices: list[tuple[str, object]] = []
        self.last_sent: Message | None = None
        self.reply_wait = FIRST_REPLY_WAIT
        self.pacer: Pacer | None = None  # the bot's pacer: messages waiting for their turn are still coming

    async def run(self, *, admin: bool = False) -> int:
        with self.fake:
            settings = replace(self.settings, token=self.fake.token, api_url=self.fake.url)
            if admin:
                settings = replace(settings, admins=settings.admins | {self.user.id})
            self.write(BANNER + f"Posts from {settings.posts_dir.resolve()}\n")
            app = bot.app.build_application(settings)
            self.pacer = getattr(app.bot.rate_limiter, "pacer", None)
            async with polling(app, timeout=5):
                if SERVICES in app.bot_data:  # a bot built without the news services has nothing to embed
                    await self._meaning_ready(app.bot_data[SERVICES])
                await self._loop()
        return 1 if self.fake.rejections else 0

    async def _meaning_ready(self, services: Services) -> None:
        """Give search by meaning a moment to embed the posts (vectors are kept: later chats start at
        once); past `MEANING_WAIT` the chat starts anyway, answering by words until embedding is done."""
        status = services.meaning()
        if status is None or status.ready:
            return
        self.write(f"(getting search by meaning ready: embedding {status.total - status.embedded} posts …)")
        deadline = asyncio.get_running_loop().time() + MEANING_WAIT
        while not (status := services.meaning()).ready and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
        if status.ready:
            self.write("(ready)\n")
        else:
            done = f"{status.embedded} of {status.total} posts"
            self.write(f"({done} so far: answers use words alone until the rest are done)\n")

    async def _loop(self) -> None:
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:  # a daemon thread: a blocking readline must not hold up the event loop or exit
            try:
                for line in self.stdin:
                    loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
                loop.call_soon_threadsafe(lines.put_nowait, None)
            except RuntimeError:  # the chat ended (/quit) while more input was coming
                return

        threading.Thread(target=read, name="newsbot-chat-stdin", daemon=True).start()
        printer = asyncio.create_task(self._print_forever())
        try:
            while (line := await lines.get()) is not None and line.strip() not in ("/quit", "/exit"):
                if self.echo and line.strip():
                    self.write(f"you › {line}")
                try:
                    acted = await self._handle(line.strip())
                except Exception as exc:  # a chat must survive any input: say what failed, go on
                    self.write(f"  !! the chat could not do that ({type(exc).__name__}: {exc})")
                    continue
                if acted:
                    await self._settle()
        finally:
            printer.cancel()
            self._show_changes()

    async def _handle(self, line: str) -> bool:
        """Act on one input line; True if the bot has been given something to react to."""
        if not line:
            return False
        if line.startswith("/press ") or (_number(line) and 1 <= int(line) <= len(self.choices)):
            return await self._choose(line.removeprefix("/press ").strip())
        if line == "@" or line.startswith("@ ") or line.startswith(f"@{self.fake.bot.username}"):
            query = line.removeprefix(f"@{self.fake.bot.username}").removeprefix("@").strip()
            await self._inline(query)
            return False
        if line == "/group":
            self.chat = self.group if self.chat is self.private else self.private
            where = (
                f"the group “{self.group.title}”; the bot sees every message here"
                if self.chat is self.group
                else "your private chat"
            )
            self.write(f"  (now in {where})")
            return False
        if line.startswith("/edit ") and self.last_sent is not None:
            self.fake.edit_text(self.last_sent, line.removeprefix("/edit ").strip())
        elif line.startswith("> "):
            replies = self.fake.replies(self.chat)
            target = replies[-1] if replies else None
            self.last_sent = self.fake.send_text(self.chat, self.user, line[2:].strip(), reply_to=target)
        else:
            self.last_sent = self.fake.send_text(self.chat, self.user, line)
        return True

    async def _choose(self, number: str) -> bool:
        """Press button / pick inline result `number`; True if the bot has something to react to."""
        if not _number(number) or not 1 <= int(number) <= len(self.choices):
            self.write(f"  (no button or result number {number})")
            return False
        kind, target = self.choices[int(number) - 1]
        if kind == "result":
            query_id, result_id = target  # type: ignore[misc]
            sent = self.fake.choose_inline_result(query_id, result_id)
            self.write("you sent (via the bot, into another chat):")
            self.write(self._format(sent))
            return False
        message, index, shown = target  # type: ignore[misc]
        buttons = [] if message.deleted else message.buttons  # the message as it is now
        if index >= len(buttons) or buttons[index] != shown:
            self.write(f"  (button {number} is gone: that message has changed; use the buttons shown now)")
            return False
        button = buttons[index]
        if "callback_data" in button:
            query_id = self.fake.press(message, index, user=self.user)
            try:
                answer = await self.fake.wait_callback_answer(query_id, self.reply_wait)
            except TimeoutError:
                self.write("  !! the bot did not answer the button press (answerCallbackQuery)")
                return False
            if answer.get("text"):
                self.write(f"  {'⚠' if answer.get('show_alert') else 'ⓘ'} {answer['text']}")
            return True
        elif "url" in button:
            deep_link = re.fullmatch(
                rf"https://t\.me/{self.fake.bot.username}\?start=([\w-]+)", button["url"]
            )
            if deep_link:  # a link into this bot: Telegram sends /start <payload>
                self.write(f"  (opens the bot: /start {deep_link.group(1)})")
                self.last_sent = self.fake.send_text(self.user, self.user, f"/start {deep_link.group(1)}")
                return True
            self.write(f"  (opens {button['url']})")
        elif "switch_inline_query_current_chat" in button:
            await self._inline(button["switch_inline_query_current_chat"])
        else:
            self.write(f"  (the chat cannot press this kind of button: {sorted(button)})")
        return False

    async def _inline(self, query: str) -> None:
        query_id = self.fake.inline_query(self.user, query)
        try:
            answer = await self.fake.wait_inline_answer(query_id, self.reply_wait)
        except TimeoutError:
            self._show_changes()
            self.write("  !! the bot did not answer the inline query")
            return
        results = answer["results"]
        self.write(f"inline results for “{query}” ({len(results)}):" if results else "inline: no results")
        if answer.get("button"):
            self.write(f"  ⓘ {answer['button']['text']}")
        self.choices = []
        for result in results:
            self.choices.append(("result", (query_id, str(result["id"]))))
            title = result.get("title") or result.get("type", "")
            line = f"  [{len(self.choices)}] {title}"
            if result.get("description"):
                line += f" — {result['description']}"
            self.write(line)

    async def _settle(self) -> None:
        """Wait until the bot has reacted to the last input and gone quiet, printing as it goes."""
        started = time.monotonic()
        while time.monotonic() - started < self.reply_wait + 60:
            await asyncio.sleep(0.02)
            self._show_changes()
            last = self.fake.last_activity()
            reacted = last >= started
            if self.pacer is not None and self.pacer.waiting:
                continue  # messages waiting for their turn are still coming
            if self.fake.pending_updates == 0 and reacted and time.monotonic() - last >= QUIET:
                return
            if not reacted and time.monotonic() - started >= self.reply_wait:
                return

    async def _print_forever(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            self._show_changes()

    def _show_changes(self) -> None:
        current = set()
        for chat, where in ((self.private, ""), (self.group, " (group)")):
            for message in self.fake.replies(chat):
                key = (chat.id, message.message_id)
                current.add(key)
                state = (message.text, repr(message.entities), repr(message.reply_markup))
                previous = self.shown.get(key)
                if previous == state:
                    continue
                self.shown[key] = state
                prefix = f"bot{where} ✎ (edited) " if previous else f"bot{where} › "
                self.write(prefix + self._format(message, indent=6))
        for key in [key for key in self.shown if key not in current]:
            del self.shown[key]
            self.write(f"bot ✗ (deleted message {key[1]})")
        rejections = self.fake.rejections
        for call in rejections[self.rejections_shown :]:
            self.write(f"!! TELEGRAM WOULD REJECT {call.method}: {call.description}")
        self.rejections_shown = len(rejections)

    def _format(self, message: Message, indent: int = 2) -> str:
        body = render(
            message.text or message.caption or f"({message.kind})", message.entities, color=self.tty
        )
        lines = body.split("\n")
        if message.keyboard:
            self.choices = []
            for row in message.keyboard:
                labels = []
                for button in row:
                    self.choices.append(("button", (message, len(self.choices), dict(button))))
                    label = f"[{len(self.choices)}] {button['text']}"
                    labels.append(label + (f" ↗ {button['url']}" if "url" in button else ""))
                lines.append("   ".join(labels))
        return ("\n" + " " * indent).join(lines).replace(" " * indent + "\n", "\n")

    def write(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()
