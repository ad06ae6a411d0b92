"""How far words and meaning can go on the evaluation sets, whatever the fusion's constants.

    .venv/bin/python bench/ceiling.py [--sets blind5-questions,blind6-questions]

`bench/eval_search.py` scores the bot as it answers; this asks where the misses come from. For each set it
prints, over the answerable questions (listings, questions that are only filters, left out):

  ranked    the fused ranking with no gate: every candidate post by its evidence, best first (top-1, top-3)
  words     words alone, as the bot ranks without meaning (top-3)
  meaning   meaning alone, the posts whose best passage is closest (top-3, top-5)
  any       an expected post in the top 3 of at least one of the three: what a perfect re-ranker of these
            candidates could reach

and how well the gate's signal, the best candidate's evidence, tells the answerable questions whose
best candidate is right from the unanswerable ones: the area under the ROC curve (1: a threshold separates
them; 0.5: a coin), the share of those right answers kept by the threshold that turns 90 % of the
unanswerable questions away, and the share of unanswerable ones turned away by the threshold that keeps
97 % of the right answers. Those are the targets of issue #10 seen from the gate's side.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bench.eval_search as ev  # noqa: E402
import bench.fusion_fit as ff  # noqa: E402
from index import load_posts  # noqa: E402

SETS = (*ff.DEV_SETS, "blind6-questions", "blind7-questions", "blind8-questions")


@dataclass
class Tally:
    """One set's counts over its ranked answerable questions, and the gate's signal per question."""

    answerable: int = 0
    ranked1: int = 0
    ranked3: int = 0
    words3: int = 0
    meaning3: int = 0
    meaning5: int = 0
    any3: int = 0
    right: list[float] = field(default_factory=list)  # best evidence where the best candidate is right
    unanswerable: list[float] = field(default_factory=list)  # best evidence of unanswerable questions


def ranked(w: ff.Weighed) -> tuple[list[str], float]:
    """The candidates by evidence, best first, as the bot would take them (the dated search, or the
    undated one when the date leaves nothing), and the best evidence of either."""
    candidates = w.dated or w.undated or []
    values = [e.value for e in (w.dated or []) + (w.undated or [])]
    return [e.post_id for e in candidates], max(values, default=-np.inf)


def tally(
    weighed: list[ff.Weighed], words: Callable[[str], ev.Answer], meaning: Callable[[str], list[str]]
) -> Tally:
    t = Tally()
    for w in weighed:
        if w.dated is None:
            continue
        order, best = ranked(w)
        expected = w.question.expected
        if not expected:
            t.unanswerable.append(best)
            continue
        by_words, by_meaning = words(w.question.q).ids[:3], meaning(w.question.q)

        def found(ids: list[str], expected: frozenset[str] = expected) -> bool:
            return bool(expected.intersection(ids))

        t.answerable += 1
        t.ranked1 += found(order[:1])
        t.ranked3 += found(order[:3])
        t.words3 += found(by_words)
        t.meaning3 += found(by_meaning[:3])
        t.meaning5 += found(by_meaning[:5])
        t.any3 += found(order[:3] + by_words + by_meaning[:3])
        if found(order[:1]):
            t.right.append(best)
    return t


def separation(right: list[float], unanswerable: list[float]) -> str:
    """The gate's side: AUC, right answers kept at 90 % of unanswerable turned away, and the reverse."""
    if not right or not unanswerable:
        return "gate: no unanswerable questions"
    pos, neg = np.array(right), np.array(unanswerable)
    auc = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    kept = (pos > np.quantile(neg, 0.9)).mean()
    turned_away = (neg < np.quantile(pos, 0.03)).mean()
    return (
        f"gate: AUC {auc:.2f}; turning 90% of the {len(neg)} unanswerable away keeps {kept:.0%} of the "
        f"{len(pos)} right answers; keeping 97% of them turns {turned_away:.0%} of the unanswerable away"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=Path, default=ROOT / "bench" / "eval" / "posts")
    ap.add_argument("--sets", default=",".join(SETS), help="question files in bench/eval, without .yaml")
    args = ap.parse_args(argv)
    posts = load_posts(args.posts).posts
    known = {p.id for p in posts}
    with tempfile.TemporaryDirectory() as tmp:
        index = ev.newsbot_index(posts, Path(tmp) / "fused")
        words = ev.newsbot_engine(posts, Path(tmp), meaning=False)
        meaning = ev.semantic_engine(posts, Path(tmp))
        print("over the answerable questions: top-1 / top-3 (meaning: top-3 / top-5)\n")
        for name in args.sets.split(","):
            questions = ev.load_questions(ROOT / "bench" / "eval" / f"{name}.yaml", known)
            t = tally(ff.weigh_all(index, questions), words, meaning)
            n = t.answerable
            print(
                f"{name} ({n} ranked answerable)\n"
                f"   ranked {t.ranked1 / n:.1%} / {t.ranked3 / n:.1%}   words {t.words3 / n:.1%}   "
                f"meaning {t.meaning3 / n:.1%} / {t.meaning5 / n:.1%}   any {t.any3 / n:.1%}\n"
                f"   {separation(t.right, t.unanswerable)}"
            )
        index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
