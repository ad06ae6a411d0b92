"""Digests in the store and in bot.digests: who gets a post how, runs made once, pages that fit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.digests import hour_start, make_digests, next_run
from bot.handlers.digest import typed_hour
from bot.handlers.subscriptions import split_mode
from bot.render.digest import DIGEST_PAGE_POSTS, digest_message, digest_pages
from bot.render.html import MAX_MESSAGE, visible_length
from bot.store import ALL, DAILY, INSTANT, WEEKLY, Store
from index import Post

BELGRADE = ZoneInfo("Europe/Belgrade")


@pytest.fixture
def store(tmp_path) -> Store:
    store = Store.open(tmp_path / "db.sqlite3")
    for chat_id in (1, 2, 3, 4):
        store.seen_chat(chat_id, "private")
    yield store
    store.close()


def post(number: int, title: str = "Title", url: str | None = None) -> Post:
    return Post(id=f"p{number}", title=f"{title} {number}", body="Body.", url=url, date=dt.date(2026, 12, 1))


def test_a_post_reaches_each_chat_one_way_decided_when_it_is_queued(store):
    store.subscribe(1, ALL)  # instant
    store.subscribe(2, ALL, DAILY)
    store.subscribe(2, "cnd")  # instant for #cnd: wins over the daily digest
    store.subscribe(3, "cnd", WEEKLY)
    store.subscribe(3, "hiv", DAILY)  # does not match: the weekly one decides
    store.subscribe(4, "hiv", DAILY)  # does not match at all
    assert store.enqueue_post("p1", ("cnd",)) == 3
    assert store.enqueue_post("p1", ("cnd",)) is None  # once per post
    assert sorted(d.chat_id for d in store.due_deliveries(1e12, 10)) == [1, 2]
    assert store.digest_due(9, weekly=True) == {3: ["p1"]}
    assert store.digest_due(9, weekly=False) == {}  # weekly entries wait for Monday
    store.enqueue_post("p2", ())
    assert store.digest_due(9, weekly=False) == {2: ["p2"]}
    store.set_digest_hour(2, 18)
    assert store.digest_due(9, weekly=False) == {} and store.digest_due(18, weekly=False) == {2: ["p2"]}


def test_a_run_is_made_once_and_a_post_never_goes_into_two_digests(store):
    store.subscribe(1, ALL, DAILY)
    store.subscribe(2, ALL, DAILY)
    store.enqueue_post("p1", ())
    store.enqueue_post("p2", ())
    pages = {1: [["p1"], ["p2"]], 2: [["p1", "p2"]]}
    assert store.create_digests("2026-12-07T08:00:00+00:00", pages) == 3
    assert store.create_digests("2026-12-07T08:00:00+00:00", pages) is None  # that run is made
    assert store.create_digests("2026-12-07T07:00:00+00:00", pages) is None  # and so are older ones
    assert store.digest_due(9, weekly=True) == {}
    first, second = store.digested(1)["p1"], store.digested(1)["p2"]
    assert (store.digest_page(first, 1).page, store.digest_page(second, 1).pages) == (1, 2)
    assert store.digest_page(first, 2).post_ids == ("p1", "p2") and store.digest_page(second, 2) is None
    assert store.create_digests("2026-12-07T09:00:00+00:00", pages) == 0  # nothing waits: nothing queued
    assert store.digested(2) == {"p1": first, "p2": first}


def test_unsubscribing_from_everything_drops_the_posts_waiting_for_a_digest(store):
    store.subscribe(1, ALL, WEEKLY)
    store.enqueue_post("p1", ())
    assert store.set_mode(1, ALL, WEEKLY) is False and store.set_mode(1, ALL, DAILY) is True
    assert store.waiting_digest_posts(1) == 1  # a switch keeps what waits
    store.unsubscribe(1)
    assert store.waiting_digest_posts(1) == 0
    with pytest.raises(ValueError):
        store.set_mode(1, ALL, "hourly")


def test_make_digests_pages_drops_removed_posts_and_skips_chats_with_nothing(store):
    posts = {f"p{n}": post(n) for n in range(45)}
    store.subscribe(1, ALL, DAILY)
    store.subscribe(2, "hiv", DAILY)
    for number in range(46):  # p45 will be gone by the time of the digest
        store.enqueue_post(f"p{number}", ())
    slot = dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)  # 09:00 in Belgrade
    assert make_digests(store, slot, BELGRADE, posts.get) == 3
    digested = store.digested(1)
    assert len(digested) == 45 and len(set(digested.values())) == 3  # 20 + 20 + 5
    assert store.waiting_digest_posts(1) == 0  # the removed post left the queue
    assert make_digests(store, slot, BELGRADE, posts.get) is None


def test_digest_pages_fit_one_message_each_and_keep_the_order():
    long = [post(n, "word " * 40) for n in range(30)]
    pages = digest_pages(long, "en")
    assert [p.id for page in pages for p in page] == [p.id for p in long]
    assert all(len(page) <= DIGEST_PAGE_POSTS for page in pages)
    for number, page in enumerate(pages, 1):
        message = digest_message(page, "en", page=number, pages=len(pages), total=30)
        assert visible_length(message.text) <= MAX_MESSAGE
    assert len(digest_pages([post(1)], "en")) == 1 and digest_pages([], "en") == []
    linked = digest_message([post(1, url="https://x.org")], "en", page=1, pages=1, total=1)
    assert linked.markup is None and linked.text.startswith("📰 <b>Your news digest</b>: 1 new post\n")


def test_runs_follow_local_hours_across_daylight_saving_and_catch_up_a_week_at_most():
    before_change = dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 02:30 CEST, the night clocks go back
    assert hour_start(before_change, BELGRADE) == dt.datetime(2026, 10, 25, 0, tzinfo=dt.UTC)
    assert next_run(before_change, before_change, BELGRADE) == dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC)
    now = dt.datetime(2026, 12, 31, 12, 15, tzinfo=dt.UTC)
    assert next_run(now - dt.timedelta(days=30), now, BELGRADE) == dt.datetime(
        2026, 12, 23, 12, tzinfo=dt.UTC
    )
    kathmandu = ZoneInfo("Asia/Kathmandu")  # +05:45: local hours do not start on UTC hours
    assert hour_start(now, kathmandu).astimezone(kathmandu).minute == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("weekly", ("", WEEKLY)), ("cnd daily", ("cnd", DAILY)), ("ДНЕВНО", ("", DAILY)),
     ("harm reduction nedeljno", ("harm reduction", WEEKLY)), ("cnd", ("cnd", None)), ("", ("", None)),
     ("odmah", ("", INSTANT))],
)  # fmt: skip
def test_a_mode_is_the_last_word_in_english_or_serbian(typed, expected):
    assert split_mode(typed) == expected


def test_digest_hours_are_typed_as_people_write_them():
    assert [typed_hour([x]) for x in ("18", "7", "07:00", "9h", "23")] == [18, 7, 7, 9, 23]
    assert [typed_hour(x) for x in (["24"], ["noon"], ["18:30"], ["1", "2"], None)] == [None] * 5
