"""Telegram update handlers: one module per command or concern, none importing another (what they share
is in `common`). Each module offers `handlers()` (and `COMMANDS`, the names for the command menu, if it
has any); `bot.app` registers them, in one visible order."""
