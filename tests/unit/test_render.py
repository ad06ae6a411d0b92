"""Rendering: what a user sees for results, lists, topics and posts — valid Telegram HTML that fits."""

import datetime as dt

import pytest

from bot.fakeapi.checks import check_inline_results, check_reply_markup
from bot.fakeapi.html import parse_html, utf16_len
from bot.render.menus import language_page, topics_page
from bot.render.page import parse_callback, short_key
from bot.render.posts import (
    hit_html,
    hits_page,
    inline_note,
    inline_results,
    post_messages,
    results_page,
)
from index.posts import Post
from index.results import Hit, Results


def hit(n=1, *, title=None, url="https://example.org/p", snippet="Harm reduction works in Serbia.",
        highlights=((0, 4),), date=dt.date(2023, 5, 25)) -> Hit:  # fmt: skip
    return Hit(
        id=f"2023-05-25-post-number-{n}-with-a-rather-long-file-name-beyond-sixty-four-bytes",
        title=title or f"Post {n}",
        date=date,
        url=url,
        tags=("cnd",),
        lang="en",
        snippet=snippet,
        highlights=highlights,
        score=1.0,
    )


def results(hits, *, total=None, page=1, query="harm", corrected=None) -> Results:
    return Results(
        query=query, corrected=corrected, hits=hits, total=total or len(hits), page=page, per_page=5
    )


def shown(html: str) -> str:
    """The text as Telegram displays it (raises like Telegram on invalid HTML or empty/too long text)."""
    parsed = parse_html(html)
    assert parsed.text.strip(), "empty message"
    assert utf16_len(parsed.text) <= 4096
    return parsed.text


def bold_parts(html: str) -> list[str]:
    parsed = parse_html(html)
    units = parsed.text.encode("utf-16-le")
    return [
        units[e["offset"] * 2 : (e["offset"] + e["length"]) * 2].decode("utf-16-le")
        for e in parsed.entities
        if e["type"] == "bold"
    ]


def callback_data(markup) -> list[str]:
    check_reply_markup(markup.to_dict())
    return [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data]


def test_a_hit_shows_its_linked_title_date_and_snippet_with_matches_in_bold():
    html = hit_html(hit(title="A <quiet> CND & more"), "en")
    parsed = parse_html(html)
    assert parsed.text == "A <quiet> CND & more\n25 May 2023\nHarm reduction works in Serbia."
    links = [(e["offset"], e["length"], e["url"]) for e in parsed.entities if e["type"] == "text_link"]
    assert links == [(0, 20, "https://example.org/p")]
    assert "Harm" in bold_parts(html)


def test_dates_are_written_the_way_each_language_writes_them():
    assert "25. maj 2023." in shown(hit_html(hit(), "sr"))
    assert "bez datuma" in shown(hit_html(hit(date=None), "sr"))
    assert "undated" in shown(hit_html(hit(date=None), "en"))


def test_a_post_without_url_links_to_the_site_search_when_configured():
    html = hit_html(hit(url=None, title="Drug routes"), "en", site_search_url="https://site.org/?s={query}")
    link = next(e for e in parse_html(html).entities if e["type"] == "text_link")
    assert link["url"] == "https://site.org/?s=Drug+routes"
    assert not any(e["type"] == "text_link" for e in parse_html(hit_html(hit(url=None), "en")).entities)


def test_highlights_survive_markup_characters_and_odd_spans():
    snippet = "a <b> & c\n\n  tail"
    html = hit_html(hit(snippet=snippet, highlights=((2, 5), (4, 9), (50, 60), (7, 3))), "en")
    assert shown(html).endswith("a <b> & c tail")
    assert bold_parts(html)[-1] == "<b> & c"


def test_a_results_page_has_a_header_hits_and_page_buttons_that_fit_in_64_bytes():
    page = results_page(results([hit(i) for i in range(1, 6)], total=23, page=2), "en", query_key="abc12")
    text = shown(page.text)
    assert text.startswith("🔎 harm — 23 posts")
    assert [text.count(f"Post {i}") for i in range(1, 6)] == [1] * 5
    nav = [b.text for b in page.markup.inline_keyboard[-1]]
    assert nav == ["‹ Prev", "2/5", "Next ›"]
    assert callback_data(page.markup) == ["p:abc12:1", "n", "p:abc12:3"]


def test_the_first_and_last_pages_only_offer_the_way_that_exists():
    first = results_page(results([hit()], total=6, page=1), "sr", query_key="k")
    last = results_page(results([hit()], total=6, page=2), "sr", query_key="k")
    assert [b.text for b in first.markup.inline_keyboard[-1]] == ["1/2", "Dalje ›"]
    assert [b.text for b in last.markup.inline_keyboard[-1]] == ["‹ Nazad", "2/2"]
    assert results_page(results([hit()]), "en", query_key="k").markup is None


def test_posts_without_url_get_a_read_button_with_a_short_stable_key():
    page = results_page(results([hit(1, url=None), hit(2)]), "en", query_key="k")
    (data,) = callback_data(page.markup)
    assert data == f"r:{short_key(hit(1).id)}" and len(data.encode()) <= 64
    assert page.markup.inline_keyboard[0][0].text.startswith("📖 Read: Post 1")


def test_a_corrected_query_says_what_was_searched_instead():
    text = shown(results_page(results([hit()], corrected="harm reduction", query="harm redcution"), "en",
                              query_key="k").text)  # fmt: skip
    assert "Showing results for: harm reduction\n" in text
    assert "redcution" not in text


def test_a_shortened_echo_of_the_question_never_ends_in_an_ellipsis_and_a_full_stop():
    long = "harm reduction " * 12
    for lang in ("en", "sr"):
        nothing = shown(results_page(results([], query=long), lang, query_key="k").text)
        corrected = shown(
            results_page(results([hit()], corrected=long, query=long), lang, query_key="k").text
        )
        assert "…" in nothing and "…" in corrected
        assert "…." not in nothing and "…." not in corrected


def test_nothing_found_is_friendly_and_points_to_topics_and_latest():
    for lang in ("en", "sr"):
        page = results_page(results([], query="<zzz>"), lang, query_key="k")
        text = shown(page.text)
        assert "<zzz>" in text and "/topics" in text and "/latest" in text
        assert page.markup is None


def test_when_nothing_answers_the_closest_post_is_offered_as_such():
    from dataclasses import replace

    for lang, says in (("en", "may not answer"), ("sr", "možda ne odgovara")):
        nearest = hit(url=None, title="Routes & <Europe>")
        page = results_page(
            replace(results([], query="heroin prices"), nearest=(nearest,)), lang, query_key="k"
        )
        text = shown(page.text)
        assert "heroin prices" in text and says in text
        assert "Routes & <Europe>" in text and "Harm reduction works in Serbia." in text
        assert callback_data(page.markup) == [f"r:{short_key(nearest.id)}"]  # its Read button
        asked = replace(results([], query="heroin prices"), nearest=(nearest,))
        assert inline_results([nearest], lang)[0].title == "Routes & <Europe>"
        assert len(inline_note(asked, lang).text) <= 64 and "—" in inline_note(asked, lang).text
    linked = results_page(replace(results([], query="q"), nearest=(hit(),)), "en", query_key="k")
    assert linked.markup is None  # the title is a link


def test_two_closest_posts_are_offered_together_in_the_plural():
    from dataclasses import replace

    first, second = hit(1, url=None, title="Routes"), hit(2, url=None, title="Prices")
    for lang, says in (("en", "The closest ones I have — they may not"), ("sr", "možda ne odgovaraju")):
        asked = replace(results([], query="heroin prices"), nearest=(first, second))
        page = results_page(asked, lang, query_key="k")
        text = shown(page.text)
        assert says in text and text.index("Routes") < text.index("Prices")
        assert callback_data(page.markup) == [f"r:{short_key(first.id)}", f"r:{short_key(second.id)}"]
        note = inline_note(asked, lang).text
        assert len(note) <= 64 and note != inline_note(replace(asked, nearest=(first,)), lang).text


def test_a_page_always_fits_even_with_huge_titles_snippets_and_queries():
    long = "word " * 2000
    hits = [hit(i, title="🙂" * 500, snippet=long, highlights=((0, 4000),)) for i in range(10)]
    page = results_page(results(hits, query="q" * 4096), "en", query_key="k")
    shown(page.text)
    assert shown(hits_page("<b>Latest</b>", hits, "en").text).startswith("Latest")


def test_lists_of_latest_posts_have_read_buttons_only_for_posts_without_url():
    page = hits_page("<b>Latest</b>", [hit(1), hit(2, url=None)], "sr")
    assert "Post 1" in shown(page.text)
    assert callback_data(page.markup) == [f"r:{short_key(hit(2).id)}"]


def test_topics_are_hashtag_buttons_with_counts_each_with_its_follow_toggle():
    tags = [("cnd", 7), ("harm reduction", 3), ("<odd> & tag", 1)]
    page = topics_page(tags, "en", following=["harm reduction"])
    rows = page.markup.inline_keyboard
    assert [[button.text for button in row] for row in rows] == [
        ["#cnd (7)", "🔔 Follow"],
        ["✅ #harm_reduction (3)", "✖ Unfollow"],
        ["#odd_tag (1)", "🔔 Follow"],
    ]
    assert callback_data(page.markup) == [
        f"{kind}:{short_key(t)}{page}" for t, _ in tags for kind, page in (("t", ""), ("s:t", ":1"))
    ]
    shown(page.text)
    assert shown(topics_page([], "sr", following=[]).text)


def test_language_buttons_name_each_language_in_itself():
    page = language_page("en")
    assert [b.text for b in page.markup.inline_keyboard[0]] == ["English", "Srpski (latinica)"]
    assert callback_data(page.markup) == ["l:en", "l:sr"]


@pytest.mark.parametrize(
    "data",
    ["", "x", "p:abc", "p:abc:0", "p:ABC:1", "p:abc:1:2", "r:zz", "r:0123456789a", "t:", "l:english", "n:1",
     "p:" + "a" * 60 + ":1", "<script>"],
)  # fmt: skip
def test_forged_callback_data_is_refused(data):
    assert parse_callback(data) is None


def test_own_callback_data_is_understood():
    assert parse_callback("p:abc12:3").page == 3
    assert parse_callback("r:0123456789").key == "0123456789"
    assert parse_callback("l:sr").key == "sr"
    assert parse_callback("n").kind == "n"


def post(body: str, *, url=None) -> Post:
    return Post(id="p", title="The <long> post", body=body, date=dt.date(2022, 11, 29), url=url)


def test_a_short_post_is_one_message_with_links_and_bold_from_its_markdown():
    (message,) = post_messages(
        post("## Heading\n\nSee [the report](https://x.org/a?b=1&c=2) **now**.\n- one"), "en"
    )
    text = shown(message)
    assert text == "The <long> post\n29 November 2022\n\nHeading\n\nSee the report now.\n• one"
    links = [e["url"] for e in parse_html(message).entities if e["type"] == "text_link"]
    assert links == ["https://x.org/a?b=1&c=2"]
    assert "now" in bold_parts(message)


def test_every_bullet_of_a_list_starts_its_line_alike_however_it_was_typed():
    (message,) = post_messages(post("Groups:\n\n  • WG1: EU\n  • WG2: UN\n\n- one\n   - two\n* three"), "en")
    assert shown(message).endswith("\n\nGroups:\n\n• WG1: EU\n• WG2: UN\n\n• one\n• two\n• three")


def test_a_long_post_is_split_between_paragraphs_into_messages_that_fit():
    paragraphs = [f"Paragraph {i} " + "lorem ipsum <&> " * 40 for i in range(60)]
    messages = post_messages(post("\n\n".join(paragraphs)), "sr")
    assert len(messages) > 2
    texts = [shown(m) for m in messages]
    assert texts[1].startswith(f"(nastavak 2/{len(messages)})")
    joined = "\n".join(texts)
    assert all(joined.count(f"Paragraph {i} ") == 1 for i in range(60))


def test_a_giant_paragraph_without_spaces_is_cut_by_length_not_inside_an_entity():
    messages = post_messages(post("&" * 5000 + " " + "😀" * 3000), "en")
    texts = [shown(m) for m in messages]
    assert "".join(texts).count("&") == 5000
    assert "".join(texts).count("😀") == 3000


def test_inline_results_share_the_chat_rendering_and_follow_telegrams_rules():
    hits = [hit(i) for i in range(3)] + [hit(9, url=None), hit(1)]
    articles = inline_results(hits, "en", bot_username="news_bot")
    assert len(articles) == 4  # the duplicate is left out
    check_inline_results([a.to_dict() for a in articles])
    first = articles[0].to_dict()
    assert first["input_message_content"]["message_text"] == hit_html(hit(0), "en")
    assert first["description"].startswith("25 May 2023 · Harm reduction")
    read = articles[3].reply_markup.inline_keyboard[0][0]
    assert read.url == f"https://t.me/news_bot?start=r_{short_key(hit(9).id)}"


def test_markdown_bold_pairs_are_matched_one_by_one():
    (message,) = post_messages(post("**a** and **b c**, but 2 ** 3 ** 4 stays"), "en")
    assert bold_parts(message)[-2:] == ["a", "b c"]
    assert "2 ** 3 ** 4 stays" in shown(message)


# splitting long announcements -------------------------------------------------------------------


def test_a_long_text_is_split_at_paragraphs_then_sentences_with_its_formatting_closed_and_reopened():
    from bot.fakeapi.html import parse_html
    from bot.render.html import split_html, visible_length, visible_text

    paragraph = "First sentence of the paragraph. Second one, a little longer. "
    markup = (
        f"<b>Title</b>\n\n{paragraph * 10}\n\n<i>{paragraph * 30}</i>\n\n"
        f'<a href="https://dpnsee.org">{paragraph * 3}</a> &amp; more'
    )
    pieces = split_html(markup, 1000)
    assert len(pieces) == 4
    for piece in pieces:
        parsed = parse_html(piece)  # balanced tags, as Telegram demands
        assert visible_length(piece) <= 1000 and parsed.text == visible_text(piece).strip()
    assert pieces[0].startswith("<b>Title</b>\n\n") and pieces[0].endswith("longer.")  # a paragraph's end
    assert pieces[1].startswith("<i>") and pieces[1].endswith("</i>")  # italics closed at the cut ...
    assert pieces[2].startswith("<i>First sentence")  # ... and opened again, cut after a sentence
    assert pieces[2].endswith("</i>")  # a paragraph's end again
    assert pieces[3].startswith('<a href="https://dpnsee.org">') and pieces[3].endswith("</a> &amp; more")
    words = " ".join(visible_text(p) for p in pieces).split()
    assert words == visible_text(markup).split()  # nothing lost, nothing repeated


def test_text_that_fits_is_one_piece_and_a_word_longer_than_the_limit_is_cut_anywhere():
    from bot.render.html import split_html

    assert split_html("Short <b>and</b> sweet", 100) == ["Short <b>and</b> sweet"]
    assert split_html("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_html("📢 " + "y" * 10, 8, first_limit=6) == ["📢 yyy", "yyyyyyy"]
