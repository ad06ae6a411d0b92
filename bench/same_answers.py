"""Whether a change to the search core left every answer as it was (prints what differs).

    .venv/bin/python bench/same_answers.py dump before.json [--size 10000]    # on the old code
    .venv/bin/python bench/same_answers.py dump after.json [--size 10000]     # on the new code
    .venv/bin/python bench/same_answers.py diff before.json after.json

`dump` asks every question of `bench/eval/*questions.yaml` over `bench/eval/posts`, by words alone and by
words and meaning fused (page 1, and page 2 of every seventh question), and, with `--size N`, the search
benchmark's 200 questions over N generated posts with random passage vectors (speed stand-ins: their
answers by meaning are arbitrary but repeatable). Each answer is kept whole: total, "showing results for",
outside the dates asked, the closest post offered, and every hit's id, score, snippet and bold spans.

For a change meant to be a pure speed-up, `diff` should print nothing but zeros. Run `dump` twice with
different `PYTHONHASHSEED`s too: answers that differ between two runs of the same code depend on the
order of a set (two such faults were found this way; see bench/README.md, "Fifth round").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import fill_random_vectors, generate_posts  # noqa: E402
from bench.eval_search import load_questions, newsbot_index  # noqa: E402
from bench.search_bench import benchmark_queries  # noqa: E402
from index import Index  # noqa: E402
from index.posts import load_posts  # noqa: E402

SHOWN = 3  # differing answers printed per group


def eval_questions(known: set[str]) -> list[str]:
    folder = ROOT / "bench" / "eval"
    return [q.q for path in sorted(folder.glob("*questions.yaml")) for q in load_questions(path, known)]


def answer(index: Index, question: str, page: int = 1) -> list:
    """One answer, whole, as JSON data."""
    r = index.search(question, page=page, per_page=10)
    hits = [[h.id, round(h.score, 6), h.snippet, [list(s) for s in h.highlights]] for h in r.hits]
    return [r.total, r.corrected, r.outside_dates, [h.id for h in r.nearest], hits]


def answers(index: Index, questions: list[str], name: str) -> Iterator[tuple[str, list]]:
    yield name, [answer(index, q) for q in questions]
    yield f"{name}, page 2", [answer(index, q, page=2) for q in questions[::7]]


def dump(size: int | None) -> dict[str, list]:
    out: dict[str, list] = {}
    posts = load_posts(ROOT / "bench" / "eval" / "posts").posts
    questions = eval_questions({p.id for p in posts})
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("words", "fused"):
            index = newsbot_index(posts, Path(tmp) / name, meaning=name == "fused")
            out.update(answers(index, questions, f"evaluation questions, {name}"))
            index.close()
        if size:
            generated = generate_posts(size, 0)
            vectors = Path(tmp) / "random-vectors.sqlite3"
            fill_random_vectors(generated, vectors)
            for name in ("words", "fused"):
                index = newsbot_index(
                    generated, Path(tmp) / str(size), meaning=name == "fused", vectors=vectors
                )
                out[f"{size} posts, {name}"] = [answer(index, q) for q in benchmark_queries(generated, 200)]
                index.close()
    return out


def diff(before: dict[str, list], after: dict[str, list]) -> int:
    """Print, per group of answers, how many differ and the first few; return how many differ in all."""
    differing = 0
    for group in sorted(before.keys() | after.keys()):
        old, new = before.get(group, []), after.get(group, [])
        changed = [i for i in range(max(len(old), len(new))) if old[i : i + 1] != new[i : i + 1]]
        differing += len(changed)
        print(f"{group}: {len(changed)} of {max(len(old), len(new))} answers differ")
        for i in changed[:SHOWN]:
            print(f"  #{i} before: {_brief(old[i : i + 1])}\n  #{i} after:  {_brief(new[i : i + 1])}")
    return differing


def _brief(found: list) -> str:
    if not found:
        return "(missing)"
    total, corrected, outside, nearest, hits = found[0]
    return f"total {total}, read as {corrected!r}, outside {outside}, nearest {nearest}, " + ", ".join(
        f"{h[0]} {h[1]}" for h in hits[:4]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dumping = commands.add_parser("dump", help="write every answer to a JSON file")
    dumping.add_argument("out", type=Path)
    dumping.add_argument(
        "--size", type=int, help="also the benchmark questions over this many generated posts"
    )
    comparing = commands.add_parser("diff", help="compare two dumps")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        args.out.write_text(json.dumps(dump(args.size), ensure_ascii=False), encoding="utf-8")
        print(f"answers written to {args.out}")
        return 0
    load = json.loads
    return 1 if diff(load(args.before.read_text("utf-8")), load(args.after.read_text("utf-8"))) else 0


if __name__ == "__main__":
    sys.exit(main())
