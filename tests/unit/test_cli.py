"""The command line: help, settings errors, and command-line overrides of settings."""

from pathlib import Path

from bot.cli import COMMANDS, build_parser, load_settings, main


def test_no_command_prints_help_listing_every_command(capsys):
    assert main([]) == 2
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


def test_a_broken_config_is_reported_in_one_line(tmp_path, capsys):
    config = tmp_path / "c.yaml"
    config.write_text("content:\n  poll_seconds: soon\n")
    assert main(["--config", str(config), "backup", "x"]) == 2
    assert "poll_seconds must be a number" in capsys.readouterr().err


def test_command_line_folders_override_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_DATA_DIR", "/env/data")
    args = build_parser(["backup"]).parse_args(["--data", str(tmp_path), "--content", "c", "backup", "f"])
    settings = load_settings(args)
    assert settings.data_dir == tmp_path
    assert settings.content_dir == Path("c")
