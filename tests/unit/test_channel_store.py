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
    report = store.report(item.id)  # the channel is reported apart, never as one of the members
    assert (report.pending, report.total, report.channel) == (1, 1, "queued")
    store.close()


def test_the_channel_chosen_for_a_draft_is_kept_and_queued_with_it_once(tmp_path):
    path = tmp_path / "db.sqlite3"
    store = Store.open(path)
    for chat_id in (1, 2):
        store.seen_chat(chat_id, "private")
    plain = store.create_announcement(1, "Members only", None)
    scheduled = store.create_announcement(1, "Members and the channel", None)
    assert store.set_announcement_channel(scheduled.id, -100)
    assert store.set_announcement_channel(plain.id, -100) and store.set_announcement_channel(plain.id, None)
    assert store.schedule_announcement(scheduled.id, 1e9)
    assert not store.set_announcement_channel(scheduled.id, None)  # no draft any more: kept as chosen
    store.close()

    store = Store.open(path)  # a restart
    assert store.item(scheduled.id).channel == -100 and store.item(plain.id).channel is None
    assert store.queue_announcement(plain.id) == 2
    assert store.queue_announcement(scheduled.id, scheduled=True) == 2  # the members: the channel apart
    assert store.queue_announcement(scheduled.id, scheduled=True) is None
    assert sorted(d.chat_id for d in store.due_deliveries(1e12, 10, scheduled.id)) == [-100, 1, 2]
    assert [d.chat_id for d in store.due_deliveries(1e12, 10, plain.id)] == [1, 2]
    assert store.recipients(None) == [1, 2] and store.chat_count() == (2, 2)
    for delivery in store.due_deliveries(1e12, 10, scheduled.id):
        if delivery.chat_id == -100:
            store.mark_failed(delivery.id, "Bad Request: need administrator rights in the channel chat")
        else:
            store.mark_blocked(delivery.id, delivery.chat_id, "Forbidden: bot was blocked by the user")
    report = store.report(scheduled.id)
    assert (report.blocked, report.failed, report.channel) == (2, 0, "failed")
    assert report.channel_error == "Bad Request: need administrator rights in the channel chat"
    assert store.failure_reasons(scheduled.id) == {"Forbidden: bot was blocked by the user": 2}
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
