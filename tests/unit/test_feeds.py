"""RSS/Atom polling over a real loopback HTTP server: conditional GET, entries become post files."""

from feedserver import ITEM, rss

from index.feeds import FeedState, html_to_markdown, missing_entries, move_entries, poll_feed
from index.posts import load_posts


def test_each_entry_becomes_a_valid_post_file_with_clean_markdown(feed, tmp_path):
    feed.body = rss([ITEM.format(title="A quiet CND", slug="quiet-cnd", guid=1, body="The <b>CND</b> met.")])
    result = poll_feed(feed.url, tmp_path)
    assert result.status == 200 and result.error is None
    assert len(result.written) == 1
    loaded = load_posts(tmp_path)
    assert loaded.errors == []
    (post,) = loaded.posts
    assert post.title == "A quiet CND"
    assert str(post.date) == "2023-05-17"
    assert post.url == "https://dpnsee.org/quiet-cnd/"
    assert post.tags == ("harm reduction", "cnd")
    assert post.summary == "Short summary of A quiet CND."
    assert "The **CND** met." in post.body
    assert "[the report](https://unodc.org/x)" in post.body
    assert "<" not in post.body and "x.png" not in post.body


def test_a_second_poll_is_conditional_and_a_304_writes_nothing(feed, tmp_path):
    feed.body = rss([ITEM.format(title="One", slug="one", guid=1, body="b")])
    first = poll_feed(feed.url, tmp_path)
    second = poll_feed(feed.url, tmp_path, first.state)
    assert second.status == 304
    assert second.written == []
    assert [status for status, _ in feed.requests] == [200, 304]
    assert second.state == first.state


def test_an_edited_entry_keeps_its_file_and_post_id_and_an_unchanged_one_is_not_rewritten(feed, tmp_path):
    feed.body = rss([ITEM.format(title="One", slug="one", guid=1, body="b")])
    (path,) = poll_feed(feed.url, tmp_path).written
    feed.body = rss(
        [
            ITEM.format(title="One, corrected", slug="one", guid=1, body="b2"),
            ITEM.format(title="Two", slug="two", guid=2, body="c"),
        ]
    )
    result = poll_feed(feed.url, tmp_path, FeedState())
    assert path in result.written and len(result.written) == 2
    assert sorted(p.name for p in tmp_path.glob("*.md")) == sorted(p.name for p in result.written)
    assert {p.title for p in load_posts(tmp_path).posts} == {"One, corrected", "Two"}
    assert poll_feed(feed.url, tmp_path, FeedState()).written == []


def test_a_serbian_feed_gives_serbian_posts(feed, tmp_path):
    feed.body = rss([ITEM.format(title="Tiha sednica", slug="tiha", guid=3, body="Tekst.")], language="sr-RS")
    poll_feed(feed.url, tmp_path)
    assert load_posts(tmp_path).posts[0].lang == "sr"


def test_unreachable_or_broken_feeds_report_an_error_and_write_nothing(feed, tmp_path):
    missing = poll_feed(feed.url.replace("/feed", "/nope"), tmp_path)
    assert missing.status == 404 and missing.error == "HTTP 404"
    feed.body = b"this is not xml at all"
    broken = poll_feed(feed.url, tmp_path)
    assert broken.error and broken.written == []
    closed = poll_feed("http://127.0.0.1:9/feed", tmp_path, timeout=2)
    assert closed.status is None and closed.error
    assert list(tmp_path.glob("*.md")) == []


def test_html_to_markdown_drops_markup_and_keeps_paragraphs_and_links():
    text = html_to_markdown(
        '<div><p>One &amp; two</p>\n\n\n<p>Three <a href="https://x.org">link</a></p></div>'
    )
    assert text == "One & two\n\nThree [link](https://x.org)"


def test_moved_entries_keep_their_names_and_a_copy_already_there_wins(feed, tmp_path):
    feed.body = rss([entry(1), entry(2)])
    old, new = tmp_path / "content" / "feeds", tmp_path / "data" / "feeds"
    result = poll_feed(feed.url, old)
    new.mkdir(parents=True)
    kept = new / result.written[0].name
    kept.write_text("the newer copy")
    assert move_entries(old, new) == 1
    assert not old.exists() and kept.read_text() == "the newer copy"
    assert sorted(p.name for p in new.iterdir()) == sorted(p.name for p in result.written)
    assert missing_entries(result.state, new) == 0
    (new / result.written[1].name).unlink()
    assert missing_entries(result.state, new) == 1 and missing_entries(result.state, tmp_path / "none") == 2


def test_posts_load_from_several_folders_and_a_repeated_name_is_reported_once(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.md").write_text(f"---\ntitle: From {folder}\n---\nText.\n")
    loaded = load_posts(tmp_path / "a", tmp_path / "b", tmp_path / "missing")
    assert [p.title for p in loaded.posts] == ["From a"]
    (error,) = loaded.errors
    assert "same name (post id) as" in str(error) and str(tmp_path / "b") in error.path


def entry(number: int) -> str:
    return ITEM.format(title=f"Entry {number}", slug=f"entry-{number}", guid=number, body=f"Text {number}.")
