"""New posts from an RSS feed served over loopback HTTP reach subscribers once, through the running bot."""

from __future__ import annotations

from conftest import eventually, polls_done, services_of
from feedserver import ITEM, rss

from bot.app import build_application
from bot.fakeapi import polling
from bot.notify import LAST_SYNC
from bot.render.posts import notification, plain_snippet
from index.posts import Post


def entry(number: int, tag: str = "cnd") -> str:
    return ITEM.format(
        title=f"Feed post {number}", slug=f"feed-{number}", guid=number, body=f"Text {number}."
    ).replace("CND", tag)


async def test_each_new_feed_entry_is_notified_once_and_a_re_poll_is_conditional(
    fake, settings_factory, tmp_path, feed
):
    content = tmp_path / "content"
    (content / "posts").mkdir(parents=True)
    feed.body = rss([entry(1)])
    settings = settings_factory(content_dir=content, feeds=(feed.url,), poll_seconds=0.2)
    app = build_application(settings)
    async with polling(app):
        store = services_of(app).store
        await fake.wait_for(lambda: store.get_meta(LAST_SYNC))
        assert store.announced() == {p.stem for p in settings.feeds_dir.glob("*.md")}
        ana, bob = fake.user("Ana", started=True), fake.user("Bob", started=True)
        await fake.ask(ana, "/subscribe cnd")
        await fake.ask(bob, "/subscribe harm reduction")

        feed.body = rss([entry(1), entry(2), entry(3, tag="other")])
        note = await fake.next_reply(ana, after=fake.replies(ana)[-1], timeout=10)
        assert "Feed post 2" in note.text and 'href="https://dpnsee.org/feed-2/"' in note.html
        await fake.wait_for(lambda: len(fake.replies(bob)) == 3, timeout=10)
        await polls_done(app, 3)
        assert len(fake.replies(ana)) == 2  # subscribe answer + entry 2 (entry 3 is not about cnd)
        assert ["Feed post 2" in m.text for m in fake.replies(bob)[1:]] == [True, False]
        assert [status for status, _ in feed.requests][-2:] == [304, 304]


def test_a_notification_without_url_offers_reading_in_telegram_and_escapes_everything():
    post = Post(
        id="p1",
        title="Drugs & <law>",
        body="## Heading\n\n**Bold** [link](https://x.org) text.",
        tags=("drug policy",),
    )
    page = notification(post, "sr")
    assert page.text.startswith("🆕 <b>Novi tekst</b> · #drug_policy\n<b>Drugs &amp; &lt;law&gt;</b>")
    assert "bez datuma" in page.text and page.text.endswith("Heading Bold link text.")
    assert page.markup.inline_keyboard[0][0].callback_data.startswith("r:")
    assert plain_snippet("x " * 400).endswith("…")


async def test_feed_state_is_kept_between_polls_and_an_unwritable_folder_is_only_logged(feed, tmp_path):
    from types import SimpleNamespace

    from bot.notify import poll_feeds
    from bot.settings import Settings
    from bot.store import Store

    store = Store.open(tmp_path / "db.sqlite3")
    settings = Settings(content_dir=tmp_path, data_dir=tmp_path / "data", feeds=(feed.url,))
    services = SimpleNamespace(settings=settings, store=store)
    feed.body = rss([entry(1)])
    assert await poll_feeds(services) == 1
    assert await poll_feeds(services) == 0
    assert [status for status, _ in feed.requests] == [200, 304]
    for path in settings.feeds_dir.iterdir():
        path.unlink()
    settings.feeds_dir.rmdir()
    settings.feeds_dir.write_text("not a folder")
    feed.body = rss([entry(2)])
    assert await poll_feeds(services) == 0
    store.close()


async def test_the_first_content_poll_runs_at_start_not_one_interval_later(settings_factory):
    app = build_application(settings_factory(poll_seconds=3600))
    async with polling(app):
        store = services_of(app).store
        await eventually(lambda: store.get_meta(LAST_SYNC), timeout=5, what="the first poll")
        assert store.get_meta("catalogue_seeded")  # the back catalogue is recorded, not notified
