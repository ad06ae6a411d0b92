"""Everything the bot composes, in one place: the texts of both languages (`messages`), Telegram HTML
(`html`), `Page`, the one type of composed message, with the callback data of its buttons (`page`),
posts and search results (`posts`), menus (`menus`), and what admins send and are shown (`admin`).

Nothing here talks to Telegram: handlers, the notifier and the command line send what it renders."""
