"""Search by meaning: passages, their vectors on disk, background embedding, and words and meaning fused.

All with the deterministic `FakeEmbedder` (tests/embedders.py), whose "meanings" make "nalokson" and
"naloxone" alike; the real model is tried in test_search_by_meaning_model.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from embedders import FakeEmbedder

from index import Index, Post
from index.analysis import fold
from index.calibration import Calibration
from index.dense import DenseIndex, Scan
from index.fusion import AGREED, ANSWER, BETA, HINT, HINTS, LEAD, UNEMBEDDED_Z, Evidence, answers, nearest
from index.passages import MAX_WORDS, passages
from index.semantic import Closeness, Semantic
from index.vectorstore import PostVectors, VectorStore, quantise


def post(post_id: str, title: str, body: str, **kw) -> Post:
    return Post(id=post_id, title=title, body=body, hash=f"{post_id}:{hash((title, body))}", **kw)


NALOXONE = post(
    "naloxone",
    "Naloxone in Croatia",
    "The ministry met the network in Zagreb. Take home naloxone will be available to people who use "
    "opioids from the end of September.",
    date=dt.date(2023, 6, 1),
    tags=("croatia",),
)
MEMBERS = post(
    "members",
    "General Assembly 2020",
    "The Assembly met in Belgrade. HELP from Split was granted ordinary membership.",
    date=dt.date(2020, 2, 20),
)
OTHERS = [
    post(f"other{i}", title, body, date=dt.date(2019, 1, 1 + i), tags=(title.split()[0].lower(),))
    for i, (title, body) in enumerate(
        [
            ("A quiet CND", "Delegates in Vienna discussed scheduling of substances and budgets."),
            ("Youth survey", "Young people answered questions about school, music and sport."),
            ("Prison health", "Visits to prisons showed gaps in treatment for inmates with hepatitis."),
            ("Budget advocacy", "Training on budget monitoring for civil society organisations."),
            ("Routes to Europe", "Traffickers move heroin along the Balkan route by truck and ship."),
            ("Board meeting", "The board adopted the annual report and planned the next assembly."),
        ]
    )
]
VOCABULARY = "report strategy funding office partners region capacity research survey outreach \
training conference statement campaign committee forum policy services evaluation monitoring"
FILLER = [  # unrelated posts: the field a close passage must stand out from
    post(
        f"filler{i}",
        f"Update {i}",
        ". ".join(
            " ".join(VOCABULARY.split()[(i * 7 + j * 3) % 20] for j in range(k, k + 6)) for k in range(3)
        )
        + ".",
    )
    for i in range(24)
]
POSTS = [NALOXONE, MEMBERS, *OTHERS, *FILLER]


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def index(tmp_path: Path, embedder: FakeEmbedder):
    ix = Index.open(tmp_path / "index", embedder=embedder)
    ix.sync(POSTS)
    ix.embed()
    yield ix
    ix.close()


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# --- passages --------------------------------------------------------------------------------------


def test_a_post_is_cut_into_its_title_and_short_runs_of_whole_sentences() -> None:
    sentence = "The network met partners in Skopje to plan the next steps of the regional project."
    long_post = post("long", "Regional project", " ".join([sentence] * 12), summary="A plan.")
    pieces = passages(long_post)
    assert pieces[0].span is None and pieces[0].text == "Regional project. A plan."
    body = pieces[1:]
    assert len(body) > 1
    for piece in body:
        start, end = piece.span
        text = long_post.body[start:end]
        assert len(text.split()) <= MAX_WORDS
        assert text.endswith(".") and text[0].isupper()  # whole sentences only
        assert piece.text.startswith("Regional project. ")  # each passage knows which post it is in
    assert body[0].span[0] == 0 and body[-1].span[1] == len(long_post.body)


def test_a_sentence_longer_than_a_passage_is_a_passage_of_its_own() -> None:
    words = " ".join(f"word{i}" for i in range(MAX_WORDS * 2)) + "."
    pieces = passages(post("one", "One long sentence", f"Short first. {words} Short last."))
    assert [len(p.text.split()) > MAX_WORDS for p in pieces[1:]] == [False, True, False]


# --- vectors on disk -------------------------------------------------------------------------------


def test_stored_vectors_come_back_close_to_what_was_embedded(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((3, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = VectorStore(tmp_path / "v.sqlite3", "model-a", 16)
    store.put("h1", [None, (0, 10), (11, 20)], vectors)
    store.close()
    [(post_hash, stored)] = list(VectorStore(tmp_path / "v.sqlite3", "model-a", 16).get(["h1", "nope"]))
    assert post_hash == "h1" and stored.spans == (None, (0, 10), (11, 20))
    restored = stored.codes.astype(np.float32) * stored.scales[:, None]
    assert np.abs(restored @ vectors[0] - vectors @ vectors[0]).max() < 0.01


def test_a_whole_archive_is_read_straight_into_one_matrix(tmp_path: Path) -> None:
    store = VectorStore(tmp_path / "v.sqlite3", "model-a", 4)
    for i, n in enumerate([2, 3, 1]):
        store.put(f"h{i}", [None, *[(k, k + 1) for k in range(n - 1)]], np.full((n, 4), 0.5, np.float32))
    hashes, counts, spans, codes, scales = store.read_matrix(["h2", "h0", "missing", "h1"])
    assert sorted(hashes) == ["h0", "h1", "h2"] and codes.shape == (6, 4) and scales.shape == (6,)
    assert counts.tolist() == [{"h0": 2, "h1": 3, "h2": 1}[h] for h in hashes]
    first = int(np.cumsum([0, *counts])[hashes.index("h1")])
    assert spans[first : first + 3].tolist() == [[-1, -1], [0, 1], [1, 2]]
    assert np.allclose(codes * scales[:, None], 0.5, atol=0.01)


def test_int8_codes_keep_every_dot_product_within_a_hundredth() -> None:
    rng = np.random.default_rng(2)
    vectors = rng.standard_normal((50, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    codes, scales = quantise(vectors)
    assert codes.dtype == np.int8
    assert np.abs((codes * scales[:, None]) @ vectors.T - vectors @ vectors.T).max() < 0.01


def test_vectors_of_another_model_are_dropped_with_a_log_line(tmp_path: Path, caplog) -> None:
    path = tmp_path / "v.sqlite3"
    VectorStore(path, "model-a", 4).put("h1", [None], np.ones((1, 4), dtype=np.float32) / 2)
    with caplog.at_level(logging.WARNING, logger="index.vectorstore"):
        store = VectorStore(path, "model-b", 4)
    assert store.hashes() == set()
    assert "made by model-a: re-embedding every post with model-b" in caplog.text


def test_a_corrupt_vector_file_is_replaced_by_an_empty_one(tmp_path: Path, caplog) -> None:
    path = tmp_path / "v.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="index.vectorstore"):
        store = VectorStore(path, "model-a", 4)
    assert "corrupt" in caplog.text
    store.put("h1", [None], np.ones((1, 4), dtype=np.float32) / 2)
    assert store.hashes() == {"h1"}


# --- keeping vectors in step with the posts --------------------------------------------------------


def want(semantic: Semantic, posts: list[Post]) -> None:
    """Tell `semantic` that the index holds `posts`, as `Index.sync` does."""
    semantic.want({p.id: p.hash for p in posts}, {p.id: p for p in posts}.get)


def test_only_new_and_changed_posts_are_embedded_and_vectors_survive_a_restart(tmp_path: Path) -> None:
    first = FakeEmbedder()
    semantic = Semantic(first, tmp_path / "v.sqlite3")
    want(semantic, POSTS)
    assert not semantic.ready and semantic.status().embedded == 0
    report = semantic.embed_pending()
    assert report.embedded == len(POSTS) and semantic.ready
    assert semantic.status().embedded == semantic.status().total == len(POSTS)
    semantic.close()

    again = FakeEmbedder()
    semantic = Semantic(again, tmp_path / "v.sqlite3")
    changed = post("members", MEMBERS.title, MEMBERS.body + " Two new members joined.")
    added = post("new", "A new post", "Something new happened.")
    want(semantic, [*(p for p in POSTS if p is not MEMBERS), changed, added])
    assert semantic.status().embedded == len(POSTS) - 1  # the unchanged ones came from disk
    report = semantic.embed_pending()
    assert report.embedded == 2 and again.calls == len(passages(changed)) + len(passages(added))
    want(semantic, [NALOXONE])  # the rest were removed
    assert semantic.status().embedded == semantic.status().total == 1
    assert semantic.forget_unused() == len(POSTS) + 1  # every other stored post, old and new versions
    semantic.close()


def test_a_post_changed_since_it_was_queued_waits_for_the_version_the_index_holds(tmp_path: Path) -> None:
    semantic = Semantic(FakeEmbedder(), tmp_path / "v.sqlite3")
    semantic.want({NALOXONE.id: "an older version"}, {NALOXONE.id: NALOXONE}.get)
    assert semantic.embed_pending().embedded == 0 and semantic.status().embedded == 0
    want(semantic, [NALOXONE])
    assert semantic.embed_pending().embedded == 1 and semantic.ready
    semantic.close()


def test_the_background_thread_embeds_a_new_post_soon_after_it_arrives(tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    index = Index.open(tmp_path / "index", embedder=embedder)
    try:
        index.sync(POSTS)
        index.embed_in_background()
        wait_for(lambda: index.semantic_status().ready)
        index.sync([*POSTS, post("fresh", "Zatvor", "Nalokson u zatvoru.")])
        wait_for(lambda: index.semantic_status().embedded == len(POSTS) + 1)
    finally:
        index.close()
    assert not [t for t in threading.enumerate() if t.name == "embedding"]


def test_search_uses_words_alone_until_every_post_is_embedded(tmp_path: Path) -> None:
    index = Index.open(tmp_path / "index", embedder=FakeEmbedder())
    try:
        index.sync(POSTS)
        assert not index.search("nalokson za kucnu upotrebu").hits  # meaning not available yet
        assert index.search("take home naloxone").hits[0].id == "naloxone"  # words work from the start
        index.embed()
        assert index.search("nalokson za kucnu upotrebu").hits[0].id == "naloxone"
    finally:
        index.close()


def test_a_broken_model_leaves_search_by_words_working(tmp_path: Path, caplog) -> None:
    embedder = FakeEmbedder()
    index = Index.open(tmp_path / "index", embedder=embedder)
    try:
        index.sync(POSTS)
        embedder.fail = True
        with caplog.at_level(logging.ERROR):
            index.embed_in_background()
            wait_for(lambda: "embedding a post failed" in caplog.text)
        assert not index.semantic_status().ready
        assert index.search("take home naloxone").hits[0].id == "naloxone"
    finally:
        index.close()


# --- fusion --------------------------------------------------------------------------------------


def test_a_post_is_found_by_meaning_when_its_words_differ(index: Index) -> None:
    results = index.search("Od kada je nalokson za kucnu upotrebu?")
    assert [h.id for h in results.hits][:1] == ["naloxone"]


def test_a_paraphrase_finds_the_post(index: Index) -> None:
    assert index.search("which organisation from Split became a full member").hits[0].id == "members"


def test_a_question_no_post_is_about_gets_nothing(index: Index) -> None:
    assert not index.search("who won the football cup final").hits
    assert not index.search("recipe for sarma with cabbage").hits


def test_when_nothing_answers_the_closest_posts_may_still_be_offered(index: Index) -> None:
    results = index.search("heroin seizures in Albania")
    assert not results.hits and results.nearest
    assert results.nearest[0].id == "other4"  # the Balkan route's heroin, though not seizures
    assert index.search("who won the football cup final").nearest == ()  # nothing is close
    assert index.search("nalokson za kucnu upotrebu").nearest == ()  # answered: no hint needed


def test_the_closest_posts_offered_are_the_best_few_that_share_some_of_the_questions_words() -> None:
    values = np.array([HINT + 0.3, HINT + 0.4, HINT - 0.3])
    assert nearest(values, coverage=np.array([0.3, 0.3, 0.3])).tolist() == [
        1,
        0,
    ]  # best first; the third too far
    assert nearest(values, coverage=np.array([0.3, 0.0, 0.3])).tolist() == [
        0
    ]  # close in meaning only: off-topic
    assert nearest(values, coverage=np.zeros(3)).tolist() == []
    assert len(nearest(np.full(5, HINT + 1), coverage=np.full(5, 0.5))) == HINTS  # a few, not a list


def test_filters_still_apply_to_posts_found_by_meaning(index: Index) -> None:
    assert index.search("nalokson za kucnu upotrebu #croatia").hits[0].id == "naloxone"
    assert not index.search("nalokson za kucnu upotrebu #budget").hits


def test_the_snippet_of_a_post_found_by_meaning_is_its_closest_passage(index: Index) -> None:
    results = index.search("Od kada je nalokson za kucnu upotrebu?")
    hit = results.hits[0]
    assert hit.snippet.startswith("Take home naloxone will be available")  # not the first sentence
    searched = {fold(w) for w in (results.corrected or results.query).split()}
    bold = [fold(hit.snippet[s:e]) for s, e in hit.highlights]
    assert set(bold) <= searched and "home" not in bold  # close in meaning is not bold, only real matches


def test_words_still_decide_exact_names_and_spelling(index: Index) -> None:
    results = index.search("HELP Splitt")
    assert results.hits[0].id == "members"
    assert results.corrected == "HELP Split"


def test_evidence_weighs_word_coverage_and_closeness_in_meaning() -> None:
    weighed = [Evidence("words", 0.9, 0.0), Evidence("meaning", 0.0, 6.0), Evidence("both", 0.6, 4.0)]
    found = answers([*weighed, Evidence("neither", 0.2, 0.5)])
    assert [a.post_id for a in found] == ["both", "meaning"]  # 1.6 and 1.5; "words" 0.9 is too far
    assert found[0].value == pytest.approx(0.6 + BETA * 4.0)
    assert answers([Evidence("neither", 0.2, 0.5)]) == []  # 0.325: below ANSWER


def test_less_evidence_answers_when_words_and_meaning_agree_on_a_clear_winner() -> None:
    z = 4.0  # evidence 0.3 + BETA * 4.0 = 1.3: between AGREED and ANSWER
    assert AGREED <= 0.3 + BETA * z < ANSWER
    clear = [Evidence("best", 0.3, z), Evidence("next", 0.1, z - LEAD - 0.1)]
    assert [a.post_id for a in answers(clear)][:1] == ["best"]
    close_second = [Evidence("best", 0.3, z), Evidence("next", 0.1, z - LEAD + 0.1)]
    assert answers(close_second) == []
    closer_by_meaning = [Evidence("best", 0.3, z), Evidence("meaning", 0.0, z + 0.2)]
    assert answers(closer_by_meaning) == []  # words and meaning disagree on the best post
    weak = [Evidence("best", 0.1, z), Evidence("next", 0.0, 0.0)]
    assert answers(weak) == []  # 1.1: a clear winner, but too little evidence


def test_a_post_not_embedded_yet_is_judged_by_its_words_as_before() -> None:
    assert Evidence("new", 0.51, None).value > ANSWER > Evidence("new", 0.49, None).value
    assert pytest.approx(ANSWER) == UNEMBEDDED_Z * BETA + 0.5


def unit_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    rows = rng.standard_normal((n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_closeness_in_meaning_is_measured_against_the_reference_passages() -> None:
    rng = np.random.default_rng(3)
    posts = {name: unit_rows(rng, 2, 16) for name in "abcdef"}  # two passages each: the title, then (0, 1)
    dense = DenseIndex.of(16, {k: PostVectors((None, (0, 1)), *quantise(v)) for k, v in posts.items()})
    reference = Calibration(PostVectors((None,) * 200, *quantise(unit_rows(rng, 200, 16))))
    query = posts["c"][1]
    scores = dense.score(query, reference)
    c, a, b = (dense.position[name] for name in "cab")
    assert scores.top(1).tolist() == [c] and scores.span(c) == (0, 1)
    z = scores.z_at(np.array([a, b, c, -1]))
    assert scores.top(2, among=np.array([a, -1, b])).tolist() == sorted(
        [a, b], key=lambda p: -z[[a, b].index(p)]
    )
    mean, spread = reference.level(query)
    assert z[2] == pytest.approx((1.0 - mean) / spread, abs=0.05)  # the query is c's passage
    assert z[2] > 3 and np.isnan(z[3])  # -1: a post without vectors


def test_a_scan_shared_by_threads_scores_every_passage_as_one_thread_does() -> None:
    rng = np.random.default_rng(5)
    posts = {f"p{i}": unit_rows(rng, 3, 16) for i in range(3000)}  # 9,000 rows: several chunks
    spans = (None, (0, 1), (2, 3))
    dense = DenseIndex.of(16, {k: PostVectors(spans, *quantise(v)) for k, v in posts.items()})
    reference = Calibration(PostVectors((None,) * 200, *quantise(unit_rows(rng, 200, 16))))
    query = posts["p7"][2]
    alone = dense.score(query, reference)
    scan = Scan(dense, query, reference)
    helpers = [threading.Thread(target=scan.join) for _ in range(3)]
    for helper in helpers:
        helper.start()
    shared = scan.scores()
    for helper in helpers:
        helper.join()
    assert np.array_equal(shared.best, alone.best)
    assert shared.top(1).tolist() == [dense.position["p7"]] and shared.span(dense.position["p7"]) == (2, 3)


def test_a_question_that_cannot_be_embedded_raises_where_its_closeness_is_asked_for() -> None:
    class Broken:
        def embed_query(self, text: str) -> np.ndarray:
            raise RuntimeError("the model is gone")

    with ThreadPoolExecutor(1) as pool:
        closeness = Closeness(Broken(), "naloxone", pool)
        with pytest.raises(RuntimeError, match="the model is gone"):
            closeness.result()


def test_a_thread_failing_mid_scan_does_not_leave_the_others_waiting(monkeypatch) -> None:
    rng = np.random.default_rng(6)
    posts = {f"p{i}": unit_rows(rng, 2, 16) for i in range(3000)}
    dense = DenseIndex.of(16, {k: PostVectors((None, (0, 1)), *quantise(v)) for k, v in posts.items()})
    reference = Calibration(PostVectors((None,) * 200, *quantise(unit_rows(rng, 200, 16))))
    scan = Scan(dense, posts["p1"][1], reference)
    real_matmul, calls = np.matmul, []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise MemoryError("no room for this chunk")
        return real_matmul(*args, **kwargs)

    monkeypatch.setattr(np, "matmul", failing_once)
    with pytest.raises(MemoryError):
        scan.join()
    monkeypatch.setattr(np, "matmul", real_matmul)
    waiting = threading.Thread(target=scan.join, daemon=True)  # daemon: a failure must not hang the run
    waiting.start()
    waiting.join(timeout=5)
    assert not waiting.is_alive()
