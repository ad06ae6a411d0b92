"""Reading what a member typed: words to look for, plus filters (tags, language, dates).

User text is only ever text: nothing in it is query syntax except the filters recognised here
(``#tag``, ``tag:x``, ``lang:sr``, a year, a month with a year, a month or season alone as a hint).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from index.analysis import STOP_WORDS, WORD_RE, fold

MAX_CHARS = 300
MAX_WORDS = 12

_TAG_RE = re.compile(r"(?:(?<!\w)#|\btag:)([\w\-]+)", re.IGNORECASE)
_LANG_RE = re.compile(r"\b(?:lang|language|jezik):\s*(en|sr)\b", re.IGNORECASE)
_ISO_DATE_RE = re.compile(r"\b((?:19|20)\d\d)-(\d{1,2})(?:-\d{1,2})?\b(?!-)")
_YEARS_RE = re.compile(r"\b((?:19|20)\d\d)\s*[-–/]\s*((?:19|20)?\d\d)\b")
_DOTTED_DATE_RE = re.compile(r"\b\d{1,2}\.\s?(\d{1,2})\.\s?((?:19|20)\d\d)\b\.?")


def _months(spec: str) -> dict[str, int]:
    out = {}
    for number, names in enumerate(spec.split(";"), start=1):
        for name in names.split():
            out[fold(name)] = number
    return out


# Full month names (English; Serbian in its usual cases, Latin and Cyrillic fold to the same text).
MONTHS = _months(
    "january januar januara januaru siječanj;february februar februara februaru;march mart marta martu;"
    "april aprila aprilu;maj maja maju;june jun juna junu;july jul jula julu;august avgust avgusta avgustu;"
    "september septembar septembra septembru;october oktobar oktobra oktobru;"
    "november novembar novembra novembru;december decembar decembra decembru"
)
# Short or ambiguous names: a month only when a year follows ("May 2023", "nov 2022").
MONTHS_BEFORE_YEAR = {
    **MONTHS,
    **_months("jan;feb;mar;apr;may;jun;jul;aug avg;sep sept;oct okt;nov;dec"),
}
SEASONS = {
    **dict.fromkeys(("winter", "winters", "zima", "zimi", "zime", "zimus", "zimu"), (12, 1, 2)),
    **dict.fromkeys(("spring", "prolece", "proleca", "prolecu"), (3, 4, 5)),
    **dict.fromkeys(("summer", "leto", "leta", "letu", "letos"), (6, 7, 8)),
    **dict.fromkeys(("autumn", "jesen", "jeseni", "jesenas"), (9, 10, 11)),
}


@dataclass
class Word:
    """A content word of the query: where it was typed and its folded form."""

    start: int
    end: int
    text: str
    folded: str


@dataclass
class ParsedQuery:
    text: str  # the cleaned, length-capped query
    words: list[Word] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)  # folded tag names
    lang: str | None = None
    dates: tuple[dt.date, dt.date] | None = None  # a year or month the member asked about
    months: frozenset[int] = frozenset()  # month or season hints without a year


def clean(text: str) -> str:
    """NFKC, control and zero-width characters turned into spaces, whitespace collapsed, length capped."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_CHARS * 4]
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text)
    return " ".join(text.split())[:MAX_CHARS]


def fold_tag(tag: str) -> str:
    return " ".join(fold(w) for w in re.split(r"[\s\-_]+", tag) if w)


def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def parse(text: str) -> ParsedQuery:
    """Split typed text into content words and filters."""
    query = ParsedQuery(clean(text))
    rest = query.text

    def take_tag(m: re.Match) -> str:
        query.tags.append(fold_tag(m.group(1)))
        return " " * len(m.group())

    def take_lang(m: re.Match) -> str:
        query.lang = m.group(1).lower()
        return " " * len(m.group())

    def take_date(year: str, month: str, m: re.Match) -> str:
        if 1 <= int(month) <= 12:
            query.dates = _month_range(int(year), int(month))
        return " " * len(m.group())

    rest = _TAG_RE.sub(take_tag, rest)
    rest = _LANG_RE.sub(take_lang, rest)

    # "2013-2020" names a strategy or an action plan's period far more often than a search period:
    # its years are words to match, not a date filter.
    periods = [(m.start(), m.end()) for m in _YEARS_RE.finditer(rest)]
    rest = _ISO_DATE_RE.sub(lambda m: take_date(m.group(1), m.group(2), m), rest)
    rest = _DOTTED_DATE_RE.sub(lambda m: take_date(m.group(2), m.group(1), m), rest)

    found = [(m.start(), m.end(), m.group(), fold(m.group())) for m in WORD_RE.finditer(rest)]
    shouting = rest.upper() == rest
    months: set[int] = set()
    skip: set[int] = set()
    for i, (_s, _e, _raw, word) in enumerate(found):
        after = found[i + 1][3] if i + 1 < len(found) else ""
        if word in MONTHS_BEFORE_YEAR and _is_year(after):
            query.dates = _month_range(int(after), MONTHS_BEFORE_YEAR[word])
            skip.update((i, i + 1))
            if i > 0 and found[i - 1][3].isdigit() and int(found[i - 1][3]) <= 31:
                skip.add(i - 1)  # the day in "22 May 2023"
        elif _is_year(word) and i not in skip and not any(s <= _s < e for s, e in periods):
            if query.dates is None:
                query.dates = (dt.date(int(word), 1, 1), dt.date(int(word), 12, 31))
            skip.add(i)
        elif word in MONTHS or word in SEASONS:
            months.update((MONTHS[word],) if word in MONTHS else SEASONS[word])
            skip.add(i)
    query.months = frozenset(months) if query.dates is None else frozenset()
    for i, (start, end, raw, word) in enumerate(found):
        if i in skip or not word:
            continue
        acronym = len(raw) > 1 and raw.isupper() and not shouting
        if word in STOP_WORDS and not acronym:
            continue
        if len(query.words) < MAX_WORDS:
            query.words.append(Word(start, end, raw, word))
    return query


def _is_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and 1990 <= int(word) <= 2099
