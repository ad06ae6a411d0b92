"""Page buttons carry a short key for the question; the key is kept in the store, so a button of a message
sent before a restart still turns the page."""

from __future__ import annotations

from conftest import press, write_post

from bot.app import build_application
from bot.fakeapi import polling


async def test_a_page_button_pressed_after_a_restart_still_turns_the_page(fake, settings_factory, tmp_path):
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    for n in range(12):
        write_post(
            posts, f"2024-01-{n + 1:02d}-naloxone-{n}", f"Naloxone training {n}", date=f"2024-01-{n + 1:02d}"
        )
    settings = settings_factory(content_dir=tmp_path / "content")
    async with polling(build_application(settings)):
        ana = fake.user("Ana", started=True)
        answer = await fake.ask(ana, "naloxone training")
        assert [b["text"] for b in answer.keyboard[-1]] == ["1/3", "Next ›"]
    async with polling(build_application(settings)):  # the same data dir, a new process's memory
        reply = await press(fake, answer, "Next ›")
        assert "text" not in reply  # no "this button has expired"
        await fake.wait_for(lambda: answer.keyboard[-1][1]["text"] == "2/3", what="page 2")
        assert answer.text.startswith("🔎 naloxone training — 12 posts")
