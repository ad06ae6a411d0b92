"""An archive that grows one post at a time: each new post is a small commit that never rewrites the
big segments of the archive (Whoosh's default merge policy did, taking minutes at 100,000 posts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Index, Post, engine
from index.engine import SMALL_SEGMENTS


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
