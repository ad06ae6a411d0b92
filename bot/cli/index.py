"""`newsbot index`: sync the search index with the content folder, embed new posts for search by meaning,
and say what changed."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from bot.render.messages import counted
from bot.services import open_embedder
from index import Index, PostFiles, scan_posts


def _report_errors(loaded: PostFiles, out: TextIO) -> None:
    for error in loaded.errors:
        print(f"error: {error}", file=out)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=out)


def main(args: argparse.Namespace) -> int:
    """Read every post file, bring the index up to date, embed what is new, print what changed."""
    started = time.perf_counter()
    settings = args.settings
    loaded = scan_posts(*settings.post_folders)
    _report_errors(loaded, sys.stderr)
    embedder, meaning_off = open_embedder(settings)
    index = Index.open(
        settings.index_dir, glossary=settings.glossary_path, embedder=embedder, vectors=settings.vectors_path
    )
    try:
        report = index.sync(loaded, progress=_progress_bar(sys.stderr))
        total = len(index)
        embedded = index.embed(progress=_progress_bar(sys.stderr, "embedding", minimum=20))
    finally:
        index.close()
    elapsed = time.perf_counter() - started
    rebuilt = " (index rebuilt)" if report.rebuilt else ""
    print(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, "
        f"{counted(len(loaded.errors), 'error')}, {counted(len(loaded.warnings), 'warning')}; "
        f"{counted(total, 'post')} indexed in {elapsed:.2f} s{rebuilt}"
    )
    if meaning_off:
        print(f"search by meaning: {meaning_off}")
    else:
        print(
            f"search by meaning: {counted(embedded.embedded, 'post')} embedded "
            f"({counted(embedded.passages, 'passage')}) in {embedded.seconds:.1f} s; "
            f"all {counted(total, 'post')} searchable by meaning"
        )
    return 1 if loaded.errors else 0


def _progress_bar(out: TextIO, label: str = "indexing", width: int = 30, minimum: int = 200):
    """A progress callback drawing a bar on `out` for big jobs (none for small ones)."""

    def show(done: int, total: int) -> None:
        if total < minimum:
            return
        filled = width * done // total
        end = "\n" if done == total else ""
        print(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=out)
        out.flush()

    return show
