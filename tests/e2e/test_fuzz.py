"""Seeded fuzzing through the real Application and the strict fake Bot API: thousands of random inputs
from tens of members (every script, markup, control and zero-width characters, commands with odd
arguments, real and forged button presses, edits, inline queries, in private chats and a group). No call
the bot makes may be rejected, every button press is answered, and the bot still answers at the end.

A failure names its seed; replay it with ``NEWSBOT_FUZZ_SEED=<seed> pytest tests/e2e/test_fuzz.py``.
"""

from __future__ import annotations

import asyncio
import os
import time
from random import Random

from conftest import services_of

from bot.app import build_application
from bot.context import FLOOD
from bot.fakeapi import FakeBotAPI, Message, User, polling
from bot.flood import Flood
from bot.settings import DeliveryLimits

SEED = int(os.environ.get("NEWSBOT_FUZZ_SEED", "20261206"))
INPUTS = 2000
MEMBERS = 30

SCRIPTS = [
    "harm reduction", "Đurašević smanjenje štete", "Ђурасовић смањење штете", "Ελληνικά νέα",
    "العربية الأخبار", "עברית חדשות", "中文新闻 网络", "日本語のニュース", "한국어 뉴스", "हिन्दी समाचार",
    "ข่าวภาษาไทย", "🙂🏳️‍🌈👩🏽‍💻🇷🇸", "e\u0301\u0301\u0301", "ﷺ ﷽", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "Z̷̢͙a̴l̵g̶o̷",
]  # fmt: skip
MARKUP = [
    "<b>bold</b>", "</i>", "<a href='javascript:x'>x</a>", "&amp;", "&lt;", "&#0;", "&", "<", ">",
    "*bold*", "_it_", "`code`", "```pre```", "[link](http://x)", "<tg-spoiler>", "<br/>", "\\", '"', "'",
    "#cnd", "#", "@newsbot_test_bot", "@", "tag:cnd", "2023", "March 2023", "mart 2023", "/", "//",
]  # fmt: skip
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u2060",
    "\ufeff",
    "\u202e",
    "\u00ad",
    "\u2028",
]
CONTROL = [chr(c) for c in (*range(0, 32), 127, 0x85)]
COMMANDS = [
    "/start", "/help", "/search", "/latest", "/topics", "/language", "/subscribe", "/unsubscribe",
    "/subscriptions", "/stop", "/announce", "/stats", "/nosuchcommand", "/search@newsbot_test_bot",
    "/start subscribe", "/start subscribe_", "/start subscribe_zzzzzzzzzz",
]  # fmt: skip
ODD_NUMBERS = ["0", "-1", "11", "3", "99999999999999999999999", "1e9", "NaN", "٣", "Ⅳ", "1.5", "+2"]


def random_text(rng: Random, limit: int = 4096) -> str:
    """A random member text: words of every script, markup, invisible and control characters, numbers,
    sometimes very long."""
    pools = [SCRIPTS, MARKUP, INVISIBLE, CONTROL, ODD_NUMBERS]
    pieces = [rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 8))]
    text = rng.choice(["", " ", "  "]).join(pieces)
    if rng.random() < 0.08:
        text = (text + " ") * (limit // max(len(text) + 1, 1))
    text = text[:limit]
    return text if text.strip() else "x" + text


def random_command(rng: Random) -> str:
    command = rng.choice(COMMANDS)
    argument = rng.choice(["", rng.choice(ODD_NUMBERS), random_text(rng, 4000), "cnd", "#cnd unodc"])
    return f"{command} {argument}".strip()[:4096]


def forged_data(rng: Random) -> str:
    prefixes = ["p:", "r:", "t:", "l:", "s:+:", "s:-:", "a:s:", "a:c:", "tp:", "x", ""]
    tail = "".join(rng.choice("abcxyz0129:-_#é") for _ in range(rng.randint(0, 40)))
    return (rng.choice(prefixes) + tail).encode()[:64].decode("utf-8", "ignore") or "x"


class Fuzzer:
    """Sends the random inputs; remembers what members wrote so that they can edit it."""

    def __init__(self, fake: FakeBotAPI, rng: Random) -> None:
        self.fake, self.rng = fake, rng
        self.members = [
            fake.user(f"Member {n}", language_code=rng.choice(["en", "sr", "hr", None, "de"]), started=True)
            for n in range(MEMBERS)
        ]
        self.group = fake.group("Fuzz group", members=self.members[:10], admins=self.members[10:12])
        self.written: list[Message] = []

    def one(self) -> None:
        rng, fake = self.rng, self.fake
        member = rng.choice(self.members)
        chat = self.group if rng.random() < 0.15 else member
        kind = rng.choices(["text", "command", "press", "forged", "edit", "inline"], [30, 30, 15, 8, 8, 9])[0]
        if kind == "press" and self.press(member, chat):
            return
        if kind == "forged" and self.press(member, chat, forged=True):
            return
        if kind == "edit" and self.written:
            message = rng.choice(self.written)
            fake.edit_text(message, random_text(rng) if rng.random() < 0.5 else random_command(rng))
            return
        if kind == "inline":
            fake.inline_query(member, random_text(rng, 256), offset=rng.choice(["", "5", "x", "-1", "999"]))
            return
        text = random_command(rng) if kind == "command" else random_text(rng)
        self.written.append(fake.send_text(chat, member, text))

    def press(self, member: User, chat, *, forged: bool = False) -> bool:
        with_buttons = [m for m in self.fake.replies(chat) if any("callback_data" in b for b in m.buttons)]
        if not with_buttons:
            return False
        message = self.rng.choice(with_buttons)
        if forged:
            self.fake.press(message, forged_data(self.rng), user=member, forged=True)
            return True
        buttons = [b["callback_data"] for b in message.buttons if "callback_data" in b]
        self.fake.press(message, self.rng.choice(buttons), user=member)
        return True


def handled(app) -> bool:
    """Whether the bot has fetched and handled every update so far."""
    return app.update_queue.empty() and app.update_processor.current_concurrent_updates == 0


async def settled(fake: FakeBotAPI, quiet: float = 0.5, timeout: float = 60.0) -> None:
    """Wait until the bot has taken every update and made no call for `quiet` seconds."""
    deadline = time.monotonic() + timeout
    await fake.wait_for(lambda: fake.pending_updates == 0, timeout, "the bot to take every update")
    while time.monotonic() < deadline:
        if time.monotonic() - fake.last_activity() > quiet and not fake.unanswered_callbacks():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the bot never settled")


async def test_thousands_of_random_inputs_are_all_accepted_and_the_bot_keeps_answering(
    fake, settings_factory, caplog
):
    rng = Random(SEED)
    # answers as fast as the fake takes them: the limits are the pacer's tests' business
    fast = DeliveryLimits(global_per_second=5000, per_chat_per_second=5000, group_per_minute=300_000)
    app = build_application(settings_factory(delivery=fast, admins=frozenset()))
    app.bot_data[FLOOD] = Flood(burst=100_000)
    async with polling(app):
        fuzzer = Fuzzer(fake, rng)
        for batch in range(INPUTS // 50):
            for _ in range(50):
                fuzzer.one()
            # handled, not only fetched: piling up thousands would leave later button presses unanswered
            # beyond Telegram's 15 s, and that is a slow test, not a bug
            await fake.wait_for(
                lambda: fake.pending_updates == 0 and handled(app), 60, f"batch {batch} handled (seed {SEED})"
            )
        await settled(fake)
        rejected = [f"{c.method}: {c.description}" for c in fake.rejections]
        assert not rejected, f"seed {SEED}: calls rejected: {rejected[:5]}"
        assert not fake.unanswered_callbacks(), f"seed {SEED}: button presses left unanswered"
        last = fake.user("Last", started=True)
        answer = await fake.ask(last, "harm reduction", timeout=10)
        assert answer.text.startswith("🔎"), f"seed {SEED}: {answer.text!r}"
        assert services_of(app).store.chat(last.id) is not None
    failures = [r.getMessage() for r in caplog.records if r.name == "bot.handlers.errors" and r.levelno >= 40]
    assert not failures, f"seed {SEED}: handler errors: {failures[:5]}"
