"""`newsbot chat`: the real bot in a terminal, offline, through the strict fake Bot API."""

import io
import random
import signal
import subprocess
import sys

import pytest
from conftest import REPO
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.ext import Application, CallbackQueryHandler, InlineQueryHandler, MessageHandler, filters

from bot.cli.chat import TerminalChat, render
from bot.settings import Settings


def test_render_shows_links_after_their_text_and_styles_only_in_colour():
    text = "😀 Title and more"
    entities = [
        {"type": "text_link", "offset": 3, "length": 5, "url": "https://dpnsee.org/p"},
        {"type": "bold", "offset": 3, "length": 5},
    ]

    assert render(text, entities, color=False) == "😀 Title <https://dpnsee.org/p> and more"
    assert render(text, entities, color=True) == "😀 \x1b[1mTitle\x1b[22m <https://dpnsee.org/p> and more"


def test_render_quotes_and_bare_links():
    entities = [
        {"type": "blockquote", "offset": 0, "length": 5},
        {"type": "text_link", "offset": 6, "length": 13, "url": "https://a.org"},
    ]

    assert render("quote https://a.org", entities, color=False) == "│ quote https://a.org"


def chat_with(settings, lines: str) -> tuple[int, str]:
    stdout = io.StringIO()
    chat = TerminalChat(settings, io.StringIO(lines), stdout, name="Ana")
    chat.reply_wait = 0.5
    code = asyncio_run(chat.run())
    return code, stdout.getvalue()


def asyncio_run(coroutine):
    import asyncio

    return asyncio.run(coroutine)


@pytest.fixture
def toy_bot(monkeypatch):
    """Replace the real bot with a small one whose behaviour the chat tests control."""

    def build(settings: Settings) -> Application:
        app = Application.builder().token(settings.token).base_url(f"{settings.api_url}/bot").build()

        async def on_text(update, context):
            text = update.message.text
            if text == "broken":
                await update.message.reply_text("a <br> b", parse_mode="HTML")
            elif text == "silent":
                return
            else:
                pages = InlineKeyboardMarkup(
                    [
                        [InlineKeyboardButton("Next ›", callback_data="next")],
                        [InlineKeyboardButton("Site", url="https://dpnsee.org")],
                        [InlineKeyboardButton("Start", url="https://t.me/newsbot_test_bot?start=hello")],
                    ]
                )
                await update.message.reply_html(
                    f'<b>{text}</b> <a href="https://dpnsee.org/1">post</a>', reply_markup=pages
                )

        async def on_edit(update, context):
            await update.edited_message.reply_text(f"edited to {update.edited_message.text}")

        async def on_press(update, context):
            await update.callback_query.answer("Page 2")
            await update.callback_query.edit_message_text("page 2")

        async def on_inline(update, context):
            content = InputTextMessageContent("<b>shared</b>", parse_mode="HTML")
            await update.inline_query.answer(
                [InlineQueryResultArticle("r1", "A result", content, description="snippet")]
            )

        app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, on_edit))
        app.add_handler(MessageHandler(filters.TEXT, on_text))
        app.add_handler(CallbackQueryHandler(on_press))
        app.add_handler(InlineQueryHandler(on_inline))
        return app

    monkeypatch.setattr("bot.app.build_application", build)


def test_a_conversation_with_buttons_edits_and_inline_mode(toy_bot, tmp_path):
    code, output = chat_with(
        Settings(data_dir=tmp_path), "hello\n2\n3\n1\n/edit hello again\n@ drugs\n1\n/press 9\n"
    )

    assert code == 0
    assert "you › hello\nbot › hello post <https://dpnsee.org/1>\n      [1] Next ›\n" in output
    assert "[2] Site ↗ https://dpnsee.org" in output
    assert "  ⓘ Page 2\nbot ✎ (edited) page 2\n" in output
    assert "bot › edited to hello again" in output
    assert "inline results for “drugs” (1):\n  [1] A result — snippet\n" in output
    assert "you sent (via the bot, into another chat):\nshared\n" in output
    assert "(no button or result number 9)" in output
    assert "(opens https://dpnsee.org)" in output
    assert "(opens the bot: /start hello)\nbot › /start hello post" in output
    assert "REJECT" not in output


def test_group_mode_and_replies(toy_bot, tmp_path):
    code, output = chat_with(
        Settings(data_dir=tmp_path), "/group\nin the group\n> a reply\n/group\nprivate\n"
    )

    assert code == 0
    assert "  (now in the group “Test group”; the bot sees every message here)" in output
    assert "bot (group) › in the group post" in output
    assert "bot (group) › a reply post" in output
    assert "  (now in your private chat)\nyou › private\nbot › private post" in output


def test_rejected_calls_are_shown_and_fail_the_exit_status(toy_bot, tmp_path):
    code, output = chat_with(Settings(data_dir=tmp_path), "broken\nsilent\n/quit\nnever sent\n")

    assert code == 1
    assert (
        '!! TELEGRAM WOULD REJECT sendMessage: Bad Request: can\'t parse entities: Unsupported start tag "br"'
        in output
    )
    assert "never sent" not in output


def test_newsbot_chat_answers_piped_questions_with_the_real_bot(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--data", str(tmp_path), "chat"],
        input="/start\nwho chairs working group 4\n2023\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=90,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "you › /start\nbot › " in result.stdout
    assert "you › who chairs working group 4\nbot › " in result.stdout
    assert "you › 2023\nbot › 🔎 2023 — 3 posts" in result.stdout  # no button 2023: sent as a question
    assert "REJECT" not in result.stdout


def test_ctrl_c_leaves_the_chat_cleanly(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--data", str(tmp_path), "chat"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    process.stdin.write("/start\n")
    process.stdin.flush()
    while not process.stdout.readline().startswith("bot › "):
        assert process.poll() is None
    process.send_signal(signal.SIGINT)

    _, errors = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Traceback" not in errors


def test_a_stale_button_number_is_answered_kindly_through_the_real_bot(tmp_path):
    settings = Settings(content_dir=REPO / "content", data_dir=tmp_path, semantic="off", admins=frozenset())
    stdout = io.StringIO()
    chat = TerminalChat(settings, io.StringIO("/language\n2\n1\n/announce X\n3\n3\n"), stdout, name="Ana")
    chat.reply_wait = 1.0
    code = asyncio_run(chat.run(admin=True))
    output = stdout.getvalue()
    assert code == 0, output
    assert output.count("is gone: that message has changed") == 2, output
    assert "you › 1\n  (button 1 is gone" in output and "you › 3\n  (button 3 is gone" in output
    assert "Otkazano" in output, "the bot went on answering in Serbian"


def fuzz_lines(seed: int, count: int) -> list[str]:
    """Odd things a person (or a cat on the keyboard) types: numbers of every size, blank lines, half
    commands, markup, every script, control and zero-width characters."""
    rng = random.Random(seed)
    pieces = [
        "0", "-1", "1", "2", "3", "9", "10", "007", "99999999999999999999", "٣", "²", "1.5",
        "", " ", "\t", "/press", "/press 0", "/press 2", "/press -3", "/press x", "/press ²", "/edit",
        "/edit x", "> ", ">",
        "@", "@ ", "@ cnd", "/group", "/start", "/help", "/latest", "/latest 999", "/topics", "/language",
        "/subscribe", "/unsubscribe cnd", "/subscriptions", "/stop", "/announce hi", "/stats", "/search",
        "<b>bold</b>", "&amp;", "\u200b", "\u202e", "\x07", "\x1b[31m", "Ђурасовић", "harm reduction",
        "🙂", "مرحبا", "漢字", "%s %d {0}",
    ]  # fmt: skip
    lines = []
    for _ in range(count):
        line = rng.choice(pieces)
        if rng.random() < 0.3:
            line += " " + rng.choice(pieces)
        lines.append(line.replace("\n", " "))
    return lines


@pytest.mark.timeout(300)
def test_the_chat_survives_odd_input_seeded_fuzz(tmp_path):
    settings = Settings(content_dir=REPO / "content", data_dir=tmp_path, semantic="off")
    lines = ["²", "٣", "/press ٣", *fuzz_lines(seed=11, count=60)]
    stdout = io.StringIO()
    chat = TerminalChat(settings, io.StringIO("\n".join(lines) + "\n"), stdout, name="Ana")
    chat.reply_wait = 0.4
    asyncio_run(chat.run(admin=True))
    output = stdout.getvalue()
    assert "the chat could not do that" not in output, output
    assert "Traceback" not in output
    # it still answers after all that
    assert output.count("you › ") == sum(1 for line in lines if line.strip())
