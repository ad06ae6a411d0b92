"""Topics as members type them: one rule for /subscribe, /topics, /announce and `newsbot announce`."""

from conftest import CONTENT_DIR

from bot.render.page import short_key
from bot.tags import Topics, normalise
from index import Glossary, Post

TOPICS = Topics((("drug policy", 3), ("cnd", 2), ("harm reduction", 2), ("unodc", 1)))


def test_a_tag_is_found_however_it_is_typed():
    assert normalise("#Drug_Policy ") == "drug policy"
    assert TOPICS.find("Drug Policy") == ["drug policy"]
    assert TOPICS.find("#cnd #unodc") == ["cnd", "unodc"]
    assert TOPICS.find("cnd, cdn") is None
    assert TOPICS.one("#CND") == "cnd"
    assert TOPICS.one("cnd unodc") is None  # an announcement reaches one topic
    assert TOPICS.by_key(short_key("harm reduction")) == "harm reduction"


def test_a_tag_is_found_by_any_glossary_term_and_without_diacritics_or_in_cyrillic():
    topics = Topics(TOPICS.counts, Glossary.load(CONTENT_DIR / "glossary.yaml"))
    assert topics.find("smanjenje štete") == ["harm reduction"]
    assert topics.find("smanjenju stete") == ["harm reduction"]
    assert topics.find("Commission on Narcotic Drugs") == ["cnd"]
    assert topics.find("ДРУГ ПОЛИЦY") == ["drug policy"]
    assert topics.find("Drug Policy") == ["drug policy"]
    assert TOPICS.find("smanjenje štete") is None  # without the glossary


def test_suggestions_put_close_spellings_first_then_tags_that_contain_the_words():
    assert TOPICS.suggestions("cdn") == ["cnd"]
    assert TOPICS.suggestions("policy") == ["drug policy"]
    assert TOPICS.suggestions("xylophone") == []


def test_topics_of_posts_are_counted_and_ordered_like_the_index_orders_them():
    posts = [
        Post(id="a", title="A", body="", tags=("cnd", "unodc")),
        Post(id="b", title="B", body="", tags=("unodc",)),
        Post(id="c", title="C", body="", tags=("harm reduction",)),
    ]
    assert Topics.from_posts(posts).counts == (("unodc", 2), ("cnd", 1), ("harm reduction", 1))
