"""What admins send and are shown: an announcement as members receive it, its preview with the Send and
Cancel buttons (`a:s:<id>`, `a:c:<id>`) and, with a channel, its toggle (`a:p:<id>`), the delivery report,
and /stats."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render.html import MAX_MESSAGE, hashtag, split_html, visible_text
from bot.render.messages import LOCALES, SOURCE_LOCALE, plain, t
from bot.render.page import Album, Copy, Page, Part, clip
from bot.store import Item, Report
from bot.when import in_one_hour, next_monday_morning, tomorrow_morning
from index import SemanticStatus


def announcement(text: str) -> str:
    """An announcement as members receive it (`text` is Telegram HTML)."""
    return f"📢 {text}"


MAX_PARTS = 10  # messages one text announcement may take (a longer one is refused)


def announcement_parts(item: Item) -> list[Part]:
    """What members receive for an announcement: copies of the admin's messages, or the text, in as
    many messages as it needs (cut between paragraphs or sentences)."""
    if item.kind == "copy" and item.copy_from is not None:
        return [Copy(item.copy_from, item.copy_ids, item.caption)]
    if item.kind == "album":
        return [Album(item.album, item.caption or "")]
    return [Page(part) for part in split_html(announcement(item.text), MAX_MESSAGE)]


def announcement_preview(
    text: str | None,
    item_id: int,
    recipients: int,
    lang: str,
    tag: str | None = None,
    *,
    parts: int = 1,
    channel: str | None = None,
    to_channel: bool = False,
) -> Page:
    """The draft `item_id` with its buttons (`preview_buttons`): exactly as members will see it (`text`),
    or, when the real messages were shown just above (`text` None), a note saying they are the
    announcement, and how many there are."""
    shown = announcement(text) if text is not None else t(lang, "announce_preview_above", count=parts)
    buttons = preview_buttons(item_id, recipients, lang, tag, channel=channel, to_channel=to_channel)
    return Page(shown, buttons)


def preview_buttons(
    item_id: int,
    recipients: int,
    lang: str,
    tag: str | None = None,
    *,
    channel: str | None = None,
    to_channel: bool = False,
) -> InlineKeyboardMarkup:
    """Send (to `recipients` chats: every chat that started the bot, or those following `tag`; and the
    channel when `to_channel`), Schedule… and Cancel; with a `channel` the bot may post in (its name),
    the toggle that adds it or takes it off."""
    if tag is None:
        key = "announce_send_channel_button" if to_channel else "announce_send_button"
        send = plain(lang, key, count=recipients)
    else:
        key = "announce_send_tag_channel_button" if to_channel else "announce_send_tag_button"
        send = plain(lang, key, count=recipients, tag=hashtag(tag))
    buttons = [[InlineKeyboardButton(send, callback_data=f"a:s:{item_id}")]]
    if channel is not None:
        toggle = plain(lang, "announce_channel_on" if to_channel else "announce_channel_off", channel=channel)
        buttons.append([InlineKeyboardButton(toggle, callback_data=f"a:p:{item_id}")])
    buttons += [
        [InlineKeyboardButton(plain(lang, "announce_schedule_button"), callback_data=f"a:w:{item_id}")],
        [InlineKeyboardButton(plain(lang, "announce_cancel_button"), callback_data=f"a:c:{item_id}")],
    ]
    return InlineKeyboardMarkup(buttons)


# schedules ---------------------------------------------------------------------------------------


def moment(when: dt.datetime, lang: str, *, short: bool = False) -> str:
    """A local time as the language writes it: "Tuesday, 1 December 2026 at 09:00" (`short`: "Tue 1 Dec at
    09:00")."""
    locale = LOCALES.get(lang, SOURCE_LOCALE)
    time = format_time(when, "HH:mm", locale=locale, tzinfo=when.tzinfo)
    if short:
        return plain(lang, "at_time", day=format_date(when.date(), "EEE d MMM", locale=locale), time=time)
    return plain(lang, "at_time", day=format_date(when.date(), "full", locale=locale), time=time)


def schedule_choices(item_id: int, choices: list[tuple[str, dt.datetime]], lang: str, zone: ZoneInfo) -> Page:
    """How to choose when to send the draft `item_id`: quick choices (`a:t:<id>:<unix time>`), or a typed
    date and time in `zone`; Cancel."""
    rows = [
        [InlineKeyboardButton(label, callback_data=f"a:t:{item_id}:{int(when.timestamp())}")]
        for label, when in choices
    ]
    rows.append([InlineKeyboardButton(plain(lang, "announce_cancel_button"), callback_data=f"a:c:{item_id}")])
    return Page(t(lang, "schedule_ask", zone=str(zone)), InlineKeyboardMarkup(rows))


def quick_choices(now: dt.datetime, lang: str) -> list[tuple[str, dt.datetime]]:
    """The quick choices' labels and times: in an hour, tomorrow 09:00, next Monday 09:00."""
    hour, tomorrow, monday = in_one_hour(now), tomorrow_morning(now), next_monday_morning(now)
    locale = LOCALES.get(lang, SOURCE_LOCALE)
    return [
        (plain(lang, "schedule_in_an_hour", time=format_time(hour, "HH:mm", locale=locale)), hour),
        (plain(lang, "schedule_tomorrow"), tomorrow),
        (plain(lang, "schedule_monday", day=format_date(monday.date(), "d MMM", locale=locale)), monday),
    ]


def scheduled_list(items: list[Item], lang: str, zone: ZoneInfo) -> Page:
    """/scheduled: what is waiting, soonest first, each with its cancel button (`a:x:<id>`)."""
    if not items:
        return Page(t(lang, "scheduled_none"))
    lines, rows = [t(lang, "scheduled_header", count=len(items), zone=str(zone))], []
    for item in items:
        when = moment(dt.datetime.fromtimestamp(item.due or 0, zone), lang, short=True)
        what = f"📣 {_summary(item, lang)}" if item.channel is not None else _summary(item, lang)
        lines.append(t(lang, "scheduled_line", id=item.id, when=when, what=what))
        label = plain(lang, "scheduled_cancel_button", id=item.id, when=when)
        rows.append([InlineKeyboardButton(label, callback_data=f"a:x:{item.id}")])
    return Page("\n".join(lines), InlineKeyboardMarkup(rows))


def missed_report(item: Item, lang: str, zone: ZoneInfo, grace_minutes: float) -> str:
    """A scheduled announcement that was not sent: its time passed while the bot was not running."""
    when = moment(dt.datetime.fromtimestamp(item.due or 0, zone), lang)
    return t(
        lang, "schedule_missed", id=item.id, when=when, grace=f"{grace_minutes:g}", what=_summary(item, lang)
    )


def _summary(item: Item, lang: str) -> str:
    """A few words of what an announcement says (or that it is copied media), plain text."""
    if item.kind in ("copy", "album"):
        words = visible_text(item.caption or "").strip()
        media = plain(lang, "scheduled_media")
        return f"{media} {clip(words, 60)}".strip()
    return clip(" ".join(visible_text(item.text).split()), 60)


# Telegram's error descriptions -> the catalogue's name for the reason, first match wins
_REASONS = (
    ("channel chat", "reason_channel"),
    ("blocked by the user", "reason_blocked"),
    ("user is deactivated", "reason_deactivated"),
    ("chat not found", "reason_not_found"),
    ("too long", "reason_too_long"),
    ("kicked", "reason_removed"),
    ("not a member", "reason_removed"),
    ("can't initiate", "reason_not_started"),
)


def failure_reasons(errors: dict[str, int], lang: str) -> str:
    """'blocked the bot: 2, account deleted: 1' from Telegram's error descriptions and their counts."""
    counts: dict[str, int] = {}
    for error, count in errors.items():
        key = _reason(error)
        counts[key] = counts.get(key, 0) + count
    ordered = sorted(counts.items(), key=lambda entry: -entry[1])
    return ", ".join(f"{plain(lang, key)}: {count}" for key, count in ordered)


def _reason(error: str) -> str:
    """The catalogue's name for why Telegram refused a message, from its error description."""
    return next((key for words, key in _REASONS if words in error.lower()), "reason_other")


def delivery_report(report: Report, lang: str, errors: dict[str, int] | None = None) -> str:
    """How an announcement's deliveries to members ended, why those that did not arrive failed, and
    whether the channel got it (when it was sent there too)."""
    text = t(
        lang, "announce_report", delivered=report.delivered, blocked=report.blocked, failed=report.failed
    )
    if errors:
        text += "\n" + t(lang, "announce_report_reasons", reasons=failure_reasons(errors, lang))
    if report.channel == "sent":
        text += "\n" + t(lang, "announce_report_channel_sent")
    elif report.channel is not None:
        reason = plain(lang, _reason(report.channel_error or ""))
        text += "\n" + t(lang, "announce_report_channel_failed", reason=reason)
    return text


def statistics(
    lang: str,
    *,
    chats: int,
    active: int,
    subscribers: int,
    posts: int,
    last_sync: str | None,
    queue: int,
    recent: list[tuple[Item, Report]],
    meaning: SemanticStatus | None,
    meaning_off: str | None = None,
    channel: str | None = None,
    channel_problem: str | None = None,
) -> str:
    """/stats: chats, subscribers, posts, search by meaning, the last sync (ISO time), the queue, the last
    broadcasts (newest first: when, to how many, how they ended), and a warning when the bot cannot post in
    the `channel`."""
    lines = [
        plain(
            lang,
            "stats_broadcast",
            when=_when(item.created, lang),
            count=report.total,
            delivered=report.delivered,
            blocked=report.blocked,
            failed=report.failed,
            pending=report.pending,
        )
        for item, report in recent
    ]
    last_text = "".join(f"\n• {line}" for line in lines) if lines else plain(lang, "stats_never")
    if meaning is None:
        meaning_text = meaning_off or "-"  # "off (search.semantic: off)", "unavailable (why)"
    else:
        key = "stats_meaning_ready" if meaning.ready else "stats_meaning_embedding"
        meaning_text = plain(lang, key, embedded=meaning.embedded, count=meaning.total)
    text = t(
        lang,
        "stats",
        chats=chats,
        active=active,
        subscribers=subscribers,
        posts=posts,
        meaning=meaning_text,
        last_sync=_when(last_sync, lang),
        queue=queue,
        last=last_text,
    )
    if channel and channel_problem:
        text += "\n\n" + t(lang, "stats_channel_problem", channel=channel, problem=channel_problem)
    return text


def _when(iso: str | None, lang: str) -> str:
    if not iso:
        return plain(lang, "stats_never")
    return dt.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")
