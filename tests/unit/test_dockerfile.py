"""The Dockerfile's promises that can be checked without a Docker engine: what it copies exists and is
not ignored, its commands exist in the installed package, it runs unprivileged with data in /data,
dependencies are installed before the code is copied, and no secret is baked in."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from importlib.metadata import entry_points
from pathlib import Path

import yaml
from conftest import REPO

from bot.cli import COMMANDS, build_parser

SECRET_WORDS = re.compile(r"token|secret|password|api_key", re.IGNORECASE)


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    lines, current = [], ""
    for raw in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        current += " " + line.removesuffix("\\").strip()
        if not line.endswith("\\"):
            lines.append(current.strip())
            current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def arguments(name: str) -> list[str]:
    return [args for instruction, args in instructions() if instruction == name]


def exec_form(args: str) -> list[str]:
    """An exec-form (JSON array) argument list; the shell form fails the test."""
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def dockerignored(path: str) -> bool:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = Path(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern.removeprefix("**/")) or fnmatch.fnmatch(prefix, pattern)
        for pattern in patterns
        for prefix in prefixes
    )


def test_the_base_image_is_a_slim_python_the_package_supports():
    (base,) = arguments("FROM")
    match = re.fullmatch(r"python:(3\.\d+)-slim(-\w+)?", base)
    assert match, base
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = re.fullmatch(r">=(3\.\d+)", requires)
    assert minimum, requires
    assert tuple(map(int, match[1].split("."))) >= tuple(map(int, minimum[1].split(".")))


def test_every_copied_path_exists_and_is_not_dockerignored():
    copies = arguments("COPY")
    assert copies
    for args in copies:
        sources = [word for word in shlex.split(args) if not word.startswith("--")][:-1]
        for source in sources:
            assert (REPO / source).exists(), source
            assert not dockerignored(source), f"{source} is excluded by .dockerignore"


def test_dependencies_are_installed_before_the_code_is_copied():
    steps = instructions()
    first_code_copy = next(
        i for i, (cmd, args) in enumerate(steps) if cmd == "COPY" and args.startswith("bot ")
    )
    dependency_install = next(
        i for i, (cmd, args) in enumerate(steps) if cmd == "RUN" and "pip install" in args
    )
    assert dependency_install < first_code_copy
    copied_before = [args for cmd, args in steps[:dependency_install] if cmd == "COPY"]
    assert copied_before == ["pyproject.toml ./"], (
        "only the dependency list may invalidate the dependency layer"
    )


def test_entrypoint_cmd_and_healthcheck_are_exec_form_commands_of_the_installed_package():
    (entrypoint,) = arguments("ENTRYPOINT")
    (cmd,) = arguments("CMD")
    (healthcheck,) = arguments("HEALTHCHECK")
    program = exec_form(entrypoint)
    assert program == ["newsbot"]
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("newsbot") == "bot.cli:main"
    health = exec_form(healthcheck.split(" CMD ", 1)[1])
    assert health[0] == "newsbot"
    for argv in (exec_form(cmd), health[1:]):
        assert argv[0] in COMMANDS
        build_parser(argv).parse_args(argv)
    assert "--interval=" in healthcheck and "--timeout=" in healthcheck


def test_compose_runs_commands_that_exist_too():
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["newsbot"]
    command = service["command"]
    build_parser(command).parse_args(command)
    assert "newsbot-data:/data" in service["volumes"]
    assert service["stop_grace_period"] and service["init"] is True
    assert service["environment"]["TELEGRAM_BOT_TOKEN"].startswith("${TELEGRAM_BOT_TOKEN")


def test_it_runs_as_an_unprivileged_user_with_data_in_a_volume():
    users = arguments("USER")
    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert arguments("VOLUME") == ['["/data"]']
    env = " ".join(arguments("ENV"))
    assert "NEWSBOT_DATA_DIR=/data" in env and "NEWSBOT_CONTENT_DIR=/app/content" in env
    assert "chown newsbot:newsbot /data" in " ".join(arguments("RUN"))


def test_the_stop_signal_is_one_the_bot_stops_gracefully_on():
    assert arguments("STOPSIGNAL") in (["SIGTERM"], ["SIGINT"])


def test_no_secret_is_baked_in():
    for instruction in ("ENV", "ARG", "LABEL"):
        for args in arguments(instruction):
            assert not SECRET_WORDS.search(args), f"{instruction} {args}"
    for private in ("config.yaml", ".env", "data", "data/newsbot.sqlite3", ".git"):
        assert dockerignored(private), f"{private} would be sent to the Docker build"


def test_the_readmes_newsbot_commands_exist_as_written():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    invocations = re.findall(r"(?:docker exec newsbot |\.venv/bin/)newsbot ([^&>|`\n]*)", readme)
    invocations += re.findall(r"(?:-v \S+ )+newsbot (.+)$", readme, flags=re.MULTILINE)
    assert len(invocations) >= 5
    for invocation in invocations:
        argv = shlex.split(invocation)
        if argv:
            build_parser(argv).parse_args(argv)
