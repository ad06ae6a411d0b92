"""Post files: what is accepted, what is refused, and that one bad file never hides the others."""

import datetime as dt
from pathlib import Path

from conftest import CONTENT_DIR

from index.posts import load_posts, scan_posts

CONTENT = CONTENT_DIR / "posts"


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_the_shipped_posts_all_load_with_titles_tags_and_language():
    result = load_posts(CONTENT)
    assert result.errors == []
    assert len(result.posts) == 9
    titles = {p.title for p in result.posts}
    assert "A quiet CND" in titles
    cnd = next(p for p in result.posts if p.title == "A quiet CND")
    assert cnd.date == dt.date(2023, 3, 17)
    assert "cnd" in cnd.tags and cnd.lang == "en"
    assert cnd.url is None  # no seed post has a known URL: none is invented


def test_a_post_without_a_date_is_kept_undated_with_a_warning(tmp_path):
    write(tmp_path, "x.md", "---\ntitle: Undated\n---\nBody")
    result = load_posts(tmp_path)
    assert [p.date for p in result.posts] == [None]
    assert [str(w) for w in result.warnings] == [
        f"{tmp_path / 'x.md'}: no date: shown undated and sorted oldest"
    ]


def test_optional_fields_are_read(tmp_path):
    write(
        tmp_path,
        "2024-01-02-post.md",
        "---\ntitle: T\ndate: 2024-01-02\nurl: https://example.org/p\ntags: [A, b, a]\nlang: sr\n"
        "summary: Short\n---\n# Heading\n\nText\n",
    )
    (post,) = load_posts(tmp_path).posts
    assert post.id == "2024-01-02-post"
    assert post.url == "https://example.org/p"
    assert post.tags == ("a", "b")
    assert post.lang == "sr" and post.summary == "Short"
    assert post.body.startswith("# Heading")
    assert len(post.hash) == 64


def test_broken_files_are_reported_by_name_and_problem_and_the_rest_still_load(tmp_path):
    write(tmp_path, "good.md", "---\ntitle: Good\ndate: 2024-01-01\n---\nfine")
    write(tmp_path, "bad-yaml.md", "---\ntitle: [unclosed\n---\nx")
    write(tmp_path, "no-title.md", "---\ndate: 2024-01-01\n---\nx")
    write(tmp_path, "bad-date.md", "---\ntitle: T\ndate: 31/02/2024\n---\nx")
    write(tmp_path, "latin1.md", b"---\ntitle: Milo\x9aevi\xe6\n---\nx")
    write(tmp_path, "no-front-matter.md", "just text")
    write(tmp_path, "unclosed.md", "---\ntitle: T\n")
    write(tmp_path, "bad-lang.md", "---\ntitle: T\nlang: English!\n---\nx")
    write(tmp_path, "bad-url.md", "---\ntitle: T\nurl: dpnsee.org\n---\nx")
    write(tmp_path, "bad-tags.md", "---\ntitle: T\ntags: {a: 1}\n---\nx")
    result = load_posts(tmp_path)
    assert [p.title for p in result.posts] == ["Good"]
    problems = {Path(e.path).name: e.problem for e in result.errors}
    assert "not valid YAML" in problems["bad-yaml.md"]
    assert "title" in problems["no-title.md"]
    assert "date" in problems["bad-date.md"]
    assert "UTF-8" in problems["latin1.md"]
    assert "front matter" in problems["no-front-matter.md"]
    assert "not closed" in problems["unclosed.md"]
    assert "lang" in problems["bad-lang.md"]
    assert "url" in problems["bad-url.md"]
    assert "tags" in problems["bad-tags.md"]
    assert all(str(e).startswith(e.path) for e in result.errors)


def test_a_missing_folder_is_an_error_not_a_crash(tmp_path):
    result = load_posts(tmp_path / "nope")
    assert result.posts == [] and "not found" in result.errors[0].problem


def test_a_scan_checks_files_as_loading_does_and_reads_each_post_again_when_asked(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nfirst")
    write(tmp_path, "b.md", "---\ntitle: B\n---\nundated")
    write(tmp_path, "broken.md", "no front matter")
    loaded, scanned = load_posts(tmp_path), scan_posts(tmp_path)
    assert scanned.hashes == {p.id: p.hash for p in loaded.posts}
    assert (scanned.errors, scanned.warnings) == (loaded.errors, loaded.warnings)
    assert scanned.read("a") == loaded.posts[0]
    write(tmp_path, "a.md", "broken since the scan")
    assert scanned.read("a") is None and scanned.read("broken") is None
