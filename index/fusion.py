"""Fusion: words and meaning weighed together, and the honest "nothing relevant".

Each candidate post gets one number, its *evidence*: the share of the question's weighted words it
covers (0–1, from the lexical ranking) plus `BETA` times how close it is in meaning (`z`: its best
passage in standard deviations above all passages, from the dense ranking). A question is answered only
when its best post's evidence reaches `ANSWER`; then every post within `KEEP` of the best is shown, best
first. A post found by words alone needs about half the question's words plus an ordinary closeness in
meaning; one found by meaning alone needs to stand far above the field; most answers have some of both,
and a post whose words match but whose meaning is far off is held back.

The three constants were fitted on the evaluation's dev question sets (`bench/fusion_fit.py`, not on the
blind sets used to report quality) and checked by leaving each set out in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

BETA = 0.25  # weight of closeness in meaning (z) against word coverage
ANSWER = 1.35  # the best post's evidence needed to answer at all
KEEP = 0.5  # other posts are shown when their evidence is within this of the best
UNEMBEDDED_Z = (ANSWER - 0.5) / BETA  # a post not embedded yet is judged by its words as before: c > 0.5
DENSE_CANDIDATES = 5  # posts closest in meaning considered even when their words barely match


@dataclass(frozen=True)
class Evidence:
    post_id: str
    coverage: float  # share of the question's weighted words the post contains
    z: float | None  # closeness in meaning; None when the post has no vectors yet

    @property
    def value(self) -> float:
        return min(self.coverage, 1.0) + BETA * (UNEMBEDDED_Z if self.z is None else self.z)


def candidates(
    coverage: Mapping[str, float], closest: Iterable[str], z: Callable[[str], float | None]
) -> list[Evidence]:
    """Every post worth weighing: those with any of the question's words (`coverage` by post id) and
    the posts `closest` in meaning; `z` gives any post's closeness in meaning."""
    return [Evidence(i, coverage.get(i, 0.0), z(i)) for i in dict.fromkeys([*coverage, *closest])]


def answers(weighed: Iterable[Evidence]) -> list[Evidence]:
    """The posts that answer, best first; empty when even the best falls short of `ANSWER`."""
    weighed = list(weighed)
    best = max((e.value for e in weighed), default=0.0)
    if best < ANSWER:
        return []
    return sorted(
        (e for e in weighed if e.value >= best - KEEP), key=lambda e: (e.value, e.coverage), reverse=True
    )
