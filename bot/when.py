"""A date and time as an admin types it, in English or Serbian (Latin or Cyrillic), read in local time.

`parse_when("sutra u 9", now)` → tomorrow 09:00 in `now`'s time zone. Understood, in any order of date and
time, with or without "at"/"on"/"u"/"next"/"sledeći":
- a day: today / danas, tomorrow / sutra, the day after tomorrow / prekosutra, a weekday (monday …
  ponedeljak, utorak, sreda, četvrtak, petak, subota, nedelja: the next one to come), 2026-12-01,
  1.12.2026 (or 1.12.2026.), 1.12. (the next 1 December), 1 December 2026 / 1. decembar 2026;
- a time: 9, 9:00, 09:00:30, 9am, 9:30 pm, 21h; alone, it means the next time the clock shows it;
  a day without a time means 09:00;
- or a delay: in 2 hours, in 30 minutes, in 3 days / za 2 sata, za 30 minuta, za 3 dana.
Anything else is None. Pure: no clock is read, `now` says when "now" is.
"""

from __future__ import annotations

import datetime as dt
import re

from index.analysis import fold

DEFAULT_HOUR = 9
_FILLER = frozenset(
    {"at", "on", "in", "the", "of", "next", "this", "u", "na", "od"}
    | {"sledeci", "sledece", "sledeceg", "iduci", "iduce", "naredni", "narednog"}
)
_DAYS = {"today": 0, "danas": 0, "tomorrow": 1, "sutra": 1, "prekosutra": 2}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            "monday mon ponedeljak ponedjeljak pon",
            "tuesday tue utorak uto",
            "wednesday wed sreda srijeda sredu srijedu sre",
            "thursday thu cetvrtak cet",
            "friday fri petak pet",
            "saturday sat subota subotu sub",
            "sunday sun nedelja nedelju nedjelja nedjelju ned",
        )
    )
    for name in names.split()
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "january jan januar januara",
            "february feb februar februara",
            "march mar mart marta",
            "april apr aprila",
            "may maj maja",
            "june jun juna",
            "july jul jula",
            "august aug avgust avgusta",
            "september sep sept septembar septembra",
            "october oct oktobar oktobra okt",
            "november nov novembar novembra",
            "december dec decembar decembra",
        ),
        1,
    )
    for name in names.split()
}
_UNITS = {
    "minute": 60, "minutes": 60, "min": 60, "mins": 60, "minut": 60, "minuta": 60, "minuti": 60,
    "hour": 3600, "hours": 3600, "h": 3600, "sat": 3600, "sata": 3600, "sati": 3600, "casa": 3600,
    "day": 86400, "days": 86400, "dan": 86400, "dana": 86400,
}  # fmt: skip
_DELAY = re.compile(r"^(?:in|za) (\d{1,4}) ([a-z]+)$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(?:(\d{4})\.?)?$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2})(?::(\d{2}))?)?(am|pm|h)?$")


def parse_when(text: str, now: dt.datetime) -> dt.datetime | None:
    """The moment `text` names, in `now`'s time zone (an aware datetime), or None if it names none."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    text = re.sub(r"(?<=\d)\s*(am|pm)\b", r"\1", text, flags=re.I)
    text = re.sub(r"\bday after tomorrow\b", "prekosutra", text, flags=re.I)
    words = [fold(word) for word in text.split()]
    words = [w.rstrip(",") for w in words if w.rstrip(",")]
    if delay := _delay(words):
        return now + delay
    words = [w for w in words if w not in _FILLER]
    found, day, rest = _day(words, now)
    if found and day is None:  # 31.2.2026
        return None
    time, rest = _time(rest)
    if rest or (day is None and time is None):
        return None
    if day is None:  # a time alone: the next time the clock shows it
        moment = _at(now.date(), time, now)
        return moment if moment > now else _at(now.date() + dt.timedelta(days=1), time, now)
    return _at(day, time or dt.time(DEFAULT_HOUR), now)


def _delay(words: list[str]) -> dt.timedelta | None:
    match = _DELAY.match(" ".join(words))
    if match is None or match.group(2) not in _UNITS:
        return None
    return dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def _day(words: list[str], now: dt.datetime) -> tuple[bool, dt.date | None, list[str]]:
    """Whether some of `words` name a day, the day (None if it does not exist) and the words left."""
    today = now.date()
    for i, word in enumerate(words):
        rest = words[:i] + words[i + 1 :]
        if word in _DAYS:
            return True, today + dt.timedelta(days=_DAYS[word]), rest
        if word in _WEEKDAYS:
            return True, today + dt.timedelta(days=(_WEEKDAYS[word] - today.weekday()) % 7 or 7), rest
        if match := _ISO.match(word):
            return True, _date(*map(int, match.groups())), rest
        if match := _DOTTED.match(word):
            day, month, year = match.groups()
            return True, _date_ahead(int(day), int(month), year, today), rest
        if named := _named_date(words, i, today):
            return True, named[0], words[:i] + words[i + named[1] :]
    return False, None, words


def _named_date(words: list[str], i: int, today: dt.date) -> tuple[dt.date | None, int] | None:
    """'1 December [2026]' or '1. decembar [2026.]' starting at word i: (date, words used)."""
    day = words[i].rstrip(".")
    if not day.isdigit() or i + 1 >= len(words) or words[i + 1].rstrip(".") not in _MONTHS:
        return None
    month = _MONTHS[words[i + 1].rstrip(".")]
    year = (
        words[i + 2].rstrip(".") if i + 2 < len(words) and re.fullmatch(r"\d{4}\.?", words[i + 2]) else None
    )
    return _date_ahead(int(day), month, year, today), 3 if year else 2


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_ahead(day: int, month: int, year: str | None, today: dt.date) -> dt.date | None:
    """The date; without a year, the next time it comes (today included)."""
    if year:
        return _date(int(year), month, day)
    this_year = _date(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _date(today.year + 1, month, day)


def _time(words: list[str]) -> tuple[dt.time | None, list[str]]:
    for i, word in enumerate(words):
        match = _TIME.match(word)
        if match is None:
            continue
        hour, minute, second = int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)
        suffix = match.group(4)
        if suffix in ("am", "pm") and not 1 <= hour <= 12:
            return None, words
        if suffix == "pm" and hour < 12:
            hour += 12
        elif suffix == "am" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59 or second > 59:
            return None, words
        rest = words[:i] + words[i + 1 :]
        if rest[i : i + 1] and rest[i] in ("sati", "casova", "h", "oclock"):
            del rest[i]
        return dt.time(hour, minute, second), rest
    return None, words


def _at(day: dt.date, time: dt.time, now: dt.datetime) -> dt.datetime:
    """`day` at `time` in `now`'s zone (a time skipped by a clock change moves on by the change)."""
    local = dt.datetime.combine(day, time).replace(tzinfo=now.tzinfo)
    return local.astimezone(dt.UTC).astimezone(now.tzinfo)


# quick choices -----------------------------------------------------------------------------------


def in_one_hour(now: dt.datetime) -> dt.datetime:
    """An hour from now, to the minute."""
    return (now + dt.timedelta(hours=1)).replace(second=0, microsecond=0)


def tomorrow_morning(now: dt.datetime) -> dt.datetime:
    """Tomorrow at 09:00."""
    return _at(now.date() + dt.timedelta(days=1), dt.time(DEFAULT_HOUR), now)


def next_monday_morning(now: dt.datetime) -> dt.datetime:
    """The next Monday (a week on, if today is Monday) at 09:00."""
    return _at(now.date() + dt.timedelta(days=(7 - now.weekday()) or 7), dt.time(DEFAULT_HOUR), now)
