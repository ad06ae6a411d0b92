"""The one pacer for everything the bot sends: turns under Telegram's limits, answers before
broadcasts, flood-control pauses waited out, one more try for an answer after a 5xx or a timeout."""

import asyncio
import logging
import time

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.pacing import BROADCAST, REPLY, Pacer, PacingLimiter, broadcasting, counted
from bot.settings import DeliveryLimits

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def granted_in_order(pacer: Pacer, requests: list[tuple[str, int | None, int]]) -> list:
    """Start a turn for each (name, chat, priority) at once; returns the coroutine giving the names in
    the order their turns came."""
    order: list[str] = []

    async def one(name, chat, priority):
        await pacer.turn(chat, priority=priority)
        order.append(name)

    async def run():
        await asyncio.gather(*(one(*request) for request in requests))
        return order

    return run()


async def test_answers_get_their_turns_before_a_waiting_broadcast():
    pacer = Pacer(DeliveryLimits(global_per_second=20))
    requests = [(f"broadcast {n}", 100 + n, BROADCAST) for n in range(6)]
    requests += [(f"answer {n}", n, REPLY) for n in range(3)]
    order = await granted_in_order(pacer, requests)
    assert order[:3] == ["answer 0", "answer 1", "answer 2"]
    assert order[3:] == [f"broadcast {n}" for n in range(6)]  # among equals, first come first served


async def test_global_turns_stay_under_the_limit_and_a_chat_waits_its_interval():
    pacer = Pacer(DeliveryLimits(global_per_second=50, per_chat_per_second=5, group_per_minute=120))
    times: dict[str, list[float]] = {}

    async def one(name, chat):
        await pacer.turn(chat)
        times.setdefault(name, []).append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(one(f"chat {n}", n) for n in range(25)), one("again", 7), one("group", -5),
                         one("group", -5))  # fmt: skip
    everything = sorted(t for stamps in times.values() for t in stamps)
    assert everything[-1] - started >= 26 / 50 * 0.9  # 28 turns at 50 a second
    assert all(b - a >= 9 / 50 * 0.9 for a, b in zip(everything, everything[9:], strict=False))
    assert times["again"][0] - times["chat 7"][0] >= 1 / 5 * 0.95  # two messages to chat 7
    first, second = times["group"]
    assert second - first >= 60 / 120 * 0.95


async def test_flood_control_pauses_every_turn_and_is_logged_once(caplog):
    pacer = Pacer(DeliveryLimits())
    with caplog.at_level(logging.WARNING, "bot.pacing"):
        pacer.pause(1.0)
        pacer.pause(1.0)  # the other sends told the same: still one pause
    started = time.monotonic()
    await pacer.turn(1)
    assert time.monotonic() - started >= 0.95
    assert [r.getMessage() for r in caplog.records] == [
        "flood control: Telegram asked to wait 1 s; sending pauses until then"
    ]


async def test_a_cancelled_waiter_gives_its_turn_to_the_next():
    pacer = Pacer(DeliveryLimits(global_per_second=5))
    await pacer.turn(1)
    waiting = asyncio.create_task(pacer.turn(2))
    await asyncio.sleep(0)
    waiting.cancel()
    await asyncio.wait_for(pacer.turn(3), timeout=1)


def test_what_counts_against_the_limits():
    assert counted("sendMessage") and counted("editMessageText") and counted("copyMessage")
    assert not counted("sendChatAction") and not counted("answerCallbackQuery") and not counted("getUpdates")


class Calls:
    """A Bot API call that answers with `outcomes` in turn (an exception is raised)."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.times: list[float] = []

    async def __call__(self):
        self.times.append(time.monotonic())
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


async def request(limiter, call, endpoint="sendMessage", chat_id=5):
    return await limiter.process_request(call, (), {}, endpoint, {"chat_id": chat_id}, None)


async def test_an_answer_told_to_wait_is_sent_after_each_wait_not_lost(caplog):
    limiter = PacingLimiter(Pacer(DeliveryLimits()))
    call = Calls(RetryAfter(1), RetryAfter(1), {"ok": True})
    with caplog.at_level(logging.WARNING):
        assert await request(limiter, call) == {"ok": True}
    assert call.times[1] - call.times[0] >= 0.95 and call.times[2] - call.times[1] >= 0.95
    assert len(caplog.records) == 2 and all(r.exc_info is None for r in caplog.records)


async def test_an_answer_is_sent_once_more_after_a_5xx_or_a_timeout_but_never_after_a_4xx():
    limiter = PacingLimiter(Pacer(DeliveryLimits()))
    assert await request(limiter, Calls(NetworkError("Bad Gateway"), {"ok": 1})) == {"ok": 1}
    assert await request(limiter, Calls(TimedOut(), {"ok": 2}), chat_id=6) == {"ok": 2}
    twice = Calls(NetworkError("Bad Gateway"), NetworkError("Bad Gateway"), {"ok": 3})
    with pytest.raises(NetworkError):
        await request(limiter, twice, chat_id=7)
    assert len(twice.times) == 2
    for refusal in (BadRequest("Bad Request: message is too long"), Forbidden("Forbidden: blocked")):
        once = Calls(refusal, {"ok": 4})
        with pytest.raises(type(refusal)):
            await request(limiter, once, chat_id=8)
        assert len(once.times) == 1


async def test_a_broadcast_call_is_not_held_again_and_its_flood_control_pauses_the_answers():
    pacer = Pacer(DeliveryLimits())
    limiter = PacingLimiter(pacer)
    with broadcasting(), pytest.raises(RetryAfter):
        await request(limiter, Calls(RetryAfter(1)))
    started = time.monotonic()
    await request(limiter, Calls({"ok": True}), chat_id=9)
    assert time.monotonic() - started >= 0.95
