"""RSS/Atom feeds → post files: a WordPress site's news arrive in the content folder like any other post.

`poll_feed` makes a conditional GET (ETag / Last-Modified from the previous poll; a 304 costs nothing),
parses the feed with feedparser and writes each entry as a Markdown post file (the format of
`index.posts`), its HTML turned into clean Markdown by html2text. A file's name ends with a hash of the
entry's guid (or link), so an entry keeps its post id when its title or text is edited: the file is
rewritten in place, and an unchanged entry is not written at all.

The feed's state keeps the entries' keys too: `missing_entries` tells when their files vanished (a folder
lost or emptied), so the next poll fetches the whole feed again instead of trusting a 304.
`move_entries` moves the files of an older layout into the feeds folder, keeping their names (post ids).
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import logging
import os
import re
import shutil
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import feedparser
import html2text
import yaml

log = logging.getLogger(__name__)

USER_AGENT = "newsbot-feeds/1.0 (+https://github.com/)"
SLUG_LIMIT = 60


@dataclass(frozen=True)
class FeedState:
    """What the server said last time, sent back for a conditional GET."""

    etag: str | None = None
    modified: str | None = None
    keys: tuple[str, ...] = ()  # the entries of the last full answer (`entry_key`)

    @classmethod
    def from_dict(cls, raw: dict) -> FeedState:
        return cls(raw.get("etag"), raw.get("modified"), tuple(raw.get("keys") or ()))


@dataclass
class FeedResult:
    url: str
    status: int | None = None  # HTTP status; 304 = not modified; None = no answer
    written: list[Path] = field(default_factory=list)  # new or changed post files
    entries: int = 0
    state: FeedState = field(default_factory=FeedState)
    error: str | None = None


def poll_feed(
    url: str, directory: Path, state: FeedState | None = None, *, timeout: float = 20
) -> FeedResult:
    """Fetch `url` (conditionally) and write its new or changed entries as post files in `directory`."""
    state = state or FeedState()
    result = FeedResult(url=url, state=state)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    if state.etag:
        request.add_header("If-None-Match", state.etag)
    if state.modified:
        request.add_header("If-Modified-Since", state.modified)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            result.status = response.status
            payload = response.read()
            headers = response.headers
    except urllib.error.HTTPError as exc:
        result.status = exc.code
        if exc.code != 304:
            result.error = f"HTTP {exc.code}"
            log.warning("feed %s: HTTP %s", url, exc.code)
        return result
    except (OSError, ValueError) as exc:
        result.error = str(exc)
        log.warning("feed %s unreachable: %s", url, exc)
        return result
    parsed = feedparser.parse(payload, response_headers={k.lower(): v for k, v in headers.items()})
    if parsed.bozo and not parsed.entries:
        result.error = f"not a feed: {parsed.get('bozo_exception')}"
        log.warning("feed %s: %s", url, result.error)
        return result
    language = _language(parsed.feed.get("language"))
    directory.mkdir(parents=True, exist_ok=True)
    for entry in parsed.entries:
        result.entries += 1
        path = write_entry(entry, directory, language)
        if path is not None:
            result.written.append(path)
    keys = tuple(key for entry in parsed.entries if (key := entry_key(entry)))
    result.state = FeedState(etag=headers.get("ETag"), modified=headers.get("Last-Modified"), keys=keys)
    return result


def missing_entries(state: FeedState, directory: Path) -> int:
    """How many of the entries `state` knows have no post file in `directory`."""
    files = directory.glob("*.md") if directory.is_dir() else ()
    present = {path.stem.rsplit("-", 1)[-1] for path in files}
    return sum(key not in present for key in state.keys)


def move_entries(old: Path, new: Path) -> int:
    """Move the post files of `old` (a former feeds folder) into `new`, names kept; returns how many.
    A file already in `new` wins (the old copy is removed); `old` is removed once empty."""
    if not old.is_dir():
        return 0
    new.mkdir(parents=True, exist_ok=True)
    moved = 0
    for path in sorted(old.glob("*.md")):
        target = new / path.name
        if target.exists():
            path.unlink()
        else:
            shutil.move(path, target)
            moved += 1
    if not any(old.iterdir()):
        old.rmdir()
    return moved


def entry_key(entry) -> str | None:
    """The stable part of an entry's post id: a hash of its guid, else of its link."""
    ident = entry.get("id") or entry.get("link")
    return hashlib.sha1(ident.encode("utf-8")).hexdigest()[:10] if ident else None


def write_entry(entry, directory: Path, language: str = "en") -> Path | None:
    """Write one entry as a post file; returns the path when the file was created or changed."""
    key = entry_key(entry)
    title = " ".join((entry.get("title") or "").split())
    if key is None or not title:
        log.warning("feed entry without id/link or title skipped")
        return None
    existing = sorted(directory.glob(f"*-{key}.md"))
    day = _date(entry)
    path = existing[0] if existing else directory / f"{_slug(day, title)}-{key}.md"
    content = _post_text(entry, title, day, language)
    if path.exists() and path.read_text(encoding="utf-8") == content:
        return None
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(content, encoding="utf-8")
    os.replace(temporary, path)
    return path


def html_to_markdown(html: str) -> str:
    """Clean Markdown from a feed's HTML: links kept inline, images and layout noise dropped."""
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_images = True
    converter.ignore_tables = True
    converter.unicode_snob = True
    converter.single_line_break = False
    text = converter.handle(html)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def _post_text(entry, title: str, day: dt.date | None, language: str) -> str:
    contents = entry.get("content") or []
    summary_html = entry.get("summary") or ""
    body_html = contents[0].get("value", "") if contents else summary_html
    meta: dict = {"title": title}
    if day:
        meta["date"] = day.isoformat()
    if entry.get("link", "").startswith(("http://", "https://")):
        meta["url"] = entry["link"]
    tags = [" ".join(str(tag.get("term") or "").split()).lower() for tag in entry.get("tags") or []]
    if any(tags):
        meta["tags"] = [tag for tag in dict.fromkeys(tags) if tag]
    meta["lang"] = language
    if contents and summary_html:
        summary = " ".join(html_to_markdown(summary_html).split())
        if summary:
            meta["summary"] = summary[:500]
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{head}---\n{html_to_markdown(body_html)}\n"


def _date(entry) -> dt.date | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    return dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.UTC).date()


def _language(code: str | None) -> str:
    base = (code or "").lower().replace("_", "-").split("-")[0]
    return "sr" if base in {"sr", "hr", "bs", "me", "sh"} else "en"


def _slug(day: dt.date | None, title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:SLUG_LIMIT].rstrip("-")
    return f"{day.isoformat() if day else 'undated'}-{words or 'post'}"
