"""Every text the bot shows, in English, and the one place that translates and fills them in.

The English texts below are the source: `pybabel extract` (configured in pyproject.toml) collects them,
with their keys as message contexts, into `bot/locale/messages.pot`; each other language is a gettext
catalogue `bot/locale/<locale>/LC_MESSAGES/messages.po`, read with Babel when first needed (no compiled
files to keep in step). A text with a count has a singular and a plural; each language picks its form
by its CLDR plural rule (Serbian has three: 1 tekst, 2 teksta, 5 tekstova; 21 tekst, 22 teksta, …).

Templates are Telegram HTML. `t()` HTML-escapes every keyword value; `plain()` fills templates meant for
plain-text places (button labels, callback-query notices, inline result titles), where nothing is
escaped. A plural text chooses its form by the `count` value.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_date
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.render.html import escape

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
SOURCE = "en"  # the language the texts below are written in
SOURCE_LOCALE = "en_GB"  # how English dates are written: 25 May 2023


@dataclass(frozen=True)
class Text:
    """One text: its key (the gettext context), the English singular and, for counts, the plural."""

    key: str
    singular: str
    plural: str | None = None


def text(key: str, english: str) -> Text:
    """A text to translate (`pybabel extract` keyword `text:1c,2`)."""
    return Text(key, english)


def plural(key: str, singular: str, plural: str) -> Text:
    """A text with a count, in its English singular and plural (keyword `plural:1c,2,3`)."""
    return Text(key, singular, plural)


TEXTS: dict[str, Text] = {
    entry.key: entry
    for entry in (
        # TRANSLATORS: {site} is the network's name; {count} the number of posts the bot knows.
        plural(
            "start",
            "👋 Hello! I answer questions from the news published by <b>{site}</b> ({count} post).\n\n"
            "Just send me a few words, for example <i>CND 2023</i> or <i>harm reduction</i>, and I will "
            "find the posts about it.\n\n"
            "/latest — the newest posts\n/topics — browse by topic\n"
            "/subscribe — get new posts here as they are published\n/language — English or Serbian\n"
            "/help — everything I can do",
            "👋 Hello! I answer questions from the news published by <b>{site}</b> ({count} posts).\n\n"
            "Just send me a few words, for example <i>CND 2023</i> or <i>harm reduction</i>, and I will "
            "find the posts about it.\n\n"
            "/latest — the newest posts\n/topics — browse by topic\n"
            "/subscribe — get new posts here as they are published\n/language — English or Serbian\n"
            "/help — everything I can do",
        ),
        # TRANSLATORS: {bot} is the bot's username, for inline mode.
        text(
            "help",
            "<b>How to ask</b>\n"
            "Send a few words (or use /search <i>words</i>). I show five posts at a time; the buttons "
            "under the answer turn the pages.\n\n"
            "<b>Filters</b> you can type in a question: <code>#cnd</code>, <code>2023</code>, "
            "<code>March 2023</code>.\n\n"
            "/latest [n] — the newest posts\n/topics — posts by topic\n/language — change the language\n\n"
            "<b>New posts</b>\n/subscribe — every new post\n"
            "<code>/subscribe cnd</code> — one topic only\n"
            "/unsubscribe [topic] — stop them\n/subscriptions — what you follow\n"
            "<code>/subscribe weekly</code>, <code>/subscribe cnd daily</code> — one digest a week or a "
            "day instead\n/digest — when digests arrive\n"
            "/stop — forget this chat (deletes everything I keep about it)\n\n"
            "In any other chat, type <code>@{bot} words</code> to share a post.\n"
            "In groups, mention me or reply to my message.",
        ),
        text("search_usage", "What should I look for? For example: <code>/search harm reduction</code>"),
        text("unknown_command", "I do not know that command. /help lists what I can do."),
        text(
            "only_text", "I can only read text. Send me a few words to look for, or try /latest or /topics."
        ),
        text(
            "empty_query",
            "That message has no words I can search for. Try a few words, or /latest or /topics.",
        ),
        # TRANSLATORS: the first line of an answer; {query} is the question as the member typed it.
        plural("results_header", "🔎 <b>{query}</b> — {count} post", "🔎 <b>{query}</b> — {count} posts"),
        # TRANSLATORS: {corrected} is the question as searched (it may end in "…": no full stop after it).
        text("corrected", "Showing results for: <b>{corrected}</b>"),
        # TRANSLATORS: a question named a year ({when}: 2021) but no post of that year answers it.
        text("outside_year", "Nothing from <b>{when}</b> — here is what I found in other years:"),
        # TRANSLATORS: the same for a month ({when}: March 2021, written by Babel).
        text("outside_month", "Nothing from <b>{when}</b> — here is what I found in other months:"),
        # TRANSLATORS: the same above inline results (plain text, at most 64 characters).
        text("outside_inline", "Nothing from {when} — posts from other dates"),
        text(
            "nothing_found",
            "I found nothing about <b>{query}</b> 🤷\n\n"
            "Try fewer or different words, browse /topics, or see the /latest posts.",
        ),
        # TRANSLATORS: no post answers the question, but {count} posts (1 or 2) are close enough to offer;
        # they follow below. {count} itself is not shown.
        plural(
            "nearest_found",
            "I found no post that answers <b>{query}</b>\n\n"
            "The closest one I have — it may not answer your question:",
            "I found no post that answers <b>{query}</b>\n\n"
            "The closest ones I have — they may not answer your question:",
        ),
        # TRANSLATORS: the same above inline results (plain text, at most 64 characters).
        plural(
            "nearest_inline",
            "No post answers this — the closest one:",
            "No post answers this — the closest ones:",
        ),
        # TRANSLATORS: the answer to "hello"; {name} is the member's first name.
        text(
            "greeting",
            "👋 Hello, {name}! Ask me about the network's news in a few words — for example "
            "<i>harm reduction</i> or <i>CND 2023</i> — or see /latest and /topics.",
        ),
        text("thanks", "You're welcome! 😊 Ask me anything else whenever you like."),
        text("no_date", "undated"),
        text("read_button", "📖 Read: {title}"),
        text("prev_button", "‹ Prev"),
        text("next_button", "Next ›"),
        text("page_label", "{page}/{pages}"),
        text("latest_header", "🗞 <b>Latest posts</b>"),
        text("latest_empty", "There are no posts yet."),
        # TRANSLATORS: /latest with something other than a number from 1 to {most}.
        text(
            "latest_usage",
            "Give me a number from 1 to {most}, e.g. <code>/latest 3</code>; /latest alone shows the "
            "{usual} newest posts.",
        ),
        # TRANSLATORS: above the /topics buttons; {count} is the number of topics (all pages).
        plural(
            "topics_header",
            "🏷 <b>{count} topic</b> — tap one to see its latest posts; 🔔 Follow sends you its new posts.",
            "🏷 <b>{count} topics</b> — tap one to see its latest posts; 🔔 Follow sends you its new posts.",
        ),
        text("topics_empty", "There are no topics yet."),
        # TRANSLATORS: {tag} is a hashtag (#drug_policy); {count} its number of posts.
        text("topic_button", "{tag} ({count})"),
        text("topic_followed_button", "✅ {tag} ({count})"),
        text("topic_follow_button", "🔔 Follow"),
        text("topic_unfollow_button", "✖ Unfollow"),
        text("topic_header", "🏷 <b>{tag}</b> — latest posts"),
        text("post_continued", "(continued {part}/{parts})"),
        text("language_choose", "Choose your language:"),
        text("language_set", "Done: I will speak English here."),
        text("expired", "This button has expired. Please ask again."),
        text("gone", "This post is no longer available."),
        text("flood", "⏳ You are sending messages very quickly — I will answer them one by one."),
        text("flood_callback", "Slow down a little, please."),
        text("error", "😕 Sorry, something went wrong on my side. Please try again in a moment."),
        text("inline_more", "More results"),
        # TRANSLATORS: descriptions of the commands in Telegram's command menu (plain text).
        text("cmd_start", "Start and a short introduction"),
        text("cmd_help", "How to ask questions"),
        text("cmd_search", "Search the news"),
        text("cmd_latest", "The newest posts"),
        text("cmd_topics", "Browse posts by topic"),
        text("cmd_language", "English or Serbian"),
        text("cmd_subscribe", "Get new posts (all, or one topic)"),
        text("cmd_unsubscribe", "Stop getting new posts"),
        text("cmd_subscriptions", "What you are subscribed to"),
        text("cmd_stop", "Forget this chat and stop all messages"),
        text("cmd_digest", "When your daily or weekly digests arrive"),
        # subscriptions
        text("new_post", "🆕 <b>New post</b>"),
        text(
            "sub_all_done",
            "🔔 Subscribed: I will send you every new post.\n"
            "/subscriptions shows what you follow; /unsubscribe stops it.",
        ),
        text("sub_all_already", "You are already subscribed to every new post. /subscriptions shows them."),
        # TRANSLATORS: {tag} is a hashtag (#drug_policy) here and below.
        text("sub_tag_done", "🔔 Subscribed to <b>{tag}</b>: I will send you new posts on this topic."),
        text("sub_tag_already", "You already follow <b>{tag}</b>. /subscriptions shows what you follow."),
        text(
            "sub_unknown_tag",
            "No post has the topic <b>{tag}</b> yet. Did you mean one of these? Or follow it anyway: I will "
            "send you the first posts that have it.",
        ),
        text(
            "sub_unknown_tag_none",
            "No post has the topic <b>{tag}</b> yet. Follow it anyway, and I will send you the first posts "
            "that have it; /topics lists the topics there are.",
        ),
        text("sub_new_button", "🔔 Follow {tag} anyway"),
        text(
            "sub_new_done",
            "🔔 Subscribed to <b>{tag}</b>. No post has this topic yet: I will send you the first ones.",
        ),
        text("unsub_all_done", "🔕 Unsubscribed: I will not send you new posts any more."),
        text("unsub_tag_done", "🔕 You no longer follow <b>{tag}</b>."),
        text("unsub_not_following", "You do not follow <b>{tag}</b>. /subscriptions shows what you follow."),
        text("unsub_nothing", "You have no subscriptions. /subscribe sends you every new post."),
        # TRANSLATORS: {hour} is the chat's digest hour (09:00).
        text(
            "subs_header",
            "🔔 <b>Your subscriptions</b> — ✖ removes one; the button next to it switches between instant, "
            "a daily digest and a weekly one (digests at {hour}, see /digest):",
        ),
        text(
            "subs_empty",
            "You have no subscriptions yet.\n/subscribe — every new post\n"
            "/subscribe <i>topic</i> — one topic (see /topics)",
        ),
        text("subs_all_name", "All new posts"),
        text("subs_remove_button", "✖ {name}"),
        text("subs_add_button", "🔔 {tag}"),
        text("sub_toggled_on", "Subscribed to {name}"),
        text("sub_toggled_off", "Unsubscribed from {name}"),
        text("group_admins_only", "Only this group's admins can change its subscriptions."),
        # digests: {hour} is a time of day (09:00), {name} a subscription's name (#cnd, All new posts)
        text("sub_mode_changed", "🔔 Changed for <b>{name}</b>."),
        text("mode_instant_line", "⚡ New posts arrive as soon as they are published."),
        text(
            "mode_daily_line", "📰 New posts come in one daily digest, at {hour} (/digest changes the hour)."
        ),
        text(
            "mode_weekly_line",
            "📰 New posts come in one weekly digest, on Mondays at {hour} (/digest changes the hour).",
        ),
        text("mode_instant_button", "⚡ Instant"),
        text("mode_daily_button", "📰 Daily"),
        text("mode_weekly_button", "🗓 Weekly"),
        text("mode_instant", "instant"),
        text("mode_daily", "daily digest"),
        text("mode_weekly", "weekly digest"),
        # TRANSLATORS: a short notice after the mode button; {mode} is one of the three above.
        text("sub_mode_toggled", "{name}: {mode}"),
        # TRANSLATORS: the first line of a digest; {count} is the number of posts in it (all pages).
        plural(
            "digest_header",
            "📰 <b>Your news digest</b>: {count} new post",
            "📰 <b>Your news digest</b>: {count} new posts",
        ),
        text(
            "digest_footer",
            "<i>/subscriptions switches between instant, daily and weekly; /digest changes the hour.</i>",
        ),
        # TRANSLATORS: {zone} is the time zone of the hours (Europe/Belgrade).
        text(
            "digest_status",
            "📰 Your digests arrive at <b>{hour}</b> ({zone}): daily ones every day, weekly ones on Mondays. "
            "Tap an hour, or type one, e.g. <code>/digest 18</code>. /subscriptions switches each "
            "subscription between instant, daily and weekly.",
        ),
        plural(
            "digest_waiting",
            "{count} new post is waiting for your next digest.",
            "{count} new posts are waiting for your next digest.",
        ),
        text(
            "digest_usage",
            "Give me an hour from 0 to 23, e.g. <code>/digest 18</code>; /digest alone shows the current "
            "one.",
        ),
        text("digest_hour_set", "📰 Done: your digests will arrive at <b>{hour}</b> ({zone})."),
        text("digest_hour_toast", "Digests at {hour}"),
        text(
            "stop_confirm",
            "🗑 Forget this chat? I would delete everything I keep about it — language, subscriptions and "
            "pending messages — and not write here again.",
        ),
        text("stop_yes_button", "🗑 Yes, forget this chat"),
        text("stop_no_button", "Keep it"),
        text("stop_kept", "Nothing was deleted: everything stays as it was."),
        text(
            "stop_done",
            "🗑 Done: I have deleted everything I stored about this chat — language, subscriptions and "
            "pending messages. I will not write here again. Send /start if you want to come back.",
        ),
        # announcements and statistics (admins)
        text("announce_refused", "Sorry, only the network's admins can send announcements."),
        text("stats_refused", "Sorry, only the network's admins can see the statistics."),
        text(
            "announce_usage",
            "Write the announcement after the command, e.g. <code>/announce General Assembly moved to "
            "Friday</code>, or reply with /announce to a message, a photo, a document, an album or a "
            "forwarded post (it is sent as it is), or put <code>/announce text</code> in a file's caption. "
            "<code>/announce #topic text</code> reaches one topic's subscribers.",
        ),
        # TRANSLATORS: {count} is the announcement's length in characters; it would take more than {parts}
        # messages of {limit} characters.
        plural(
            "announce_too_long",
            "⚠ Nothing was prepared: that is {count} character, more than {parts} messages of {limit} hold. "
            "Please shorten it, or send it as several announcements.",
            "⚠ Nothing was prepared: that is {count} characters, more than {parts} messages of {limit} hold. "
            "Please shorten it, or send it as several announcements.",
        ),
        # TRANSLATORS: {count} is the caption's length in characters, {limit} what a caption holds.
        plural(
            "announce_caption_too_long",
            "⚠ Nothing was prepared: a caption holds {limit} characters, and that one is {count} character. "
            "Shorten it by {over}, or announce the text on its own and the file in reply to it.",
            "⚠ Nothing was prepared: a caption holds {limit} characters, and that one is {count} characters. "
            "Shorten it by {over}, or announce the text on its own and the file in reply to it.",
        ),
        # TRANSLATORS: below the announcement's real messages, above the Send and Cancel buttons.
        plural(
            "announce_preview_above",
            "☝ That is the announcement as members will receive it ({count} message).",
            "☝ That is the announcement as members will receive it ({count} messages, in this order).",
        ),
        text(
            "announce_media_hint",
            "To send this to members as it is, reply to it with <code>/announce</code> (or "
            "<code>/announce #topic</code> for one topic's subscribers).",
        ),
        text("announce_unknown_tag", "I know no topic called <b>{tag}</b>. /topics lists them all."),
        text("announce_nobody", "Nobody would receive this announcement yet, so I did not prepare it."),
        # TRANSLATORS: an announcement without a topic goes to every chat that started the bot.
        plural("announce_send_button", "📤 Send to {count} chat", "📤 Send to {count} chats"),
        # TRANSLATORS: a topic's announcement goes to the chats following it or every new post.
        plural(
            "announce_send_tag_button",
            "📤 Send to {count} chat following {tag}",
            "📤 Send to {count} chats following {tag}",
        ),
        # TRANSLATORS: the Send button when the announcement goes to the bot's channel too.
        plural(
            "announce_send_channel_button",
            "📤 Send to {count} chat and the channel",
            "📤 Send to {count} chats and the channel",
        ),
        plural(
            "announce_send_tag_channel_button",
            "📤 Send to {count} chat following {tag} and the channel",
            "📤 Send to {count} chats following {tag} and the channel",
        ),
        # TRANSLATORS: the preview's toggle: send the announcement to the channel ({channel}: @name) too?
        text("announce_channel_off", "📣 Also in {channel}: no"),
        text("announce_channel_on", "📣 Also in {channel}: yes"),
        text("announce_channel_unavailable", "The bot cannot post in the channel now."),
        text("announce_cancel_button", "✖ Cancel"),
        text("announce_schedule_button", "🕘 Schedule…"),
        # TRANSLATORS: a day (written by Babel: Tuesday, 1 December 2026) and a time (09:00).
        text("at_time", "{day} at {time}"),
        # TRANSLATORS: {zone} is the bot's time zone (Europe/Belgrade); keep the examples as they are.
        text(
            "schedule_ask",
            "🕘 When should it go out? Tap a choice, or type a date and time ({zone} time), e.g. "
            "<code>tomorrow 9:00</code>, <code>2026-12-01 09:00</code>, <code>1.12.2026 9:00</code>, "
            "<code>sutra u 9</code> or <code>monday 10:00</code>.",
        ),
        text("schedule_in_an_hour", "In 1 hour ({time})"),
        text("schedule_tomorrow", "Tomorrow 09:00"),
        # TRANSLATORS: {day} is the date of the next Monday (7 Dec).
        text("schedule_monday", "Monday {day}, 09:00"),
        text(
            "schedule_done",
            "🕘 Scheduled: it goes out <b>{when}</b> ({zone} time). /scheduled lists what is waiting and "
            "cancels it.",
        ),
        text(
            "schedule_unreadable",
            "I could not read <b>{typed}</b> as a date and time. Try e.g. <code>tomorrow 9:00</code>, "
            "<code>1.12.2026 9:00</code> or <code>sutra u 9</code>, or tap a choice above.",
        ),
        text("schedule_past", "{when} has already passed. Please give a time still to come."),
        text("schedule_past_short", "That time has already passed."),
        text(
            "scheduled_none",
            "Nothing is scheduled. /announce prepares an announcement; its Schedule… button sets its time.",
        ),
        # TRANSLATORS: {count} announcements wait to be sent; times are in {zone}.
        plural(
            "scheduled_header",
            "🕘 <b>{count} scheduled announcement</b> ({zone} time) — tap one to cancel it:",
            "🕘 <b>{count} scheduled announcements</b> ({zone} time) — tap one to cancel it:",
        ),
        text("scheduled_line", "#{id} · {when} · {what}"),
        text("scheduled_cancel_button", "✖ #{id} {when}"),
        text("scheduled_media", "[media]"),
        text("scheduled_cancelled", "Cancelled: announcement #{id} will not be sent."),
        text(
            "schedule_missed",
            "⚠ <b>Scheduled announcement #{id} was not sent</b>: it was due {when}, while the bot was not "
            "running, and that is more than {grace} minutes ago. Schedule it again if it still matters. "
            "({what})",
        ),
        plural(
            "announce_sending",
            "📤 Sending to {count} chat… I will report here when it is done.",
            "📤 Sending to {count} chats… I will report here when it is done.",
        ),
        plural(
            "announce_sending_channel",
            "📤 Sending to {count} chat and to {channel}… I will report here when it is done.",
            "📤 Sending to {count} chats and to {channel}… I will report here when it is done.",
        ),
        text("announce_cancelled", "Cancelled: nothing was sent."),
        text("announce_already_sent", "Already sent."),
        text("announce_already_cancelled", "This announcement was cancelled."),
        text(
            "announce_report",
            "📊 <b>Announcement sent</b>\nDelivered: {delivered}\nBlocked the bot: {blocked}\n"
            "Failed: {failed}",
        ),
        # TRANSLATORS: why deliveries of an announcement failed, with counts: "blocked the bot: 2, ...".
        text("announce_report_reasons", "Why: {reasons}"),
        text("announce_report_channel_sent", "📣 In the channel: published"),
        # TRANSLATORS: {reason} is one of the reasons below (chat not found, ...).
        text("announce_report_channel_failed", "📣 In the channel: <b>not published</b> ({reason})"),
        text("reason_blocked", "blocked the bot"),
        text("reason_deactivated", "account deleted"),
        text("reason_not_found", "chat not found"),
        text("reason_too_long", "too long"),
        text("reason_removed", "bot removed from the group"),
        text("reason_not_started", "never started the bot"),
        text("reason_channel", "the bot may not post in the channel"),
        text("reason_other", "other errors"),
        text(
            "stats",
            "📊 <b>Statistics</b>\nChats: {chats} ({active} active)\n"
            "Chats with subscriptions: {subscribers}\nPosts: {posts}\nSearch by meaning: {meaning}\n"
            "Last sync: {last_sync}\nQueue: {queue}\n"
            "Last broadcasts: {last}",
        ),
        plural("stats_meaning_ready", "on, {embedded} of {count} post", "on, {embedded} of {count} posts"),
        plural(
            "stats_meaning_embedding",
            "getting ready, {embedded} of {count} post embedded",
            "getting ready, {embedded} of {count} posts embedded",
        ),
        text("stats_never", "never"),
        # TRANSLATORS: {channel} is the channel setting (@name); {problem} what Telegram said, in English.
        text(
            "stats_channel_problem",
            "⚠ <b>New posts are not published in {channel}</b>: {problem}. Make the bot an administrator of "
            "the channel with the right to post messages; the posts waiting will then go out.",
        ),
        # TRANSLATORS: one of the last broadcasts in /stats: when, to how many chats ({count}), how it ended.
        plural(
            "stats_broadcast",
            "{when} — to {count} chat: {delivered} delivered, {blocked} blocked, {failed} failed, "
            "{pending} pending",
            "{when} — to {count} chats: {delivered} delivered, {blocked} blocked, {failed} failed, "
            "{pending} pending",
        ),
        # TRANSLATORS: the admin commands in the admins' own command menu (plain text).
        text("cmd_announce", "Admins: send an announcement"),
        text("cmd_stats", "Admins: chats, subscribers and the queue"),
    )
}


# languages ---------------------------------------------------------------------------------------


def _catalogue_locales() -> dict[str, str]:
    """Language code -> Babel locale of every catalogue in LOCALE_DIR (`sr_Latn` -> code `sr`)."""
    found = {}
    if LOCALE_DIR.is_dir():
        for folder in sorted(LOCALE_DIR.iterdir()):
            if (folder / "LC_MESSAGES" / f"{DOMAIN}.po").is_file():
                found[folder.name.split("_")[0].lower()] = folder.name
    return found


LOCALES: dict[str, str] = {SOURCE: SOURCE_LOCALE, **_catalogue_locales()}
LANGUAGES: tuple[str, ...] = tuple(LOCALES)
# Telegram language codes answered in Serbian Latin (when the chat has not picked a language).
SERBIAN_CODES = frozenset({"sr", "hr", "bs", "me", "sh", "cnr"})


def _language_name(code: str) -> str:
    name = Locale.parse(code if code == SOURCE else LOCALES[code]).get_display_name() or code
    return name[:1].upper() + name[1:]


LANGUAGE_NAMES: dict[str, str] = {code: _language_name(code) for code in LANGUAGES}


def language_for(code: str | None, chosen: str | None = None) -> str:
    """The UI language: the chat's choice if any, else the Telegram language when there is a catalogue
    for it (Serbian for the Serbian-family codes), else English."""
    if chosen in LANGUAGES:
        return chosen
    base = (code or "").lower().replace("_", "-").split("-")[0]
    if base in LANGUAGES:
        return base
    return "sr" if base in SERBIAN_CODES and "sr" in LANGUAGES else SOURCE


def chat_language(chosen: str | None, code: str | None, default: str) -> str:
    """The language of a message the bot starts (notification, report): the chat's choice, else its
    user's Telegram language, else the configured default."""
    if chosen is None and code is None:
        return default
    return language_for(code, chosen)


# translating and filling in ----------------------------------------------------------------------


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang` (read from its .po file once), or none: the English source texts."""
    if lang == SOURCE or lang not in LOCALES:
        return gettext.NullTranslations()
    path = LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po:
        catalogue = read_po(po, locale=LOCALES[lang], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)  # untranslated and fuzzy entries stay English
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _template(lang: str, key: str, values: dict[str, object]) -> str:
    entry = TEXTS[key]
    catalogue = translations(lang)
    if entry.plural is None:
        return catalogue.pgettext(key, entry.singular)
    return catalogue.npgettext(key, entry.singular, entry.plural, int(values["count"]))


def t(lang: str, key: str, **values: object) -> str:
    """The HTML text for `key` in `lang`, with keyword values escaped (`count` picks a plural form)."""
    return _template(lang, key, values).format(**{k: escape(str(v)) for k, v in values.items()})


def plain(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang` for plain-text places; the template must contain no HTML."""
    return _template(lang, key, values).format(**values)


def format_date(day: dt.date | None, lang: str) -> str:
    """The date as the language writes it (`25 May 2023`, `25. maj 2023.`); the `no_date` text for
    undated posts."""
    if day is None:
        return plain(lang, "no_date")
    return babel_date(day, "long", locale=LOCALES.get(lang, SOURCE_LOCALE))


def whole_year(dates: tuple[dt.date, dt.date]) -> bool:
    first, last = dates
    return (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year


def format_period(dates: tuple[dt.date, dt.date], lang: str) -> str:
    """A span of dates a question asked for: its year (`2021`, `2021.`), else its first month
    (`March 2021`, `mart 2021.`)."""
    skeleton = "y" if whole_year(dates) else "yMMMM"
    return format_skeleton(skeleton, dates[0], locale=LOCALES.get(lang, SOURCE_LOCALE))


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """`1 post`, `2 posts`: a count in the command line's English (its output is for operators and
    scripts, and not translated), through gettext's plural choice like every other count."""
    return f"{count} {gettext.NullTranslations().ngettext(singular, plural or f'{singular}s', count)}"
