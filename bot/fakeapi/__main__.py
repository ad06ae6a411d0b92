"""``python -m bot.fakeapi``: a standalone fake Bot API, driven through ``/_control/...``."""

from __future__ import annotations

import argparse
import signal
import threading

from bot.fakeapi.limits import Limits
from bot.fakeapi.server import DEFAULT_TOKEN, FakeBotAPI


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; prints the root URL on the first line."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.fakeapi", description="Strict local fake Telegram Bot API"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port (default)")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--username", default="newsbot_test_bot")
    parser.add_argument("--limits", action="store_true", help="enforce Telegram-like flood limits (429)")
    parser.add_argument("--time-scale", type=float, default=1.0, help="multiply the limits' rates")
    args = parser.parse_args(argv)
    limits = Limits(time_scale=args.time_scale) if args.limits else None
    fake = FakeBotAPI(args.token, username=args.username, limits=limits, host=args.host, port=args.port)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    with fake:
        print(fake.url, flush=True)
        while not done.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
