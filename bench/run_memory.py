"""Peak memory of `newsbot run` as an operator starts it: first start on a new data dir (the index built
from the content folder), then questions, with search by meaning on or off (prints numbers).

    .venv/bin/python bench/run_memory.py [--sizes 1000,10000] [--semantic auto,off] [--questions 44]

For each size the corpus generator (bench/corpus.py) writes the posts to a content folder; a standalone
fake Bot API (`python -m bot.fakeapi`) plays Telegram; `newsbot run` starts on an empty data dir and
builds its index. With search by meaning on, the posts' passage vectors are copied in from the benchmarks'
cache (bench/out/bench-vectors.sqlite3, filled by `bench/search_bench.py --engines fused`) so the run does
not spend hours embedding; posts missing from the cache are embedded by the bot in the background as
usual (and that is measured too). Once the bot answers and search by meaning is ready, members ask
questions through the fake (the search benchmark's questions, one member each); then the bot is stopped
with SIGTERM.

Printed per run: seconds to the first answer and to search by meaning being ready, the process's peak
resident memory (VmHWM from /proc) and its resident memory at the end (VmRSS), and the issue's target
(peak ≤ 250 MB at 10k posts, index build included).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import fill_random_vectors, write_posts  # noqa: E402
from bench.search_bench import QUERIES, VECTORS  # noqa: E402
from index import load_posts  # noqa: E402

TOKEN = "1234567:bench-token-not-a-real-one-000000"
TARGET_MB = 250


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--semantic", default="auto,off", help="NEWSBOT_SEMANTIC values to run")
    ap.add_argument("--questions", type=int, default=len(QUERIES), help="at most the 44 questions")
    ap.add_argument(
        "--random-vectors",
        action="store_true",
        help="give posts missing from the cache random passage vectors (memory only: answers by meaning"
        " are then meaningless, but the bot holds exactly as many vectors)",
    )
    args = ap.parse_args(argv)
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"newsbot run memory · {now} · load {os.getloadavg()[0]:.1f}")
    header = ("posts", "meaning", "answer s", "ready s", "embedded", "peak MB", "end MB")
    print(" ".join(f"{h:>9}" for h in header))
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="run-memory-") as tmp:
            content = Path(tmp) / "content"
            write_posts(content / "posts", size, seed=0)
            for mode in args.semantic.split(","):
                data = Path(tmp) / f"data-{mode}"
                if mode != "off":
                    prepare_vectors(content, data, args.random_vectors)
                row = run_once(content, data, mode, args.questions)
                cells = (size, mode, f"{row['answer_s']:.1f}", row["ready_s"], row["embedded"])
                cells += (f"{row['peak_mb']:.0f}", f"{row['end_mb']:.0f}")
                print(" ".join(f"{c:>9}" for c in cells), flush=True)
    print(f"target: peak <= {TARGET_MB} MB for `newsbot run` at 10k posts, index build included")
    return 0


def prepare_vectors(content: Path, data: Path, fill_random: bool) -> None:
    """The benchmarks' cached vectors, and random ones for the posts they lack if asked to."""
    data.mkdir(parents=True)
    if VECTORS.is_file():
        shutil.copy(VECTORS, data / "vectors.sqlite3")
    if fill_random:
        fill_random_vectors(load_posts(content / "posts").posts, data / "vectors.sqlite3")


def run_once(content: Path, data: Path, mode: str, questions: int) -> dict:
    data.mkdir(parents=True, exist_ok=True)
    fake = subprocess.Popen(
        [sys.executable, "-m", "bot.fakeapi", "--token", TOKEN], stdout=subprocess.PIPE, text=True
    )
    url = fake.stdout.readline().strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": url,
        "NEWSBOT_CONTENT_DIR": str(content),
        "NEWSBOT_DATA_DIR": str(data),
        "NEWSBOT_SEMANTIC": mode,
        "NEWSBOT_POLL_SECONDS": "3600",
    }
    log = open(data / "bot.log", "w")  # noqa: SIM115 - closed below
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "--log-level", "INFO", "run"], env=env, stdout=log, stderr=log
    )
    started = time.monotonic()
    try:
        user = control(url, "user", {"first_name": "Bench", "started": True})["id"]
        answer_s = first_answer(url, user, started)
        ready_s = "-"
        if mode != "off":
            ready_s = f"{wait_for_log(data / 'bot.log', 'search by meaning is ready', started, 7200):.0f}"
        askers = [
            control(url, "user", {"first_name": f"M{i}", "started": True})["id"]
            for i in range(min(questions, len(QUERIES)))  # one question each: no more askers than questions
        ]
        for asker, query in zip(askers, QUERIES, strict=False):  # one each: no flood control
            control(url, "send_text", {"user_id": asker, "chat_id": asker, "text": query})
        for asker in askers:
            wait_replies(url, asker, 1, 600)
        peak, end = memory(bot.pid)
        embedded = count_vectors(data / "vectors.sqlite3") if mode != "off" else 0
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=60)
        log.close()
        fake.send_signal(signal.SIGTERM)
        fake.wait(timeout=10)
    return {"answer_s": answer_s, "ready_s": ready_s, "embedded": embedded, "peak_mb": peak, "end_mb": end}


def control(url: str, action: str, body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}/_control/{action}", data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["result"]


def first_answer(url: str, user, started: float) -> float:
    control(url, "send_text", {"user_id": user, "chat_id": user, "text": "/start"})
    wait_replies(url, user, 1, 3600)
    return time.monotonic() - started


def wait_replies(url: str, user, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(control(url, f"replies?chat_id={user}")) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} replies after {timeout} s")
        time.sleep(0.2)


def wait_for_log(path: Path, text: str, started: float, timeout: float) -> float:
    while text not in path.read_text(encoding="utf-8", errors="replace"):
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"no {text!r} in the log after {timeout} s")
        time.sleep(0.5)
    return time.monotonic() - started


def memory(pid: int) -> tuple[float, float]:
    """Peak and current resident memory of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    values = {
        line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.startswith("Vm")
    }
    return values["VmHWM"] / 1024, values["VmRSS"] / 1024


def count_vectors(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT count(*) FROM vectors WHERE hash NOT LIKE 'reference:%'").fetchone()[0]
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main())
