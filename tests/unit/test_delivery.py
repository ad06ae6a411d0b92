"""The delivery engine against a Bot-like stub: outcomes per recipient, retries, pacing under the limits."""

import asyncio
import time
from types import SimpleNamespace

import pytest
from conftest import eventually
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery import DeliveryEngine
from bot.render.page import Page
from bot.settings import DeliveryLimits
from bot.store import ALL, Store

FAST = DeliveryLimits(
    global_per_second=1000, per_chat_per_second=1000, group_per_minute=60000, max_attempts=3
)


class StubBot:
    """Records every send_message call; `faults[chat_id]` lists exceptions to raise first, in order."""

    def __init__(self, faults=None):
        self.faults = {chat: list(errors) for chat, errors in (faults or {}).items()}
        self.calls: list[tuple[float, int, str]] = []
        self.delivered: list[tuple[int, str]] = []

    async def send_message(self, chat_id, text, **kwargs):
        self.calls.append((time.monotonic(), chat_id, text))
        await asyncio.sleep(0)
        if self.faults.get(chat_id):
            raise self.faults[chat_id].pop(0)
        self.delivered.append((chat_id, text))
        return SimpleNamespace(message_id=len(self.delivered))


def render(item, chat):
    return Page(text=f"{item.text} [{chat.language or 'en'}]")


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "db.sqlite3")
    yield store
    store.close()


def announce(store, chat_ids, text="Assembly moved to Friday"):
    for chat_id in chat_ids:
        store.seen_chat(chat_id, "group" if chat_id < 0 else "private")
    item = store.create_announcement(1, text, None)
    store.queue_announcement(item.id)
    return item


async def drain(store, bot, limits=FAST, **kwargs):
    engine = DeliveryEngine(store, bot, render, limits, backoff=0.01, idle_poll=0.05, **kwargs)
    await asyncio.wait_for(engine.drain(), timeout=30)
    return engine


async def test_every_recipient_gets_the_message_once_and_the_item_is_reported_finished(store):
    item = announce(store, range(1, 51))
    store.set_language(7, "sr")
    finished = []

    async def on_finished(ids):
        finished.extend(ids)

    bot = StubBot()
    await drain(store, bot, on_finished=on_finished)
    assert sorted(chat for chat, _ in bot.delivered) == list(range(1, 51))
    assert (7, "Assembly moved to Friday [sr]") in bot.delivered
    report = store.report(item.id)
    assert (report.delivered, report.blocked, report.failed, report.pending) == (50, 0, 0, 0)
    assert finished == [item.id]
    assert store.item(item.id).status == "done"


async def test_flood_control_waits_the_given_time_then_retries_the_same_message(store):
    item = announce(store, [1, 2])
    bot = StubBot({1: [RetryAfter(1)]})
    await drain(store, bot)
    first_try, *later = [at for at, chat, _ in bot.calls if chat == 1]
    assert len(later) == 1 and later[0] - first_try >= 0.95
    assert sorted(chat for chat, _ in bot.delivered) == [1, 2]
    assert store.report(item.id).delivered == 2


async def test_a_chat_that_blocked_the_bot_is_marked_inactive_and_not_retried(store):
    item = announce(store, [1, 2])
    bot = StubBot({2: [Forbidden("Forbidden: bot was blocked by the user")]})
    await drain(store, bot)
    assert [chat for _, chat, _ in bot.calls].count(2) == 1
    assert not store.chat(2).active
    report = store.report(item.id)
    assert (report.delivered, report.blocked) == (1, 1)


async def test_a_migrated_group_gets_the_message_at_its_new_id(store):
    store.seen_chat(-5, "group")
    store.subscribe(-5, ALL)
    item = announce(store, [-5])
    bot = StubBot({-5: [ChatMigrated(-1005)]})
    await drain(store, bot)
    assert bot.delivered == [(-1005, "Assembly moved to Friday [en]")]
    assert store.subscriptions(-1005) == [ALL]
    assert store.report(item.id).delivered == 1


async def test_network_errors_are_retried_with_backoff_then_fail_with_the_reason(store):
    item = announce(store, [1, 2])
    bot = StubBot({1: [TimedOut(), NetworkError("Bad Gateway")], 2: [NetworkError("Bad Gateway")] * 5})
    await drain(store, bot)
    assert [chat for chat, _ in bot.delivered] == [1]
    assert [chat for _, chat, _ in bot.calls].count(2) == FAST.max_attempts
    report = store.report(item.id)
    assert (report.delivered, report.failed) == (1, 1)
    row = store.db.execute("SELECT last_error FROM deliveries WHERE chat_id = 2").fetchone()
    assert row[0] == "Bad Gateway"


async def test_a_rejected_message_fails_at_once_and_an_unknown_chat_counts_as_gone(store):
    item = announce(store, [1, 2])
    bot = StubBot({1: [BadRequest("Can't parse entities")], 2: [BadRequest("Chat not found")]})
    await drain(store, bot)
    assert len(bot.calls) == 2
    report = store.report(item.id)
    assert (report.failed, report.blocked) == (1, 1)


async def test_sends_stay_under_the_global_rate_limit(store):
    announce(store, range(1, 41))
    limits = DeliveryLimits(global_per_second=50, per_chat_per_second=1000, group_per_minute=60000)
    bot = StubBot()
    await drain(store, bot, limits=limits)
    times = sorted(at for at, _, _ in bot.calls)
    assert len(times) == 40
    assert all(later - earlier >= 10 / 50 * 0.9 for earlier, later in zip(times, times[10:], strict=False))


async def test_two_messages_to_one_chat_are_a_chat_interval_apart(store):
    announce(store, [1, -2], "first")
    announce(store, [1, -2], "second")
    limits = DeliveryLimits(global_per_second=1000, per_chat_per_second=4, group_per_minute=240)
    bot = StubBot()
    await drain(store, bot, limits=limits)
    for chat in (1, -2):
        first, second = [at for at, c, _ in bot.calls if c == chat]
        assert second - first >= 0.25 * 0.95
    assert [text for chat, text in bot.delivered if chat == 1] == ["first [en]", "second [en]"]


async def test_the_running_worker_delivers_what_is_queued_later_and_stops_cleanly(store):
    bot = StubBot()
    engine = DeliveryEngine(store, bot, render, FAST, idle_poll=0.05)
    engine.start()
    announce(store, [1, 2, 3])
    engine.wake()
    await eventually(lambda: len(bot.delivered) == 3, what="three deliveries")
    await engine.stop()
    assert sorted(chat for chat, _ in bot.delivered) == [1, 2, 3]
    assert store.queue_length() == 0


async def test_on_restart_the_worker_first_offers_to_report_what_finished_before_the_crash(store):
    item = announce(store, [1])
    (delivery,) = store.due_deliveries(now=0, limit=1)
    store.mark_sending(delivery.id)
    store.mark_sent(delivery.id, 1)
    assert store.finish_items() == [item.id]  # ... and the process died before the report went out
    calls = []

    async def on_finished(ids):
        calls.append(ids)
        for unreported in store.unreported():
            store.mark_reported(unreported.id)

    engine = DeliveryEngine(store, StubBot(), render, FAST, idle_poll=0.05, on_finished=on_finished)
    engine.start()
    await eventually(lambda: calls, what="the first report offer")
    await engine.stop()
    assert calls[0] == [] and store.unreported() == []


async def test_an_item_of_several_messages_goes_on_from_the_part_that_failed(store):
    announce(store, [1, 2], "Three parts")

    def in_parts(item, chat):
        return [Page(f"{item.text} {n}/3") for n in (1, 2, 3)]

    flood = RetryAfter(0.05)
    bot = StubBot()
    original = bot.send_message

    async def flaky(chat_id, text, **kwargs):  # chat 1's second part meets flood control once
        if (chat_id, text) == (1, "Three parts 2/3") and not flaky.failed:
            flaky.failed = True
            raise flood
        return await original(chat_id, text, **kwargs)

    flaky.failed = False
    bot.send_message = flaky
    engine = DeliveryEngine(store, bot, in_parts, FAST, backoff=0.01, idle_poll=0.05)
    await asyncio.wait_for(engine.drain(), timeout=30)
    for chat in (1, 2):
        assert [text for c, text in bot.delivered if c == chat] == [f"Three parts {n}/3" for n in (1, 2, 3)]
    assert flaky.failed


async def test_copies_go_out_with_copy_message_or_copy_messages(store):
    from bot.render.page import Copy

    announce(store, [1, 2])
    store.set_language(2, "sr")  # the engine renders once per item and language
    calls = []

    class CopyBot:
        async def copy_message(self, chat_id, from_chat_id, message_id, **kwargs):
            calls.append(("one", chat_id, from_chat_id, message_id, kwargs.get("caption")))
            return SimpleNamespace(message_id=10)

        async def copy_messages(self, chat_id, from_chat_id, message_ids):
            calls.append(("many", chat_id, from_chat_id, tuple(message_ids), None))
            return [SimpleNamespace(message_id=20), SimpleNamespace(message_id=21)]

    def render_copies(item, chat):
        if chat.language is None:
            return Copy(99, (5,), caption="<b>new</b>")
        return Copy(99, (5, 6))

    engine = DeliveryEngine(store, CopyBot(), render_copies, FAST, backoff=0.01, idle_poll=0.05)
    await asyncio.wait_for(engine.drain(), timeout=30)
    assert sorted(calls) == [("many", 2, 99, (5, 6), None), ("one", 1, 99, 5, "<b>new</b>")]
