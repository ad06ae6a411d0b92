"""The fake Bot API parses HTML as Telegram does: tags to entities, UTF-16 offsets, Telegram's error texts."""

import pytest

from bot.fakeapi.html import EntityParseError, parse_html, utf16_len


def test_supported_tags_become_entities_with_utf16_offsets():
    parsed = parse_html('😀 <b>bold</b> <a href="https://dpnsee.org/x?a=1&amp;b=2">link</a> <i>é</i>')

    assert parsed.text == "😀 bold link é"
    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 4},
        {"type": "text_link", "url": "https://dpnsee.org/x?a=1&b=2", "offset": 8, "length": 4},
        {"type": "italic", "offset": 13, "length": 1},
    ]


@pytest.mark.parametrize(
    ("html", "entity"),
    [
        ("<strong>x</strong>", {"type": "bold"}),
        ("<em>x</em>", {"type": "italic"}),
        ("<ins>x</ins>", {"type": "underline"}),
        ("<del>x</del>", {"type": "strikethrough"}),
        ('<span class="tg-spoiler">x</span>', {"type": "spoiler"}),
        ("<tg-spoiler>x</tg-spoiler>", {"type": "spoiler"}),
        ("<code>x</code>", {"type": "code"}),
        ('<pre><code class="language-python">x</code></pre>', {"type": "pre", "language": "python"}),
        ("<blockquote>x</blockquote>", {"type": "blockquote"}),
        ("<blockquote expandable>x</blockquote>", {"type": "expandable_blockquote"}),
        (
            '<tg-emoji emoji-id="5368324170671202286">x</tg-emoji>',
            {"type": "custom_emoji", "custom_emoji_id": "5368324170671202286"},
        ),
        ("<B>x</B>", {"type": "bold"}),
    ],
)
def test_each_documented_tag(html, entity):
    assert parse_html(html).entities == [{**entity, "offset": 0, "length": 1}]


def test_only_four_named_entities_and_numeric_ones_are_decoded():
    parsed = parse_html("&lt;&gt;&amp;&quot; &#65;&#x42; &nbsp; a & b")

    assert parsed.text == '<>&" AB &nbsp; a & b'
    assert parsed.warnings == ["unsupported named entity &nbsp; shown literally"]


def test_surrounding_whitespace_is_trimmed_and_entities_follow():
    parsed = parse_html("\n  <b>hi</b>  \n")

    assert parsed.text == "hi"
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 2}]


def test_a_link_with_an_invalid_url_keeps_its_text_but_is_not_a_link():
    parsed = parse_html('<a href="/relative/path">post</a>')

    assert (parsed.text, parsed.entities) == ("post", [])
    assert "dropped" in parsed.warnings[0]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("é<b", "Unclosed start tag at byte offset 2"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x<i>y</b></i>", 'Unmatched end tag at byte offset 8, expected "</i>", found "</b>"'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<a href="x>y</a>', 'Unclosed end of attribute value in the tag "a" at byte offset 0'),
        (
            "<b class>y</b>",
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        ),
        ("<b =1>y</b>", 'Empty attribute name in the tag "b" at byte offset 0'),
    ],
)
def test_invalid_html_is_rejected_with_telegrams_description(html, reason):
    with pytest.raises(EntityParseError) as error:
        parse_html(html)

    assert str(error.value) == f"Bad Request: can't parse entities: {reason}"


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://a.org"><a href="https://b.org">x</a></a>',
        '<code><a href="https://a.org">x</a></code>',
        "<b><code>x</code></b>",
        "<pre><b>x</b></pre>",
        "<blockquote><blockquote expandable>x</blockquote></blockquote>",
    ],
)
def test_entities_nested_against_the_bot_api_rules_are_rejected(html):
    with pytest.raises(EntityParseError, match="can't be nested inside"):
        parse_html(html)


def test_styles_nest_in_each_other_links_and_quotes():
    parsed = parse_html('<blockquote><b><i><a href="https://a.org">x</a></i></b></blockquote>')

    assert [e["type"] for e in parsed.entities] == ["blockquote", "bold", "italic", "text_link"]


def test_utf16_length_counts_astral_characters_twice():
    assert utf16_len("a😀é") == 4
