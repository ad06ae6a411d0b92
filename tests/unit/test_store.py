"""The SQLite store: migrations, chats, subscriptions, the announced-posts ledger and the delivery queue."""

import sqlite3

import pytest

from bot.store import ALL, MIGRATIONS, Store


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "newsbot.sqlite3")
    yield store
    store.close()


def add_chats(store, *ids, chat_type="private"):
    for chat_id in ids:
        store.seen_chat(chat_id, chat_type)


def test_a_version_1_database_file_is_upgraded_in_place_keeping_its_chats(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    old.execute(
        "INSERT INTO chats (id, type, language, active, first_seen, last_seen) "
        "VALUES (7, 'private', 'sr', 1, '2024-01-01', '2024-01-01')"
    )
    old.commit()
    old.close()

    store = Store.open(path)
    assert store.version == len(MIGRATIONS)
    assert store.chat(7).language == "sr"
    assert store.subscribe(7, "cnd")
    assert store.subscriptions(7) == ["cnd"]
    store.close()
    assert Store.open(path).version == len(MIGRATIONS)


def test_a_version_3_database_keeps_its_items_and_deliveries_when_the_table_is_renamed(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("".join(MIGRATIONS[:3]))
    old.execute("PRAGMA user_version = 3")
    old.execute("INSERT INTO chats (id, type, first_seen, last_seen) VALUES (7, 'private', 'a', 'a')")
    old.execute(
        "INSERT INTO announcements (id, kind, text, status, created) VALUES (5, 'text', 'Hi', 'queued', 'a')"
    )
    old.execute("INSERT INTO deliveries (item_id, chat_id) VALUES (5, 7)")
    old.commit()
    old.close()

    store = Store.open(path)
    assert store.version == len(MIGRATIONS)
    assert store.item(5).text == "Hi" and store.queue_length(5) == 1
    created = store.create_announcement(None, "Next", None)
    assert store.queue_announcement(created.id) == 1
    store.forget_chat(7)  # deliveries still follow their chat and their item
    assert store.queue_length() == 0
    schema = store.db.execute("SELECT sql FROM sqlite_master WHERE name = 'deliveries'").fetchone()[0]
    assert 'REFERENCES "items"(id)' in schema
    store.close()


def test_seeing_a_chat_again_reactivates_it(store):
    add_chats(store, 1)
    store.set_active(1, False)
    assert not store.chat(1).active
    assert store.seen_chat(1, "private").active


def test_subscriptions_are_listed_all_first_and_removed_one_by_one_or_all_at_once(store):
    add_chats(store, 1)
    assert store.subscribe(1, "harm reduction")
    assert store.subscribe(1, ALL)
    assert not store.subscribe(1, ALL)
    assert store.subscriptions(1) == [ALL, "harm reduction"]
    assert store.unsubscribe(1, "harm reduction") == 1
    assert store.unsubscribe(1, "harm reduction") == 0
    store.subscribe(1, "cnd")
    assert store.unsubscribe(1) == 2
    assert store.subscriptions(1) == []


def test_recipients_of_a_post_are_active_subscribers_to_everything_or_to_one_of_its_tags(store):
    add_chats(store, 1, 2, 3, 4, 5)
    store.subscribe(1, ALL)
    store.subscribe(2, "cnd")
    store.subscribe(2, "unodc")  # two matching subscriptions, one recipient
    store.subscribe(3, "other")
    store.subscribe(4, ALL)
    store.set_active(4, False)
    assert store.recipients(("cnd", "unodc")) == [1, 2]
    assert store.recipients(None) == [1, 2, 3, 5]
    assert store.subscriber_count() == 3


def test_a_post_is_enqueued_once_with_one_delivery_per_subscriber(store):
    add_chats(store, 1, 2)
    store.subscribe(1, "cnd")
    store.subscribe(1, ALL)
    store.subscribe(2, "other")
    assert store.enqueue_post("p1", ("cnd",)) == 1
    assert store.enqueue_post("p1", ("cnd",)) is None
    assert store.queue_length() == 1
    store.mark_announced(["p1", "p2"])
    assert store.announced() == {"p1", "p2"}
    assert store.enqueue_post("p2", ("cnd",)) is None


def test_an_announcement_is_queued_once_even_when_confirmed_twice(store):
    add_chats(store, 1, 2, 3)
    draft = store.create_announcement(1, "Assembly moved to Friday", None)
    assert draft.status == "draft"
    assert store.queue_announcement(draft.id) == 3
    assert store.queue_announcement(draft.id) is None
    assert not store.cancel_announcement(draft.id)
    assert store.item(draft.id).status == "queued"
    assert store.queue_length() == 3


def test_a_cancelled_announcement_cannot_be_sent(store):
    add_chats(store, 1)
    draft = store.create_announcement(1, "text", "cnd")
    assert store.cancel_announcement(draft.id)
    assert store.queue_announcement(draft.id) is None
    assert store.queue_length() == 0


def test_delivery_outcomes_are_reported_and_the_item_finishes_when_nothing_is_pending(store):
    add_chats(store, 1, 2, 3, 4)
    draft = store.create_announcement(9, "hello", None)
    store.queue_announcement(draft.id)
    first, second, third, fourth = store.due_deliveries(now=0, limit=10)
    store.mark_sending(first.id)
    store.mark_sent(first.id, 100)
    store.mark_sending(second.id)
    store.mark_blocked(second.id, second.chat_id, "Forbidden: bot was blocked by the user")
    store.mark_sending(third.id)
    store.mark_failed(third.id, "Bad Gateway")
    store.mark_sending(fourth.id)
    store.mark_retry(fourth.id, not_before=50.0, error="Timed out")
    assert store.due_deliveries(now=10, limit=10) == []
    assert store.next_retry_time() == 50.0
    assert store.finish_items() == []
    assert not store.chat(second.chat_id).active
    (retry,) = store.due_deliveries(now=60, limit=10)
    assert retry.attempts == 1
    store.mark_sending(retry.id)
    store.mark_sent(retry.id, 101)
    assert store.finish_items() == [draft.id]
    report = store.report(draft.id)
    assert (report.delivered, report.blocked, report.failed, report.pending) == (2, 1, 1, 0)
    assert [item.id for item in store.unreported()] == [draft.id]
    store.mark_reported(draft.id)
    assert store.unreported() == []
    assert store.last_announcement().id == draft.id


def test_in_flight_deliveries_go_back_to_the_queue_after_a_restart(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = Store.open(path)
    add_chats(store, 1, 2)
    store.queue_announcement(store.create_announcement(None, "x", None).id)
    store.mark_sending(store.due_deliveries(now=0, limit=1)[0].id)
    store.close()
    reopened = Store.open(path)
    assert reopened.reset_in_flight() == 1
    assert len(reopened.due_deliveries(now=0, limit=10)) == 2


def test_forgetting_a_chat_erases_its_subscriptions_and_deliveries(store):
    add_chats(store, 1, 2)
    store.subscribe(1, ALL)
    store.subscribe(2, ALL)
    store.enqueue_post("p1", ())
    item = store.create_announcement(1, "mine", None)
    store.forget_chat(1)
    assert store.chat(1) is None
    assert store.subscriptions(1) == []
    assert [d.chat_id for d in store.due_deliveries(now=0, limit=10)] == [2]
    assert store.item(item.id).author is None


def test_a_migrated_group_keeps_its_subscriptions_and_pending_deliveries(store):
    add_chats(store, -1, chat_type="group")
    store.subscribe(-1, "cnd")
    store.enqueue_post("p1", ("cnd",))
    store.migrate_chat(-1, -1001)
    assert store.chat(-1) is None
    assert store.chat(-1001).type == "supergroup"
    assert store.subscriptions(-1001) == ["cnd"]
    assert [d.chat_id for d in store.due_deliveries(now=0, limit=10)] == [-1001]


def test_migrating_into_a_chat_already_known_merges_them(store):
    add_chats(store, -1, chat_type="group")
    add_chats(store, -1001, chat_type="supergroup")
    store.subscribe(-1, "cnd")
    store.subscribe(-1001, ALL)
    store.enqueue_post("p1", ("cnd",))
    store.migrate_chat(-1, -1001)
    assert store.chat(-1) is None
    assert store.subscriptions(-1001) == [ALL, "cnd"]
    assert [d.chat_id for d in store.due_deliveries(now=0, limit=10)] == [-1001]


def test_meta_values_are_stored_and_overwritten(store):
    assert store.get_meta("last_sync") is None
    store.set_meta("last_sync", "a")
    store.set_meta("last_sync", "b")
    assert store.get_meta("last_sync") == "b"
    assert store.chat_count() == (0, 0)


def test_deliveries_of_items_finished_and_reported_long_ago_are_pruned(store):
    add_chats(store, 1, 2)
    old = store.create_announcement(None, "old", None)
    store.queue_announcement(old.id)
    for delivery in store.due_deliveries(now=0, limit=10):
        store.mark_sending(delivery.id)
        store.mark_sent(delivery.id, 1)
    store.finish_items()
    store.subscribe(1, ALL)
    store.subscribe(2, ALL)
    store.enqueue_post("p1", ())  # still pending: never pruned
    assert store.prune("9999-01-01") == 0  # finished, but its author has not had the report yet
    store.mark_reported(old.id)
    assert store.prune("2000-01-01") == 0
    assert store.prune("9999-01-01") == 2
    assert store.item(old.id).status == "done" and store.queue_length() == 2


def test_search_questions_are_kept_under_their_keys_and_the_least_recently_used_dropped(store):
    assert store.keep_query("k1", "harm reduction", capacity=2)
    assert not store.keep_query("k1", "cnd", capacity=2)  # a key is never given twice
    assert store.keep_query("k2", "cnd", capacity=2)
    assert store.query_key("harm reduction") == "k1"  # asked again: k1 is the most recently used now
    assert store.keep_query("k3", "naloxone", capacity=2)
    assert store.query_for_key("k2") is None  # dropped: the least recently used beyond the cap
    assert (store.query_for_key("k1"), store.query_for_key("k3")) == ("harm reduction", "naloxone")
    assert store.query_key("unodc") is None
