"""`newsbot index` and `newsbot search` from the shell."""

import json
import shutil

import pytest
from conftest import REPO, write_post

from bot.cli import main


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(REPO / "content", folder)
    return folder


def run(capsys, content, data, *argv):
    code = main(["--content", str(content), "--data", str(data), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_index_prints_a_summary_and_a_second_run_changes_nothing(capsys, content, tmp_path):
    code, out, err = run(capsys, content, tmp_path / "data", "index")
    assert code == 0
    assert out.startswith("9 added, 0 updated, 0 removed, 0 errors, 1 warning; 9 posts indexed in ")
    assert "warning: " in err and "no date" in err  # the seed's undated post, named for the editors
    code, out, _ = run(capsys, content, tmp_path / "data", "index")
    assert out.startswith("0 added, 0 updated, 0 removed, 0 errors, 1 warning; 9 posts")


def test_index_reports_each_broken_file_and_indexes_the_rest(capsys, content, tmp_path):
    broken = content / "posts" / "broken.md"
    broken.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    (content / "posts" / "latin1.md").write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    code, out, err = run(capsys, content, tmp_path / "data", "index")
    assert code == 1
    assert f"error: {broken}: front matter is not valid YAML" in err
    assert "latin1.md: not UTF-8" in err
    assert "9 added" in out and "2 errors" in out
    assert err.count("broken.md") == 1 and err.count("latin1.md") == 1  # one report per broken file
    code, out, err = run(capsys, content, tmp_path / "data", "search", "cnd")
    assert code == 0 and out.startswith("1. ") and err == ""  # the editor was told by `newsbot index`


def test_index_shows_a_progress_bar_for_big_folders(capsys, tmp_path):
    folder = tmp_path / "content" / "posts"
    folder.mkdir(parents=True)
    for i in range(250):
        write_post(folder, f"p{i}", f"Post {i}", f"Text {i}.")
    code, out, err = run(capsys, tmp_path / "content", tmp_path / "data", "index")
    assert code == 0
    assert "indexing [" in err and "250/250" in err
    assert out.startswith("250 added")


def test_search_works_on_a_fresh_checkout_without_indexing_first(capsys, content, tmp_path):
    code, out, _ = run(capsys, content, tmp_path / "data", "search", "who chairs working group 4")
    assert code == 0
    assert out.startswith("1. First meeting of the new CSFD  (6 October 2021)")
    assert "Chair of the Working group 4" in out


def test_search_picks_up_changed_content_by_itself(capsys, content, tmp_path):
    run(capsys, content, tmp_path / "data", "index")
    write_post(
        content / "posts",
        "2024-01-01-naloxone",
        "Naloxone for everyone",
        "Naloxone saves lives.",
        date="2024-01-01",
    )
    _code, out, _ = run(capsys, content, tmp_path / "data", "search", "naloxone")
    assert out.startswith("1. Naloxone for everyone  (1 January 2024)")


def test_search_json_has_exactly_the_documented_shape(capsys, content, tmp_path):
    code, out, _ = run(capsys, content, tmp_path / "data", "search", "djurasovich unodc", "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        *("query", "corrected", "hits", "total", "page", "pages", "per_page", "filters", "outside_dates"),
        "nearest",  # when nothing answers: the closest posts, if any (here words alone: always none)
    }
    assert data["nearest"] == []
    assert (data["total"], data["page"], data["pages"], data["per_page"]) == (2, 1, 1, 5)
    assert data["filters"] == {"tags": [], "lang": None, "dates": None} and data["outside_dates"] is False
    assert data["query"] == "djurasovich unodc"
    assert data["corrected"] == "durasovic unodc"
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "date", "url", "tags", "lang", "snippet", "score"}
    assert hit["id"] == "2022-12-01-a-visit-to-unodc-office-in-belgrade"
    assert hit["date"] == "2022-12-01" and hit["url"] is None and hit["lang"] == "en"
    assert "unodc" in hit["tags"] and isinstance(hit["score"], float)


def test_search_with_tag_lang_and_page_options(capsys, content, tmp_path):
    data_dir = tmp_path / "data"
    _c, out, _ = run(capsys, content, data_dir, "search", "Milošević", "--tag", "cnd", "--json")
    assert {h["id"] for h in json.loads(out)["hits"]} == {
        "2023-03-17-a-quiet-cnd",
        "2021-10-21-our-contribution-to-the-cnd-intersessional",
    }
    _c, out, _ = run(capsys, content, data_dir, "search", "Milošević", "--lang", "sr", "--tag", "cnd")
    assert out.strip() == "No relevant post found (tagged #cnd, posts in sr)."
    _c, out, _ = run(capsys, content, data_dir, "search", "Milošević", "--per-page", "2", "--page", "2")
    assert out.startswith("3. ") and "page 2 of 5 (9 posts)" in out
    _c, out, _ = run(capsys, content, data_dir, "search", "Milošević", "--per-page", "2", "--page", "6")
    assert out.strip() == "Page 6 is past the end: 9 posts on 5 pages."
    _c, out, _ = run(capsys, content, data_dir, "search", "Milošević", "--page", "5", "--json")
    data = json.loads(out)
    assert (data["hits"], data["total"], data["page"], data["pages"]) == ([], 9, 5, 2)


def test_search_says_when_the_year_asked_for_has_no_answer_and_shows_other_years(capsys, content, tmp_path):
    _c, out, _ = run(capsys, content, tmp_path / "data", "search", "board meeting 2021")
    assert out.startswith("Nothing from 2021 — here is what I found in other years:\n1. A quiet CND")
    _c, out, _ = run(capsys, content, tmp_path / "data", "search", "board meeting 2021", "--json")
    data = json.loads(out)
    assert data["outside_dates"] is True and data["filters"]["dates"] == ["2021-01-01", "2021-12-31"]
    _c, out, _ = run(capsys, content, tmp_path / "data", "search", "bitcoin 2021")
    assert out.strip() == "No relevant post found (from 2021)."


def test_search_says_so_when_nothing_is_relevant_or_a_word_was_corrected(capsys, content, tmp_path):
    _c, out, _ = run(capsys, content, tmp_path / "data", "search", "bitcoin price")
    assert out.strip() == "No relevant post found."
    _c, out, _ = run(capsys, content, tmp_path / "data", "search", "Milosevich esapd")
    assert out.startswith("Showing results for: Milosevic espad\n1. Is every seventh young person")
