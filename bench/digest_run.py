"""Digest benchmark: one daily digest run for N subscribers through the real digest code and delivery
engine, against the local fake Bot API enforcing Telegram-like limits.

The store is seeded with N private chats subscribed to every post in daily mode and a few new posts
waiting for their digest. A child process (as the bot would) makes the 09:00 run (`bot.digests.
make_digests`: pages per chat, one transaction) and drains it with `DeliveryEngine`, rendering each
chat's page with the bot's own renderer (`bot.notify.renderer`). Limits are Telegram's multiplied by
--scale (×10: 300 messages/s overall) on both sides. Printed: messages sent, the time to make the run,
the sending time, the achieved rate over the configured one (target ≥ 0.95) and the 429 count (target 0).

    .venv/bin/python bench/digest_run.py [--subscribers 10000] [--posts 3] [--scale 10]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.delivery import CONCURRENCY  # noqa: E402
from bot.fakeapi import FakeBotAPI, Limits  # noqa: E402
from bot.store import ALL, DAILY, Store  # noqa: E402

DRIVER = """
import asyncio, datetime as dt, sys, time
from pathlib import Path
from types import SimpleNamespace
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest
from bot.delivery import DeliveryEngine
from bot.digests import make_digests
from bot.notify import renderer
from bot.settings import DeliveryLimits, Settings
from bot.store import Store
from index import load_posts

async def main():
    database, url, token, content = sys.argv[1:5]
    scale, concurrency = float(sys.argv[5]), int(sys.argv[6])
    store = Store.open(database)
    limits = DeliveryLimits(
        global_per_second=30 * scale, per_chat_per_second=scale, group_per_minute=20 * scale
    )
    settings = Settings(content_dir=Path(content), delivery=limits)
    posts = {post.id: post for post in load_posts(settings.posts_dir).posts}
    services = SimpleNamespace(store=store, settings=settings, post_now=posts.get)
    started = time.perf_counter()
    slot = dt.datetime(2026, 12, 7, 9, tzinfo=settings.zone).astimezone(dt.UTC)
    queued = make_digests(store, slot, settings.zone, posts.get)
    made = time.perf_counter() - started
    print(f"run made              {queued} messages queued in {made:.2f} s", flush=True)
    request = HTTPXRequest(connection_pool_size=2 * concurrency)
    async with ExtBot(token, base_url=url + "/bot", request=request) as bot:
        engine = DeliveryEngine(store, bot, renderer(services), limits, concurrency=concurrency)
        await engine.drain()

asyncio.run(main())
"""


def seed(database: Path, content: Path, chat_ids: list[int], posts: int) -> None:
    """N chats with a daily subscription to everything, and `posts` new posts waiting for the digest."""
    folder = content / "posts"
    folder.mkdir(parents=True)
    store = Store.open(database)
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO chats (id, type, first_seen, last_seen) VALUES (?, 'private', '', '')",
            [(chat_id,) for chat_id in chat_ids],
        )
        db.executemany(
            "INSERT INTO subscriptions (chat_id, tag, created, mode) VALUES (?, ?, '', ?)",
            [(chat_id, ALL, DAILY) for chat_id in chat_ids],
        )
    for number in range(posts):
        post_id = f"2026-12-0{number % 6 + 1}-news-{number}"
        url = f"url: https://dpnsee.org/news-{number}\n" if number % 2 else ""
        front = f"---\ntitle: News of the week {number}\ndate: 2026-12-0{number % 6 + 1}\n{url}---\n"
        (folder / f"{post_id}.md").write_text(front + "Body text.\n", encoding="utf-8")
        store.enqueue_post(post_id, ())
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=3, help="new posts in the digest")
    parser.add_argument("--scale", type=float, default=10.0, help="multiply Telegram's limits (time scale)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeBotAPI(limits=Limits(time_scale=args.scale)) as fake:
        chat_ids = [fake.user(f"U{i}", started=True).id for i in range(args.subscribers)]
        database, content = Path(tmp) / "digest.sqlite3", Path(tmp) / "content"
        seed(database, content, chat_ids, args.posts)
        command = [sys.executable, "-c", DRIVER, str(database), fake.url, fake.token, str(content)]
        started = time.monotonic()
        subprocess.run([*command, str(args.scale), str(CONCURRENCY)], cwd=ROOT, check=True)
        wall = time.monotonic() - started
        calls = [c for c in fake.calls if c.method.lower() == "sendmessage" and c.ok]
        span = calls[-1].time - calls[0].time
        achieved, limit = (len(calls) - 1) / span, 30 * args.scale
        one_each = all(fake.messages_per_chat[chat_id] == 1 for chat_id in chat_ids)
        ratio = achieved / limit
        print(f"subscribers           {args.subscribers}, {args.posts} new posts (limits ×{args.scale:g})")
        print(f"digests sent          {len(calls)} in {span:.2f} s (wall {wall:.2f} s); one each: {one_each}")
        print(f"achieved / limit      {achieved:.1f} / {limit:g} msg/s = {ratio:.3f}  (target ≥ 0.95)")
        print(f"429 responses         {fake.too_many_requests}  (target 0)")
        print(f"machine load          {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
