"""Settings: the YAML file, environment overrides, and clear errors for bad values."""

from pathlib import Path

import pytest
from conftest import REPO

from bot.settings import DEFAULT_API_URL, SHIPPED_CONTENT, Settings, SettingsError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file_and_no_environment():
    settings = Settings.load(None, env={})
    assert settings.token is None
    assert settings.api_url == DEFAULT_API_URL
    assert settings.content_dir == Path("content")
    assert settings.database_path == Path("data/newsbot.sqlite3")
    assert settings.index_dir == Path("data/index")


def test_the_example_config_is_valid():
    settings = Settings.load(REPO / "config.example.yaml", env={})
    assert settings.default_language in ("en", "sr")


def test_the_environment_overrides_the_file(tmp_path):
    config = write(tmp_path, "telegram:\n  token: from-file\n  api_url: http://file\ndata_dir: /file/data\n")
    env = {
        "TELEGRAM_BOT_TOKEN": " 123:abc \n",
        "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
        "NEWSBOT_CONTENT_DIR": str(tmp_path),
        "NEWSBOT_DATA_DIR": "/env/data",
        "NEWSBOT_ADMINS": "1, 2 3",
        "NEWSBOT_POLL_SECONDS": "5",
    }
    settings = Settings.load(config, env=env)
    assert settings.token == "123:abc"
    assert settings.api_url == "http://127.0.0.1:8081"  # calls go to {api_url}/bot{token}/{method}
    assert settings.posts_dir == tmp_path
    assert settings.data_dir == Path("/env/data")
    assert settings.admins == frozenset({1, 2, 3})
    assert settings.poll_seconds == 5.0


def test_the_posts_folder_is_content_slash_posts_when_it_exists(tmp_path):
    (tmp_path / "posts").mkdir()
    assert Settings.load(None, env={"NEWSBOT_CONTENT_DIR": str(tmp_path)}).posts_dir == tmp_path / "posts"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("admins: [me]", "admins must be Telegram user ids"),
        ("content:\n  poll_seconds: -1", "must be positive"),
        ("site:\n  search_url: https://x.org/search", "must contain {query}"),
        ("delivery:\n  per_second: 3", "unknown key(s) in 'delivery'"),
        ("telegram: token", "'telegram' must be a mapping"),
        ("- a list", "must be a YAML mapping"),
        ("key: [unclosed", "cannot read config"),
    ],
)
def test_bad_values_are_refused_with_a_message_naming_the_key(tmp_path, text, problem):
    with pytest.raises(SettingsError, match=None) as error:
        Settings.load(write(tmp_path, text), env={})
    assert problem in str(error.value)


def test_a_bad_number_in_the_environment_is_refused():
    with pytest.raises(SettingsError, match="NEWSBOT_POLL_SECONDS"):
        Settings.load(None, env={"NEWSBOT_POLL_SECONDS": "often"})


def test_a_content_folder_without_a_glossary_uses_the_shipped_one(tmp_path):
    (tmp_path / "posts").mkdir()
    settings = Settings.load(env={"NEWSBOT_CONTENT_DIR": str(tmp_path)})
    assert settings.glossary_path == SHIPPED_CONTENT / "glossary.yaml"
    (tmp_path / "glossary.yaml").write_text("- [a, b]\n")
    assert settings.glossary_path == tmp_path / "glossary.yaml"


def test_outside_the_repository_the_shipped_content_is_the_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert Settings.load(env={}).content_dir == SHIPPED_CONTENT
    (tmp_path / "content").mkdir()
    assert Settings.load(env={}).content_dir == Path("content")


def test_feeds_come_from_newsbot_feeds_separated_by_commas_or_spaces_and_live_in_the_data_dir(tmp_path):
    feeds = "https://a.org/feed/, https://b.org/rss\nhttps://c.org/atom"
    env = {"NEWSBOT_FEEDS": feeds, "NEWSBOT_DATA_DIR": "/d"}
    settings = Settings.load(write(tmp_path, "feeds: [https://old.org/feed]"), env=env)
    assert settings.feeds == ("https://a.org/feed/", "https://b.org/rss", "https://c.org/atom")
    assert settings.feeds_dir == Path("/d/feeds") and settings.post_folders[1] == Path("/d/feeds")
    with pytest.raises(SettingsError, match="NEWSBOT_FEEDS: a feed must be an http"):
        Settings.load(None, env={"NEWSBOT_FEEDS": "dpnsee.org/feed"})
    with pytest.raises(SettingsError, match="feeds must be a list"):
        Settings.load(write(tmp_path, "feeds: https://a.org/feed"), env={})


def test_the_grace_of_missed_schedules_comes_from_the_file_or_the_environment(tmp_path):
    assert Settings.load(env={}).schedule_grace_minutes == 60
    config = tmp_path / "config.yaml"
    config.write_text("schedule_grace_minutes: 15\n", encoding="utf-8")
    assert Settings.load(config, env={}).schedule_grace_minutes == 15
    assert Settings.load(config, env={"NEWSBOT_SCHEDULE_GRACE_MINUTES": "0"}).schedule_grace_minutes == 0
    with pytest.raises(SettingsError, match="NEWSBOT_SCHEDULE_GRACE_MINUTES must be at least 0"):
        Settings.load(env={"NEWSBOT_SCHEDULE_GRACE_MINUTES": "-5"})
