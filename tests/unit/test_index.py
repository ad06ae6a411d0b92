"""The on-disk index: incremental sync, rebuilding when missing/corrupt/outdated, browsing, threads."""

import datetime as dt
import hashlib
import json
import logging
import threading

import pytest

from index import Index, Post, load_posts, scan_posts


def post(post_id: str, title: str, body: str = "Some text.", **kw) -> Post:
    digest = hashlib.sha256(f"{title}|{body}|{kw}".encode()).hexdigest()
    return Post(id=post_id, title=title, body=body, hash=digest, **kw)


@pytest.fixture
def index(tmp_path):
    ix = Index.open(tmp_path / "index")
    yield ix
    ix.close()


def test_a_new_index_is_created_empty_and_sync_adds_every_post(index):
    report = index.sync([post("a", "Alpha"), post("b", "Beta")])
    assert report.added == ["a", "b"]
    assert (report.updated, report.removed) == ([], [])
    assert len(index) == 2


def test_sync_adds_new_updates_changed_and_removes_missing_posts(index):
    index.sync([post("a", "Alpha"), post("b", "Beta"), post("c", "Gamma")])
    report = index.sync([post("a", "Alpha"), post("b", "Beta rewritten"), post("d", "Delta")])
    assert (report.added, report.updated, report.removed) == (["d"], ["b"], ["c"])
    assert not report.rebuilt
    assert len(index) == 3
    assert index.get("b").title == "Beta rewritten"
    assert index.get("c") is None
    assert not index.search("gamma").hits
    assert index.search("rewritten").hits[0].id == "b"


def test_a_second_sync_with_the_same_posts_changes_nothing(index):
    posts = [post("a", "Alpha"), post("b", "Beta")]
    index.sync(posts)
    report = index.sync(posts)
    assert not report.changed


def test_a_sync_from_scanned_files_reads_each_post_as_it_writes_it(index, tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.md").write_text(f"---\ntitle: Post {name}\ndate: 2024-01-01\n---\nText {name}.")
    scanned = scan_posts(folder)
    (folder / "c.md").write_text("broken after the scan")
    report = index.sync(scanned)
    assert (report.added, report.updated, report.removed) == (["a", "b"], [], [])
    assert index.get("b") == load_posts(folder).posts[1]
    assert index.get("c") is None


def test_the_index_survives_reopening(tmp_path):
    ix = Index.open(tmp_path / "ix")
    ix.sync([post("a", "Alpha")])
    ix.close()
    again = Index.open(tmp_path / "ix")
    try:
        report = again.sync([post("a", "Alpha")])
        assert not report.changed and not report.rebuilt
        assert again.search("alpha").hits[0].id == "a"
    finally:
        again.close()


def test_a_sync_sees_what_another_process_wrote_meanwhile(tmp_path):
    bot, cli = Index.open(tmp_path / "ix"), Index.open(tmp_path / "ix")
    try:
        posts = [post("a", "Alpha"), post("b", "Beta")]
        assert cli.sync(posts).added == ["a", "b"]
        assert not bot.sync(posts).changed
        assert len(bot) == 2 and bot.search("beta").hits
    finally:
        bot.close()
        cli.close()


def test_get_returns_the_full_post(index):
    original = post(
        "p",
        "Title",
        "Body **markdown**.",
        date=dt.date(2023, 5, 25),
        url="https://x.org/p",
        tags=("cnd",),
        lang="en",
    )
    index.sync([original])
    assert index.get("p") == original


def test_a_corrupt_index_is_rebuilt_with_a_log_line(tmp_path, caplog):
    path = tmp_path / "ix"
    ix = Index.open(path)
    ix.sync([post("a", "Alpha")])
    ix.close()
    for file in path.iterdir():
        if file.suffix != ".json":  # the version file is fine: Whoosh's own files are broken
            file.write_bytes(b"\x00garbage" * 10)
    with caplog.at_level(logging.WARNING):
        rebuilt = Index.open(path)
    try:
        assert "corrupt" in caplog.text and "rebuilding" in caplog.text
        report = rebuilt.sync([post("a", "Alpha")])
        assert report.rebuilt and report.added == ["a"]
        assert rebuilt.search("alpha").hits
    finally:
        rebuilt.close()


def test_garbage_files_in_an_empty_index_folder_mean_rebuild(tmp_path, caplog):
    path = tmp_path / "ix"
    path.mkdir()
    (path / "junk.bin").write_bytes(b"\xff" * 100)
    with caplog.at_level(logging.WARNING):
        ix = Index.open(path)
    ix.close()
    assert "corrupt" in caplog.text


def test_an_index_from_an_older_schema_version_is_rebuilt(tmp_path, caplog):
    path = tmp_path / "ix"
    Index.open(path).close()
    (path / "newsbot-index.json").write_text(json.dumps({"schema": 0}))
    with caplog.at_level(logging.WARNING):
        ix = Index.open(path)
    try:
        assert "older version" in caplog.text
        assert ix.sync([post("a", "Alpha")]).rebuilt
    finally:
        ix.close()


def test_latest_is_newest_first_with_undated_posts_last(index):
    index.sync(
        [
            post("old", "Old", date=dt.date(2020, 1, 1)),
            post("none", "Undated"),
            post("new", "New", date=dt.date(2023, 1, 1), tags=("cnd",)),
        ]
    )
    assert [h.id for h in index.latest(5)] == ["new", "old", "none"]
    assert [h.id for h in index.latest(1)] == ["new"]
    assert index.latest(0) == []
    assert [h.id for h in index.latest(5, tags=["CND"])] == ["new"]


def test_tags_are_counted_most_used_first(index):
    index.sync(
        [
            post("a", "A", tags=("cnd", "unodc")),
            post("b", "B", tags=("cnd",)),
            post("c", "C", tags=("smanjenje štete",)),
        ]
    )
    assert index.tags() == [("cnd", 2), ("smanjenje štete", 1), ("unodc", 1)]
    index.sync([post("b", "B", tags=("cnd",))])
    assert index.tags() == [("cnd", 1)]


def test_searching_while_another_thread_syncs_never_fails(index):
    posts = [post(f"p{i}", f"Meeting number {i}", "Harm reduction meeting in Belgrade.") for i in range(60)]
    index.sync(posts[:30])
    errors = []

    def search():
        try:
            for _ in range(30):
                results = index.search("harm reduction meeting")
                assert results.total >= 30
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=search) for _ in range(3)]
    for t in threads:
        t.start()
    index.sync(posts)
    for t in threads:
        t.join()
    assert errors == []
    assert index.search("harm reduction meeting").total == 60


def test_thousands_of_generated_posts_index_and_search(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    topics = ["harm reduction", "drug trafficking", "treatment training", "youth survey", "cnd session"]
    cities = ["Belgrade", "Vienna", "Lisbon", "Podgorica", "Sarajevo"]
    for i in range(2000):
        topic, city = topics[i % 5], cities[(i // 5) % 5]
        day = dt.date(2015, 1, 1) + dt.timedelta(days=i)
        (folder / f"{day}-post-{i}.md").write_text(
            f"---\ntitle: {topic.title()} in {city} number {i}\ndate: {day}\ntags: [{topic}]\n---\n"
            f"The network discussed {topic} with partners in {city}. Item {i} was unique-{i}.\n",
            encoding="utf-8",
        )
    loaded = load_posts(folder)
    assert len(loaded.posts) == 2000 and not loaded.errors
    ix = Index.open(tmp_path / "ix")
    try:
        assert len(ix.sync(loaded.posts).added) == 2000
        results = ix.search("treatment training in Lisbon", per_page=10)
        assert results.total > 0
        assert all("Lisbon" in h.title and "Treatment" in h.title for h in results.hits)
        assert ix.search("unique-1234").hits[0].id.endswith("post-1234")
        assert ix.search("#cnd session", page=3, per_page=10).page == 3
        assert dict(ix.tags())["youth survey"] == 400
    finally:
        ix.close()


def test_a_post_in_a_language_without_a_stemmer_is_indexed_and_found_as_written(tmp_path):
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "2024-01-01-mk.md").write_text(
        "---\ntitle: Намалување на штети во Скопје\ndate: 2024-01-01\nlang: mk\n---\n"
        "Здружението отвори нов центар за намалување на штети во Скопје.\n",
        encoding="utf-8",
    )
    (folder / "2024-01-02-de.md").write_text(
        "---\ntitle: Schadensminderung in Berlin\ndate: 2024-01-02\nlang: de-AT\n---\n"
        "Die Drogenberatungsstellen erweitern ihre Angebote zur Substitutionsbehandlung.\n",
        encoding="utf-8",
    )
    loaded = load_posts(folder)
    assert not loaded.errors and sorted(p.lang for p in loaded.posts) == ["de-at", "mk"]
    ix = Index.open(tmp_path / "ix")
    try:
        assert len(ix.sync(loaded.posts).added) == 2
        for question, post in (
            ("Скопје", "2024-01-01-mk"),
            ("skopje steti", "2024-01-01-mk"),  # any script, no diacritics
            ("ШТЕТИ", "2024-01-01-mk"),
            ("substitutionsbehandlung", "2024-01-02-de"),
            ("Drogenberatungsstellen", "2024-01-02-de"),
        ):
            (hit,) = ix.search(question).hits
            assert hit.id == post and hit.highlights, question  # found, and the words shown in bold
    finally:
        ix.close()
