"""A surge: many members asking at once, against the fake Bot API with Telegram's sending limits on.

newsbot (`build_application`, the real handlers) long-polls a local FakeBotAPI that enforces Telegram's
limits (bot/fakeapi/limits.py: about 30 messages a second overall, 1 a second per chat with a burst of 3)
and answers 429 with ``retry_after`` beyond them. Simulated members, each in their own private chat:

- default (human pace): 80 members each ask, wait for the answer, read it for 1–2 s, and ask again
  (about 53 answers a second wanted, well over Telegram's 30);
- ``--eager``: 40 members each ask again the moment the answer arrives.

Each member asks `--rounds` questions (title words of the generated posts, all different). A member who
gets no answer within `--patience` seconds asks the next question anyway. At the end the script waits
for late answers, then prints: Bot API calls answered 429, questions with no answer (lost), replies that
only said "something went wrong", the answer delay p50/p95/max (question queued → the first bot message
after it in that chat), the run's duration, and what the bot logged (lines, tracebacks).

    .venv/bin/python bench/surge.py              # 80 members at a human pace
    .venv/bin/python bench/surge.py --eager      # 40 members as fast as answers come
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import write_posts  # noqa: E402
from bench.reply_latency import questions_for, summary  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.fakeapi import FakeBotAPI, Limits, User, polling  # noqa: E402
from bot.render.messages import t  # noqa: E402
from bot.settings import Settings  # noqa: E402

POSTS = 1000


class LogCount(logging.Handler):
    """Counts what the bot logs at WARNING and above, and how many of those lines carry a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines = 0
        self.tracebacks = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.lines += 1
        self.tracebacks += record.exc_info is not None


class Member:
    """One simulated member: asks, waits for the answer (or gives up after `patience`), reads, asks again."""

    def __init__(self, fake: FakeBotAPI, user: User, questions: list[str], read: tuple[float, float]):
        self.fake, self.user, self.questions, self.read = fake, user, questions, read
        self.asked: list[int] = []  # message ids of the questions
        self.delays: list[float] = []  # seconds from question to answer, for the answered ones

    async def run(self, rng: Random, patience: float) -> None:
        for question in self.questions:
            before = len(self.fake.replies(self.user))
            started = time.monotonic()
            self.asked.append(self.fake.send_text(self.user, self.user, question).message_id)
            try:
                await self.fake.wait_for(lambda b=before: len(self.fake.replies(self.user)) > b, patience)
                self.delays.append(time.monotonic() - started)
            except TimeoutError:
                pass
            low, high = self.read
            if high:
                await asyncio.sleep(rng.uniform(low, high))

    def outcome(self, error_text: str) -> tuple[int, int]:
        """(questions with no answer, questions answered only with the error message): a question's answer
        is a bot message after it and before the member's next question."""
        replies = self.fake.replies(self.user)
        lost = errors = 0
        bounds = [*self.asked[1:], float("inf")]
        for asked, next_asked in zip(self.asked, bounds, strict=True):
            between = [m for m in replies if asked < m.message_id < next_asked]
            if not between:
                lost += 1
            elif all((m.text or "") == error_text for m in between):
                errors += 1
        return lost, errors


async def surge(members: int, rounds: int, read: tuple[float, float], patience: float, seed: int) -> None:
    rng = Random(seed)
    questions = questions_for(POSTS, members * rounds)
    rng.shuffle(questions)
    logs = LogCount()
    logging.getLogger().addHandler(logs)
    with tempfile.TemporaryDirectory(prefix="surge-") as tmp, FakeBotAPI(limits=Limits()) as fake:
        write_posts(Path(tmp) / "content" / "posts", POSTS, seed=0)
        settings = Settings(
            token=fake.token,
            api_url=fake.url,
            content_dir=Path(tmp) / "content",
            data_dir=Path(tmp) / "data",
            semantic="off",
        )
        app = build_application(settings)
        async with polling(app):
            crowd = [
                Member(
                    fake,
                    fake.user(f"Member {n}", started=True),
                    questions[n * rounds : (n + 1) * rounds],
                    read,
                )
                for n in range(members)
            ]
            started = time.monotonic()
            await asyncio.gather(*(member.run(Random(rng.random()), patience) for member in crowd))
            duration = time.monotonic() - started
            await asyncio.sleep(patience)  # late answers still count as answers
        fake.assert_no_rejections()
        outcomes = [member.outcome(_error_text()) for member in crowd]
        delays = [d * 1000 for member in crowd for d in member.delays]
        sends = len(fake.calls_to("sendMessage"))
    logging.getLogger().removeHandler(logs)
    asked = members * rounds
    wanted = members / ((read[0] + read[1]) / 2) if read[1] else float("nan")
    p50, p95, worst = summary(delays) if delays else (float("nan"),) * 3
    pace = f"read {read[0]:g}–{read[1]:g} s: ~{wanted:.0f} answers/s wanted" if read[1] else "eager"
    print(f"members               {members} × {rounds} questions = {asked} ({pace})")
    print(f"calls answered 429    {fake.too_many_requests} (of {sends} sendMessage calls)")
    print(f"replies lost          {sum(lost for lost, _ in outcomes)} questions with no answer")
    print(f"error replies         {sum(err for _, err in outcomes)} answered only 'something went wrong'")
    print(f"answer delay          p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms")
    print(f"duration              {duration:.1f} s ({asked / duration:.1f} questions/s)")
    print(f"log                   {logs.lines} lines at WARNING+, {logs.tracebacks} with a traceback")


def _error_text() -> str:
    """The error message as members see it (plain text, without the HTML tags)."""
    from bot.render.html import visible_text

    return visible_text(t("en", "error")).strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eager", action="store_true", help="40 members asking again at once")
    parser.add_argument("--members", type=int, help="members (default 80, or 40 with --eager)")
    parser.add_argument("--rounds", type=int, default=5, help="questions per member")
    parser.add_argument("--patience", type=float, default=20.0, help="seconds a member waits for an answer")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=open("/dev/null", "w"))  # noqa: SIM115
    members = args.members or (40 if args.eager else 80)
    read = (0.0, 0.0) if args.eager else (1.0, 2.0)
    asyncio.run(surge(members, args.rounds, read, args.patience, args.seed))


if __name__ == "__main__":
    main()
