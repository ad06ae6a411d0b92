"""Analysis: the same folding and stemming at index and query time, in both languages and scripts."""

import pytest

from index.analysis import fold, index_text, stem, stems, tokens
from index.glossary import Glossary, phrase_words


@pytest.mark.parametrize(
    "spelling", ["Đurasović", "Djurasovic", "Durasovic", "Đurasovic", "ĐURASOVIĆ", "Ђурасовић"]
)
def test_every_spelling_of_durasovic_folds_to_one_word(spelling):
    assert fold(spelling) == "durasovic"


@pytest.mark.parametrize("spelling", ["Milošević", "Milosevic", "MILOŠEVIĆ", "Милошевић", "milošević"])
def test_milosevic_with_or_without_diacritics_or_in_cyrillic(spelling):
    assert fold(spelling) == "milosevic"


@pytest.mark.parametrize(
    ("letter", "plain"),
    [
        ("č", "c"),
        ("ć", "c"),
        ("š", "s"),
        ("ž", "z"),
        ("đ", "d"),
        ("Č", "c"),
        ("Ć", "c"),
        ("Š", "s"),
        ("Ž", "z"),
    ],
)
def test_serbian_diacritics_fold_to_plain_latin(letter, plain):
    assert fold(f"a{letter}a") == f"a{plain}a"


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Београд", "beograd"),
        ("љубав", "ljubav"),
        ("њива", "njiva"),
        ("џак", "dzak"),
        ("шта", "sta"),
        ("жена", "zena"),
    ],
)
def test_cyrillic_is_transliterated_to_folded_latin(cyrillic, latin):
    assert fold(cyrillic) == latin


def test_nfkc_and_case_folding():
    assert fold("ﬁnal") == "final"  # the "fi" ligature
    assert fold("STRASSE") == fold("straße")
    assert fold("Ｗｉｄｅ") == "wide"  # full-width letters


@pytest.mark.parametrize(
    ("text", "words"),
    [("Support. Don’t Punish", ["support", "dont", "punish"]), ("EHRA's board", ["ehra", "board"])],
)
def test_an_apostrophe_joins_a_word_and_a_possessive_s_is_dropped(text, words):
    assert [t.exact for t in tokens(text)] == words
    assert fold("dont") == fold("Don’t") == fold("don't")  # typed with or without the apostrophe


def test_english_posts_are_stemmed_in_english():
    assert stem("meetings", "en") == stem("meeting", "en") == "meet"
    assert stem("trafficking", "en") == stem("trafficked", "en")


def test_british_and_american_spellings_stem_alike():
    assert stem("legalisation", "en") == stem("legalization", "en")


def test_serbian_posts_are_stemmed_in_serbian():
    assert stem("droga", "sr") == stem("droge", "sr") == stem("drogom", "sr")
    assert stem(fold("izbeglicama"), "sr") == stem(fold("izbeglice"), "sr")


def test_numbers_are_not_stemmed():
    assert stem("2023", "en") == "2023"


def test_a_query_word_gets_the_stems_of_both_languages():
    assert {stem("konferencija", "sr"), stem("konferencija", "en")} == set(stems("konferencija"))


def test_tokens_keep_spans_into_the_original_text():
    text = "Nebojša Đurasović met UNODC."
    toks = tokens(text, "en")
    assert [text[t.start : t.end] for t in toks] == ["Nebojša", "Đurasović", "met", "UNODC"]
    assert [t.exact for t in toks] == ["nebojsa", "durasovic", "met", "unodc"]


def test_stop_words_of_both_languages_are_dropped():
    assert [t.exact for t in tokens("Who is the president of the network?", "en")] == ["president", "network"]
    assert [t.exact for t in tokens("Ko je predsednik mreže?", "sr")] == ["predsednik", "mreze"]


def test_letters_and_digits_are_split_so_wg4_matches_group_4():
    assert [t.exact for t in tokens("WG4 and 66th", "en")] == ["wg", "4", "66"]


def test_index_text_has_stemmed_and_exact_forms():
    stemmed, exact = index_text("Trainings for doctors in Belgrade", "en")
    assert stemmed == ["train", "doctor", "belgrad"]
    assert exact == ["trainings", "doctors", "belgrade"]


def test_glossary_terms_match_inflected_and_diacritic_free_forms():
    glossary = Glossary([["harm reduction", "smanjenje štete"], ["meeting", "sastanak", "sastanku"]])
    assert [m.terms for m in glossary.matches(list(phrase_words("smanjenja stete")))] == [
        (("harm", "reduction"), ("smanjenje", "stete"))
    ]
    assert glossary.matches(list(phrase_words("Састанку"))), "Cyrillic, inflected"
    assert glossary.matches(list(phrase_words("harm reductions")))


def test_glossary_prefers_the_longest_term():
    glossary = Glossary([["drug", "droga"], ["drug trafficking", "trgovina drogom"]])
    (match,) = glossary.matches(list(phrase_words("drug trafficking")))
    assert (match.start, match.end) == (0, 2)


def test_glossary_prefers_the_term_written_as_typed_over_one_sharing_its_stem():
    glossary = Glossary([["find", "found", "nalazi"], ["founded", "established", "osnovan"]])
    (match,) = glossary.matches(list(phrase_words("founded")))
    assert ("established",) in match.terms


def test_glossary_matches_a_derived_word_by_its_stem():
    glossary = Glossary([["donor", "donator", "donatori"]])
    assert glossary.knows(fold("donatorska"))
    assert not glossary.knows("banana")


def test_a_broken_glossary_file_is_ignored_with_a_log_line(tmp_path, caplog):
    path = tmp_path / "glossary.yaml"
    path.write_text("- [a, b\n")
    assert len(Glossary.load(path)) == 0
    assert "glossary" in caplog.text
    path.write_text("cnd: commission\n")
    assert len(Glossary.load(path)) == 0
    assert len(Glossary.load(tmp_path / "missing.yaml")) == 0


def test_the_shipped_glossary_is_substantial():
    glossary = Glossary.load("content/glossary.yaml")
    assert len(glossary) >= 300
