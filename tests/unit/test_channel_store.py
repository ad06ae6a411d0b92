"""The channel in the store: never one of the members, posts published once, announcements queued to it."""

from bot.store import ALL, Store


def test_the_channel_is_reached_only_on_purpose_and_each_post_once(tmp_path):
    store = Store.open(tmp_path / "db.sqlite3")
    store.seen_chat(1, "private")
    store.subscribe(1, ALL)
    store.remember_channel(-100)
    assert store.recipients(None) == [1] and store.chat_count() == (1, 1)
    store.note_channel_posts(["old"], "known")
    assert store.note_channel_posts(["old", "new"], "waiting") == 1  # "old" stays known
    assert store.channel_posts("waiting") == ["new"]
    first = store.publish_to_channel("new", -100, parts=2)
    assert first is not None and store.publish_to_channel("new", -100, parts=2) is None
    assert store.publish_to_channel("old", -100, parts=1) is None
    assert [(store.item(d.item_id).part, d.chat_id) for d in store.due_deliveries(1e12, 10)] == [
        (1, -100),
        (2, -100),
    ]

    item = store.create_announcement(1, "Assembly on Friday", None)
    assert store.queue_announcement(item.id) == 1  # the members only
    assert store.queue_to_channel(item.id, -100) and not store.queue_to_channel(item.id, -100)
    assert store.report(item.id).pending == 2
    store.close()


def test_posts_the_channel_refused_wait_again_without_repeating_parts_already_out(tmp_path):
    store = Store.open(tmp_path / "db.sqlite3")
    store.note_channel_posts(["a", "b"], "waiting")
    store.publish_to_channel("a", -100, parts=1)
    store.publish_to_channel("b", -100, parts=2)
    deliveries = store.due_deliveries(1e12, 10)
    store.mark_blocked(deliveries[0].id, -100, "Forbidden: bot is not a member of the channel chat")
    store.mark_sent(deliveries[1].id, 7)  # b's first part went out before the bot lost its rights
    store.mark_failed(deliveries[2].id, "Bad Request: need administrator rights in the channel chat")
    assert store.channel_refused(-100)
    assert store.retry_refused_channel_posts() == 1
    assert store.channel_posts("waiting") == ["a"] and not store.channel_refused(-100)
    store.close()
