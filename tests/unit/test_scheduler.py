"""The scheduler on a manual clock: on time, once, woken by new schedules, and honest about missed ones."""

import asyncio
import datetime as dt

import pytest
from conftest import eventually

from bot.clock import ManualClock
from bot.schedule import Scheduler
from bot.store import Store

START = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "db.sqlite3")
    store.seen_chat(1, "private")
    yield store
    store.close()


def scheduled(store, at: dt.datetime, text="Hello") -> int:
    item = store.create_announcement(7, text, None)
    assert store.schedule_announcement(item.id, at.timestamp())
    return item.id


async def run(store, clock, **kwargs):
    started, missed = [], []

    async def on_missed(item):
        missed.append(item.id)

    scheduler = Scheduler(
        store, clock, on_started=lambda item, count: started.append((item.id, count)), on_missed=on_missed,
        **{"grace": 600, "recheck": 3600, **kwargs},
    )  # fmt: skip
    scheduler.start()
    await asyncio.sleep(0.01)
    return scheduler, started, missed


async def test_an_announcement_starts_when_its_time_comes_and_only_once(store):
    clock = ManualClock(START)
    item_id = scheduled(store, START + dt.timedelta(hours=1))
    scheduler, started, _ = await run(store, clock)
    await clock.advance(3599)
    await asyncio.sleep(0.01)
    assert started == [] and store.item(item_id).status == "scheduled"
    await clock.advance(1)
    await eventually(lambda: started == [(item_id, 1)])
    assert store.item(item_id).status == "queued" and store.queue_length(item_id) == 1
    await clock.advance(3600)
    scheduler.wake()
    await asyncio.sleep(0.01)
    assert started == [(item_id, 1)]
    await scheduler.stop()


async def test_a_sooner_schedule_added_while_it_sleeps_wakes_it(store):
    clock = ManualClock(START)
    scheduled(store, START + dt.timedelta(days=1))
    scheduler, started, _ = await run(store, clock)  # asleep until tomorrow (no recheck for an hour)
    soon = scheduled(store, START + dt.timedelta(minutes=10))
    scheduler.wake()
    await asyncio.sleep(0.01)
    await clock.advance(600)
    await eventually(lambda: started == [(soon, 1)])
    await scheduler.stop()


async def test_at_start_a_recent_one_is_sent_and_an_old_one_reported_as_missed(store):
    recent = scheduled(store, START - dt.timedelta(minutes=9))
    old = scheduled(store, START - dt.timedelta(minutes=11))
    cancelled = scheduled(store, START - dt.timedelta(minutes=1))
    assert store.cancel_announcement(cancelled)
    scheduler, started, missed = await run(store, ManualClock(START))
    await eventually(lambda: started and missed)
    assert started == [(recent, 1)] and missed == [old]
    assert [store.item(i).status for i in (recent, old, cancelled)] == ["queued", "missed", "cancelled"]
    await scheduler.stop()
    _, started, missed = await run(store, ManualClock(START))  # a restart: nothing twice
    await asyncio.sleep(0.02)
    assert started == [] and missed == []


async def test_a_schedule_from_another_process_is_seen_at_the_next_recheck(store):
    clock = ManualClock(START)
    scheduler, started, _ = await run(store, clock, recheck=0.05)
    item_id = scheduled(store, START)  # due now, and nobody woke the scheduler
    await eventually(lambda: started == [(item_id, 1)], timeout=2)
    await scheduler.stop()
