"""Check that the evaluation posts are written in our own words, not copied from their sources.

    python bench/eval/check_originality.py ORIGINALS_DIR [--posts bench/eval/posts] [--run 8] [--verbose]

ORIGINALS_DIR is a local folder of the original texts (one file per post, any names; front matter, if
any, is skipped). It is not part of the repository: keep it wherever you saved the source pages.

Texts are compared as lower-cased word sequences (punctuation and markup ignored), each post's body
against all the original texts together. Per post it prints the longest run of words shared with any
original, how many of the post's `--run`-word runs (default 8) occur in an original, and how many of its
12-word runs do. Shared runs are listed with --verbose: proper names, titles of documents and events and
short fixed phrases may legitimately be shared; anything else should be rewritten.

The rule (issue #9): fewer than 1 % of all 12-word runs may match. Exit code 1 when that fails.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORD = re.compile(r"\w+(?:['’]\w+)*")
LIMIT_12 = 0.01


def body(text: str) -> str:
    """The text without its YAML front matter."""
    if text.startswith("---"):
        end = text.find("\n---", 3)
        if end != -1:
            return text[end + 4 :]
    return text


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD.findall(text)]


def runs(seq: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)]


def longest_shared(seq: list[str], source: set[tuple[str, ...]], source_words: list[list[str]]) -> int:
    """Length of the longest run of `seq` that occurs in one of the sources (`source` holds their 3-word
    runs, to skip hopeless starts quickly)."""
    joined = [" " + " ".join(s) + " " for s in source_words]
    best = 0
    for i in range(len(seq)):
        if best >= 3 and tuple(seq[i : i + 3]) not in source:
            continue
        n = best + 1
        while i + n <= len(seq) and any(" " + " ".join(seq[i : i + n]) + " " in j for j in joined):
            best = n
            n += 1
    return best


@dataclass
class PostReport:
    name: str
    words: int
    longest: int
    shared_runs: list[tuple[str, ...]]
    runs: int
    shared_12: int
    runs_12: int


def check(posts: list[Path], originals: list[Path], n: int) -> list[PostReport]:
    source_words = [words(body(p.read_text(encoding="utf-8", errors="replace"))) for p in originals]
    grams_n = {g for s in source_words for g in runs(s, n)}
    grams_12 = {g for s in source_words for g in runs(s, 12)}
    grams_3 = {g for s in source_words for g in runs(s, 3)}
    reports = []
    for path in posts:
        seq = words(body(path.read_text(encoding="utf-8")))
        mine_n, mine_12 = runs(seq, n), runs(seq, 12)
        reports.append(
            PostReport(
                name=path.name,
                words=len(seq),
                longest=longest_shared(seq, grams_3, source_words),
                shared_runs=[g for g in mine_n if g in grams_n],
                runs=len(mine_n),
                shared_12=sum(g in grams_12 for g in mine_12),
                runs_12=len(mine_12),
            )
        )
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("originals", type=Path, help="folder of the original texts")
    parser.add_argument("--posts", type=Path, default=ROOT / "bench" / "eval" / "posts")
    parser.add_argument("--run", type=int, default=8, help="run length to count (default 8 words)")
    parser.add_argument("--verbose", action="store_true", help="list the shared runs")
    args = parser.parse_args(argv)
    originals = sorted(p for p in args.originals.rglob("*") if p.is_file())
    posts = sorted(args.posts.glob("*.md"))
    if not originals or not posts:
        print(f"nothing to compare: {len(originals)} originals, {len(posts)} posts", file=sys.stderr)
        return 2
    reports = check(posts, originals, args.run)
    print(f"{'post':<64} {'words':>5} {'longest':>7} {f'{args.run}-runs':>8} {'12-runs':>8}")
    for r in reports:
        print(f"{r.name[:64]:<64} {r.words:>5} {r.longest:>7} {len(r.shared_runs):>8} {r.shared_12:>8}")
        if args.verbose:
            for run in _merged(r.shared_runs):
                print(f"    … {' '.join(run)}")
    shared_12 = sum(r.shared_12 for r in reports)
    total_12 = sum(r.runs_12 for r in reports) or 1
    share = shared_12 / total_12
    print(
        f"\n{len(reports)} posts against {len(originals)} originals: "
        f"shared {args.run}-word runs {sum(len(r.shared_runs) for r in reports)}, "
        f"longest shared run {max(r.longest for r in reports)} words, "
        f"12-word runs shared {shared_12} of {total_12} = {share:.2%} (limit < {LIMIT_12:.0%})"
    )
    return 0 if share < LIMIT_12 else 1


def _merged(shared: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Overlapping shared runs joined into the longer passages they come from (for reading)."""
    out: list[list[str]] = []
    for run in shared:
        if out and tuple(out[-1][-(len(run) - 1) :]) == run[:-1]:
            out[-1].append(run[-1])
        else:
            out.append(list(run))
    return [tuple(r) for r in out]


if __name__ == "__main__":
    sys.exit(main())
