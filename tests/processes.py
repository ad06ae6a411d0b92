"""Helpers for tests that run `newsbot` (or the standalone fake Bot API) as real processes.

Output goes to a file (a full pipe would block the bot), every wait has a timeout, and a process still
running when the test ends is killed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from conftest import wait_until

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bot_env(api_url: str, token: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `newsbot` process talking to a fake Bot API, with the repo's content."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSBOT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_URL=api_url,
        NEWSBOT_CONTENT_DIR=str(REPO / "content"),
        NEWSBOT_DATA_DIR=str(data_dir),
        NEWSBOT_SEMANTIC="off",  # words alone unless a test asks for meaning (see conftest.py)
        **extra,
    )
    return env


class Process:
    """A subprocess whose combined output is collected in `log_path`."""

    def __init__(
        self, argv: Sequence[str], log_path: Path, env: dict[str, str] | None = None, **popen: Any
    ) -> None:
        self.log_path = log_path
        self._log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in finish()
        self.popen = subprocess.Popen(
            list(argv), cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT, text=True, **popen
        )

    @property
    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        """Send `sig` and wait for the exit code (killed, and the test failed, after `timeout`)."""
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout: float = 40) -> int:
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"process did not exit within {timeout} s:\n{self.output[-3000:]}") from None
        finally:
            if self.popen.poll() is not None:
                self._log.close()

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)
        self._log.close()

    def __enter__(self) -> Process:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


def newsbot(*args: str, env: dict[str, str], log_path: Path, **popen: Any) -> Process:
    return Process([sys.executable, "-m", "bot.cli", *args], log_path, env, **popen)


def killed_mid_run_and_restarted(
    config: Path,
    env: dict[str, str],
    tmp_path: Path,
    per_chat: Callable[[], dict[str, int]],
    users: Sequence[int],
) -> list[int]:
    """Run the bot until 50 messages are out, kill -9 it (checking it was mid-way), start it again until
    every user has a message, stop it; how many messages each user got."""
    with newsbot("--config", str(config), "run", env=env, log_path=tmp_path / "run1.log") as first:
        wait_until(lambda: sum(per_chat().values()) >= 50, 60, "the sending to start")
        first.stop(signal.SIGKILL)
    assert sum(per_chat().values()) < len(users), "the run was not interrupted mid-way"
    with newsbot("--config", str(config), "run", env=env, log_path=tmp_path / "run2.log") as second:
        wait_until(lambda: all(per_chat().get(str(u)) for u in users), 60, "everyone's message")
        assert second.stop(signal.SIGTERM) == 0, second.output
    return [per_chat()[str(u)] for u in users]


class StandaloneFake(Process):
    """``python -m bot.fakeapi`` in its own process, driven through its ``/_control`` endpoint."""

    def __init__(self, log_path: Path, *extra: str) -> None:
        super().__init__([sys.executable, "-m", "bot.fakeapi", "--port", "0", *extra], log_path)
        self.url = wait_until(lambda: self.output.strip().splitlines()[:1], 20, "the fake's URL")[0]

    def control(self, action: str, body: dict | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_control/{action}", data=data, method="POST" if data else "GET"
        )
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["result"]


def chats_of_users(fake: StandaloneFake, data_dir: Path, count: int) -> list[int]:
    """`count` users of the standalone fake who started the bot, already recorded in the bot's database."""
    from bot.store import Store

    users = [fake.control("user", {"first_name": f"U{i}", "started": True})["id"] for i in range(count)]
    store = Store.open(data_dir / "newsbot.sqlite3")
    for user in users:
        store.seen_chat(user, "private")
    store.close()
    return users
