"""Text analysis shared by indexing and searching.

Every word goes through the same steps: Unicode NFKC and case folding, Serbian Cyrillic → Latin
transliteration, diacritic folding (č/ć → c, š → s, ž → z, đ → d, then dj → d, so "Đurasović",
"Djurasovic" and "Durasovic" are one word), then Snowball stemming in the post's language. The folded
unstemmed form (`exact`) is kept too, so exact names rank higher than words that only share a stem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import cyrtranslit
import snowballstemmer

WORD_RE = re.compile(r"[^\W\d_]+|\d+")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_STEMMERS = {"en": snowballstemmer.stemmer("english"), "sr": snowballstemmer.stemmer("serbian")}
LANGS = tuple(_STEMMERS)


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its character span in the original, folded form and stem."""

    start: int
    end: int
    exact: str
    stem: str


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """The searchable spelling of one word: NFKC, casefold, Latin script, no diacritics, dj → d."""
    word = unicodedata.normalize("NFKC", word).casefold()
    if _CYRILLIC_RE.search(word):
        word = cyrtranslit.to_latin(word, "sr")
    word = word.replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", word)
    word = "".join(c for c in decomposed if not unicodedata.combining(c))
    return word.replace("dj", "d")


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball stem of an already folded word (numbers stay as they are)."""
    if word.isdigit() or len(word) < 3:
        return word
    return _STEMMERS.get(lang, _STEMMERS["en"]).stemWord(word)


def stems(word: str) -> frozenset[str]:
    """Every stem a folded query word may have in a post (the query's language is unknown)."""
    return frozenset(stem(word, lang) for lang in LANGS)


def _stop_words(text: str) -> frozenset[str]:
    return frozenset(fold(w) for w in text.split())


# Words that carry no topic, in both languages: dropped from queries and from the index.
STOP_WORDS = _stop_words(
    """a about above after again against all am an and any are aren as at be because been before being
    below between both but by can could did didn do does doesn doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is isn it its
    itself just me more most my myself no nor not now of off on once only or other our ours ourselves out
    over own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was wasn we were weren what when where which while
    who whom why will with would you your yours yourself yourselves also ever any anybody s t ll ve re d m
    i u na je su da li za se od do sa s o ko šta sta što sto kada kad gde gdje kako zašto zasto koji koja
    koje koju kojoj kojem kojim kojih kome čemu cemu čega cega bio bila bilo bili bile biti bih bi jesu jest
    nije nisu ima imao imala ne ni ali ili pa te ta taj tu tom toj tog toga ovaj ova ovo ove ovog ovoj ovom
    on ona ono oni one ja mi vi ti ga mu joj im ih nas vas njih njega nje njemu sebe se si sam smo ste
    iz kod po pri prema kroz među medju izmedju između oko bez još jos već vec samo sve svi sva svih
    neki neka neko nešto nesto koliko čiji ciji ikad ikada jel jeli zar kao onda tada ovde ovdje tamo
    mu nam vam njima njihov njihova njegov njegova naš naša nasa nas vaš vasa
    ко је ли да за се од до са о шта када где како зашто који која које"""
)

# Words that only frame a question ("tell me anything about ..."): kept, but weigh very little.
WEAK_WORDS = _stop_words(
    """news post posts article articles anything something everything information info tell know say
    said says happen happened happening latest recent recently new please thanks hi hello want wanted
    find show give get got let like thing things did whether today yesterday year years month months
    week last next previous ago time times dpnsee organisation organization ngo
    vest vesti vijesti novosti objava objave članak clanak tekst nešto nesto informacija informacije
    reci recite kaži kazi znam znati znaš znas desilo dogodilo dešava desava novo nova novi najnovije
    poslednje prošle prosle prošlog proslog prošle godine godina godine godini mesec meseca nedelja
    molim hvala zdravo pozdrav ima imali bilo kakav kakva kakve kakvo"""
)


@lru_cache(maxsize=200_000)
def _split(raw: str) -> tuple[str, ...]:
    """A regex word folded; folding may not split it, so this is a 1-tuple unless it becomes empty."""
    folded = fold(raw)
    return tuple(m.group() for m in WORD_RE.finditer(folded))


def tokens(text: str, lang: str = "en", *, keep_stop_words: bool = False) -> list[Token]:
    """The words of `text` with their spans, folded and stemmed in `lang`; stop words dropped."""
    out: list[Token] = []
    for match in WORD_RE.finditer(text):
        for exact in _split(match.group()):
            if not keep_stop_words and exact in STOP_WORDS:
                continue
            out.append(Token(match.start(), match.end(), exact, stem(exact, lang)))
    return out


def index_text(text: str, lang: str) -> tuple[str, str]:
    """Space-separated stems and exact forms of `text`, ready for the whitespace-tokenised index fields."""
    toks = tokens(text, lang)
    return " ".join(t.stem for t in toks), " ".join(t.exact for t in toks)
