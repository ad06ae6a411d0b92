"""The image as an operator runs it (README, "With Docker"): built from the repository, the bot in one
container and the fake Bot API (`python -m bot.fakeapi`, from the same image) in a second one on a
user-defined network, a real RSS feed in a third. Checks that `health` turns healthy, a question is
answered, a feed post survives `docker rm` + `docker run` (the feed then answers 304), and SIGTERM stops the
bot cleanly within the stop timeout.

Skipped where no Docker daemon is reachable (CI has none); run by hand where one is (README, "With
Docker": how it went last time)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
import uuid

import pytest
from conftest import REPO, wait_until
from feedserver import ITEM, rss

from bot.fakeapi import DEFAULT_TOKEN


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = [
    pytest.mark.skipif(not docker_available(), reason="no Docker daemon reachable"),
    pytest.mark.timeout(900),
]

IMAGE = "newsbot:smoke-test"
STOP_TIMEOUT = 30
FEED_TITLE = "Naloxone vending machines in Skopje"


def docker(*args: str, timeout: float = 120, check: bool = True) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


class Fake:
    """The fake Bot API in its container, driven from here through its published control port."""

    def __init__(self, url: str) -> None:
        self.url = url

    def control(self, action: str, body: dict | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/_control/{action}", data=data)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["result"]

    def ask(self, user: int, text: str, timeout: float = 60) -> str:
        before = len(self.control(f"replies?chat_id={user}"))
        self.control("send_text", {"chat_id": user, "user_id": user, "text": text})
        replies = wait_until(
            lambda: self.control(f"replies?chat_id={user}")[before:], timeout, f"an answer to {text!r}", 0.2
        )
        return replies[0]["text"]


@pytest.fixture(scope="module")
def image() -> str:
    docker("build", "-t", IMAGE, str(REPO), timeout=900)
    return IMAGE


@pytest.fixture
def names():
    """Unique names for this run's network, volume and containers; all removed afterwards."""
    run = uuid.uuid4().hex[:8]
    made = {kind: f"newsbot-smoke-{kind}-{run}" for kind in ("net", "data", "fake", "feed", "bot")}
    docker("network", "create", made["net"])
    docker("volume", "create", made["data"])
    yield made
    docker("rm", "-f", made["bot"], made["fake"], made["feed"], check=False)
    docker("network", "rm", made["net"], check=False)
    docker("volume", "rm", made["data"], check=False)


def logs(container: str) -> str:
    """What the container wrote, stdout and stderr (`docker logs` keeps them apart)."""
    done = subprocess.run(["docker", "logs", container], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def health(container: str) -> str:
    return docker("inspect", "-f", "{{.State.Health.Status}}", container)


def start_bot(image: str, names: dict) -> None:
    docker(
        "run", "-d", "--name", names["bot"], "--network", names["net"], "--init",
        "--stop-timeout", str(STOP_TIMEOUT), "--health-interval", "2s", "--health-start-period", "1s",
        "-e", f"TELEGRAM_BOT_TOKEN={DEFAULT_TOKEN}", "-e", f"TELEGRAM_API_URL=http://{names['fake']}:8081",
        "-e", f"NEWSBOT_FEEDS=http://{names['feed']}:8000/feed.xml", "-e", "NEWSBOT_POLL_SECONDS=1",
        "-e", "NEWSBOT_SEMANTIC=off",  # the model's own check is below; embedding would cost minutes here
        "-v", f"{names['data']}:/data", image,
    )  # fmt: skip
    wait_until(lambda: "started as @" in logs(names["bot"]), 60, "the bot to start", every=0.5)


def test_the_image_runs_answers_keeps_feed_posts_and_stops_on_sigterm(image, names, tmp_path):
    feed_dir = tmp_path / "feed"
    feed_dir.mkdir(mode=0o755)
    item = ITEM.format(title=FEED_TITLE, slug="naloxone", guid=1, body="Machines in three cities.")
    (feed_dir / "feed.xml").write_bytes(rss([item]))
    (feed_dir / "feed.xml").chmod(0o644)
    tmp_path.chmod(0o755)
    docker(
        "run", "-d", "--name", names["feed"], "--network", names["net"], "-v", f"{feed_dir}:/srv:ro",
        "--entrypoint", "python", image, "-m", "http.server", "8000", "--directory", "/srv",
    )  # fmt: skip
    docker(
        "run", "-d", "--name", names["fake"], "--network", names["net"], "-p", "127.0.0.1::8081",
        "--entrypoint", "python", image, "-m", "bot.fakeapi", "--host", "0.0.0.0", "--port", "8081",
    )  # fmt: skip
    host_port = docker("port", names["fake"], "8081/tcp").splitlines()[0].rsplit(":", 1)[1]
    fake = Fake(f"http://127.0.0.1:{host_port}")
    wait_until(lambda: _reachable(fake), 30, "the fake Bot API", every=0.2)
    ana = fake.control("user", {"first_name": "Ana", "started": True})["id"]

    start_bot(image, names)
    assert docker("inspect", "-f", "{{.Config.User}}", names["bot"]) == "10001:10001"
    wait_until(lambda: health(names["bot"]) == "healthy", 90, "the health check to turn healthy", every=0.5)
    assert "Hello" in fake.ask(ana, "/start")
    assert "Milutin Milošević as Chair of the Working group 4" in fake.ask(ana, "who chairs working group 4")
    answer = wait_until(lambda: _answer_with(fake, ana, "naloxone skopje"), 60, "the feed post", every=2)
    assert FEED_TITLE in answer

    # the documented upgrade path: stop, remove, run a new container on the same volume
    started = time.monotonic()
    docker("stop", names["bot"], timeout=STOP_TIMEOUT + 30)
    stopped_in = time.monotonic() - started
    assert stopped_in < STOP_TIMEOUT, f"SIGTERM took {stopped_in:.1f} s"
    assert docker("inspect", "-f", "{{.State.ExitCode}}", names["bot"]) == "0"
    assert "Traceback" not in logs(names["bot"])
    docker("rm", names["bot"])

    start_bot(image, names)
    assert FEED_TITLE in fake.ask(ana, "naloxone skopje")
    wait_until(lambda: health(names["bot"]) == "healthy", 90, "healthy again", every=0.5)
    feed_log = logs(names["feed"])
    assert '"GET /feed.xml HTTP/1.1" 304' in feed_log, "the feed said 'not modified': the post is from /data"
    assert fake.control("rejections") == []


def test_the_search_model_loads_in_the_image(image):
    output = docker(
        "run", "--rm", "--entrypoint", "python", image, "-c",
        "from index import load_embedder; print(load_embedder().embed_query('nalokson').shape[0])",
        timeout=300,
    )  # fmt: skip
    assert output.splitlines()[-1] == "384"


def _reachable(fake: Fake) -> bool:
    try:
        fake.control("stats")
    except OSError:
        return False
    return True


def _answer_with(fake: Fake, user: int, question: str) -> str | None:
    answer = fake.ask(user, question)
    return answer if FEED_TITLE in answer else None
