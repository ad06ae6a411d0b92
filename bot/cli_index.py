"""`newsbot index` (sync the search index with the content folder) and `newsbot search "question"`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import TextIO

from index import Index, LoadResult, Results, load_posts

BOLD, PLAIN = "\033[1m", "\033[0m"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    if parser.prog.split()[-1] != "search":
        return
    parser.add_argument("query", help="what to look for, as a member would ask it")
    parser.add_argument("--tag", action="append", default=[], metavar="T", help="only posts with this tag")
    parser.add_argument("--lang", choices=("en", "sr"), help="only posts in this language")
    parser.add_argument("--page", type=int, default=1, metavar="N", help="result page (default 1)")
    parser.add_argument("--per-page", type=int, default=5, metavar="N", help="hits per page (default 5)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def _open(args: argparse.Namespace) -> Index:
    settings = args.settings
    return Index.open(settings.index_dir, glossary=settings.glossary_path)


def _report_errors(loaded: LoadResult, out: TextIO) -> None:
    for error in loaded.errors:
        print(f"error: {error}", file=out)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=out)


def cmd_index(args: argparse.Namespace) -> int:
    """Read every post file, bring the index up to date, print what changed."""
    started = time.perf_counter()
    loaded = load_posts(args.settings.posts_dir)
    _report_errors(loaded, sys.stderr)
    index = _open(args)
    try:
        report = index.sync(loaded.posts, progress=_progress_bar(sys.stderr))
        total = len(index)
    finally:
        index.close()
    elapsed = time.perf_counter() - started
    rebuilt = " (index rebuilt)" if report.rebuilt else ""
    print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
        f"{len(loaded.errors)} errors, {len(loaded.warnings)} warnings; "
        f"{total} posts indexed in {elapsed:.2f} s{rebuilt}"
    )
    return 1 if loaded.errors else 0


def _progress_bar(out: TextIO, width: int = 30, minimum: int = 200):
    """A progress callback drawing a bar on `out` for big syncs (none for small ones)."""

    def show(done: int, total: int) -> None:
        if total < minimum:
            return
        filled = width * done // total
        end = "\n" if done == total else ""
        print(f"\rindexing [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=out)
        out.flush()

    return show


def cmd_search(args: argparse.Namespace) -> int:
    """Search the posts (syncing the index first, so a fresh clone just works)."""
    loaded = load_posts(args.settings.posts_dir)
    index = _open(args)
    try:
        index.sync(loaded.posts)
        results = index.search(
            args.query, page=args.page, per_page=args.per_page, tags=args.tag, lang=args.lang
        )
    finally:
        index.close()
    if args.json:
        print(json.dumps(as_json(results), ensure_ascii=False, indent=2))
    else:
        print_results(results, sys.stdout, bold=sys.stdout.isatty())
    return 0


def as_json(results: Results) -> dict:
    return {
        "query": results.query,
        "corrected": results.corrected,
        "hits": [
            {
                "id": hit.id,
                "title": hit.title,
                "date": hit.date.isoformat() if hit.date else None,
                "url": hit.url,
                "tags": list(hit.tags),
                "lang": hit.lang,
                "snippet": hit.snippet,
                "score": hit.score,
            }
            for hit in results.hits
        ],
    }


def print_results(results: Results, out: TextIO, *, bold: bool = False) -> None:
    if results.corrected:
        print(f"Showing results for: {results.corrected}", file=out)
    if not results.hits:
        print("No relevant post found.", file=out)
        return
    first = (results.page - 1) * results.per_page
    for number, hit in enumerate(results.hits, start=first + 1):
        date = hit.date.strftime("%-d %B %Y") if hit.date else "undated"
        tags = " ".join(f"#{t.replace(' ', '_')}" for t in hit.tags)
        print(f"{number}. {hit.title}  ({date})  {tags}".rstrip(), file=out)
        snippet = hit.snippet
        if bold:
            for start, end in reversed(hit.highlights):
                snippet = f"{snippet[:start]}{BOLD}{snippet[start:end]}{PLAIN}{snippet[end:]}"
        print(f"   {snippet}", file=out)
        print(f"   {hit.url or hit.id}", file=out)
    posts = "1 post" if results.total == 1 else f"{results.total} posts"
    print(f"page {results.page} of {results.pages} ({posts})", file=out)
