"""Settings: one YAML file (see config.example.yaml), overridden by environment variables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DEFAULT_API_URL = "https://api.telegram.org"
# The content shipped with the code (present in a source checkout or an editable install).
SHIPPED_CONTENT = Path(__file__).resolve().parents[1] / "content"


def default_content_dir() -> Path:
    """``./content`` when the current folder has one, else the content shipped with the code."""
    here = Path("content")
    return here if here.is_dir() or not SHIPPED_CONTENT.is_dir() else SHIPPED_CONTENT


class SettingsError(ValueError):
    """The configuration is invalid; the message says which key and why."""


@dataclass(frozen=True)
class DeliveryLimits:
    """Outgoing message limits (Telegram's own limits by default)."""

    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    max_attempts: int = 5


@dataclass(frozen=True)
class Webhook:
    """Webhook mode (``newsbot run --webhook``)."""

    url: str | None = None
    listen: str = "0.0.0.0"
    port: int = 8443
    path: str = "telegram"
    secret_token: str | None = None


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_url: str = DEFAULT_API_URL
    content_dir: Path = Path("content")
    data_dir: Path = Path("data")
    admins: frozenset[int] = frozenset()
    poll_seconds: float = 60.0
    site_name: str = "DPNSEE"
    site_search_url: str | None = None
    feeds: tuple[str, ...] = ()
    default_language: str = "en"
    delivery: DeliveryLimits = field(default_factory=DeliveryLimits)
    webhook: Webhook = field(default_factory=Webhook)
    metrics_port: int | None = None
    semantic: str = "auto"  # search by meaning: auto (when the model loads), on, off
    vectors_file: Path | None = None  # passage vectors; None: <data_dir>/vectors.sqlite3
    timezone: str = "Europe/Belgrade"  # local time for schedules and digests (an IANA name)
    channel: str | None = None  # "@name" or a numeric id: every new post is published there
    admin_chat: int | None = None  # a group for reports; its administrators count as admins
    schedule_grace_minutes: float = 60.0  # a scheduled announcement missed by less (bot down) is still sent

    @property
    def zone(self) -> ZoneInfo:
        """The `timezone` setting as a tzinfo (checked when the settings are read)."""
        return ZoneInfo(self.timezone)

    @property
    def posts_dir(self) -> Path:
        """Where post files live: ``<content_dir>/posts`` if it exists, else the content dir itself."""
        posts = self.content_dir / "posts"
        return posts if posts.is_dir() else self.content_dir

    @property
    def feeds_dir(self) -> Path:
        """Where the feeds' entries are written as post files: in the data dir, which persists (a
        container's content folder is replaced with the image)."""
        return self.data_dir / "feeds"

    @property
    def legacy_feeds_dir(self) -> Path:
        """Where older versions wrote the feeds' posts (moved to `feeds_dir` at start)."""
        return self.posts_dir / "feeds"

    @property
    def post_folders(self) -> tuple[Path, Path]:
        """Every folder of post files, for `index.load_posts`: the content's posts, then the feeds'."""
        return self.posts_dir, self.feeds_dir

    @property
    def glossary_path(self) -> Path:
        """``<content_dir>/glossary.yaml``; a content folder without one uses the shipped glossary."""
        own = self.content_dir / "glossary.yaml"
        shipped = SHIPPED_CONTENT / "glossary.yaml"
        return own if own.is_file() or not shipped.is_file() else shipped

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "newsbot.sqlite3"

    @property
    def vectors_path(self) -> Path:
        """The posts' passage vectors for search by meaning (a cache: rebuilt when missing)."""
        return self.vectors_file or self.data_dir / "vectors.sqlite3"

    @classmethod
    def load(cls, path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
        """Read the YAML file at `path` (if given), then apply environment overrides."""
        env = os.environ if env is None else env
        raw: dict = {}
        if path is not None:
            try:
                raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
            except (OSError, yaml.YAMLError) as exc:
                raise SettingsError(f"cannot read config {path}: {exc}") from None
            if not isinstance(raw, dict):
                raise SettingsError(f"config {path} must be a YAML mapping")
        return cls._from_mapping(raw)._with_env(env)

    @classmethod
    def _from_mapping(cls, raw: dict) -> Settings:
        telegram = _section(raw, "telegram")
        content = _section(raw, "content")
        site = _section(raw, "site")
        settings = cls(
            token=telegram.get("token") or None,
            api_url=str(telegram.get("api_url") or DEFAULT_API_URL),
            content_dir=Path(content["dir"]) if content.get("dir") else default_content_dir(),
            data_dir=Path(raw.get("data_dir") or "data"),
            admins=_parse_admins(raw.get("admins") or []),
            poll_seconds=_number(content.get("poll_seconds", 60), "content.poll_seconds"),
            site_name=str(site.get("name") or "DPNSEE"),
            site_search_url=site.get("search_url") or None,
            feeds=_feeds(raw.get("feeds") or (), "feeds"),
            default_language=str(raw.get("default_language") or "en"),
            delivery=_dataclass_from(DeliveryLimits, _section(raw, "delivery"), "delivery"),
            webhook=_dataclass_from(Webhook, _section(raw, "webhook"), "webhook"),
            metrics_port=_section(raw, "metrics").get("port"),
            semantic=_semantic(_section(raw, "search").get("semantic", "auto"), "search.semantic"),
            timezone=_timezone(raw.get("timezone") or "Europe/Belgrade", "timezone"),
            channel=_channel(raw.get("channel"), "channel"),
            admin_chat=_chat_id(raw.get("admin_chat"), "admin_chat"),
            schedule_grace_minutes=_number(
                raw.get("schedule_grace_minutes", 60), "schedule_grace_minutes", minimum=0
            ),
        )
        if settings.site_search_url and "{query}" not in settings.site_search_url:
            raise SettingsError("site.search_url must contain {query}")
        return settings

    def _with_env(self, env: Mapping[str, str]) -> Settings:
        changes: dict = {}
        if env.get("TELEGRAM_BOT_TOKEN"):
            changes["token"] = env["TELEGRAM_BOT_TOKEN"].strip()
        if env.get("TELEGRAM_API_URL"):
            changes["api_url"] = env["TELEGRAM_API_URL"].strip()
        if env.get("NEWSBOT_CONTENT_DIR"):
            changes["content_dir"] = Path(env["NEWSBOT_CONTENT_DIR"])
        if env.get("NEWSBOT_DATA_DIR"):
            changes["data_dir"] = Path(env["NEWSBOT_DATA_DIR"])
        if env.get("NEWSBOT_ADMINS"):
            changes["admins"] = _parse_admins(env["NEWSBOT_ADMINS"])
        if env.get("NEWSBOT_FEEDS"):
            changes["feeds"] = _feeds(env["NEWSBOT_FEEDS"].replace(",", " ").split(), "NEWSBOT_FEEDS")
        if env.get("NEWSBOT_POLL_SECONDS"):
            changes["poll_seconds"] = _number(env["NEWSBOT_POLL_SECONDS"], "NEWSBOT_POLL_SECONDS")
        hook = {key: env[name] for name, key in WEBHOOK_ENV.items() if env.get(name)}
        if "port" in hook:
            hook["port"] = int(_number(hook["port"], "NEWSBOT_WEBHOOK_PORT"))
        if hook:
            changes["webhook"] = replace(self.webhook, **hook)
        if env.get("NEWSBOT_METRICS_PORT"):
            changes["metrics_port"] = int(_number(env["NEWSBOT_METRICS_PORT"], "NEWSBOT_METRICS_PORT"))
        if env.get("NEWSBOT_SEMANTIC"):
            changes["semantic"] = _semantic(env["NEWSBOT_SEMANTIC"], "NEWSBOT_SEMANTIC")
        if env.get("NEWSBOT_TIMEZONE"):
            changes["timezone"] = _timezone(env["NEWSBOT_TIMEZONE"], "NEWSBOT_TIMEZONE")
        if env.get("NEWSBOT_CHANNEL"):
            changes["channel"] = _channel(env["NEWSBOT_CHANNEL"], "NEWSBOT_CHANNEL")
        if env.get("NEWSBOT_ADMIN_CHAT"):
            changes["admin_chat"] = _chat_id(env["NEWSBOT_ADMIN_CHAT"], "NEWSBOT_ADMIN_CHAT")
        if env.get("NEWSBOT_SCHEDULE_GRACE_MINUTES"):
            grace = env["NEWSBOT_SCHEDULE_GRACE_MINUTES"]
            changes["schedule_grace_minutes"] = _number(grace, "NEWSBOT_SCHEDULE_GRACE_MINUTES", minimum=0)
        settings = replace(self, **changes)
        return replace(settings, api_url=settings.api_url.rstrip("/"))


SEMANTIC_MODES = ("auto", "on", "off")

# environment variable -> webhook setting
WEBHOOK_ENV = {
    "NEWSBOT_WEBHOOK_URL": "url",
    "NEWSBOT_WEBHOOK_SECRET": "secret_token",
    "NEWSBOT_WEBHOOK_LISTEN": "listen",
    "NEWSBOT_WEBHOOK_PORT": "port",
    "NEWSBOT_WEBHOOK_PATH": "path",
}


def _timezone(value: object, name: str) -> str:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{name} must be a time zone such as Europe/Belgrade, not {value!r}") from None
    return str(value)


def _channel(value: object, name: str) -> str | None:
    """A channel as Telegram addresses it: "@username" (5-32 of a-z, 0-9, _) or a numeric chat id."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{4,31}|-?\d+", text):
        return text
    raise SettingsError(f"{name} must be @channelname or a chat id such as -1001234567890, not {text!r}")


def _chat_id(value: object, name: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise SettingsError(f"{name} must be a chat id such as -1001234567890, not {value!r}") from None


def _feeds(urls: object, name: str) -> tuple[str, ...]:
    """Feed addresses: a list of http(s) URLs."""
    if not isinstance(urls, list | tuple):
        raise SettingsError(f"{name} must be a list of feed URLs")
    for url in urls:
        if not str(url).startswith(("http://", "https://")):
            raise SettingsError(f"{name}: a feed must be an http(s) URL, not {url!r}")
    return tuple(str(url) for url in urls)


def _section(raw: dict, name: str) -> dict:
    value = raw.get(name) or {}
    if not isinstance(value, dict):
        raise SettingsError(f"'{name}' must be a mapping")
    return value


def _number(value: object, name: str, *, minimum: float | None = None) -> float:
    """A positive number (or one of at least `minimum`)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise SettingsError(f"{name} must be a number, not {value!r}") from None
    if minimum is None and number <= 0:
        raise SettingsError(f"{name} must be positive")
    if minimum is not None and number < minimum:
        raise SettingsError(f"{name} must be at least {minimum:g}")
    return number


def _semantic(value: object, name: str) -> str:
    if isinstance(value, bool):  # YAML reads a bare on/off as true/false
        value = "on" if value else "off"
    text = str(value).strip().lower()
    if text not in SEMANTIC_MODES:
        raise SettingsError(f"{name} must be one of {', '.join(SEMANTIC_MODES)}, not {value!r}")
    return text


def _parse_admins(value: object) -> frozenset[int]:
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    try:
        return frozenset(int(str(item).strip()) for item in items)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise SettingsError(f"admins must be Telegram user ids (numbers), not {value!r}") from None


def _dataclass_from(kind: type, raw: dict, name: str):
    known = {f.name: f for f in fields(kind)}
    unknown = set(raw) - set(known)
    if unknown:
        raise SettingsError(f"unknown key(s) in '{name}': {', '.join(sorted(unknown))}")
    return kind(**raw)
