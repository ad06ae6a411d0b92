"""Media in the fake Bot API: photos, videos, documents, audio, voice notes and albums, sent and copied under
Telegram's rules (captions of at most 1024 characters, albums of 2–10, copyMessages of 1–100 increasing ids
keeping albums together, copies without "forwarded from")."""

import httpx
import pytest
from telegram import Bot, InputMediaDocument, InputMediaPhoto, InputMediaVideo
from telegram.error import BadRequest

pytestmark = pytest.mark.rejections_expected


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=f"{fake.url}/bot") as client:
        yield client


@pytest.fixture
def ana(fake):
    return fake.user("Ana", started=True)


def call(fake, method, **params):
    return httpx.post(f"{fake.url}/bot{fake.token}/{method}", json=params).json()


async def test_each_kind_of_media_is_sent_with_an_html_caption(fake, bot, ana):
    poster = fake.send_media(ana, ana, "photo")
    photo_id = poster.file_id
    sent = await bot.send_photo(ana.id, photo_id, caption="<b>Poster</b> of the day", parse_mode="HTML")
    assert sent.photo[-1].file_id == photo_id and sent.caption == "Poster of the day"
    assert sent.caption_entities[0].type == "bold" and sent.caption_entities[0].length == 6
    for method, kind in (
        (bot.send_video, "video"), (bot.send_document, "document"),
        (bot.send_audio, "audio"), (bot.send_voice, "voice"),
    ):  # fmt: skip
        message = await method(ana.id, "https://example.org/file", caption=kind)
        assert getattr(message, kind).file_id and message.caption == kind
    upload = await bot.send_document(ana.id, b"%PDF-1.4 report", filename="report.pdf")
    assert upload.document.file_id
    kinds = [m.kind for m in fake.replies(ana)]
    assert kinds == ["photo", "video", "document", "audio", "voice", "document"]


async def test_captions_and_files_follow_telegrams_rules(fake, bot, ana):
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(ana.id, "https://example.org/p.jpg", caption="x" * 1025)
    exactly = await bot.send_photo(
        ana.id, "https://example.org/p.jpg", caption="<i>é</i>" * 1024, parse_mode="HTML"
    )
    assert len(exactly.caption) == 1024  # the limit is counted after entity parsing
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(ana.id, "AgADnotAFileOfThisServer")
    assert (
        call(fake, "sendPhoto", chat_id=ana.id)["description"]
        == "Bad Request: there is no photo in the request"
    )


async def test_an_album_has_two_to_ten_items_of_kinds_that_mix(fake, bot, ana):
    url = "https://example.org/{}.jpg"
    album = await bot.send_media_group(
        ana.id,
        [
            InputMediaPhoto(url.format(1), caption="<b>Day one</b>", parse_mode="HTML"),
            InputMediaVideo(url.format(2)),
        ],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id is not None
    assert album[0].caption == "Day one" and album[0].caption_entities[0].type == "bold"
    with pytest.raises(BadRequest, match=r"(?i)wrong number of media"):
        await bot.send_media_group(ana.id, [InputMediaPhoto(url.format(1))])
    with pytest.raises(BadRequest, match=r"(?i)wrong number of media"):
        await bot.send_media_group(ana.id, [InputMediaPhoto(url.format(i)) for i in range(11)])
    with pytest.raises(BadRequest, match=r"(?i)document can't be mixed"):
        await bot.send_media_group(
            ana.id, [InputMediaPhoto(url.format(1)), InputMediaDocument(url.format(2))]
        )
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_media_group(
            ana.id, [InputMediaPhoto(url.format(1), caption="y" * 1025), InputMediaPhoto(url.format(2))]
        )


async def test_copy_message_keeps_media_caption_and_formatting_without_forward_origin(fake, bot, ana):
    group = fake.group("WG", members=[ana])
    channel = fake.source_channel("DPNSEE news", username="dpnsee_news")
    post = fake.send_media(ana, ana, "document", "<b>Annual report</b> 2026", html=True, forward_from=channel)
    assert post.extra["forward_origin"]["chat"]["username"] == "dpnsee_news"
    copied = await bot.copy_message(group.id, ana.id, post.message_id)
    (copy,) = fake.replies(group)
    assert copied.message_id == copy.message_id
    assert copy.kind == "document" and copy.file_id == post.file_id and copy.caption == "Annual report 2026"
    assert copy.entities == [{"type": "bold", "offset": 0, "length": 13}]
    assert "forward_origin" not in copy.to_api(fake.bot)
    text_post = fake.forward_text(ana, ana, "Read <a href='https://dpnsee.org'>the news</a>", channel)
    await bot.copy_message(group.id, ana.id, text_post.message_id)
    assert (
        fake.replies(group)[-1].text == "Read the news"
        and fake.replies(group)[-1].entities[0]["type"] == "text_link"
    )
    joined = fake.join(group, fake.user("Bo"))
    with pytest.raises(BadRequest, match=r"(?i)message can't be copied"):
        await bot.copy_message(ana.id, group.id, joined.message_id)


async def test_copy_messages_takes_increasing_ids_skips_the_missing_and_keeps_the_album(fake, bot, ana):
    group = fake.group("WG", members=[ana])
    album = fake.send_album(ana, ana, ["photo", "video", "photo"], caption="Conference")
    ids = [m.message_id for m in album]
    copied = await bot.copy_messages(group.id, ana.id, [*ids, 999])
    assert len(copied) == 3  # 999 does not exist: skipped
    copies = fake.replies(group)
    assert [m.kind for m in copies] == ["photo", "video", "photo"] and copies[0].caption == "Conference"
    group_ids = {m.media_group_id for m in copies}
    assert len(group_ids) == 1 and group_ids != {album[0].media_group_id}
    for wrong, error in (
        ([ids[1], ids[0]], "strictly increasing"), ([ids[0], ids[0]], "strictly increasing"),
        (list(range(1, 102)), "too many messages"), ([], "non-empty"), ([5000], "message to copy not found"),
    ):  # fmt: skip
        assert (
            error
            in call(fake, "copyMessages", chat_id=group.id, from_chat_id=ana.id, message_ids=wrong)[
                "description"
            ]
        )
    bare = call(
        fake, "copyMessages", chat_id=group.id, from_chat_id=ana.id, message_ids=ids, remove_caption=True
    )
    assert bare["ok"] and fake.replies(group)[-3].caption is None
    fake.block(ana)
    assert (
        call(fake, "copyMessages", chat_id=ana.id, from_chat_id=ana.id, message_ids=ids)["error_code"] == 403
    )
