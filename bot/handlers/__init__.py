"""Telegram update handlers: one module per command or concern, each with `register(app)`.

A module may also define `COMMANDS` (names whose menu descriptions are the catalogue's `cmd_<name>`
texts); `bot.app` registers the modules listed in `HANDLER_MODULES` in order and sets the menu."""
