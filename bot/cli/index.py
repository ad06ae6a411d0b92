"""`newsbot index`: sync the search index with the content folder, and say what changed."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from index import Index, LoadResult, load_posts


def _report_errors(loaded: LoadResult, out: TextIO) -> None:
    for error in loaded.errors:
        print(f"error: {error}", file=out)
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=out)


def main(args: argparse.Namespace) -> int:
    """Read every post file, bring the index up to date, print what changed."""
    started = time.perf_counter()
    loaded = load_posts(args.settings.posts_dir)
    _report_errors(loaded, sys.stderr)
    index = Index.open(args.settings.index_dir, glossary=args.settings.glossary_path)
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
