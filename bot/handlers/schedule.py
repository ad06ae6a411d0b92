"""Scheduling announcements (admins): the preview's "Schedule…" button, the quick choices or a typed date
and time, and /scheduled with its cancel buttons.

Callback data: `a:w:<id>` schedule the draft (shows the choices), `a:t:<id>:<unix time>` a quick choice,
`a:x:<id>` cancel a scheduled one from /scheduled. After "Schedule…" the admin's next text message in that
chat is read as a date and time (`bot.when`) in the `timezone` setting, until it is one, a choice is tapped
or a command is sent.
"""

from __future__ import annotations

import datetime as dt
import re

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.context import BotContext
from bot.handlers.common import admins_only, edit_page, is_admin, lang_of, pressed, send_page
from bot.render.admin import moment, quick_choices, schedule_choices, scheduled_list
from bot.render.messages import plain, t
from bot.render.page import Page
from bot.when import parse_when

AWAITING = "schedule_for"  # chat_data: the draft whose time the admin is asked to type
_CALLBACK = re.compile(r"^a:([wtx]):([0-9]{1,12})(?::([0-9]{1,12}))?$")


@admins_only("announce_refused")
async def on_button(update: Update, context: BotContext) -> None:
    callback = update.callback_query
    if (button := await pressed(update, context, _CALLBACK)) is None:
        return
    lang, match = button
    action, item_id = match.group(1), int(match.group(2))
    store = context.services.store
    item = store.item(item_id)
    if action == "x":
        done = store.cancel_announcement(item_id)
        await callback.answer(plain(lang, "scheduled_cancelled" if done else "expired", id=item_id))
        await edit_page(callback, _list(context, lang), context)
        _wake(context)
        return
    if item is None or item.status != "draft":
        key = "announce_already_cancelled" if item and item.status == "cancelled" else "announce_already_sent"
        await callback.answer(plain(lang, key if item else "expired"))
        return
    zone = context.services.settings.zone
    if action == "w":
        await callback.answer()
        await callback.edit_message_reply_markup(None)
        choices = quick_choices(context.clock.local(zone), lang)
        await send_page(callback.message, schedule_choices(item_id, choices, lang, zone))
        context.chat_data[AWAITING] = item_id
        return
    when = dt.datetime.fromtimestamp(int(match.group(3) or 0), zone)
    if await _schedule(update, context, item_id, when, lang):
        await callback.answer()
        await callback.edit_message_reply_markup(None)
    else:
        await callback.answer(plain(lang, "schedule_past_short"))


async def _schedule(update: Update, context: BotContext, item_id: int, when: dt.datetime, lang: str) -> bool:
    """Schedule the draft at `when` and confirm it in local time; False (and nothing done) if it is past."""
    zone = context.services.settings.zone
    if when <= context.clock.now():
        return False
    if not context.services.store.schedule_announcement(item_id, when.timestamp()):
        return False
    context.chat_data.pop(AWAITING, None)
    _wake(context)
    local = when.astimezone(zone)
    await context.bot.send_message(
        update.effective_chat.id, t(lang, "schedule_done", when=moment(local, lang), zone=str(zone))
    )
    return True


def _wake(context: BotContext) -> None:
    if context.scheduler is not None:
        context.scheduler.wake()


async def typed_time(update: Update, context: BotContext) -> None:
    """The admin's answer to "when?": a date and time; anything else is left to the other handlers."""
    item_id = context.chat_data.get(AWAITING) if context.chat_data is not None else None
    if item_id is None or not await is_admin(update, context):
        return
    item = context.services.store.item(item_id)
    if item is None or item.status != "draft":
        context.chat_data.pop(AWAITING, None)
        return
    lang = lang_of(update, context)
    message = update.effective_message
    zone = context.services.settings.zone
    when = parse_when(message.text, context.clock.local(zone))
    if when is None:
        await message.reply_html(t(lang, "schedule_unreadable", typed=message.text[:100]))
    elif not await _schedule(update, context, item_id, when, lang):
        await message.reply_html(t(lang, "schedule_past", when=moment(when, lang)))
    raise ApplicationHandlerStop


async def stop_waiting(update: Update, context: BotContext) -> None:
    """A command ends the wait for a typed time (and goes on to its own handler)."""
    if context.chat_data is not None:
        context.chat_data.pop(AWAITING, None)


@admins_only("announce_refused")
async def scheduled(update: Update, context: BotContext) -> None:
    """/scheduled: the announcements waiting for their time, each with a cancel button."""
    await send_page(update.effective_message, _list(context, lang_of(update, context)))


def _list(context: BotContext, lang: str) -> Page:
    return scheduled_list(context.services.store.scheduled(), lang, context.services.settings.zone)


def prompts() -> list[BaseHandler]:
    """Handlers that look at messages before the answering ones (bot.app's PROMPT group)."""
    private = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
    return [
        MessageHandler(private & f.TEXT & ~f.COMMAND, typed_time),
        MessageHandler(private & f.COMMAND, stop_waiting),
    ]


def handlers() -> list[BaseHandler]:
    return [
        CommandHandler("scheduled", scheduled, filters=f.UpdateType.MESSAGE),
        CallbackQueryHandler(on_button, pattern=r"^a:[wtx]:"),
    ]
