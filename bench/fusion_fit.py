"""Fit the constants of `index.fusion` (BETA, ANSWER, KEEP, AGREED, LEAD) on the evaluation's dev sets.

    .venv/bin/python bench/fusion_fit.py                      # grid search, leave-one-set-out check
    .venv/bin/python bench/fusion_fit.py --write-reference    # remake index/reference.txt

Every dev question is weighed once through `Index.evidence` (the lexical coverage and the closeness in
meaning `z` of every candidate post, with and without the question's date filter); then each point of the
grid decides the answers as `Index.search` would (`index.fusion.answers`, falling back to the search
without the date when the dated one finds nothing) and scores top-1, top-3 and "unanswerable → nothing"
per set. The objective is their sum over the sets, unanswerable counted 1.5 times (saying nothing when
nothing fits is what keeps members' trust). Leave-one-set-out shows how well a fit carries to a set it
did not see. A blind set is used here only after its first run has been reported (`blind4` and
`blind5` since 2026-12-06); the constants have not been refitted since, so `blind6`, `blind7` and
`blind8` never were.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bench.eval_search as ev  # noqa: E402
from index import Index, calibration, fusion, load_posts  # noqa: E402
from index.embedding import load_embedder  # noqa: E402
from index.passages import passages  # noqa: E402
from index.query import parse  # noqa: E402
from index.vectorstore import PostVectors, quantise  # noqa: E402

DEV_SETS = (
    "questions",
    "blind-questions",
    "blind2-questions",
    "blind3-questions",
    "semantic-dev-questions",
    "blind4-questions",
    "blind5-questions",
)
BETAS = (0.2, 0.25, 0.3)
ANSWERS = tuple(round(1.2 + 0.05 * i, 2) for i in range(9))
KEEPS = (0.4, 0.5)
AGREEMENTS = ((99.0, 0.0), *itertools.product((0.9, 1.0, 1.1, 1.2, 1.3), (0.3, 0.5, 0.7, 1.0)))
UNANSWERABLE_WEIGHT = 1.5


@dataclass
class Weighed:
    question: ev.Question
    dated: list[fusion.Evidence] | None  # None: a listing (only filters), decided without fusion
    undated: list[fusion.Evidence] | None  # the same without the date filter (None: no date typed)
    listing: list[str]


def weigh_all(index: Index, questions: list[ev.Question]) -> list[Weighed]:
    out = []
    for q in questions:
        dated = index.evidence(q.q)
        undated = index.evidence(q.q, dates=False) if dated is not None and parse(q.q).dates else None
        listing = [h.id for h in index.search(q.q, per_page=ev.TOP).hits] if dated is None else []
        out.append(Weighed(q, dated, undated, listing))
    return out


Point = tuple[float, float, float, float, float]  # beta, answer, keep, agreed, lead


def decide(w: Weighed, beta: float, answer: float, keep: float, agreed: float, lead: float) -> list[str]:
    if w.dated is None:
        return w.listing
    fusion.BETA, fusion.ANSWER, fusion.KEEP, fusion.AGREED, fusion.LEAD = beta, answer, keep, agreed, lead
    fusion.UNEMBEDDED_Z = (answer - 0.5) / beta
    found = fusion.answers(w.dated) or (fusion.answers(w.undated) if w.undated is not None else [])
    return [e.post_id for e in found[: ev.TOP]]


def score(weighed: list[Weighed], point: Point) -> tuple[float, float, float]:
    outcomes = [ev.Outcome(w.question, ev.Answer(decide(w, *point))) for w in weighed]
    answerable = [o for o in outcomes if o.answerable] or [None]
    empty = [o for o in outcomes if not o.answerable] or [None]
    return (
        sum(bool(o and o.top1) for o in answerable) / len(answerable),
        sum(bool(o and o.top3) for o in answerable) / len(answerable),
        sum(bool(o and not o.ids) for o in empty) / len(empty),
    )


def objective(results: list[tuple[float, float, float]]) -> float:
    return sum(t1 + t3 + UNANSWERABLE_WEIGHT * empty for t1, t3, empty in results)


def describe(point: Point) -> str:
    agreement = "no agreement rule" if point[3] >= 99 else f"agreed={point[3]} lead={point[4]}"
    return f"beta={point[0]} answer={point[1]} keep={point[2]} {agreement}"


def show(name: str, point: Point, results: list[tuple[float, float, float]]) -> None:
    cells = "  ".join(f"{t1:.3f}/{t3:.3f}/{e:.2f}" for t1, t3, e in results)
    print(f"{name:<9} {cells}   {describe(point)}")


def write_reference(posts_dir: Path) -> None:
    """index/reference.txt from the evaluation posts, and its vectors for the default model."""
    posts = load_posts(posts_dir).posts
    texts = [" ".join(p.text.split()) for post in posts for p in passages(post)][::3]
    head = (
        "# Reference passages for calibrating closeness in meaning (index/calibration.py):\n"
        "# every third passage of the evaluation posts (bench/eval/posts, written in our own words),\n"
        "# one per line. Made by `bench/fusion_fit.py --write-reference`.\n"
    )
    (ROOT / "index" / "reference.txt").write_text(head + "\n".join(texts) + "\n", encoding="utf-8")
    calibration.reference_texts.cache_clear()
    embedder = load_embedder()
    codes, scales = quantise(embedder.embed_passages(calibration.reference_texts()))
    vectors = PostVectors((None,) * len(scales), codes, scales)
    path = calibration.write_shipped_vectors(embedder.model_id, vectors, ROOT / "index")
    print(f"wrote {len(texts)} reference passages and their vectors ({path.name})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--posts", type=Path, default=ROOT / "bench" / "eval" / "posts")
    ap.add_argument("--write-reference", action="store_true", help="remake index/reference.txt and stop")
    args = ap.parse_args(argv)
    if args.write_reference:
        write_reference(args.posts)
        return 0
    current = (fusion.BETA, fusion.ANSWER, fusion.KEEP, fusion.AGREED, fusion.LEAD)
    posts = load_posts(args.posts).posts
    known = {p.id for p in posts}
    with tempfile.TemporaryDirectory() as tmp:
        index = Index.open(
            Path(tmp) / "index", glossary=ev.GLOSSARY, embedder=load_embedder(), vectors=ev.VECTORS
        )
        index.sync(posts)
        index.embed()
        sets = {
            name: weigh_all(index, ev.load_questions(ROOT / "bench" / "eval" / f"{name}.yaml", known))
            for name in DEV_SETS
        }
        index.close()
    grid = [
        (*point, *agreement) for point in itertools.product(BETAS, ANSWERS, KEEPS) for agreement in AGREEMENTS
    ]
    results = {point: [score(sets[name], point) for name in DEV_SETS] for point in grid}
    print("sets:", ", ".join(DEV_SETS), "(top-1 / top-3 / unanswerable → nothing)\n")
    results.setdefault(current, [score(sets[name], current) for name in DEV_SETS])
    show("current", current, results[current])
    best = max(grid, key=lambda p: objective(results[p]))
    show("best fit", best, results[best])
    print("\nleave one set out (fit on the others, score the one left out):")
    for i, name in enumerate(DEV_SETS):
        point = max(grid, key=lambda p: objective([r for j, r in enumerate(results[p]) if j != i]))
        t1, t3, e = results[point][i]
        print(f"  {name:<24} {t1:.3f}/{t3:.3f}/{e:.2f}   fitted {describe(point)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
