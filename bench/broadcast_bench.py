"""Broadcast benchmark: the delivery engine against the local fake Bot API enforcing Telegram-like limits.

The fake runs in this process; the engine runs in a child process (as the bot would), so the two do not
share an event loop or a GIL. Limits are Telegram's multiplied by --scale (×10: 300 messages/s overall),
and the engine is configured with the same scaled limits. Printed:

- achieved messages/s ÷ configured limit (target ≥ 0.95), measured on the fake between the first and the
  last sendMessage, and the number of 429 responses (target 0);
- the engine process's peak RSS;
- kill -9 halfway through a second broadcast, restart: time from restart to the next delivered message,
  messages repeated, recipients missed.

    .venv/bin/python bench/broadcast_bench.py [--recipients 10000] [--scale 10]

Reading the numbers: the engine keeps `bot.delivery.CONCURRENCY` sends in flight, so the rate is also
bounded by CONCURRENCY / (time per call); the CPU line shows when the machine, not the engine's pacing,
is the bottleneck.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.delivery import CONCURRENCY  # noqa: E402
from bot.fakeapi import FakeBotAPI, Limits  # noqa: E402
from bot.store import Store  # noqa: E402

DRIVER = """
import asyncio, sys
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest
from bot.delivery import DeliveryEngine
from bot.render.page import Page
from bot.settings import DeliveryLimits
from bot.store import Store

async def main():
    database, url, token = sys.argv[1:4]
    scale, concurrency = float(sys.argv[4]), int(sys.argv[5])
    store = Store.open(database)
    limits = DeliveryLimits(
        global_per_second=30 * scale, per_chat_per_second=scale, group_per_minute=20 * scale
    )
    request = HTTPXRequest(connection_pool_size=2 * concurrency)
    async with ExtBot(token, base_url=url + "/bot", request=request) as bot:
        render = lambda item, chat: Page(item.text)
        await DeliveryEngine(store, bot, render, limits, concurrency=concurrency).drain()

asyncio.run(main())
"""


def start_engine(database: Path, fake: FakeBotAPI, scale: float) -> subprocess.Popen:
    command = [sys.executable, "-c", DRIVER, str(database), fake.url, fake.token, str(scale)]
    command.append(str(CONCURRENCY))
    return subprocess.Popen(command, cwd=ROOT)


def sends(fake: FakeBotAPI) -> list:
    return [call for call in fake.calls if call.method.lower() == "sendmessage" and call.ok]


def queue_broadcast(database: Path, chat_ids: list[int], text: str) -> None:
    store = Store.open(database)
    with store.transaction() as db:
        db.executemany(
            "INSERT OR IGNORE INTO chats (id, type, first_seen, last_seen) VALUES (?, 'private', '', '')",
            [(chat_id,) for chat_id in chat_ids],
        )
    item = store.create_announcement(None, text, None)
    store.queue_announcement(item.id)
    store.close()


def watch(process: subprocess.Popen) -> tuple[int, float]:
    """Wait for the process; returns its peak RSS in bytes and CPU seconds (sampled every 50 ms)."""
    peak, cpu = 0, 0.0
    handle = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            with handle.oneshot():
                peak = max(peak, handle.memory_info().rss)
                times = handle.cpu_times()
                cpu = times.user + times.system
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    return peak, cpu


def throughput(fake: FakeBotAPI, database: Path, chat_ids: list[int], scale: float) -> None:
    queue_broadcast(database, chat_ids, "📢 Throughput run")
    started, own_cpu = time.monotonic(), time.process_time()
    peak, engine_cpu = watch(start_engine(database, fake, scale))
    wall, fake_cpu = time.monotonic() - started, time.process_time() - own_cpu
    calls = sends(fake)
    span = calls[-1].time - calls[0].time
    achieved = (len(calls) - 1) / span
    limit = 30 * scale
    print(f"recipients            {len(chat_ids)}  (limits ×{scale:g}: {limit:g} msg/s overall)")
    print(f"delivered             {len(calls)} in {span:.2f} s (process wall time {wall:.2f} s)")
    print(f"achieved / limit      {achieved:.1f} / {limit:g} msg/s = {achieved / limit:.3f}  (target ≥ 0.95)")
    print(f"429 responses         {fake.too_many_requests}  (target 0)")
    print(f"engine peak RSS       {peak / 2**20:.1f} MiB")
    load = os.getloadavg()[0]
    print(f"CPU seconds           engine {engine_cpu:.1f}, fake {fake_cpu:.1f}  (machine load {load:.1f})")


def resume(fake: FakeBotAPI, database: Path, chat_ids: list[int], scale: float) -> None:
    before = len(sends(fake))
    queue_broadcast(database, chat_ids, "📢 Resume run")
    first = start_engine(database, fake, scale)
    while len(sends(fake)) - before < len(chat_ids) // 2 and first.poll() is None:
        time.sleep(0.005)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    time.sleep(0.2)  # let requests already on the wire land
    at_kill = len(sends(fake))
    restarted = time.monotonic()
    second = start_engine(database, fake, scale)
    while len(sends(fake)) == at_kill and second.poll() is None:
        time.sleep(0.001)
    resumed = time.monotonic() - restarted
    second.wait()
    counts: dict[int, int] = {}
    for call in sends(fake)[before:]:
        counts[call.params["chat_id"]] = counts.get(call.params["chat_id"], 0) + 1
    missed = sum(1 for chat_id in chat_ids if chat_id not in counts)
    repeated = sum(count - 1 for count in counts.values())
    print(f"kill -9 after         {at_kill - before} of {len(chat_ids)} messages")
    print(f"time to resume        {resumed * 1000:.0f} ms (restart → next message delivered)")
    print(f"missed / repeated     {missed} / {repeated}  (repeats bounded by the {CONCURRENCY} in flight)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--scale", type=float, default=10.0, help="multiply Telegram's limits (time scale)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeBotAPI(limits=Limits(time_scale=args.scale)) as fake:
        users = [fake.user(f"U{i}", started=True) for i in range(args.recipients)]
        chat_ids = [user.id for user in users]
        throughput(fake, Path(tmp) / "throughput.sqlite3", chat_ids, args.scale)
        resume(fake, Path(tmp) / "resume.sqlite3", chat_ids[: max(200, args.recipients // 5)], args.scale)


if __name__ == "__main__":
    main()
