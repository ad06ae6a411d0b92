"""`newsbot search "question"`: search the posts from the shell, as a member would ask."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from bot.render.messages import counted
from bot.services import open_embedder
from index import Index, Results, load_posts

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
    loaded = load_posts(settings.posts_dir)
    embedder, _off = open_embedder(settings)
    index = Index.open(
        settings.index_dir, glossary=settings.glossary_path, embedder=embedder, vectors=settings.vectors_path
    )
    try:
        index.sync(loaded.posts)
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
    print(f"page {results.page} of {results.pages} ({counted(results.total, 'post')})", file=out)
