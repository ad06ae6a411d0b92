"""`newsbot announce` from the shell: queued for the running bot, or delivered at once with --send."""

from __future__ import annotations

import asyncio

from bot.app import build_application
from bot.cli import main
from bot.fakeapi import polling
from bot.store import Store


def cli(settings, *argv):
    return main(["--data", str(settings.data_dir), "--content", str(settings.content_dir), "announce", *argv])


def test_an_announcement_is_queued_for_every_active_chat(settings, capsys):
    store = Store.open(settings.database_path)
    for chat_id in (1, 2, 3):
        store.seen_chat(chat_id, "private")
    store.set_active(3, False)
    store.close()
    assert cli(settings, "--text", "Office closed <today> & tomorrow") == 0
    assert "queued for 2 chats" in capsys.readouterr().out
    store = Store.open(settings.database_path)
    item = store.last_announcement()
    assert item.text == "Office closed &lt;today&gt; &amp; tomorrow" and item.author is None
    assert store.queue_length() == 2


def test_empty_or_too_long_texts_are_refused(settings, capsys):
    assert cli(settings, "--text", "   ") == 2
    assert cli(settings, "--text", "word " * 9000) == 2
    assert "longer than 10 Telegram messages" in capsys.readouterr().err


def test_an_unknown_tag_is_refused_as_announce_refuses_it_and_nothing_is_queued(settings, capsys):
    store = Store.open(settings.database_path)
    store.seen_chat(1, "private")
    store.close()
    assert cli(settings, "--text", "Vienna next week", "--tag", "cdn") == 2
    assert "I know no topic called 'cdn' (did you mean: cnd" in capsys.readouterr().err
    assert cli(settings, "--text", "Nothing close", "--tag", "#xylophone") == 2
    assert "I know no topic called '#xylophone'\n" in capsys.readouterr().err
    store = Store.open(settings.database_path)
    assert store.last_announcement() is None and store.queue_length() == 0
    store.close()
    assert cli(settings, "--text", "Drug policy day", "--tag", "#Drug_Policy") == 0


def test_send_delivers_it_now_with_the_same_engine(fake, settings, monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.token)
    monkeypatch.setenv("TELEGRAM_API_URL", fake.url)
    users = [fake.user(f"U{i}", started=True) for i in range(3)]
    blocked = fake.user("Blocked", started=True)
    fake.deactivate(blocked)
    store = Store.open(settings.database_path)
    for user in [*users, blocked]:
        store.seen_chat(user.id, "private")
    store.subscribe(users[0].id, "cnd")
    store.close()
    assert cli(settings, "--text", "<b>Assembly</b> on Friday", "--html", "--send") == 0
    assert "delivered 3, blocked 1, failed 0" in capsys.readouterr().out
    for user in users:
        assert [m.text for m in fake.replies(user)] == ["📢 Assembly on Friday"]
    assert cli(settings, "--text", "Only cnd", "--tag", "#CND", "--send") == 0
    assert "delivered 1, blocked 0, failed 0" in capsys.readouterr().out
    assert [m.text for m in fake.replies(users[0])][-1] == "📢 Only cnd"
    long_text = "\n\n".join(f"Paragraph {n}. " + "Some words here. " * 150 for n in range(1, 3))
    assert cli(settings, "--text", long_text, "--tag", "cnd", "--send") == 0
    assert "queued for 1 chat (2 messages each)" in capsys.readouterr().out
    assert [m.text.split(".")[0] for m in fake.replies(users[0])][-2:] == ["📢 Paragraph 1", "Paragraph 2"]


async def test_the_running_bot_delivers_what_the_shell_queued(fake, settings):
    app = build_application(settings)
    async with polling(app):
        ana = fake.user("Ana", started=True)
        await fake.ask(ana, "/start")
        assert await asyncio.to_thread(cli, settings, "--text", "From cron") == 0
        await fake.wait_for(lambda: fake.replies(ana)[-1].text == "📢 From cron", timeout=5)


def test_at_schedules_it_in_local_time_and_refuses_what_it_cannot_read(settings, capsys):
    import datetime as dt

    store = Store.open(settings.database_path)
    store.seen_chat(1, "private")
    store.close()
    assert cli(settings, "--text", "Assembly", "--at", "2099-12-01 09:00") == 0
    out = capsys.readouterr().out
    assert "scheduled for Tuesday, 1 December 2099 at 09:00 (Europe/Belgrade), 1 chat now" in out
    store = Store.open(settings.database_path)
    (item,) = store.scheduled()
    assert dt.datetime.fromtimestamp(item.due, dt.UTC) == dt.datetime(2099, 12, 1, 8, 0, tzinfo=dt.UTC)
    assert store.queue_length() == 0
    store.close()
    assert cli(settings, "--text", "x", "--at", "when pigs fly") == 2
    assert "is not a date and time I can read" in capsys.readouterr().err
    assert cli(settings, "--text", "x", "--at", "2020-01-01 09:00") == 2
    assert "has already passed" in capsys.readouterr().err
    assert cli(settings, "--text", "x", "--at", "tomorrow 9:00", "--send") == 2


def test_channel_publishes_it_in_the_channel_too_once_the_bot_may_post_there(
    fake, settings, monkeypatch, capsys
):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", fake.token)
    monkeypatch.setenv("TELEGRAM_API_URL", fake.url)
    user = fake.user("U", started=True)
    store = Store.open(settings.database_path)
    store.seen_chat(user.id, "private")
    store.close()
    assert cli(settings, "--text", "No channel yet", "--channel") == 2
    assert (
        "--channel: no channel is set (`channel` in the config, or NEWSBOT_CHANNEL)"
        in capsys.readouterr().err
    )
    news = fake.channel("DPNSEE news", username="dpnsee_news")
    monkeypatch.setenv("NEWSBOT_CHANNEL", "@dpnsee_news")
    assert cli(settings, "--text", "Assembly on Friday", "--channel", "--send") == 0
    out = capsys.readouterr().out
    assert "queued for 1 chat and the channel @dpnsee_news\n" in out
    assert "delivered 1, blocked 0, failed 0; the channel: sent" in out
    assert [m.text for m in fake.messages(news)] == ["📢 Assembly on Friday"]
    assert [m.text for m in fake.replies(user)] == ["📢 Assembly on Friday"]
    assert cli(settings, "--text", "Later", "--channel", "--at", "2099-12-01 09:00") == 0
    assert "(Europe/Belgrade), 1 chat now and the channel @dpnsee_news" in capsys.readouterr().out

    fake.set_bot_in_channel(news, "member")
    assert cli(settings, "--text", "Not there", "--channel") == 2
    assert "the bot is not an administrator allowed to post in @dpnsee_news" in capsys.readouterr().err
    store = Store.open(settings.database_path)
    (scheduled,) = store.scheduled()
    assert scheduled.channel == news.id and store.last_announcement().text == "Assembly on Friday"
    store.close()
