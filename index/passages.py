"""Passages: the pieces of a post that are embedded for search by meaning.

A long post averaged into one vector says little about any of its parts, so a post is cut into its
title (with the summary) and short runs of whole sentences. Each passage is embedded with the post's
title in front, so that "the meeting" in a passage still knows which meeting it was. The best passage
of a post found by meaning is also the sentence(s) shown as its snippet.
"""

from __future__ import annotations

from dataclasses import dataclass

from index.posts import Post
from index.snippets import Span, sentences

MAX_WORDS = 40  # words per passage: one or two sentences
SCHEME = f"title+{MAX_WORDS}w"  # recorded with the vectors: another way of cutting posts re-embeds them


@dataclass(frozen=True)
class Passage:
    """A piece of a post: `span` in the body, or None for the title passage."""

    span: Span | None
    text: str  # what is embedded: the title, then the passage's sentences


def passages(post: Post) -> list[Passage]:
    """The title passage, then the body's sentences grouped into runs of at most `MAX_WORDS` words
    (a longer sentence is a passage on its own)."""
    head = post.title.rstrip(".!?") + "."
    out = [Passage(None, f"{head} {post.summary}" if post.summary else head)]
    group: list[Span] = []
    words = 0
    for span in sentences(post.body):
        n = len(post.body[span[0] : span[1]].split())
        if group and words + n > MAX_WORDS:
            out.append(_passage(post, head, group))
            group, words = [], 0
        group.append(span)
        words += n
    if group:
        out.append(_passage(post, head, group))
    return out


def _passage(post: Post, head: str, group: list[Span]) -> Passage:
    span = (group[0][0], group[-1][1])
    body = " ".join(post.body[s:e] for s, e in group)
    return Passage(span, f"{head} {body}")
