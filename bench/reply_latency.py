"""Reply latency: update delivered → the bot's reply received, through the fake Bot API over HTTP.

For each corpus size, synthetic posts (bench/corpus.py) are written to a temporary content folder; then
on one local FakeBotAPI, first a minimal python-telegram-bot echo bot (the floor: PTB, HTTP long polling
and the fake, nothing else) and then newsbot itself answer the same questions, one at a time, each from
one of 50 users, at most 25 a second (faster, newsbot's answers would wait for Telegram's limit of about
30 messages a second, which bench/surge.py measures). Latency is measured on the fake's clock: from the
moment the update is queued (a pending getUpdates long poll returns it at once) to the moment the fake
receives the reply's sendMessage.

The questions: the 44 hand-written ones of bench/search_bench.py, then title words of random posts, all
different (newsbot caches answers for its page buttons; a repeated question would flatter it).

    .venv/bin/python bench/reply_latency.py                      # 1k and 10k posts, 300 questions each
    .venv/bin/python bench/reply_latency.py --sizes 1000 --messages 100
    .venv/bin/python bench/reply_latency.py --semantic auto --random-vectors   # search by meaning on

By default newsbot searches by words alone (`--semantic off`). With `--semantic auto` it also searches by
meaning: the posts' passage vectors come from the benchmarks' cache (bench/out/bench-vectors.sqlite3,
filled by `bench/search_bench.py --engines fused`), with `--random-vectors` random ones for posts the cache
lacks (embedding 10k posts takes hours here; replies then cost the same, but answers by meaning are
meaningless); the bot is timed once search by meaning is ready.

Prints p50/p95/max per bot, newsbot's split into the time inside `Index.search` (the search core) and
the rest (the bot: PTB, handlers, store, rendering, HTTP), newsbot's p95 over the floor's (ratio and
difference) and the target (p95 ≤ floor + 40 ms at 10k posts). Numbers on a shared 2-core machine are
noisy: compare within a run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import Application, ContextTypes, MessageHandler, filters  # noqa: E402

from bench.corpus import fill_random_vectors, generate_posts, write_posts  # noqa: E402
from bench.search_bench import QUERIES, VECTORS  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.context import SERVICES  # noqa: E402
from bot.fakeapi import FakeBotAPI, polling  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index import load_posts  # noqa: E402

USERS = 50
PACE = 25  # questions a second at most: newsbot sends at most 29 messages a second (Telegram's limit)
WARM_UP = 10
TARGET_MS = 40.0


def questions_for(size: int, count: int) -> list[str]:
    """`count` different questions: the hand-written ones, then 2-3 title words of random posts."""
    rng = Random(f"reply-latency:{size}")
    titles = [post.title for post in generate_posts(min(size, 2000), seed=0)]
    questions = list(dict.fromkeys(QUERIES))
    seen = set(questions)
    while len(questions) < count:
        words = re.findall(r"\w+", rng.choice(titles).lower())
        start = rng.randrange(max(len(words) - 1, 1))
        question = " ".join(words[start : start + rng.randint(2, 3)])
        if question not in seen:
            seen.add(question)
            questions.append(question)
    return questions[:count]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(update.message.text)


def echo_bot(fake: FakeBotAPI) -> Application:
    """The floor: the smallest PTB bot that answers every text."""
    app = Application.builder().token(fake.token).base_url(f"{fake.url}/bot").build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    return app


def time_searches(app: Application) -> list[float]:
    """Record how long each `Index.search` call of newsbot takes (ms), to tell the search core's share."""
    spent: list[float] = []
    index = app.bot_data[SERVICES].index
    search = index.search

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            spent.append((time.perf_counter() - started) * 1000)

    index.search = timed
    return spent


async def measure(
    app: Application, fake: FakeBotAPI, questions: list[str], searches: list[float] | None = None
) -> list[float]:
    """Milliseconds from update queued to reply received, for each question after the warm-up; with
    `searches`, also each question's time inside Index.search (newsbot only)."""
    latencies: list[float] = []
    async with polling(app):
        if searches is not None:
            await meaning_ready(app)
        spent = time_searches(app) if searches is not None else []
        users = [fake.user(f"User {n}", started=True) for n in range(USERS)]
        for n, question in enumerate(questions):
            before_search = len(spent)
            user = users[n % USERS]
            before = len(fake.calls_to("sendMessage"))
            queued = time.monotonic()
            fake.send_text(user, user, question)
            calls = await fake.wait_for(
                lambda before=before: fake.calls_to("sendMessage")[before:], timeout=30, what="the reply"
            )
            if n >= WARM_UP:
                latencies.append((calls[0].time - queued) * 1000)
                if searches is not None:
                    searches.append(sum(spent[before_search:]))
            await asyncio.sleep(max(0.0, queued + 1 / PACE - time.monotonic()))
    fake.assert_no_rejections()
    return latencies


async def meaning_ready(app: Application) -> None:
    """Wait until newsbot searches by meaning, when it is on (its posts are embedded in the background)."""
    services = app.bot_data[SERVICES]
    started = time.monotonic()
    while (status := services.meaning()) is not None and not status.ready:
        await asyncio.sleep(0.5)
    if status is not None:
        print(f"search by meaning ready after {time.monotonic() - started:.0f} s ({status.embedded} posts)")


def summary(latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


async def run_size(size: int, messages: int, semantic: str, random_vectors: bool) -> None:
    questions = questions_for(size, messages + WARM_UP)
    with tempfile.TemporaryDirectory(prefix="reply-latency-") as tmp:
        content, data = Path(tmp) / "content", Path(tmp) / "data"
        started = time.monotonic()
        written = write_posts(content / "posts", size, seed=0)
        print(f"\n{size} posts written in {time.monotonic() - started:.1f} s", flush=True)
        if semantic != "off":
            data.mkdir()
            if VECTORS.is_file():
                shutil.copy(VECTORS, data / "vectors.sqlite3")
            if random_vectors:
                filled = fill_random_vectors(load_posts(content / "posts").posts, data / "vectors.sqlite3")
                print(f"random vectors for {filled} of {len(written)} posts")
        with FakeBotAPI() as fake:
            floor = summary(await measure(echo_bot(fake), fake, questions))
            settings = Settings(
                token=fake.token, api_url=fake.url, content_dir=content, data_dir=data, semantic=semantic
            )
            started = time.monotonic()
            app = build_application(settings)
            searches: list[float] = []
            bot_latencies = await measure(app, fake, questions, searches)
            print(f"newsbot start (index build {size} posts) + run: {time.monotonic() - started:.1f} s")
            bot = summary(bot_latencies)
    rows = {
        "echo": floor,
        "newsbot": bot,
        "  search": summary(searches),
        "  the rest": summary(
            [total - search for total, search in zip(bot_latencies, searches, strict=True)]
        ),
    }
    print(f"{'':12} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, (p50, p95, worst) in rows.items():
        print(f"{name:12} {p50:8.1f} {p95:8.1f} {worst:8.1f}")
    extra = bot[1] - floor[1]
    verdict = "PASS" if extra <= TARGET_MS else "MISS"
    print(
        f"p95 newsbot/echo = {bot[1] / floor[1]:.2f}x, newsbot - echo = {extra:+.1f} ms "
        f"(target ≤ +{TARGET_MS:.0f} ms: {verdict}{'' if size >= 10_000 else ', target set for 10k posts'})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--messages", type=int, default=300, help="timed questions per bot and size")
    parser.add_argument("--semantic", choices=("off", "auto"), default="off", help="search by meaning")
    parser.add_argument("--random-vectors", action="store_true", help="random vectors for uncached posts")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(f"questions: {len(QUERIES)} hand-written (bench/search_bench.py), then title words, all different; "
          f"{USERS} users; {WARM_UP} warm-up questions per bot not timed")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        asyncio.run(run_size(size, args.messages, args.semantic, args.random_vectors))


if __name__ == "__main__":
    main()
