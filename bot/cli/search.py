"""`newsbot search "question"`: search the posts from the shell, as a member would ask."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from bot.render.html import hashtag, visible_text
from bot.render.messages import counted, format_period, t, whole_year
from bot.services import open_embedder
from index import Filters, Hit, Index, Results, scan_posts

BOLD, PLAIN = "\033[1m", "\033[0m"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", help="what to look for, as a member would ask it")
    parser.add_argument("--tag", action="append", default=[], metavar="T", help="only posts with this tag")
    parser.add_argument("--lang", choices=("en", "sr"), help="only posts in this language")
    parser.add_argument("--page", type=int, default=1, metavar="N", help="result page (default 1)")
    parser.add_argument("--per-page", type=int, default=5, metavar="N", help="hits per page (default 5)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


EMBED_HERE = 100  # posts the search embeds itself before answering; more: run `newsbot index`


def main(args: argparse.Namespace) -> int:
    """Search the posts (syncing the index first, and embedding a few new posts, so a fresh clone just
    works)."""
    settings = args.settings
    posts = scan_posts(*settings.post_folders)
    embedder, _off = open_embedder(settings)
    index = Index.open(
        settings.index_dir, glossary=settings.glossary_path, embedder=embedder, vectors=settings.vectors_path
    )
    try:
        index.sync(posts)
        status = index.semantic_status()
        if status and not status.ready:
            if status.total - status.embedded <= EMBED_HERE:
                index.embed()
            else:
                print(
                    f"(searching by words alone: {status.embedded} of {counted(status.total, 'post')} are "
                    "embedded for search by meaning; run `newsbot index` once)",
                    file=sys.stderr,
                )
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
    """The results for scripts: the page of hits and what it takes to ask for the next one."""
    dates = results.filters.dates
    return {
        "query": results.query,
        "corrected": results.corrected,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "per_page": results.per_page,
        "filters": {
            "tags": list(results.filters.tags),
            "lang": results.filters.lang,
            "dates": [day.isoformat() for day in dates] if dates else None,
        },
        "outside_dates": results.outside_dates,
        "hits": [hit_json(hit) for hit in results.hits],
        "nearest": [hit_json(hit) for hit in results.nearest],
    }


def hit_json(hit: Hit) -> dict:
    return {
        "id": hit.id,
        "title": hit.title,
        "date": hit.date.isoformat() if hit.date else None,
        "url": hit.url,
        "tags": list(hit.tags),
        "lang": hit.lang,
        "snippet": hit.snippet,
        "score": hit.score,
    }


def print_results(results: Results, out: TextIO, *, bold: bool = False) -> None:
    if results.corrected:
        print(f"Showing results for: {results.corrected}", file=out)
    if not results.hits and results.total:
        print(
            f"Page {results.page} is past the end: {counted(results.total, 'post')} on "
            f"{counted(results.pages, 'page')}.",
            file=out,
        )
        return
    if not results.hits:
        print(f"No relevant post found{_within(results.filters)}.", file=out)
        if len(results.nearest) == 1:
            print("The closest one (it may not answer the question):", file=out)
        elif results.nearest:
            print("The closest ones (they may not answer the question):", file=out)
        for hit in results.nearest:
            print_hit(hit, "-", out, bold=bold)
        return
    if results.outside_dates and results.filters.dates:
        dates = results.filters.dates
        key = "outside_year" if whole_year(dates) else "outside_month"
        print(visible_text(t("en", key, when=format_period(dates, "en"))), file=out)
    first = (results.page - 1) * results.per_page
    for number, hit in enumerate(results.hits, start=first + 1):
        print_hit(hit, f"{number}.", out, bold=bold)
    print(f"page {results.page} of {results.pages} ({counted(results.total, 'post')})", file=out)


def print_hit(hit: Hit, mark: str, out: TextIO, *, bold: bool) -> None:
    """One hit: its title, date and tags after `mark`, then its snippet and link."""
    date = hit.date.strftime("%-d %B %Y") if hit.date else "undated"
    tags = " ".join(hashtag(tag) for tag in hit.tags)
    print(f"{mark} {hit.title}  ({date})  {tags}".rstrip(), file=out)
    snippet = hit.snippet
    if bold:
        for start, end in reversed(hit.highlights):
            snippet = f"{snippet[:start]}{BOLD}{snippet[start:end]}{PLAIN}{snippet[end:]}"
    print(f"   {snippet}", file=out)
    print(f"   {hit.url or hit.id}", file=out)


def _within(filters: Filters) -> str:
    """` (tagged #cnd, posts in sr, from 2021)`: what the search was limited to."""
    parts = [f"tagged {' '.join(hashtag(tag) for tag in filters.tags)}"] if filters.tags else []
    if filters.lang:
        parts.append(f"posts in {filters.lang}")
    if filters.dates:
        parts.append(f"from {format_period(filters.dates, 'en')}")
    return f" ({', '.join(parts)})" if parts else ""
