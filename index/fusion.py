"""Fusion: words and meaning weighed together, and the honest "nothing relevant".

Each candidate post gets one number, its *evidence*: the share of the question's weighted words it
covers (0–1, from the lexical ranking) plus `BETA` times how close it is in meaning (`z`: its best
passage in standard deviations above the reference passages, see `index.calibration`). A question is
answered when its best post's evidence reaches `ANSWER`, or reaches the lower `AGREED` while words and
meaning agree on it (it is also the closest in meaning, `LEAD` ahead of the next closest). Then every post
within `KEEP` of the best is shown, best first. A post found by words alone needs about half the question's
words plus an ordinary closeness in meaning; one found by meaning alone needs to stand far above the
reference; most answers have some of both, and a post whose words match but whose meaning is far off is
held back.

The constants were fitted on the evaluation's dev question sets (`bench/fusion_fit.py`, never on a blind
set before its first run was reported) and checked by leaving each set out in turn; points of the grid
within a question or two of each other are not told apart (bench/README.md, "Search by meaning"). The
rule works on arrays (thousands of candidates for a broad question in a big archive); `Evidence` is the
same for one post.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

BETA = 0.25  # weight of closeness in meaning (z) against word coverage
ANSWER = 1.35  # the best post's evidence needed to answer at all
AGREED = 1.2  # enough evidence when the best post is also clearly the closest in meaning
LEAD = 0.5  # how far (z) that post must stand ahead of the next closest in meaning
HINT = 0.9  # nothing answers: posts are still offered as the closest ones (not answers) from here,
HINT_COVERAGE = 0.2  # when they share this much of the question's words (a recipe is not "close" to any post)
HINTS = 2  # at most this many (a second one often is the right post when the first is not)
KEEP = 0.5  # other posts are shown when their evidence is within this of the best
UNEMBEDDED_Z = (ANSWER - 0.5) / BETA  # a post not embedded yet is judged by its words as before: c > 0.5
DENSE_CANDIDATES = 5  # posts closest in meaning considered even when their words barely match


def evidence(coverage: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Each candidate's evidence from its word coverage and closeness in meaning (z NaN: no vectors)."""
    return np.minimum(coverage, 1.0) + BETA * np.where(np.isnan(z), UNEMBEDDED_Z, z)


def answer_order(values: np.ndarray, coverage: np.ndarray, z: np.ndarray) -> np.ndarray:
    """The indices of the candidates that answer, best first (more coverage first among equals); none
    when even the best falls short of `ANSWER` and is not `agreed` on."""
    if not len(values) or (values.max() < ANSWER and not agreed(values, z)):
        return np.zeros(0, dtype=np.int64)
    keep = np.flatnonzero(values >= values.max() - KEEP)
    return keep[np.lexsort((-coverage[keep], -values[keep]))]


def nearest(values: np.ndarray, coverage: np.ndarray) -> np.ndarray:
    """When nothing answers, the indices of the candidates to offer as the closest posts (they may not
    answer the question, and are shown as such), best first: at most `HINTS`, each with `HINT` evidence and
    `HINT_COVERAGE` of the question's words (closeness in meaning alone also pairs an off-topic question
    with some post). Empty when none is close enough."""
    near = np.flatnonzero((values >= HINT) & (coverage >= HINT_COVERAGE))
    return near[np.lexsort((-coverage[near], -values[near]))][:HINTS]


def agreed(values: np.ndarray, z: np.ndarray) -> bool:
    """Whether the best candidate has `AGREED` evidence and is also the closest in meaning, `LEAD` ahead
    of the next closest (the candidates include the posts closest in meaning, so this is the field's lead).
    """
    best = int(np.argmax(values))
    if values[best] < AGREED or np.isnan(z[best]):
        return False
    others = np.delete(z, best)
    others = others[~np.isnan(others)]
    return not len(others) or z[best] - others.max() >= LEAD


@dataclass(frozen=True)
class Evidence:
    """One candidate post, weighed."""

    post_id: str
    coverage: float  # share of the question's weighted words the post contains
    z: float | None  # closeness in meaning; None when the post has no vectors yet

    @property
    def value(self) -> float:
        z = np.nan if self.z is None else self.z
        return float(evidence(np.array([self.coverage]), np.array([z]))[0])


def answers(weighed: Iterable[Evidence]) -> list[Evidence]:
    """`answer_order` for a list of weighed posts."""
    weighed = list(weighed)
    coverage = np.array([e.coverage for e in weighed], dtype=np.float64)
    z = np.array([np.nan if e.z is None else e.z for e in weighed], dtype=np.float64)
    return [weighed[i] for i in answer_order(evidence(coverage, z), coverage, z)]
