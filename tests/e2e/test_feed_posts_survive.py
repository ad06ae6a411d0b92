"""Feed posts live in the data dir: recreating a container (a fresh content folder from the image, the same
data volume) loses none of them, an older install's feed posts are moved there at start without being
announced again, and `newsbot health` notices feed posts that vanished — which the bot then fetches again.

`newsbot run` is a real process against the fake Bot API; the feed is real RSS over loopback HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from conftest import wait_until
from feedserver import ITEM, rss
from processes import REPO, Process, bot_env, newsbot

from bot.store import Store
from index.feeds import poll_feed

TITLES = {1: "Naloxone vending machines in Skopje", 2: "Prison health care in Podgorica"}


def entries(*numbers: int) -> bytes:
    return rss(
        [ITEM.format(title=TITLES[n], slug=f"post-{n}", guid=n, body=f"Report number {n}.") for n in numbers]
    )


def fresh_content(tmp_path, name: str):
    """The content folder as the image ships it: the repository's posts, nothing written by a bot."""
    content = tmp_path / name
    shutil.copytree(REPO / "content", content)
    return content


def health(env) -> tuple[int, str]:
    argv = [sys.executable, "-m", "bot.cli", "health"]
    done = subprocess.run(argv, env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout + done.stderr


def ask(fake, user, question: str) -> str:
    before = len(fake.replies(user))
    fake.send_text(user, user, question)
    return fake.wait_for_reply(user, after=before, timeout=30).text


@contextmanager
def running(feed, env, log_path, polls: int) -> Iterator[Process]:
    """Start `newsbot run`, wait for `polls` more feed requests and the bot's answers, stop it cleanly."""
    seen = len(feed.requests)
    with newsbot("run", env=env, log_path=log_path) as bot:
        wait_until(lambda: len(feed.requests) >= seen + polls, 60, "the feed polls")
        wait_until(lambda: "started as" in bot.output, 30, "the start")
        yield bot
        assert bot.stop() == 0, bot.output


def test_recreating_the_container_loses_no_feed_post(fake, feed, tmp_path):
    data = tmp_path / "data"
    feed.body = entries(1, 2)
    ana = fake.user("Ana", started=True)
    first = bot_env(fake.url, fake.token, data, NEWSBOT_FEEDS=feed.url, NEWSBOT_POLL_SECONDS="0.3")
    first["NEWSBOT_CONTENT_DIR"] = str(fresh_content(tmp_path, "content-1"))
    with running(feed, first, tmp_path / "first.log", polls=2):
        assert TITLES[2] in ask(fake, ana, "prison health podgorica")
    assert len(list((data / "feeds").glob("*.md"))) == 2
    assert [status for status, _ in feed.requests][:2] == [200, 304]

    # docker rm + docker run: the content folder comes fresh from the image, the data volume stays
    shutil.rmtree(first["NEWSBOT_CONTENT_DIR"])
    second = {**first, "NEWSBOT_CONTENT_DIR": str(fresh_content(tmp_path, "content-2"))}
    with running(feed, second, tmp_path / "second.log", polls=2):
        assert TITLES[2] in ask(fake, ana, "prison health podgorica")
        assert TITLES[1] in ask(fake, ana, "naloxone skopje")
    assert {status for status, _ in feed.requests[2:]} == {304}, "nothing had to be fetched again"
    code, out = health(second)
    assert code == 0 and "1 feed with all their posts" in out and "11 posts" in out, out


def test_an_older_install_s_feed_posts_move_to_the_data_dir_unannounced(fake, feed, tmp_path):
    content, data = fresh_content(tmp_path, "content"), tmp_path / "data"
    legacy = content / "posts" / "feeds"
    feed.body = entries(1, 2)
    # what an older version left: the feed's posts in the content folder, its state and ledger in the database
    polled = poll_feed(feed.url, legacy)
    store = Store.open(data / "newsbot.sqlite3")
    old_state = {"etag": polled.state.etag, "modified": polled.state.modified}  # no keys: an old version
    store.set_meta(f"feed:{feed.url}", json.dumps(old_state))
    store.set_meta("catalogue_seeded", "2025-01-01T00:00:00+00:00")
    store.mark_announced([p.stem for p in (content / "posts").rglob("*.md")])
    store.close()
    ana = fake.user("Ana", started=True)
    env = bot_env(fake.url, fake.token, data, NEWSBOT_FEEDS=feed.url, NEWSBOT_POLL_SECONDS="0.3")
    env["NEWSBOT_CONTENT_DIR"] = str(content)
    with running(feed, env, tmp_path / "run.log", polls=2) as bot:
        assert "moved 2 feed posts" in bot.output
        ask(fake, ana, "/subscribe")
        assert TITLES[1] in ask(fake, ana, "naloxone skopje")
    assert not legacy.exists()
    assert sorted(p.name for p in (data / "feeds").iterdir()) == sorted(p.name for p in polled.written)
    assert not any("🆕" in m.text for m in fake.replies(ana)), "a moved post is not new"
    assert health(env)[0] == 0


def test_health_notices_vanished_feed_posts_and_the_bot_fetches_them_again(fake, feed, tmp_path):
    data = tmp_path / "data"
    feed.body = entries(1, 2)
    env = bot_env(fake.url, fake.token, data, NEWSBOT_FEEDS=feed.url, NEWSBOT_POLL_SECONDS="0.3")
    with running(feed, env, tmp_path / "first.log", polls=1):
        wait_until(lambda: len(list((data / "feeds").glob("*.md"))) == 2, 30, "the feed's posts")
    for path in (data / "feeds").glob("*.md"):
        path.unlink()
    seen = len(feed.requests)
    code, out = health(env)
    assert code == 1 and "feed posts missing" in out and "2 of 2 posts gone" in out and feed.url in out, out
    with running(feed, env, tmp_path / "second.log", polls=1) as bot:
        assert "gone from" in bot.output
    assert feed.requests[seen][0] == 200, "fetched whole, although the ETag still matched"
    assert len(list((data / "feeds").glob("*.md"))) == 2
    code, out = health(env)
    assert code == 0, out
