"""The delivery engine over real HTTP against the strict fake Bot API: limits kept, faults handled."""

from __future__ import annotations

import pytest
from telegram.ext import ExtBot

from bot.delivery import DeliveryEngine
from bot.fakeapi import FakeBotAPI, Limits
from bot.render.page import Page
from bot.settings import DeliveryLimits
from bot.store import Store


def render(item, chat):
    return Page(item.text)


@pytest.fixture
def store(tmp_path):
    store = Store.open(tmp_path / "db.sqlite3")
    yield store
    store.close()


def queue(store, chat_ids, text="Assembly moved to Friday"):
    for chat_id in chat_ids:
        store.seen_chat(chat_id, "group" if chat_id < 0 else "private")
    item = store.create_announcement(None, text, None)
    store.queue_announcement(item.id)
    return item


async def deliver(api: FakeBotAPI, store: Store, limits: DeliveryLimits) -> None:
    async with ExtBot(api.token, base_url=f"{api.url}/bot") as bot:
        await DeliveryEngine(store, bot, render, limits, backoff=0.05, idle_poll=0.05).drain()


async def test_a_broadcast_under_telegram_like_limits_provokes_no_429(store):
    with FakeBotAPI(limits=Limits(time_scale=5)) as api:
        users = [api.user(f"U{i}", started=True) for i in range(60)]
        group = api.group()
        item = queue(store, [u.id for u in users] + [group.id])
        for chat_id in (group.id, users[0].id):
            store.subscribe(chat_id, "cnd")
        store.queue_announcement(store.create_announcement(None, "Second item, about cnd", "cnd").id)
        await deliver(
            api, store, DeliveryLimits(global_per_second=150, per_chat_per_second=5, group_per_minute=100)
        )
        assert api.too_many_requests == 0
        assert all(api.messages_per_chat[u.id] == 1 for u in users[1:])
        assert api.messages_per_chat[group.id] == 2 and api.messages_per_chat[users[0].id] == 2
        assert store.report(item.id).delivered == 61


@pytest.mark.rejections_expected
async def test_flood_control_blocked_users_migrated_groups_and_server_errors(fake, store):
    waiting, blocked, flaky = (fake.user(name, started=True) for name in ("Waiting", "Blocked", "Flaky"))
    old_group = fake.group()
    new_group = fake.group(supergroup=True)
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=waiting.id)
    fake.block(blocked)
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=flaky.id, times=2)
    fake.fail_next(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=new_group.id,
        chat_id=old_group.id,
    )
    store.seen_chat(old_group.id, "group")
    store.subscribe(old_group.id, "cnd")
    item = queue(store, [waiting.id, blocked.id, flaky.id, old_group.id])
    await deliver(fake, store, DeliveryLimits(global_per_second=100, per_chat_per_second=10, max_attempts=3))
    assert [m.text for m in fake.replies(waiting)] == ["Assembly moved to Friday"]
    assert [m.text for m in fake.replies(flaky)] == ["Assembly moved to Friday"]
    assert [m.text for m in fake.replies(new_group)] == ["Assembly moved to Friday"]
    assert fake.replies(blocked) == []
    assert not store.chat(blocked.id).active
    assert store.subscriptions(new_group.id) == ["cnd"] and store.chat(old_group.id) is None
    report = store.report(item.id)
    assert (report.delivered, report.blocked, report.failed) == (3, 1, 0)
