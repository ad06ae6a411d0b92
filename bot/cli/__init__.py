"""The `newsbot` command line: one sub-command per module of this package (`bot.cli.<command>`, with
`add_arguments(parser)` if it takes any, and `main(args) -> exit code`), behind one `main`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from bot.logs import protect, say, setup_logging
from bot.settings import Settings, SettingsError

# sub-command (= module name) -> help
COMMANDS: dict[str, str] = {
    "chat": "chat with the bot in this terminal, offline (no token needed)",
    "run": "run the bot against Telegram (needs TELEGRAM_BOT_TOKEN)",
    "index": "sync the search index with the content folder",
    "search": "search the posts from the shell",
    "backup": "copy the database to FILE (safe while the bot runs)",
    "restore": "replace the database with a backup FILE (the bot must be stopped)",
    "health": "check database, index and Bot API contact; exit 0 if healthy, else 1",
    "export": "write every chat's settings and subscriptions to FILE (.json or .csv)",
    "announce": "queue an announcement (--at schedules it, --send delivers it now)",
}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser; only the chosen sub-command's module is imported (start-up stays fast)."""
    parser = argparse.ArgumentParser(prog="newsbot", description="NGO news bot for Telegram.")
    parser.add_argument("--config", metavar="FILE", help="YAML settings file (see config.example.yaml)")
    parser.add_argument("--content", metavar="DIR", help="content folder (default: ./content)")
    parser.add_argument("--data", metavar="DIR", help="data folder: index and database (default: ./data)")
    parser.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING (default) or ERROR")
    parser.add_argument("--log-format", choices=("text", "json"), default="text", help="log line format")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name in argv:
            adder = getattr(_module(name), "add_arguments", None)
            if adder:
                adder(command)
    return parser


def _module(command: str) -> ModuleType:
    return importlib.import_module(f"{__name__}.{command}")


def load_settings(args: argparse.Namespace) -> Settings:
    """Settings from --config and the environment, then --content/--data from the command line."""
    settings = Settings.load(args.config)
    if args.content:
        settings = replace(settings, content_dir=Path(args.content))
    if args.data:
        settings = replace(settings, data_dir=Path(args.data))
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    setup_logging(args.log_level, args.log_format)
    try:
        args.settings = load_settings(args)
    except SettingsError as exc:
        say(str(exc))
        return 2
    protect(args.settings.token)
    return int(_module(args.command).main(args) or 0)
