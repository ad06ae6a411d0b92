"""A PTB Application long-polling the fake over HTTP gets Telegram's updates; tests observe what it does."""

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.fakeapi import polling


def echo_app(fake) -> Application:
    """A minimal bot: echoes text in bold with a button, edits on press, answers /who@bot in groups."""
    app = Application.builder().token(fake.token).base_url(f"{fake.url}/bot").build()
    app.bot_data["seen"] = []

    async def echo(update, context):
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Next ›", callback_data="next")]])
        await update.effective_message.reply_html(
            f"<b>{update.effective_message.text}</b>", reply_markup=markup
        )

    async def press(update, context):
        await update.callback_query.answer()
        await update.callback_query.edit_message_text("page 2")

    async def who(update, context):
        await update.message.reply_text(f"group {update.effective_chat.title}")

    async def membership(update, context):
        context.bot_data["seen"].append(update.my_chat_member.new_chat_member.status)

    app.add_handler(CommandHandler("who", who))
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE, echo))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, echo))
    app.add_handler(CallbackQueryHandler(press))
    app.add_handler(ChatMemberHandler(membership))
    return app


@pytest.fixture
async def echo_bot(fake):
    app = echo_app(fake)
    async with polling(app, timeout=5):
        yield app


async def test_ask_press_and_see_the_message_edited_in_place(fake, echo_bot):
    ana = fake.user("Ana")

    reply = await fake.ask(ana, "hello")
    assert (reply.text, reply.entities) == ("hello", [{"type": "bold", "offset": 0, "length": 5}])

    query_id = fake.press(reply, "Next ›")
    await fake.wait_callback_answer(query_id)
    await fake.wait_for(lambda: reply.text == "page 2", what="the edit")
    assert fake.replies(ana) == [reply]
    assert reply.history == ["hello"]
    assert fake.unanswered_callbacks() == []


async def test_an_edited_question_reaches_the_bot_as_edited_message(fake, echo_bot):
    ana = fake.user("Ana")
    question = fake.send_text(ana, ana, "helo")
    await fake.next_reply(ana, after=question)

    fake.edit_text(question, "hello")

    second = await fake.next_reply(ana, after=1)
    assert second.text == "hello"


async def test_group_commands_addressed_to_the_bot(fake, echo_bot):
    ana = fake.user("Ana")
    group = fake.group("WG 4", members=[ana])

    fake.send_text(group, ana, "/who@newsbot_test_bot")

    assert (await fake.next_reply(group)).text == "group WG 4"


async def test_membership_changes_reach_the_bot(fake, echo_bot):
    ana = fake.user("Ana")
    group = fake.group("WG", creator=ana)

    fake.kick_bot(group, by=ana)
    fake.add_bot(group, by=ana)
    fake.block(ana)

    assert await fake.wait_for(lambda: echo_bot.bot_data["seen"] == ["kicked", "member", "kicked"])


async def test_a_migrated_group_tells_the_bot_both_ids(fake, echo_bot):
    ana = fake.user("Ana")
    group = fake.group("WG", creator=ana)

    supergroup = fake.migrate(group)

    notes = [m.extra for m in fake.messages(group) + fake.messages(supergroup)]
    assert notes == [{"migrate_to_chat_id": supergroup.id}, {"migrate_from_chat_id": group.id}]


def test_sync_waiting_helpers(fake):
    ana = fake.user("Ana", started=True)
    question = fake.send_text(ana, ana, "hi")
    httpx.post(f"{fake.url}/bot{fake.token}/sendMessage", json={"chat_id": ana.id, "text": "answer"})

    assert fake.wait_for_reply(ana, after=question).text == "answer"
    assert fake.wait_until(lambda: fake.replies(ana.id)) == fake.replies(ana)
    with pytest.raises(TimeoutError, match="a reply in chat"):
        fake.wait_for_reply(ana, after=1, timeout=0.05)


async def test_async_waits_time_out_with_a_description(fake):
    with pytest.raises(TimeoutError, match="waiting for nothing"):
        await fake.wait_for(lambda: False, timeout=0.02, what="nothing")


@pytest.mark.rejections_expected
def test_copy_forward_and_profile_methods(fake):
    ana = fake.user("Ana", started=True)
    group = fake.group("WG", members=[ana])
    original = fake.send_text(ana, ana, "forward me")

    def call(method, **params):
        return httpx.post(f"{fake.url}/bot{fake.token}/{method}", json=params).json()

    assert call("copyMessage", chat_id=group.id, from_chat_id=ana.id, message_id=original.message_id)["ok"]
    forwarded = call("forwardMessage", chat_id=group.id, from_chat_id=ana.id, message_id=original.message_id)
    assert forwarded["result"]["forward_origin"]["sender_user"]["id"] == ana.id
    assert [m.text for m in fake.replies(group)] == ["forward me", "forward me"]
    assert call("copyMessage", chat_id=group.id, from_chat_id=ana.id, message_id=99)["description"] == (
        "Bad Request: message to copy not found"
    )
    photo = fake.send_photo(ana, ana, caption="a photo")
    long_caption = {"caption": "<b>x</b>" * 1025, "parse_mode": "HTML"}
    copy = {"chat_id": group.id, "from_chat_id": ana.id, "message_id": photo.message_id}
    assert (
        call("copyMessage", **copy, **long_caption)["description"]
        == "Bad Request: message caption is too long"
    )
    assert call("copyMessage", **copy, caption="<i>new</i>", parse_mode="HTML")["ok"]
    assert fake.replies(group)[-1].caption == "new"
    assert call("setMyDescription", description="Answers from DPNSEE news", language_code="sr")["ok"]
    assert call("getMyDescription", language_code="sr")["result"] == {
        "description": "Answers from DPNSEE news"
    }
    assert call("setMyShortDescription", short_description="x" * 121)["description"].endswith("INVALID")
    assert call("getChatMemberCount", chat_id=group.id)["result"] == 2
    assert call("leaveChat", chat_id=group.id)["ok"]
    assert call("sendMessage", chat_id=group.id, text="x")["error_code"] == 403
    assert call("getWebhookInfo")["result"]["url"] == ""
    assert call("setWebhook", url="http://insecure.example")["ok"] is False
    assert call("getUpdates", offset=-1)["result"][0]["message"]["caption"] == "a photo"


def test_control_endpoint_drives_the_fake(fake):
    def control(action, **body):
        response = (
            httpx.post(f"{fake.url}/_control/{action}", json=body)
            if body
            else httpx.get(f"{fake.url}/_control/{action}")
        )
        return response.json()

    ana = control("user", first_name="Ana", started=True)["result"]
    bob = control("user", first_name="Bob", started=True)["result"]
    group = control("group", title="WG", member_ids=[bob["id"]], admin_ids=[ana["id"]], creator_id=ana["id"])
    assert group["result"]["members"] == {str(bob["id"]): "member", str(ana["id"]): "creator"}
    sent = control("send_text", chat_id=ana["id"], user_id=ana["id"], text="hi")["result"]
    control("edit_text", chat_id=ana["id"], message_id=sent["message_id"], text="hello")
    control(
        "send_text", chat_id=ana["id"], user_id=ana["id"], text="re", reply_to_message_id=sent["message_id"]
    )
    assert [m["text"] for m in control(f"messages?chat_id={ana['id']}")["result"]] == ["hello", "re"]
    query = control("inline_query", user_id=ana["id"], query="cnd")["result"]["inline_query_id"]
    assert control(f"inline_answer?id={query}")["result"] is None
    control("fail_next", method="sendMessage", error_code=500, description="Internal Server Error")
    control("slow", method="getMe", seconds=0)
    control("block", user_id=bob["id"])
    control("unblock", user_id=bob["id"])
    control("deactivate", user_id=bob["id"])
    control("migrate", chat_id=group["result"]["id"])
    assert control("update", kind="message", payload={"message_id": 1})["result"]["update_id"] > 0
    assert control("calls?method=getMe")["result"] == []
    assert control("nonsense")["error_code"] == 404
    assert control("send_text", chat_id=1, user_id=2, text="x")["error_code"] == 400  # unknown ids


async def test_the_running_bot_fixture_serves_the_real_bot(fake, running_bot):
    reply = await fake.ask(fake.user("Ana"), "/start")

    assert reply.text
