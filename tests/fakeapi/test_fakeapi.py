"""The fake Bot API behaves like Telegram for a PTB bot: it accepts what Telegram accepts, rejects what
Telegram rejects with the same errors, and lets tests play users, inject faults and enforce flood limits."""

import asyncio
import json
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.fakeapi import DEFAULT_TOKEN, FakeBotAPI, Limits

pytestmark = pytest.mark.rejections_expected


def telegram_error(kind: type[Exception], text: str):
    """pytest.raises for a PTB error whose message contains `text` (PTB changes the case of descriptions)."""
    return pytest.raises(kind, match=re.compile(re.escape(text), re.IGNORECASE))


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


@pytest.fixture
async def bot(fake):
    async with Bot(fake.token, base_url=f"{fake.url}/bot") as client:
        yield client


@pytest.fixture
def ana(fake):
    return fake.user("Ana", username="ana_k", started=True)


def raw_call(fake, method, token=None, **kwargs):
    response = httpx.post(f"{fake.url}/bot{token or fake.token}/{method}", **kwargs)
    return response.status_code, response.json()


# ---------------------------------------------------------------- protocol


def test_a_wrong_token_gets_401_and_an_unknown_method_404(fake):
    assert raw_call(fake, "getMe", token="1:wrong") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert raw_call(fake, "sendPigeon") == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert [c.kind for c in fake.rejections] == ["invalid", "invalid"]


def test_parameters_arrive_as_json_form_or_query_string(fake, ana):
    for kwargs in (
        {"json": {"chat_id": ana.id, "text": "json"}},
        {"data": {"chat_id": str(ana.id), "text": "form"}},
        {"params": {"chat_id": str(ana.id), "text": "query"}},
        {"files": {"chat_id": (None, str(ana.id)), "text": (None, "multipart")}},
    ):
        status, body = raw_call(fake, "sendMessage", **kwargs)
        assert status == 200 and body["ok"], body

    assert [m.text for m in fake.replies(ana)] == ["json", "form", "query", "multipart"]


async def test_get_updates_long_polls_until_an_update_arrives_and_offset_confirms(fake, bot, ana):
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()

    fake.send_text(ana, ana, "hello")
    updates = await asyncio.wait_for(poll, 2)

    assert [u.message.text for u in updates] == ["hello"]
    assert (await bot.get_updates(timeout=0))[0].update_id == updates[0].update_id  # not confirmed yet
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_an_empty_long_poll_returns_after_its_timeout(fake, bot):
    started = asyncio.get_running_loop().time()

    assert await bot.get_updates(timeout=1) == ()
    assert asyncio.get_running_loop().time() - started >= 0.9


def test_a_second_poller_terminates_the_first_with_409(fake):
    with ThreadPoolExecutor() as pool:
        first = pool.submit(raw_call, fake, "getUpdates", data={"timeout": "5"})
        fake.wait_until(lambda: fake._poll_generation == 1, what="the first poll to arrive")
        assert raw_call(fake, "getUpdates") == (200, {"ok": True, "result": []})

        status, body = first.result(timeout=2)
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")
    assert fake.rejections == []


async def test_allowed_updates_filters_update_kinds(fake, bot, ana):
    fake.block(ana)  # my_chat_member
    fake.send_text(ana, ana, "hi")

    updates = await bot.get_updates(timeout=0, allowed_updates=["message"])

    assert [u.message.text for u in updates] == ["hi"]


# ---------------------------------------------------------------- strict rules


async def test_invalid_html_is_rejected_like_telegram(fake, bot, ana):
    with telegram_error(BadRequest, 'can\'t parse entities: unsupported start tag "br"'):
        await bot.send_message(ana.id, "a<br>b", parse_mode="HTML")

    [rejection] = fake.rejections
    assert rejection.method == "sendMessage"
    assert (
        rejection.description
        == 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 1'
    )
    with pytest.raises(AssertionError, match="Unsupported start tag"):
        fake.assert_no_rejections()


async def test_length_is_measured_after_entity_parsing_in_utf16_units(fake, bot, ana):
    await bot.send_message(ana.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(ana.id, "&amp;" * 4096, parse_mode="HTML")

    with telegram_error(BadRequest, "message is too long"):
        await bot.send_message(ana.id, "😀" * 2049)
    with telegram_error(BadRequest, "message text is empty"):
        await bot.send_message(ana.id, "<b> </b>", parse_mode="HTML")


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ({"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "x", "callback_data": ""}]]}, "BUTTON_DATA_INVALID"),
        ({"inline_keyboard": [[{"text": "x"}]]}, "Text buttons are unallowed"),
        ({"inline_keyboard": [[{"text": "x", "callback_data": "a", "url": "https://a.org"}]]}, "exactly one"),
        ({"inline_keyboard": [[{"text": "x", "url": "dpnsee.org"}]]}, "Wrong HTTP URL"),
        (
            {"inline_keyboard": [[{"text": str(i), "callback_data": str(i)}] for i in range(101)]},
            "BUTTONS_TOO_MUCH",
        ),
        (
            {"inline_keyboard": [[{"text": str(i), "callback_data": str(i)} for i in range(9)]]},
            "BUTTONS_TOO_MUCH",
        ),
        ({"inline_keyboard": [[{"text": " ", "callback_data": "a"}]]}, "Text must be non-empty"),
    ],
)
def test_malformed_inline_keyboards_are_rejected(fake, ana, markup, error):
    status, body = raw_call(
        fake, "sendMessage", json={"chat_id": ana.id, "text": "x", "reply_markup": markup}
    )

    assert status == 400 and error in body["description"]


async def test_callback_data_of_64_utf8_bytes_is_accepted(fake, bot, ana):
    await bot.send_message(ana.id, "ok", reply_markup=keyboard("ж" * 32))

    assert fake.replies(ana)[0].buttons[0]["callback_data"] == "ж" * 32


async def test_chats_the_bot_cannot_reach(fake, bot):
    stranger = fake.user("Stranger")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hi")
    with telegram_error(BadRequest, "chat not found"):
        await bot.send_message(424242, "hi")
    fake.send_text(stranger, stranger, "/start")
    await bot.send_message(stranger.id, "now I can")


async def test_edits_keep_the_message_current_and_reject_no_change(fake, bot, ana):
    sent = await bot.send_message(ana.id, "<b>page 1</b>", parse_mode="HTML", reply_markup=keyboard("p:2"))

    await bot.edit_message_text(
        "<b>page 2</b>", ana.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard("p:1")
    )
    [reply] = fake.replies(ana)
    assert (reply.text, reply.html, reply.history) == ("page 2", "<b>page 2</b>", ["page 1"])
    assert [b["callback_data"] for b in reply.buttons] == ["p:1"]

    with telegram_error(BadRequest, "message is not modified"):
        await bot.edit_message_text(
            "<b>page 2</b>", ana.id, sent.message_id, parse_mode="HTML", reply_markup=keyboard("p:1")
        )
    await bot.edit_message_text("<b>page 2</b>", ana.id, sent.message_id, parse_mode="HTML")
    assert reply.keyboard == []  # an edit without reply_markup removes the keyboard, as on Telegram
    with telegram_error(BadRequest, "message to edit not found"):
        await bot.edit_message_text("x", ana.id, 999)
    with telegram_error(BadRequest, "text must be non-empty"):
        await bot.edit_message_text(" ", ana.id, sent.message_id)


async def test_reply_markup_edits_and_deletes(fake, bot, ana):
    sent = await bot.send_message(ana.id, "x", reply_markup=keyboard("a"))

    await bot.edit_message_reply_markup(ana.id, sent.message_id, reply_markup=keyboard("b"))
    assert fake.replies(ana)[0].buttons[0]["callback_data"] == "b"
    with telegram_error(BadRequest, "message is not modified"):
        await bot.edit_message_reply_markup(ana.id, sent.message_id, reply_markup=keyboard("b"))
    assert await bot.delete_message(ana.id, sent.message_id)
    assert fake.replies(ana) == []
    with telegram_error(BadRequest, "message to delete not found"):
        await bot.delete_message(ana.id, sent.message_id)


async def test_callback_queries_are_answerable_once(fake, bot, ana):
    sent = await bot.send_message(ana.id, "x", reply_markup=keyboard("more"))
    query_id = fake.press(fake.replies(ana)[0], "more")
    assert fake.unanswered_callbacks() == [query_id]

    [update] = await bot.get_updates(timeout=0)
    assert (update.callback_query.data, update.callback_query.message.message_id) == ("more", sent.message_id)
    await bot.answer_callback_query(query_id, text="Page 2")

    assert fake.callback_answer(query_id)["text"] == "Page 2"
    assert fake.unanswered_callbacks() == []
    with telegram_error(BadRequest, "query is too old"):
        await bot.answer_callback_query(query_id)
    with telegram_error(BadRequest, "query is too old"):
        await bot.answer_callback_query("12345")


async def test_a_late_callback_answer_is_too_old(bot, ana):
    with FakeBotAPI(callback_timeout=0) as fake:
        user = fake.user(started=True)
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as client:
            await client.send_message(user.id, "x", reply_markup=keyboard("a"))
            query_id = fake.press(fake.replies(user)[0], 0)
            with telegram_error(BadRequest, "query is too old"):
                await client.answer_callback_query(query_id)
        assert fake.unanswered_callbacks() == [query_id]


def test_pressing_needs_a_real_button_unless_forged(fake, ana):
    raw_call(fake, "sendMessage", json={"chat_id": ana.id, "text": "x"})
    message = fake.replies(ana)[0]

    with pytest.raises(LookupError):
        fake.press(message, "nope")
    assert fake.press(message, "forged-data", forged=True)


async def test_inline_answers_are_validated(fake, bot, ana):
    def article(result_id, text="<b>x</b>"):
        return InlineQueryResultArticle(result_id, "Title", InputTextMessageContent(text, parse_mode="HTML"))

    query_id = fake.inline_query(ana, "drug policy")
    [update] = await bot.get_updates(timeout=0)
    assert update.inline_query.query == "drug policy"

    with telegram_error(BadRequest, "RESULT_ID_DUPLICATE"):
        await bot.answer_inline_query(query_id, [article("1"), article("1")])
    with telegram_error(BadRequest, "RESULTS_TOO_MUCH"):
        await bot.answer_inline_query(query_id, [article(str(i)) for i in range(51)])
    with telegram_error(BadRequest, "RESULT_ID_INVALID"):
        await bot.answer_inline_query(query_id, [article("x" * 65)])
    with telegram_error(BadRequest, "unsupported start tag"):
        await bot.answer_inline_query(query_id, [article("1", "<p>x</p>")])
    await bot.answer_inline_query(query_id, [article("1"), article("2")], cache_time=30)

    assert [r["id"] for r in fake.inline_answer(query_id)["results"]] == ["1", "2"]
    with telegram_error(BadRequest, "query is too old"):
        await bot.answer_inline_query(query_id, [])
    chosen = fake.choose_inline_result(query_id, "2")
    assert (chosen.text, chosen.via_bot) == ("x", True)


async def test_commands_menu_and_chat_queries(fake, bot, ana):
    await bot.set_my_commands([("search", "Search posts")], language_code="sr")
    assert [c.command for c in await bot.get_my_commands(language_code="sr")] == ["search"]
    assert await bot.get_my_commands() == ()
    with telegram_error(BadRequest, "BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Search!", "x")])
    await bot.set_chat_menu_button()
    assert await bot.send_chat_action(ana.id, "typing")
    assert (await bot.get_chat(ana.id)).first_name == "Ana"


async def test_group_membership_and_admins(fake, bot, ana):
    bob = fake.user("Bob")
    group = fake.group("WG 4", members=[bob], admins=[ana])

    assert (await bot.get_chat_member(group.id, ana.id)).status == "administrator"
    assert (await bot.get_chat_member(group.id, bob.id)).status == "member"
    assert (await bot.get_chat_member(group.id, fake.user("Eve").id)).status == "left"
    assert [m.user.id for m in await bot.get_chat_administrators(group.id)] == [ana.id]
    assert (await bot.get_chat(group.id)).title == "WG 4"


def test_user_messages_carry_telegrams_entities(fake, ana):
    group = fake.group("WG", supergroup=True)

    message = fake.send_text(group, ana, "/search@newsbot_test_bot 😀 #cnd @someone https://a.org")

    assert message.chat.id < -1_000_000_000_000
    assert [(e["type"], e["offset"], e["length"]) for e in message.entities] == [
        ("bot_command", 0, 24),
        ("hashtag", 28, 4),
        ("mention", 33, 8),
        ("url", 42, 13),
    ]
    assert ana.id in group.members


async def test_user_side_updates(fake, bot, ana):
    question = fake.send_text(ana, ana, "who chairs wg 4")
    fake.edit_text(question, "who chairs working group 4")
    fake.send_sticker(ana, ana)
    fake.send_photo(ana, ana, caption="look #cnd")
    fake.reply_to(question, ana, "and wg 5?")

    updates = await bot.get_updates(timeout=0)

    assert updates[1].edited_message.text == "who chairs working group 4"
    assert updates[2].message.sticker.emoji == "👍"
    assert updates[3].message.caption == "look #cnd"
    assert updates[4].message.reply_to_message.message_id == question.message_id


# ---------------------------------------------------------------- faults and limits


async def test_injected_faults_map_to_ptb_errors(fake, bot, ana):
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    fake.fail_next("sendMessage", 502, "Bad Gateway")

    with pytest.raises(RetryAfter):
        await bot.send_message(ana.id, "x")
    assert fake.errors[0].parameters == {"retry_after": 5}
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(ana.id, "x")
    await bot.send_message(ana.id, "third time lucky")
    assert [c.kind for c in fake.errors] == ["fault", "fault"]
    assert fake.too_many_requests == 1


async def test_injected_faults_can_target_one_chat(fake, bot, ana):
    bob = fake.user("Bob", started=True)
    fake.fail_next("sendMessage", 500, "Internal Server Error", chat_id=bob.id, times=2)

    await bot.send_message(ana.id, "fine")
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(bob.id, "x")
    await bot.send_message(bob.id, "fine")


async def test_blocked_deactivated_and_kicked(fake, bot, ana):
    bob, eve = fake.user("Bob", started=True), fake.user("Eve", started=True)
    group = fake.group("WG", supergroup=True, members=[bob])
    fake.block(ana)
    fake.deactivate(bob)
    fake.kick_bot(group, by=bob)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(ana.id, "x")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(bob.id, "x")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(group.id, "x")
    updates = await bot.get_updates(timeout=0)
    assert [u.my_chat_member.new_chat_member.status for u in updates] == ["kicked", "kicked"]
    fake.unblock(ana)
    await bot.send_message(ana.id, "welcome back")
    await bot.send_message(eve.id, "unaffected")
    assert fake.rejections == []


async def test_a_migrated_group_answers_with_the_new_id(fake, bot, ana):
    group = fake.group("WG", creator=ana)
    supergroup = fake.migrate(group)

    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(group.id, "x")
    assert migrated.value.new_chat_id == supergroup.id
    await bot.send_message(supergroup.id, "x")


async def test_slow_responses_time_out_but_the_message_was_delivered(fake, ana):
    fake.slow("sendMessage", 0.5)
    async with Bot(
        fake.token, base_url=f"{fake.url}/bot", request=HTTPXRequest(read_timeout=0.1)
    ) as slow_bot:
        with pytest.raises(TimedOut):
            await slow_bot.send_message(ana.id, "in flight")

    assert [m.text for m in fake.replies(ana)] == ["in flight"]


async def test_flood_limits_answer_429_with_retry_after(ana):
    with FakeBotAPI(limits=Limits(per_chat_burst=3, group_per_minute=20)) as fake:
        user = fake.user(started=True)
        group = fake.group("WG")
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            for _ in range(3):
                await bot.send_message(user.id, "burst")
            with pytest.raises(RetryAfter):
                await bot.send_message(user.id, "one too many")
            assert fake.errors[0].parameters == {"retry_after": 1}
            fake.limits = None
            for _ in range(3):
                await bot.send_message(group.id, "x")
        assert fake.too_many_requests == 1
        assert fake.messages_per_chat[user.id] == 3


def test_rate_limiter_buckets():
    from bot.fakeapi.checks import ApiError
    from bot.fakeapi.limits import RateLimiter

    limiter = RateLimiter(Limits(global_per_second=30, per_chat_burst=1, time_scale=10))
    for chat in range(300):  # 300/s overall at ×10
        limiter.acquire(chat, False, now=0.0)
    with pytest.raises(ApiError) as error:
        limiter.acquire(999, False, now=0.0)
    assert (error.value.code, error.value.parameters) == (429, {"retry_after": 1})
    limiter.acquire(999, False, now=0.01)  # refilled 3 tokens in 10 ms

    groups = RateLimiter(Limits(per_chat_per_second=100, per_chat_burst=100, group_per_minute=20))
    for _ in range(20):
        groups.acquire(-1, True, now=0.0)
    with pytest.raises(ApiError) as error:
        groups.acquire(-1, True, now=0.0)
    assert error.value.parameters == {"retry_after": 3}  # 20 per minute: one more every 3 s
    groups.acquire(-1, True, now=3.01)
    groups.acquire(-2, True, now=3.01)  # other groups are not affected


# ---------------------------------------------------------------- standalone server


def test_standalone_server_is_driven_through_the_control_endpoint(tmp_path):
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "bot.fakeapi", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        url = process.stdout.readline().strip()

        def control(action, **body):
            response = (
                httpx.post(f"{url}/_control/{action}", json=body)
                if body
                else httpx.get(f"{url}/_control/{action}")
            )
            return response.json()["result"]

        user = control("user", first_name="Ana", started=True)
        control("send_text", chat_id=user["id"], user_id=user["id"], text="/start")
        token = DEFAULT_TOKEN
        updates = httpx.post(f"{url}/bot{token}/getUpdates", data={"timeout": "0"}).json()["result"]
        assert updates[0]["message"]["text"] == "/start"
        markup = json.dumps({"inline_keyboard": [[{"text": "Next", "callback_data": "n"}]]})
        httpx.post(
            f"{url}/bot{token}/sendMessage",
            data={"chat_id": user["id"], "text": "hi", "reply_markup": markup},
        )
        [reply] = control("replies?chat_id=" + str(user["id"]))
        assert (reply["text"], reply["keyboard"][0][0]["text"]) == ("hi", "Next")
        assert control("press", chat_id=user["id"], message_id=reply["message_id"], button="Next")[
            "callback_query_id"
        ]
        assert control("stats")["unanswered_callbacks"]
        assert [c["method"] for c in control("calls")] == ["getUpdates", "sendMessage"]
        assert control("rejections") == []
    finally:
        process.terminate()
        assert process.wait(5) == 0


async def test_command_scopes_and_inline_buttons_are_validated(fake, bot, ana):
    from telegram import BotCommandScopeAllPrivateChats, InlineQueryResultsButton

    await bot.set_my_commands([("help", "Help")], scope=BotCommandScopeAllPrivateChats())
    assert raw_call(fake, "setMyCommands", json={"commands": [], "scope": {"type": "chat"}})[0] == 400
    assert raw_call(fake, "setMyCommands", json={"commands": [], "scope": {"type": "everyone"}})[0] == 400

    query_id = fake.inline_query(ana, "")
    with telegram_error(BadRequest, "START_PARAM_INVALID"):
        await bot.answer_inline_query(
            query_id, [], button=InlineQueryResultsButton("Open", start_parameter="a b")
        )
    await bot.answer_inline_query(
        query_id, [], button=InlineQueryResultsButton("Open", start_parameter="topics")
    )


def test_observing_an_unknown_chat_finds_nothing(fake):
    assert fake.replies(123) == [] and fake.messages(123) == []


async def test_members_joining_and_leaving_a_group(fake, bot, ana):
    group = fake.group("WG")
    await bot.get_updates(timeout=0, allowed_updates=["message", "chat_member"])  # chat_member is opt-in

    fake.join(group, ana)
    fake.leave(group, ana)
    updates = await bot.get_updates(timeout=0)

    assert [u.chat_member.new_chat_member.status for u in updates if u.chat_member] == ["member", "left"]
    assert [
        u.message.new_chat_members[0].id for u in updates if u.message and u.message.new_chat_members
    ] == [ana.id]
    assert [u.message.left_chat_member.id for u in updates if u.message and u.message.left_chat_member] == [
        ana.id
    ]
    assert group.members[ana.id] == "left"


async def test_counters_of_sent_messages(fake, bot, ana):
    group = fake.group("WG")
    for chat_id in (ana.id, ana.id, group.id):
        await bot.send_message(chat_id, "x")

    assert fake.messages_sent == 3
    assert fake.messages_per_chat == {ana.id: 2, group.id: 1}


def test_a_failure_inside_the_fake_is_a_loud_500(fake):
    fake._methods["getme"] = lambda params: 1 / 0

    status, body = raw_call(fake, "getMe")

    assert status == 500 and "ZeroDivisionError" in body["description"]
    assert fake.rejections[0].error_code == 500
