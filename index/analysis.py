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

WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+")  # "don't" and "EHRA's" are one word each
_POSSESSIVE_RE = re.compile(r"['’]s$")
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
    """The searchable spelling of one word: NFKC, casefold, no apostrophe, Latin script, no diacritics,
    dj → d."""
    word = unicodedata.normalize("NFKC", word).casefold()
    word = _POSSESSIVE_RE.sub("", word).replace("'", "").replace("’", "")  # EHRA's → ehra, don't → dont
    if _CYRILLIC_RE.search(word):
        word = cyrtranslit.to_latin(word, "sr")
    word = word.replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", word)
    word = "".join(c for c in decomposed if not unicodedata.combining(c))
    return word.replace("dj", "d")


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball stem of an already folded word (numbers stay as they are). A language without a stemmer
    here (a post in mk or de) is analysed language-neutrally: its words are their own stems, so they are
    found as written (folded: any case, script or diacritics)."""
    if word.isdigit() or len(word) < 3:
        return word
    base = lang.split("-")[0]
    stemmer = _STEMMERS.get(base)
    if stemmer is None:
        return word
    if base == "en" and "isation" in word:  # British and American spellings stem alike
        word = word.replace("isation", "ization")
    return stemmer.stemWord(word)


@lru_cache(maxsize=50_000)
def stems(word: str) -> frozenset[str]:
    """Every stem a folded query word may have in a post (the query's language is unknown). Stems
    shorter than 4 letters are left out (too many chance collisions: "anan" -> "ana")."""
    return frozenset(s for lang in LANGS if len(s := stem(word, lang)) >= 4 or s == word)


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
    th st nd rd many much may might must shall can could get got instead rather without within
    i u na je su da li za se od do sa s o ko šta sta što sto kada kad gde gdje kako zašto zasto koji koja
    koje koju kojoj kojem kojim kojih kome čemu cemu čega cega bio bila bilo bili bile biti bih bi jesu jest
    nije nisu ima imao imala ne ni ali ili pa te ta taj tu tom toj tog toga ovaj ova ovo ove ovog ovoj ovom
    on ona ono oni one ja mi vi ti ga mu joj im ih nas vas njih njega nje njemu sebe se si sam smo ste
    iz kod po pri prema kroz među medju izmedju između oko bez još jos već vec samo sve svi sva svih
    neki neka neko nešto nesto koliko čiji ciji ikad ikada jel jeli zar kao onda tada ovde ovdje tamo
    mu nam vam njima njihov njihova njegov njegova naš naša nasa nas vaš vasa tokom posle nakon preko pre
    ispred iza iznad ispod protiv uz sem osim nad pod pred kod ka ukoliko ako jer zbog
    ко је ли да за се од до са о шта када где како зашто који која које"""
)

# Words that only frame a question ("tell me anything about ..."): kept, but weigh very little.
WEAK_WORDS = _stop_words(
    """news post posts posted posting published publish wrote written article articles anything something
    everything information info tell know say
    said says happen happened happening latest recent recently new please thanks hi hello want wanted
    find show give get got let like thing things did whether today yesterday year years month months
    week last next previous ago time times dpnsee organisation organization ngo event events activities
    activity happenings aktivnosti dogadaji dogadanja desavanja
    vest vesti vijesti novosti objava objave objavljeno objavljen objavili napisano članak clanak tekst
    nešto nesto informacija informacije
    reci recite kaži kazi znam znati znaš znas desilo dogodilo dešava desava novo nova novi najnovije
    poslednje prošle prosle prošlog proslog prošle godine godina godine godini mesec meseca nedelja
    molim hvala zdravo pozdrav ima imali bilo kakav kakva kakve kakvo"""
)

# Everyday verbs and adjectives: when a question uses one, the topic is elsewhere, so they weigh less
# (an unknown "became" or "explain" must not sink an answer; an unknown "bitcoin" should).
GENERAL_WORDS = _stop_words(
    """become became becomes explain explained explains lose lost loses pay paid pays criticise criticize
    criticised criticized flee fled ask asked asks stop stopped remove removed start started starts begin
    began begun make made makes take took taken takes give gave given gives go went gone goes come came
    comes see saw seen sees think thought tell told find found want wanted use used work worked call
    called try tried need needed feel felt leave left put mean meant keep kept let begin seem seemed help
    helped show showed shown hear heard play played run ran runs move moved live lived believe believed
    bring brought write wrote written sit stand stood provide provided allow allowed add added spend spent
    grow grew open opened walk win won offer offered remember consider considered appear appeared buy
    bought wait serve served die died send sent expect expected build built stay stayed fall fell cut
    reach reached raise raised pass passed sell sold require required decide decided agree agreed
    continue continued change changed changes follow followed create created read learn learned learnt
    understand understood talk talked discuss discussed explain describe described mention mentioned
    plan planned happen involve involved include included join joined return returned receive received
    get getting doing done went took making giving taking going coming looking look looked
    big small large great good bad best better worse worst high low long short old young important main
    different same able possible whole full real sure clear true free public special certain early late
    much many more most less least few several other another such own next last first second third
    really still even already again always never often sometimes soon yet ago way ways part parts kind
    place places point case fact thing things example lot lots number numbers group groups people person
    day days world life man men woman women child end side area areas problem problems question questions
    change reason reasons level levels result results role roles support
    postao postala postali postati objasnio objasnila izgubio izgubila platio platila pitao pitala pitali
    poceo pocela poceli zapoceo uradio uradila uradili radio radila radili rade radi kazao kazala rekao
    rekla rekli dao dala dali uzeo uzela dosao dosla dosli otisao otisla video videla videli misli
    mislio znao znala hteo htela trebalo treba mogao mogla mogu moze može dobio dobila dobili dobar dobra
    dobro los losa veliki velika veliko mali mala malo novi nova novo stari stara staro vazno vazan prvi
    prva drugi druga treci mnogo malo vise više manje nekoliko svaki svaka uvek nikad cesto ponekad
    izazvan izazvana izazvane izazvao izazvala uzrokovan uzrokovane caused cause causes mark marked
    marks celebrate celebrated commemorate commemorated obelezio obelezila obelezen obelezava calling
    using making giving taking saying telling asking working helping showing"""
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


@lru_cache(maxsize=200_000)
def word_forms(raw: str, lang: str) -> tuple[tuple[str, str], ...]:
    """(folded, stem) of each content word in one regex word of a text (none for a stop word)."""
    return tuple((w, stem(w, lang)) for w in _split(raw) if w not in STOP_WORDS)


def index_text(text: str, lang: str) -> tuple[list[str], list[str]]:
    """The stems of `text`'s words, and their unstemmed forms where these differ from the stem (all of
    them in a language without a stemmer)."""
    stemmed: list[str] = []
    exact: list[str] = []
    neutral = lang.split("-")[0] not in _STEMMERS  # no stems: every word is found by its exact form
    for raw in WORD_RE.findall(text):
        for word, word_stem in word_forms(raw, lang):
            stemmed.append(word_stem)
            if word != word_stem or neutral:
                exact.append(word)
    return stemmed, exact


def forget_words() -> None:
    """Empty the caches of folded words and stems (after indexing a whole archive they hold its whole
    vocabulary; searches refill them with what members actually type)."""
    for cached in (fold, stem, stems, _split, word_forms):
        cached.cache_clear()
