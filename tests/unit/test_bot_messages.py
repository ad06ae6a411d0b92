"""The texts: English in the code, other languages in gettext catalogues kept complete and in step with
the code, real plural forms, values escaped in one place, dates and language choice."""

import datetime as dt
import string
import tomllib

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.frontend import parse_keywords
from babel.messages.pofile import read_po
from conftest import REPO

from bot.fakeapi.html import parse_html
from bot.render.messages import LANGUAGES, LOCALE_DIR, LOCALES, TEXTS, format_date, language_for, plain, t

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def catalogue(lang: str):
    with (LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def test_serbian_latin_is_a_catalogue_and_english_the_source():
    assert LANGUAGES == ("en", "sr") and LOCALES["sr"] == "sr_Latn"


def test_the_catalogues_hold_exactly_the_texts_pybabel_extracts_from_the_code():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["babel"]["extract_messages"]
    keywords = parse_keywords(config["keywords"])
    extracted = {
        (context, message if isinstance(message, str) else message[0])
        for _line, message, _comments, context in extract_from_file(
            "python", REPO / config["input_paths"][0], keywords=keywords
        )
    }
    assert extracted == {(key, entry.singular) for key, entry in TEXTS.items()}
    with (REPO / config["output_file"]).open("rb") as pot:
        template = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(pot) if m.id}
    assert template == extracted, "run `pybabel extract` and `pybabel update` (README: Translating the bot)"
    for lang in TRANSLATED:
        ids = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalogue(lang) if m.id}
        assert ids == extracted, lang


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_text_is_translated_with_the_same_placeholders_and_every_plural_form(lang):
    po = catalogue(lang)
    for message in po:
        if not message.id:
            continue
        assert not message.fuzzy, message.context
        english = message.id if isinstance(message.id, str) else message.id[1]
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms), f"{lang}: {message.context} is not translated"
        if isinstance(message.id, tuple):
            assert len(forms) == po.num_plurals, message.context
        for form in forms:
            assert fields(form) == fields(english), message.context


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("count", [1, 2, 5])
def test_every_text_is_valid_telegram_html_once_filled(lang, count):
    for key, entry in TEXTS.items():
        values = {name: "<x & y>" for name in fields(entry.singular) | fields(entry.plural or "")}
        if entry.plural:
            values["count"] = count
        assert parse_html(t(lang, key, **values)).text.strip(), key


@pytest.mark.parametrize(
    ("count", "serbian", "english"),
    [(1, "1 tekst", "1 post"), (2, "2 teksta", "2 posts"), (5, "5 tekstova", "5 posts"),
     (11, "11 tekstova", "11 posts"), (21, "21 tekst", "21 posts"), (22, "22 teksta", "22 posts"),
     (25, "25 tekstova", "25 posts"), (0, "0 tekstova", "0 posts")],
)  # fmt: skip
def test_counts_take_each_languages_plural_form(count, serbian, english):
    assert plain("sr", "results_header", query="q", count=count).endswith(f"— {serbian}")
    assert plain("en", "results_header", query="q", count=count).endswith(f"— {english}")


def test_values_are_escaped_in_html_texts_and_left_alone_in_plain_ones():
    assert t("en", "corrected", corrected="<b>") == "Showing results for: <b>&lt;b&gt;</b>"
    assert t("en", "corrected", corrected="<i>x</i> & 1") == (
        "Showing results for: <b>&lt;i&gt;x&lt;/i&gt; &amp; 1</b>"
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
