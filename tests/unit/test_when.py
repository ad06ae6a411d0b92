"""Dates and times as admins type them (English and Serbian), read in the bot's time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.when import in_one_hour, next_monday_morning, parse_when, tomorrow_morning

BELGRADE = ZoneInfo("Europe/Belgrade")
NOW = dt.datetime(2026, 11, 26, 14, 20, tzinfo=BELGRADE)  # a Thursday afternoon


def at(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=BELGRADE)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tomorrow 9:00", at(2026, 11, 27, 9, 0)),
        ("Tomorrow at 9", at(2026, 11, 27, 9, 0)),
        ("tomorrow 6:30 pm", at(2026, 11, 27, 18, 30)),
        ("the day after tomorrow", at(2026, 11, 28, 9, 0)),
        ("today 18:00", at(2026, 11, 26, 18, 0)),
        ("2026-12-01 09:00", at(2026, 12, 1, 9, 0)),
        ("2026-12-01 9:00:30", at(2026, 12, 1, 9, 0, 30)),
        ("1.12.2026 9:00", at(2026, 12, 1, 9, 0)),
        ("1.12.2026. u 9", at(2026, 12, 1, 9, 0)),
        ("1.12. 10:15", at(2026, 12, 1, 10, 15)),
        ("1.11. 10:15", at(2027, 11, 1, 10, 15)),  # without a year: the next 1 November
        ("1 December 2026 at 9am", at(2026, 12, 1, 9, 0)),
        ("1. decembar 2026. u 21h", at(2026, 12, 1, 21, 0)),
        ("sutra u 9", at(2026, 11, 27, 9, 0)),
        ("Sutra u 9 sati", at(2026, 11, 27, 9, 0)),
        ("сутра у 9", at(2026, 11, 27, 9, 0)),  # Cyrillic
        ("prekosutra", at(2026, 11, 28, 9, 0)),
        ("ponedeljak 10:00", at(2026, 11, 30, 10, 0)),
        ("u ponedeljak u 10", at(2026, 11, 30, 10, 0)),
        ("next Monday 9:00", at(2026, 11, 30, 9, 0)),
        ("četvrtak 8:00", at(2026, 12, 3, 8, 0)),  # today is Thursday: the next one
        ("cetvrtak", at(2026, 12, 3, 9, 0)),
        ("petak", at(2026, 11, 27, 9, 0)),
        ("u sredu u 12", at(2026, 12, 2, 12, 0)),
        ("16:00", at(2026, 11, 26, 16, 0)),  # a time alone: the next time the clock shows it
        ("9:00", at(2026, 11, 27, 9, 0)),
        ("in 2 hours", at(2026, 11, 26, 16, 20)),
        ("in 30 minutes", at(2026, 11, 26, 14, 50)),
        ("za 2 sata", at(2026, 11, 26, 16, 20)),
        ("za 3 dana", at(2026, 11, 29, 14, 20)),
    ],
)
def test_what_admins_type_is_read_in_local_time(typed, expected):
    assert parse_when(typed, NOW) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "soon", "tomorrow maybe", "31.2.2026 9:00", "2026-13-01", "25:00", "tomorrow 9:75", "13pm",
     "in two hours", "za 2 godine", "hello 9"],
)  # fmt: skip
def test_anything_else_is_not_a_time(typed):
    assert parse_when(typed, NOW) is None


def test_a_time_the_clock_skips_moves_on_and_dst_is_respected():
    before_spring = dt.datetime(2027, 3, 27, 12, 0, tzinfo=BELGRADE)
    assert parse_when("sutra u 2:30", before_spring) == at(2027, 3, 28, 3, 30)  # 02:30 does not exist
    summer = parse_when("sutra u 9", before_spring)
    assert summer.utcoffset() == dt.timedelta(hours=2) and summer.hour == 9


def test_quick_choices():
    assert in_one_hour(NOW) == at(2026, 11, 26, 15, 20)
    assert tomorrow_morning(NOW) == at(2026, 11, 27, 9, 0)
    assert next_monday_morning(NOW) == at(2026, 11, 30, 9, 0)
    monday = at(2026, 11, 30, 8, 0)
    assert next_monday_morning(monday) == at(2026, 12, 7, 9, 0)


def test_now_must_know_its_zone():
    with pytest.raises(ValueError):
        parse_when("tomorrow", dt.datetime(2026, 1, 1))
