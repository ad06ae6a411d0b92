"""The catalogue: both languages complete, values escaped in one place, dates and language choice."""

import datetime as dt
import string

import pytest

from bot.fakeapi.html import parse_html
from bot.render.messages import CATALOGUE, format_date, language_for, plain, t


def fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_every_text_exists_in_both_languages_with_the_same_placeholders():
    assert CATALOGUE["en"].keys() == CATALOGUE["sr"].keys()
    for key, english in CATALOGUE["en"].items():
        assert fields(english) == fields(CATALOGUE["sr"][key]), key


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_every_text_is_valid_telegram_html_once_filled(lang):
    for key, template in CATALOGUE[lang].items():
        values = {name: "<x & y>" for name in fields(template)}
        assert parse_html(t(lang, key, **values)).text.strip(), key


def test_values_are_escaped_in_html_texts_and_left_alone_in_plain_ones():
    assert t("en", "corrected", corrected="<b>") == "Showing results for <b>&lt;b&gt;</b>."
    assert t("en", "corrected", corrected="<i>x</i> & 1") == (
        "Showing results for <b>&lt;i&gt;x&lt;/i&gt; &amp; 1</b>."
    )
    assert plain("en", "read_button", title="a & b") == "📖 Read: a & b"
    assert t("de", "no_date") == "undated"  # unknown languages fall back to English


def test_dates_are_written_as_each_language_does():
    assert format_date(dt.date(2023, 5, 25), "en") == "25 May 2023"
    assert format_date(dt.date(2023, 5, 25), "sr") == "25. maj 2023."
    assert format_date(dt.date(2021, 12, 1), "sr") == "1. decembar 2021."
    assert format_date(None, "sr") == "bez datuma"


@pytest.mark.parametrize(
    ("code", "chosen", "expected"),
    [("sr", None, "sr"), ("hr", None, "sr"), ("bs", None, "sr"), ("me", None, "sr"), ("sr-Latn", None, "sr"),
     ("en", None, "en"), ("de", None, "en"), (None, None, "en"), ("sr", "en", "en"), ("en", "sr", "sr"),
     ("en", "xx", "en")],
)  # fmt: skip
def test_the_language_is_the_chats_choice_else_follows_telegram(code, chosen, expected):
    assert language_for(code, chosen) == expected
