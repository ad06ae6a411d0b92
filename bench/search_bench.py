"""Search benchmark: newsbot's index against plain Whoosh defaults and SQLite FTS5 (prints numbers).

    python bench/search_bench.py [--sizes 1000,10000] [--queries N] [--engines newsbot,whoosh,fts5]

For each corpus size (bench/corpus.py posts) every engine runs in a fresh subprocess, so peak RSS is
per engine, and reports: build time and posts/s, one incremental add (ms), query latency p50/p95/max
with snippets for the same queries, index size on disk, peak RSS. Then the ratios and the issue's
targets (at 10k posts: p95 <= 30 ms and <= 2x FTS5's p95; build >= 500 posts/s; add <= 300 ms).

Engines:
  newsbot  `index.Index` through its public API: open + sync(posts), sync(posts + [one more]),
           search(query, per_page=5) touching every hit's snippet. Words alone.
  fused    the same with search by meaning (multilingual-e5-small): the build also embeds every post
           (timed apart; vectors are kept in bench/out/bench-vectors.sqlite3 by post hash, so a later run
           embeds only what is new), the add is sync + the background thread embedding the new post, as
           in the running bot (until it is answerable by meaning), and each query is embedded too. Not
           in the default engines: embedding 10k posts takes over an hour on 2 cores.
  whoosh   plain defaults: StemmingAnalyzer title/body, MultifieldParser (AND grouping) on the raw
           query, top 5, Whoosh's highlighter on the body; parse/search errors are counted, not raised.
  fts5     stdlib sqlite3, tokenize 'porter unicode61 remove_diacritics 2'; the query's words quoted
           and OR-joined (a reasonable baseline bot), ORDER BY bm25, top 5 with snippet(); no total count.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import pickle
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from random import Random
from types import SimpleNamespace
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from index.posts import Post

ENGINES = ("newsbot", "fused", "whoosh", "fts5")
DEFAULT_ENGINES = ("newsbot", "whoosh", "fts5")  # "fused" embeds every post: minutes per 1,000 posts
VECTORS = ROOT / "bench" / "out" / "bench-vectors.sqlite3"  # passage vectors, by post hash, across runs
GLOSSARY = ROOT / "content" / "glossary.yaml"
PER_PAGE = 5
WORKER_TIMEOUT = 1800  # seconds per engine and size
WARMUP = ["conference", "drug policy serbia", "unodc training", "skupština", "harm reduction vienna"]

# How members ask: natural questions, keywords, typos, no diacritics, Serbian Latin and Cyrillic,
# dates and tags, query syntax junk, and questions the posts never answer.
QUERIES = [
    "who spoke for civil society at the treatment training?",
    "who chairs working group 4",
    "what happened at the CND session in Vienna",
    "anything about Ukraine refugees last winter?",
    "is every seventh young person in Serbia involved in drug trafficking",
    "what did the UN High Commissioner for Human Rights say about drug policy",
    "where can I find the alarm report chapter on drugs",
    "how many NGOs attended the commission on narcotic drugs",
    "which projects does UNODC support in South East Europe",
    "when was the EMCDDA closing conference in Lisbon",
    "news about opioid substitution therapy in Montenegro",
    "did DPNSEE take part in the civil society forum on drugs",
    "djurasovic unodc",
    "harm reduction funding",
    "money laundering cnd",
    "espad survey",
    "k1 tv milosevic",
    "naloxone distribution",
    "prison health hepatitis",
    "chapter 24 preugovor",
    "decriminalisation cannabis",
    "#cnd 2023",
    "tag:unodc training belgrade",
    "harm reducton",
    "narcotc drugs comission",
    "djurasovich",
    "trafficing young people serbia",
    "emcdaa lisbon",
    "substitition therapy",
    "smanjenje štete",
    "smanjenje stete u zatvorima",
    "ko je predsednik mreže",
    "droga i mladi u Srbiji",
    "skupština mreže 2022",
    "lečenje zavisnosti",
    "Milošević",
    "Ђурасовић",
    "смањење штете",
    "Милутин Милошевић CND",
    "трговина дрогом",
    "mart 2023 cnd",
    'title:* AND ( "unclosed',
    "recipe for chocolate cake",
    "weather forecast tomorrow",
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, e.g. 1000,10000,100000")
    parser.add_argument(
        "--queries", type=int, default=100, help="queries: the hand-written ones, then generated"
    )
    parser.add_argument("--engines", default=",".join(DEFAULT_ENGINES), help=f"any of {','.join(ENGINES)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--random-vectors",
        action="store_true",
        help="fused: give posts not yet embedded random vectors (speed and memory only, no quality)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile's top functions of the queries"
    )
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker, args.dir, args.profile, args.random_vectors)))
        return
    engines = [e for e in args.engines.split(",") if e]
    print(
        f"search bench · {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {os.cpu_count()} cores"
        f" · load average {os.getloadavg()[0]:.1f} (other work on the machine inflates every number)"
    )
    written = min(args.queries, len(QUERIES))
    print(
        f"queries: {written} hand-written + {args.queries - written} generated from the corpus titles,"
        f" top {PER_PAGE} with snippets, each timed once after {len(WARMUP)} warm-up queries"
    )
    print("fts5 query = the words quoted and OR-joined, ranked by bm25(); whoosh = raw text, default parser")
    if args.profile:
        print("--profile: query latencies below are inflated by the profiler")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
            results = _run_size(
                size, args.queries, args.seed, engines, Path(tmp), args.profile, args.random_vectors
            )
        _report(size, results)


def _run_size(
    size: int, n_queries: int, seed: int, engines: list[str], tmp: Path, profile: bool, random_vectors: bool
) -> dict[str, dict]:
    from bench.corpus import generate_posts

    started = time.perf_counter()
    posts = generate_posts(size + 1, seed)  # the last one is the incremental add
    queries = benchmark_queries(posts[:size], n_queries, seed)
    with open(tmp / "corpus.pkl", "wb") as f:
        # plain records, so the baselines never import `index` (it may be mid-edit)
        pickle.dump({"posts": [dataclasses.asdict(p) for p in posts], "queries": queries}, f)
    words = sum(len(p.body.split()) for p in posts) / len(posts)
    print(f"\n{size} posts (mean {words:.0f} words) generated in {time.perf_counter() - started:.1f} s")
    results = {}
    for engine in engines:
        command = [sys.executable, __file__, "--worker", engine, "--dir", str(tmp)]
        command += ["--random-vectors"] * random_vectors
        try:
            proc = subprocess.run(
                command + ["--profile"] * profile, capture_output=True, text=True, timeout=WORKER_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            results[engine] = {"error": f"gave up after {WORKER_TIMEOUT} s"}
            continue
        if profile:
            print(proc.stderr[proc.stderr.find("--- ") :])
        lines = proc.stdout.strip().splitlines()
        if proc.returncode or not lines:
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            results[engine] = {"error": f"exit {proc.returncode}: {tail}"}
        else:
            results[engine] = json.loads(lines[-1])
    return results


def _worker(engine_name: str, folder: Path, profile: bool = False, random_vectors: bool = False) -> dict:
    """Run one engine on the pickled corpus; return its numbers (or the reason it cannot run)."""
    with open(folder / "corpus.pkl", "rb") as f:
        data = pickle.load(f)
    base_rss = _rss_mb()
    try:
        engines = {"newsbot": NewsbotEngine, "fused": FusedEngine, "whoosh": WhooshEngine, "fts5": Fts5Engine}
        engine = engines[engine_name](folder)
    except ImportError as exc:
        return {"error": f"not available ({exc})"}
    *posts, extra = engine.prepare(data["posts"])
    if random_vectors and engine_name == "fused":  # into a copy: the cache keeps only real vectors
        from bench.corpus import fill_random_vectors

        engine.vectors = folder / "vectors.sqlite3"
        if VECTORS.is_file():
            shutil.copy(VECTORS, engine.vectors)
        engine.numbers["random"] = fill_random_vectors(posts, engine.vectors)
    queries = data["queries"]
    started = time.perf_counter()
    engine.build(posts)
    build_s = time.perf_counter() - started
    size_mb = _disk_mb(engine.path)
    started = time.perf_counter()
    engine.add(posts, extra)
    add_ms = (time.perf_counter() - started) * 1000
    for query in WARMUP:
        engine.search(query)
    latencies, hits, errors = [], [], 0
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    for query in queries:
        started = time.perf_counter()
        try:
            hits.append(engine.search(query))
        except Exception:  # a naive bot's parser may choke on user text; count it
            errors += 1
            hits.append(0)
        latencies.append((time.perf_counter() - started) * 1000)
    if profiler:
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(f"--- {engine_name}: profile of the queries ---\n{out.getvalue()}", file=sys.stderr)
    extra_numbers = getattr(engine, "numbers", {})
    engine.close()
    ranked = sorted(zip(latencies, queries, strict=True), reverse=True)
    return extra_numbers | {
        "build_s": build_s,
        "rate": len(posts) / build_s,
        "add_ms": add_ms,
        "p50": statistics.median(latencies),
        "p95": _percentile(latencies, 95),
        "max": max(latencies),
        "size_mb": size_mb,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "base_rss_mb": base_rss,
        "empty": hits.count(0),
        "errors": errors,
        "slowest": [[round(ms, 1), q] for ms, q in ranked[:3]],
    }


class NewsbotEngine:
    """newsbot's own index, through `from index import Index` only."""

    def __init__(self, folder: Path) -> None:
        from index import Index, Post

        self.index_class, self.post_class = Index, Post
        self.path = folder / "newsbot-index"

    def prepare(self, records: list[dict]) -> list[Post]:
        return [self.post_class(**r) for r in records]

    def build(self, posts: list[Post]) -> None:
        glossary = GLOSSARY if GLOSSARY.exists() else None
        self.index = self.index_class.open(self.path, glossary=glossary)
        self.index.sync(posts)

    def add(self, posts: list[Post], post: Post) -> None:
        self.index.sync([*posts, post])

    def search(self, query: str) -> int:
        results = self.index.search(query, page=1, per_page=PER_PAGE)
        return sum(1 for hit in results.hits if hit.snippet is not None)

    def close(self) -> None:
        self.index.close()


class FusedEngine(NewsbotEngine):
    """newsbot's index with search by meaning, as the bot runs it."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        from index.embedding import load_embedder

        self.embedder = load_embedder()
        self.path = folder / "fused-index"
        self.vectors = VECTORS
        self.numbers: dict = {}

    def build(self, posts: list[Post]) -> None:
        glossary = GLOSSARY if GLOSSARY.exists() else None
        self.vectors.parent.mkdir(parents=True, exist_ok=True)
        self.index = self.index_class.open(
            self.path, glossary=glossary, embedder=self.embedder, vectors=self.vectors
        )
        self.index.sync(posts)
        report = self.index.embed()
        self.numbers |= {
            "embedded": report.embedded,
            "embed_s": report.seconds,
            "passages": report.passages,
            "vectors_mb": _disk_mb(self.vectors),
            "dense_mb": self.index.semantic.dense_bytes / 2**20,
        }

    def add(self, posts: list[Post], post: Post) -> None:
        """As the running bot does it: sync, and the background thread (on one core) embeds the post."""
        self.index.embed_in_background()
        self.index.sync([*posts, post])
        while self.index.semantic_status().embedded < len(posts) + 1:  # answerable by meaning once embedded
            time.sleep(0.005)


class WhooshEngine:
    """Whoosh as its tutorial sets it up: StemmingAnalyzer fields, MultifieldParser, highlights()."""

    def __init__(self, folder: Path) -> None:
        from whoosh import fields, index, qparser
        from whoosh.analysis import StemmingAnalyzer

        self.index_module = index
        self.schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
            body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
            tags=fields.KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
            date=fields.DATETIME(stored=True),
            lang=fields.ID(stored=True),
        )
        self.parser = qparser.MultifieldParser(["title", "body", "tags"], self.schema)
        self.path = folder / "whoosh-index"

    def prepare(self, records: list[dict]) -> list[SimpleNamespace]:
        return _plain_posts(records)

    def build(self, posts: list[Post]) -> None:
        self.path.mkdir()
        self.ix = self.index_module.create_in(str(self.path), self.schema)
        writer = self.ix.writer()
        for post in posts:
            writer.add_document(**self._fields(post))
        writer.commit()
        self.searcher = self.ix.searcher()

    def add(self, posts: list[Post], post: Post) -> None:
        writer = self.ix.writer()
        writer.update_document(**self._fields(post))
        writer.commit()
        self.searcher = self.searcher.refresh()

    def search(self, query: str) -> int:
        results = self.searcher.search(self.parser.parse(query), limit=PER_PAGE)
        return sum(1 for hit in results if hit.highlights("body") is not None)

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()

    @staticmethod
    def _fields(post: Post) -> dict:
        import datetime as dt

        date = dt.datetime.combine(post.date, dt.time()) if post.date else None
        fields = {"id": post.id, "title": post.title, "body": post.body, "tags": ",".join(post.tags)}
        return fields | {"lang": post.lang} | ({"date": date} if date else {})


class Fts5Engine:
    """SQLite FTS5 with bm25 ranking and snippet(), as a baseline bot would use it."""

    def __init__(self, folder: Path) -> None:
        import sqlite3

        self.path = folder / "fts5.db"
        self.db = sqlite3.connect(self.path)

    def prepare(self, records: list[dict]) -> list[SimpleNamespace]:
        return _plain_posts(records)

    def build(self, posts: list[Post]) -> None:
        self.db.execute(
            "CREATE VIRTUAL TABLE posts USING fts5(id UNINDEXED, title, body, tags,"
            " tokenize='porter unicode61 remove_diacritics 2')"
        )
        with self.db:
            self.db.executemany("INSERT INTO posts VALUES (?, ?, ?, ?)", [self._row(p) for p in posts])

    def add(self, posts: list[Post], post: Post) -> None:
        with self.db:
            self.db.execute("INSERT INTO posts VALUES (?, ?, ?, ?)", self._row(post))

    def search(self, query: str) -> int:
        words = re.findall(r"\w+", query.lower())[:32]
        if not words:
            return 0
        rows = self.db.execute(
            "SELECT id, title, snippet(posts, 2, '<b>', '</b>', '…', 40) FROM posts"
            " WHERE posts MATCH ? ORDER BY bm25(posts) LIMIT ?",
            (" OR ".join(f'"{w}"' for w in words), PER_PAGE),
        ).fetchall()
        return len(rows)

    def close(self) -> None:
        self.db.close()

    @staticmethod
    def _row(post: Post) -> tuple[str, str, str, str]:
        return post.id, post.title, post.body, " ".join(post.tags)


def _plain_posts(records: list[dict]) -> list[SimpleNamespace]:
    """Posts as attribute records, for the engines that do not need `index.posts.Post`."""
    return [SimpleNamespace(**r) for r in records]


_FILLER = frozenset(
    re.findall(
        r"\w+", "a an the in on of and to at for is what does say about has changed from with by its our"
    )
    + re.findall(r"\w+", "u o i na za je da li iz sa se od kod")
)
_QUESTIONS = {
    "en": ["what about {}?", "anything on {}?", "news about {}"],
    "sr": ["ima li nešto o {}?", "{} vesti"],
}


def benchmark_queries(posts: list[Post], n: int, seed: int = 0) -> list[str]:
    """The hand-written questions, then questions from the posts' titles, `n` in all."""
    return (QUERIES + _generated_queries(posts, n - len(QUERIES), seed))[:n]


def _generated_queries(posts: list[Post], n: int, seed: int) -> list[str]:
    """Queries from the corpus: 2-3 title keywords, some with a typo, a #tag, a year or question words."""
    import cyrtranslit

    rng = Random(f"search-bench-queries:{seed}")
    queries: list[str] = []
    while len(queries) < n:
        post = rng.choice(posts)
        cyrillic = bool(re.search("[а-я]", post.title.lower()))
        latin = cyrtranslit.to_latin(post.title, "sr") if cyrillic else post.title
        words = [w for w in re.findall(r"\w+", latin.lower()) if w not in _FILLER and len(w) > 1]
        if len(words) < 2:
            continue
        start = rng.randrange(len(words) - 1)
        chosen = words[start : start + rng.randint(2, 3)]
        roll = rng.random()
        if roll < 0.25:
            longest = max(range(len(chosen)), key=lambda i: len(chosen[i]))
            cut = rng.randrange(1, max(len(chosen[longest]) - 1, 2))
            chosen[longest] = chosen[longest][:cut] + chosen[longest][cut + 1 :]
        elif roll < 0.35 and any(" " not in tag for tag in post.tags):
            chosen.append("#" + next(tag for tag in post.tags if " " not in tag))
        elif roll < 0.45 and post.date:
            chosen.append(str(post.date.year))
        elif roll < 0.65:
            chosen = [rng.choice(_QUESTIONS[post.lang]).format(" ".join(chosen))]
        query = " ".join(chosen)
        queries.append(cyrtranslit.to_cyrillic(query, "sr") if cyrillic else query)
    return queries


def _report(size: int, results: dict[str, dict]) -> None:
    header = ("engine", "build s", "posts/s", "add ms", "p50 ms", "p95 ms", "max ms", "size MB", "RSS MB")
    print(f"{header[0]:<8} " + " ".join(f"{h:>8}" for h in header[1:]) + "  empty errors")
    for name, r in results.items():
        if "error" in r:
            print(f"{name:<8} {r['error']}")
            continue
        cells = (
            r["build_s"],
            r["rate"],
            r["add_ms"],
            r["p50"],
            r["p95"],
            r["max"],
            r["size_mb"],
            r["rss_mb"],
        )
        print(f"{name:<8} " + " ".join(f"{c:>8.1f}" for c in cells) + f"  {r['empty']:>5} {r['errors']:>6}")
    fused = results.get("fused", {})
    if "embed_s" in fused:
        rate = fused["embedded"] / fused["embed_s"] if fused["embedded"] else 0
        print(
            f"fused: embedded {fused['embedded']} new posts ({fused['passages']} passages)"
            f" in {fused['embed_s']:.0f} s = {rate:.1f} posts/s (earlier runs' posts: {VECTORS.name});"
            f" vectors on disk {fused['vectors_mb']:.1f} MB, in memory {fused['dense_mb']:.1f} MB"
        )
        if fused.get("random"):
            print(f"fused: {fused['random']} posts had random vectors (--random-vectors): speed only")
    base = next((r["base_rss_mb"] for r in results.values() if "base_rss_mb" in r), 0)
    print(
        f"(RSS includes about {base:.0f} MB for the corpus itself, the same for every engine;"
        f" load average now {os.getloadavg()[0]:.1f})"
    )
    ours = results.get("newsbot", {})
    if "error" in ours or not ours:
        return
    for other in ("fts5", "whoosh"):
        theirs = results.get(other, {})
        if "p95" in theirs:
            print(
                f"newsbot/{other}: p95 {ours['p95'] / theirs['p95']:.2f}x, build rate "
                f"{ours['rate'] / theirs['rate']:.2f}x, size {ours['size_mb'] / theirs['size_mb']:.2f}x, "
                f"RSS {ours['rss_mb'] / theirs['rss_mb']:.2f}x"
            )
    fts5_p95 = results.get("fts5", {}).get("p95")
    targets = [
        ("p95 <= 30 ms", ours["p95"] <= 30, f"{ours['p95']:.1f} ms"),
        (
            "p95 <= 2x FTS5 p95",
            fts5_p95 is not None and ours["p95"] <= 2 * fts5_p95,
            _ratio(ours["p95"], fts5_p95),
        ),
        ("build >= 500 posts/s", ours["rate"] >= 500, f"{ours['rate']:.0f} posts/s"),
        ("incremental add <= 300 ms", ours["add_ms"] <= 300, f"{ours['add_ms']:.0f} ms"),
    ]
    note = "" if size == 10_000 else " (the targets are set for 10k posts)"
    print(f"targets{note}: " + "; ".join(f"{t} {'PASS' if ok else 'MISS'} ({v})" for t, ok, v in targets))
    print("slowest newsbot queries: " + "; ".join(f"{ms} ms {q!r}" for ms, q in ours["slowest"]))


def _ratio(ours: float, theirs: float | None) -> str:
    return "no FTS5 number" if not theirs else f"{ours / theirs:.2f}x"


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _disk_mb(path: Path) -> float:
    files = [path] if path.is_file() else path.rglob("*")
    return sum(p.stat().st_size for p in files if p.is_file()) / 2**20


if __name__ == "__main__":
    main()
