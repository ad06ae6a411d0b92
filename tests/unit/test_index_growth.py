"""An archive that grows one post at a time: each new post is a small commit that never rewrites the
big segments of the archive (Whoosh's default merge policy did, taking minutes at 100,000 posts)."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh.writing import PostingPool

from index import Index, Post, engine
from index.engine import SMALL_SEGMENTS
from index.postingpool import BatchedPostingPool


def post(i: int) -> Post:
    return Post(id=f"p{i}", title=f"Post {i}", body=f"Meeting number {i} about harm reduction.", hash=str(i))


def segments(index: Index) -> dict[str, int]:
    return {s.segment_id(): s.doc_count_all() for s in index._ix._segments()}


def test_new_posts_are_merged_among_themselves_and_the_archive_is_never_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a small model of a big archive: 20 segments of 20 posts, and "small" means fewer than 20
    monkeypatch.setattr(engine, "BATCH", 20)
    monkeypatch.setattr(engine, "SMALL_SEGMENT", 20)
    index = Index.open(tmp_path / "index")
    archive = [post(i) for i in range(20 * 20)]
    index.sync(archive)
    built = segments(index)
    assert len(built) == 20
    posts = list(archive)
    for i in range(len(archive), len(archive) + 3 * SMALL_SEGMENTS):
        posts.append(post(i))
        index.sync(posts)
        now = segments(index)
        assert built.items() <= now.items()  # the archive's segments are untouched
        assert len(now) <= len(built) + SMALL_SEGMENTS
    assert len(index) == len(posts)
    assert index.search(f"meeting number {len(posts) - 1}").hits[0].id == f"p{len(posts) - 1}"
    index.close()


def test_a_build_whose_postings_spill_to_disk_finds_the_same_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = [
        Post(
            id=f"p{i}",
            title=f"Post {i}",
            body=f"Meeting number {i} in town{i % 7} about harm reduction.",
            hash=str(i),
        )
        for i in range(300)
    ]
    in_memory = Index.open(tmp_path / "memory")
    in_memory.sync(archive)
    spills = []
    monkeypatch.setattr(engine, "WRITER_MB", 0.02)  # a pool of 20 kB: many runs on disk, merged back
    monkeypatch.setattr(BatchedPostingPool, "save", lambda pool: spills.append(1) or PostingPool.save(pool))
    spilled = Index.open(tmp_path / "spilled")
    spilled.sync(archive)
    assert len(spills) > 10
    for question in ("meeting number 17", "town3 harm reduction", "post 299"):
        assert [h.id for h in spilled.search(question).hits] == [
            h.id for h in in_memory.search(question).hits
        ]
    assert len(spilled) == len(archive)
    in_memory.close()
    spilled.close()
