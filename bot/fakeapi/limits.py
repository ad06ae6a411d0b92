"""Flood control and injected faults for the fake Bot API."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from bot.fakeapi.checks import ApiError


@dataclass(frozen=True)
class Limits:
    """Telegram-like sending limits. Rates are multiplied by `time_scale` (×10 runs a benchmark ten times
    faster; report achieved/configured ratios). Bursts: a chat may get `per_chat_burst` messages at once."""

    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_chat_burst: float = 3.0
    group_per_minute: float = 20.0
    time_scale: float = 1.0


class _Bucket:
    """A token bucket: `capacity` messages at once, refilled at `rate` per second."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float, now: float):
        self.rate, self.capacity, self.tokens, self.stamp = rate, capacity, capacity, now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 if now)."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class RateLimiter:
    """Checks a message against the overall, per-chat and per-group buckets; raises 429 when over."""

    def __init__(self, limits: Limits):
        self.limits = limits
        scale = limits.time_scale
        self._global_rate = limits.global_per_second * scale
        self._chat_rate = limits.per_chat_per_second * scale
        self._group_rate = limits.group_per_minute / 60 * scale
        self._global: _Bucket | None = None
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, _Bucket] = {}

    def acquire(self, chat_id: int, is_group: bool, now: float) -> None:
        if self._global is None:
            self._global = _Bucket(self._global_rate, max(1.0, self._global_rate), now)
        buckets = [self._global]
        buckets.append(
            self._chats.setdefault(chat_id, _Bucket(self._chat_rate, self.limits.per_chat_burst, now))
        )
        if is_group:
            capacity = max(1.0, self.limits.group_per_minute)
            buckets.append(self._groups.setdefault(chat_id, _Bucket(self._group_rate, capacity, now)))
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}, "limit"
            )
        for bucket in buckets:
            bucket.take()


@dataclass
class Fault:
    """An injected error for the next `times` calls of `method` (optionally only for one chat)."""

    method: str
    error_code: int
    description: str
    parameters: dict = field(default_factory=dict)
    times: int = 1
    chat_id: int | None = None

    def matches(self, method: str, params: dict) -> bool:
        if self.times <= 0 or self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

    def fire(self) -> ApiError:
        self.times -= 1
        return ApiError(self.error_code, self.description, dict(self.parameters), "fault")
