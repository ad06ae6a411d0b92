"""Posts: Markdown files with YAML front matter, parsed and validated.

A post file looks like::

    ---
    title: A quiet CND            # required
    date: 2023-03-17              # expected; a post without one is indexed undated
    url: https://dpnsee.org/...   # optional
    tags: [cnd, unodc]            # optional list
    lang: en                      # en (default), sr, or any other language code (mk, de, …)
    summary: One line.            # optional
    ---
    Markdown body...

One bad file never stops the others: `load_posts` returns the good posts and one `PostError` per broken
file, naming the file and the problem (`scan_posts` checks the files the same way but keeps only each
good post's hash and file, so that a big archive is indexed one post at a time). It logs nothing: its
caller says what it found, once (`newsbot index` prints it, the bot logs each broken file once per run).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

LANGUAGES = ("en", "sr")  # stemmed in their own language; any other language is indexed word for word
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8})*")  # BCP 47-ish: mk, de, pt-br, sr-latn


@dataclass(frozen=True)
class Post:
    """One news post, as the editors wrote it."""

    id: str
    title: str
    body: str
    date: dt.date | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    lang: str = "en"
    summary: str | None = None
    path: str | None = None
    hash: str = ""


@dataclass(frozen=True)
class PostError:
    """A file that could not be read as a post."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass
class LoadResult:
    posts: list[Post] = field(default_factory=list)
    errors: list[PostError] = field(default_factory=list)  # files skipped
    warnings: list[PostError] = field(default_factory=list)  # posts kept, but worth an editor's look


@dataclass
class PostFiles:
    """The good post files of content folders, by post id (in reading order): each post's content hash
    and file, not its text. `read` parses a file again when its post is needed, so a whole archive is
    never held in memory at once."""

    files: dict[str, tuple[str, Path]] = field(default_factory=dict)  # post id -> (hash, file)
    errors: list[PostError] = field(default_factory=list)  # files skipped
    warnings: list[PostError] = field(default_factory=list)  # posts kept, but worth an editor's look

    @property
    def hashes(self) -> dict[str, str]:
        """Post id -> content hash."""
        return {post_id: post_hash for post_id, (post_hash, _path) in self.files.items()}

    def read(self, post_id: str) -> Post | None:
        """The post as its file says now (None: no such post, or its file is gone or broken since)."""
        if post_id not in self.files:
            return None
        path = self.files[post_id][1]
        try:
            return parse_post(path.read_bytes(), path)
        except (PostFormatError, OSError):
            return None


class PostFormatError(ValueError):
    """The file is not a valid post; the message says why."""


def post_id_for(path: Path) -> str:
    """A post's stable id: its file name without the extension."""
    return path.stem


def parse_post(raw: bytes, path: Path) -> Post:
    """Parse one post file's bytes; raise `PostFormatError` explaining what is wrong."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PostFormatError(f"not UTF-8 text (byte {exc.start})") from None
    meta, body = _split_front_matter(text)
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PostFormatError("missing 'title' in the front matter")
    lang = str(meta.get("lang") or "en").strip().lower().replace("_", "-")
    if not _LANGUAGE_CODE.fullmatch(lang):
        raise PostFormatError(f"'lang' must be a language code such as en, sr, mk or de, not {lang!r}")
    url = meta.get("url")
    if url is not None and not (isinstance(url, str) and url.startswith(("http://", "https://"))):
        raise PostFormatError(f"'url' must be an http(s) address, not {url!r}")
    summary = meta.get("summary")
    return Post(
        id=post_id_for(path),
        title=" ".join(title.split()),
        body=body.strip("\n"),
        date=_parse_date(meta.get("date")),
        url=url or None,
        tags=_parse_tags(meta.get("tags")),
        lang=lang,
        summary=str(summary).strip() if summary else None,
        path=str(path),
        hash=hashlib.sha256(raw).hexdigest(),
    )


def load_posts(directory: str | Path, *more: str | Path) -> LoadResult:
    """Read every `*.md` under `directory` (recursively), sorted by path, then under each of `more`
    (folders that may be missing, e.g. the feeds' posts before the first poll)."""
    result = LoadResult()
    result.posts = [post for _path, post in _good_posts(result, directory, *more)]
    return result


def scan_posts(directory: str | Path, *more: str | Path) -> PostFiles:
    """Check every post file as `load_posts` does, keeping only each good post's hash and file."""
    found = PostFiles()
    for path, post in _good_posts(found, directory, *more):
        found.files[post.id] = (post.hash, path)
    return found


def _good_posts(
    result: LoadResult | PostFiles, directory: str | Path, *more: str | Path
) -> Iterator[tuple[Path, Post]]:
    """The good posts of the folders with their files, one at a time; broken files go to
    `result.errors`, posts worth an editor's look to `result.warnings`."""
    root = Path(directory)
    if not root.is_dir():
        result.errors.append(PostError(str(root), "content folder not found"))
    files = sorted(root.rglob("*.md")) if root.is_dir() else []
    for extra in map(Path, more):
        files += sorted(extra.rglob("*.md")) if extra.is_dir() else []
    seen: dict[str, str] = {}
    for path in files:
        try:
            post = parse_post(path.read_bytes(), path)
        except (PostFormatError, OSError) as exc:
            result.errors.append(PostError(str(path), str(exc)))
            continue
        if post.id in seen:
            result.errors.append(PostError(str(path), f"same name (post id) as {seen[post.id]}"))
            continue
        seen[post.id] = str(path)
        if post.date is None:
            result.warnings.append(PostError(str(path), "no date: shown undated and sorted oldest"))
        yield path, post


def _split_front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        raise PostFormatError("no YAML front matter (the file must start with a '---' line)")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise PostFormatError("front matter is not closed by a '---' line")
    head, rest = parts
    try:
        meta = yaml.safe_load(head[3:]) or {}
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 2}" if where else ""
        raise PostFormatError(f"front matter is not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(meta, dict):
        raise PostFormatError("front matter must be a mapping of keys to values")
    return meta, rest.split("\n", 1)[1] if "\n" in rest else ""


def _parse_date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise PostFormatError(f"'date' must look like 2023-05-25, not {value!r}") from None


def _parse_tags(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, (str, int)) for t in value):
        raise PostFormatError("'tags' must be a list of words, like [cnd, harm reduction]")
    seen: dict[str, None] = {}
    for tag in value:
        name = " ".join(str(tag).split()).lower()
        if name:
            seen.setdefault(name, None)
    return tuple(seen)
