"""Scheduled-announcement latency: how late after its due time an announcement starts going out.

The real Application (wall clock) long-polls the local fake Bot API in this process. Each round schedules
one announcement a little ahead and measures, on the fake, the time from its due time to the first member's
message. Two ways in:

- "bot": scheduled as the Schedule… button does (store + waking the scheduler);
- "shell": written to the database by another connection, as `newsbot announce --at` does, with nobody
  waking the scheduler (it finds it at its next look at the store, every second).

Target: every start within 1 s of its due time.

    .venv/bin/python bench/schedule_latency.py [--rounds 20] [--members 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_application  # noqa: E402
from bot.context import SCHEDULER, SERVICES  # noqa: E402
from bot.fakeapi import FakeBotAPI, polling  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import Store  # noqa: E402


def first_send_after(api: FakeBotAPI, members: set[int], text: str) -> float | None:
    """Wall time of the first message `text` to a member (the fake records monotonic times)."""
    offset = time.time() - time.monotonic()
    for call in api.calls_to("sendMessage"):
        if call.params.get("chat_id") in members and text in str(call.params.get("text")):
            return call.time + offset
    return None


async def measure(
    api: FakeBotAPI, settings: Settings, members: set[int], rounds: int, way: str
) -> list[float]:
    lateness = []
    async with polling(build_application(settings)) as app:
        store = app.bot_data[SERVICES].store
        other = Store.open(settings.database_path)  # the shell's own connection
        for number in range(rounds):
            text = f"{way} round {number}"
            due = time.time() + 1.5 + (number % 5) * 0.13  # due at varied fractions of a second
            target = store if way == "bot" else other
            item = target.create_announcement(None, text, None)
            target.schedule_announcement(item.id, due)
            if way == "bot":
                app.bot_data[SCHEDULER].wake()
            while (sent := first_send_after(api, members, text)) is None:
                await asyncio.sleep(0.005)
            lateness.append(sent - due)
        other.close()
    return lateness


def summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name:6} n={len(values)}  p50 {statistics.median(values) * 1000:6.1f} ms  "
        f"p95 {p95 * 1000:6.1f} ms  max {max(values) * 1000:6.1f} ms  "
        f"within 1 s: {sum(v <= 1.0 for v in values)}/{len(values)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--members", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeBotAPI() as api:
        settings = Settings(
            token=api.token, api_url=api.url, content_dir=ROOT / "content", data_dir=Path(tmp), semantic="off"
        )
        settings = replace(settings, poll_seconds=3600)
        store = Store.open(settings.database_path)
        members = {api.user(f"M{i}", started=True).id for i in range(args.members)}
        for member in members:
            store.seen_chat(member, "private")
        store.close()
        print(f"scheduled announcement start, due time -> first member's message ({args.members} members)")
        for way in ("bot", "shell"):
            print(summary(way, asyncio.run(measure(api, settings, members, args.rounds, way))))


if __name__ == "__main__":
    main()
