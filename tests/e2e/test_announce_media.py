"""Media announcements end to end: /announce in reply to a photo, a document, an album or a forwarded
channel post (or in a file's caption) delivers it as it is, through the same queue as text."""

from __future__ import annotations

import pytest
from conftest import members, press, services_of


@pytest.fixture
def bot(admin_bot):
    return admin_bot


async def report_of(fake, admin):
    return await fake.wait_for(
        lambda: next((m for m in fake.replies(admin) if m.text and "Announcement sent" in m.text), None),
        timeout=10,
    )


async def preview_buttons(fake, admin):
    return await fake.wait_for(
        lambda: next((m for m in fake.replies(admin) if m.buttons and "📤" in m.buttons[0]["text"]), None),
        what="the preview's buttons",
    )


async def test_a_photo_is_announced_as_it_is_with_its_formatted_caption(fake, bot, admin):
    users = await members(fake, 3)
    poster = fake.send_media(
        admin, admin, "photo", "<b>Harm reduction</b> conference, <i>Belgrade</i>", html=True
    )
    fake.reply_to(poster, admin, "/announce")
    buttons = await preview_buttons(fake, admin)
    copy = fake.replies(admin)[-2]  # the real message comes first, then the buttons
    assert copy.kind == "photo" and copy.file_id == poster.file_id and copy.caption == poster.caption
    assert copy.entities == poster.entities
    assert buttons.text == "☝ That is the announcement as members will receive it (1 message)."
    assert [b["text"] for b in buttons.buttons] == ["📤 Send to 4 chats", "🕘 Schedule…", "✖ Cancel"]
    await press(fake, buttons, 0)
    await report_of(fake, admin)
    for user in users:
        (received,) = fake.replies(user)[1:]  # after the answer to /start
        assert received.kind == "photo" and received.caption == "Harm reduction conference, Belgrade"
        assert received.entities == poster.entities and "forward_origin" not in received.to_api(fake.bot)
    fake.assert_no_rejections()


async def test_a_file_with_announce_in_its_caption_is_sent_with_the_rest_of_the_caption(fake, bot, admin):
    cnd, other = await members(fake, 2)
    await fake.ask(cnd, "/subscribe cnd")
    document = fake.send_media(
        admin, admin, "document", "/announce #cnd <b>Annual report</b> 2026", html=True
    )
    buttons = await preview_buttons(fake, admin)
    assert buttons.buttons[0]["text"] == "📤 Send to 1 chat following #cnd"
    preview = fake.replies(admin)[-2]
    assert preview.kind == "document" and preview.caption == "Annual report 2026"
    await press(fake, buttons, 0)
    await report_of(fake, admin)
    (received,) = [m for m in fake.replies(cnd) if m.kind == "document"]
    assert received.file_id == document.file_id and received.caption == "Annual report 2026"
    assert received.entities == [{"type": "bold", "offset": 0, "length": 13}]
    assert [m.kind for m in fake.replies(other)] == ["text"]  # only the answer to /start


async def test_an_album_is_announced_whole_and_stays_an_album(fake, bot, admin):
    users = await members(fake, 2)
    album = fake.send_album(admin, admin, ["photo", "video", "photo"], caption="Conference, day one")
    fake.reply_to(album[1], admin, "/announce")
    buttons = await preview_buttons(fake, admin)
    assert buttons.text == "☝ That is the announcement as members will receive it (1 message)."
    previews = fake.replies(admin)[-4:-1]
    assert [m.kind for m in previews] == ["photo", "video", "photo"]
    assert len({m.media_group_id for m in previews}) == 1 and previews[0].media_group_id
    fake.fail_next(
        "copyMessages", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=users[0].id
    )
    await press(fake, buttons, 0)
    report = await report_of(fake, admin)
    assert "Delivered: 3" in report.text
    for user in users:
        received = fake.replies(user)[1:]
        assert [m.kind for m in received] == ["photo", "video", "photo"], "once each, after the flood wait"
        assert received[0].caption == "Conference, day one"
        assert len({m.media_group_id for m in received}) == 1 and received[0].media_group_id


async def test_a_forwarded_channel_post_is_copied_without_forwarded_from(fake, bot, admin):
    (user,) = await members(fake, 1)
    channel = fake.source_channel("DPNSEE news", username="dpnsee_news")
    post = fake.forward_text(
        admin, admin, "<b>New report</b> on <a href='https://dpnsee.org/r'>drug deaths</a>", channel
    )
    fake.reply_to(post, admin, "/announce")
    buttons = await preview_buttons(fake, admin)
    await press(fake, buttons, 0)
    await report_of(fake, admin)
    (received,) = fake.replies(user)[1:]
    assert received.text == "New report on drug deaths" and received.entities == post.entities
    assert "forward_origin" not in received.to_api(fake.bot)
    forwarded_video = fake.send_media(admin, admin, "video", "Clip", forward_from=channel)
    fake.reply_to(forwarded_video, admin, "/announce")
    await fake.wait_for(lambda: fake.replies(admin)[-2].kind == "video", what="the video's preview")


@pytest.mark.parametrize("kind", ["video", "audio", "voice"])
async def test_video_audio_and_voice_are_announced_as_they_are(fake, bot, admin, kind):
    (user,) = await members(fake, 1)
    sent = fake.send_media(admin, admin, kind, f"A {kind}")
    fake.reply_to(sent, admin, "/announce")
    await press(fake, await preview_buttons(fake, admin), 0)
    await report_of(fake, admin)
    (received,) = fake.replies(user)[1:]
    assert (received.kind, received.file_id, received.caption) == (kind, sent.file_id, f"A {kind}")


async def test_a_caption_over_1024_characters_is_refused_before_anything_is_prepared(fake, bot, admin):
    await members(fake, 1)
    fake.send_media(admin, admin, "photo", "/announce " + "x" * 1100)
    refusal = await fake.next_reply(admin)
    assert refusal.text == (
        "⚠ Nothing was prepared: a caption holds 1024 characters, and that one is 1100 characters. "
        "Shorten it by 76, or announce the text on its own and the file in reply to it."
    )
    assert services_of(bot).store.last_announcement() is None
    assert len(fake.replies(admin)) == 1


async def test_an_album_with_announce_in_its_caption_is_sent_anew_with_the_rest_of_the_caption(
    fake, bot, admin
):
    cnd, other = await members(fake, 2)
    await fake.ask(cnd, "/subscribe cnd")
    album = fake.send_album(
        admin, admin, ["photo", "video", "photo"], caption="/announce #cnd Vienna, day one"
    )
    buttons = await preview_buttons(fake, admin)
    assert buttons.buttons[0]["text"] == "📤 Send to 1 chat following #cnd"
    previews = [m for m in fake.replies(admin) if m.kind != "text"]
    assert [m.kind for m in previews] == ["photo", "video", "photo"]
    assert [m.file_id for m in previews] == [m.file_id for m in album]
    assert previews[0].caption == "Vienna, day one" and len({m.media_group_id for m in previews}) == 1
    assert [m.text for m in fake.replies(admin) if m.kind == "text"] == [buttons.text]  # no hint
    await press(fake, buttons, 0)
    await report_of(fake, admin)
    received = [m for m in fake.replies(cnd) if m.kind != "text"]
    assert [m.kind for m in received] == ["photo", "video", "photo"] and received[
        0
    ].caption == "Vienna, day one"
    assert len({m.media_group_id for m in received}) == 1 and received[0].media_group_id
    assert [m.kind for m in fake.replies(other)] == ["text"]


async def test_a_cancelled_media_announcement_is_never_sent(fake, bot, admin):
    (user,) = await members(fake, 1)
    photo = fake.send_media(admin, admin, "photo", "Later")
    fake.reply_to(photo, admin, "/announce")
    assert (await press(fake, await preview_buttons(fake, admin), "✖ Cancel"))[
        "text"
    ] == "Cancelled: nothing was sent."
    assert len(fake.replies(user)) == 1 and services_of(bot).store.queue_length() == 0


async def test_an_admin_sending_media_is_told_how_to_announce_it_once_per_album_and_members_are_not(
    fake, bot, admin
):
    (user,) = await members(fake, 1)
    fake.send_album(admin, admin, ["photo", "photo", "video"])
    hint = await fake.next_reply(admin)
    assert hint.text.startswith("To send this to members as it is, reply to it with /announce")
    fake.send_media(admin, admin, "document")
    await fake.wait_for(lambda: len(fake.replies(admin)) == 2, what="a hint for the document")
    assert [m.text for m in fake.replies(admin)] == [
        hint.text,
        hint.text,
    ]  # one for the album, one for the file
    reply = fake.send_media(user, user, "photo")
    answer = await fake.next_reply(user, after=reply)
    assert answer.text.startswith("I can only read text.")
