"""Every user-visible string, in English and Serbian Latin, and the one place that fills them in.

Templates are Telegram HTML. `t()` HTML-escapes every keyword value; `plain()` fills templates meant for
plain-text places (button labels, callback-query notices, inline result titles), where nothing is escaped.
"""

from __future__ import annotations

import datetime as dt

from bot.render.html import escape

LANGUAGES = ("en", "sr")
LANGUAGE_NAMES = {"en": "English", "sr": "Srpski (latinica)"}
# Telegram language codes answered in Serbian Latin until the chat picks a language with /language.
SERBIAN_CODES = frozenset({"sr", "hr", "bs", "me", "sh", "cnr"})

MONTHS = {
    "en": (
        *("January", "February", "March", "April", "May", "June"),
        *("July", "August", "September", "October", "November", "December"),
    ),
    "sr": (
        *("januar", "februar", "mart", "april", "maj", "jun"),
        *("jul", "avgust", "septembar", "oktobar", "novembar", "decembar"),
    ),
}


CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        "start": (
            "👋 Hello! I answer questions from the news published by <b>{site}</b> ({count} posts).\n\n"
            "Just send me a few words, for example <i>CND 2023</i> or <i>harm reduction</i>, and I will "
            "find the posts about it.\n\n"
            "/latest — the newest posts\n/topics — browse by topic\n"
            "/subscribe — get new posts here as they are published\n/language — English or Serbian\n"
            "/help — everything I can do"
        ),
        "help": (
            "<b>How to ask</b>\n"
            "Send a few words (or use /search <i>words</i>). I show five posts at a time; the buttons "
            "under the answer turn the pages.\n\n"
            "<b>Filters</b> you can type in a question: <code>#cnd</code>, <code>2023</code>, "
            "<code>March 2023</code>.\n\n"
            "/latest [n] — the newest posts\n/topics — posts by topic\n/language — change the language\n\n"
            "<b>New posts</b>\n/subscribe — every new post\n"
            "<code>/subscribe cnd</code> — one topic only\n"
            "/unsubscribe [topic] — stop them\n/subscriptions — what you follow\n"
            "/stop — forget this chat (deletes everything I keep about it)\n\n"
            "In any other chat, type <code>@{bot} words</code> to share a post.\n"
            "In groups, mention me or reply to my message."
        ),
        "search_usage": "What should I look for? For example: <code>/search harm reduction</code>",
        "unknown_command": "I do not know that command. /help lists what I can do.",
        "only_text": "I can only read text. Send me a few words to look for, or try /latest or /topics.",
        "empty_query": "That message has no words I can search for. Try a few words, or /latest or /topics.",
        "results_header": "🔎 <b>{query}</b> — {total} posts",
        "results_header_one": "🔎 <b>{query}</b> — 1 post",
        "corrected": "Showing results for <b>{corrected}</b>.",
        "nothing_found": (
            "I found nothing about <b>{query}</b>. 🤷\n\n"
            "Try fewer or different words, browse /topics, or see the /latest posts."
        ),
        "no_date": "undated",
        "read_button": "📖 Read: {title}",
        "prev_button": "‹ Prev",
        "next_button": "Next ›",
        "page_label": "{page}/{pages}",
        "latest_header": "🗞 <b>Latest posts</b>",
        "latest_empty": "There are no posts yet.",
        "topics_header": "🏷 <b>Topics</b> — tap one to see its latest posts.",
        "topics_empty": "There are no topics yet.",
        "topic_header": "🏷 <b>#{tag}</b> — latest posts",
        "post_continued": "(continued {part}/{parts})",
        "language_choose": "Choose your language:",
        "language_set": "Done: I will speak English here.",
        "expired": "This button has expired. Please ask again.",
        "gone": "This post is no longer available.",
        "flood": "⏳ You are sending messages very quickly — I will answer them one by one.",
        "flood_callback": "Slow down a little, please.",
        "error": "😕 Sorry, something went wrong on my side. Please try again in a moment.",
        "inline_more": "More results",
        "cmd_start": "Start and a short introduction",
        "cmd_help": "How to ask questions",
        "cmd_search": "Search the news",
        "cmd_latest": "The newest posts",
        "cmd_topics": "Browse posts by topic",
        "cmd_language": "English or Serbian",
        # subscriptions and announcements
        "cmd_subscribe": "Get new posts (all, or one topic)",
        "cmd_unsubscribe": "Stop getting new posts",
        "cmd_subscriptions": "What you are subscribed to",
        "cmd_stop": "Forget this chat and stop all messages",
        "new_post": "🆕 <b>New post</b>",
        "sub_all_done": (
            "🔔 Subscribed: I will send you every new post.\n"
            "/subscriptions shows what you follow; /unsubscribe stops it."
        ),
        "sub_all_already": "You are already subscribed to every new post. /subscriptions shows them.",
        "sub_tag_done": "🔔 Subscribed to <b>#{tag}</b>: I will send you new posts on this topic.",
        "sub_tag_already": "You already follow <b>#{tag}</b>. /subscriptions shows what you follow.",
        "sub_unknown_tag": "I know no topic called <b>{tag}</b>. Did you mean one of these?",
        "sub_unknown_tag_none": "I know no topic called <b>{tag}</b>. /topics lists them all.",
        "unsub_all_done": "🔕 Unsubscribed: I will not send you new posts any more.",
        "unsub_tag_done": "🔕 You no longer follow <b>#{tag}</b>.",
        "unsub_not_following": "You do not follow <b>#{tag}</b>. /subscriptions shows what you follow.",
        "unsub_nothing": "You have no subscriptions. /subscribe sends you every new post.",
        "subs_header": "🔔 <b>Your subscriptions</b> — tap one to remove it:",
        "subs_empty": (
            "You have no subscriptions yet.\n/subscribe — every new post\n"
            "/subscribe <i>topic</i> — one topic (see /topics)"
        ),
        "subs_all_name": "All new posts",
        "subs_remove_button": "✖ {name}",
        "subs_add_button": "🔔 #{tag}",
        "topic_follow_button": "🔔",
        "topic_following_button": "🔕",
        "sub_toggled_on": "Subscribed to {name}",
        "sub_toggled_off": "Unsubscribed from {name}",
        "group_admins_only": "Only this group's admins can change its subscriptions.",
        "stop_done": (
            "🗑 Done: I have deleted everything I stored about this chat — language, subscriptions and "
            "pending messages. I will not write here again. Send /start if you want to come back."
        ),
        "announce_refused": "Sorry, only the network's admins can send announcements.",
        "announce_usage": (
            "Write the announcement after the command, e.g. <code>/announce General Assembly moved to "
            "Friday</code>, or reply to a message with /announce. <code>/announce #topic text</code> reaches "
            "one topic's subscribers."
        ),
        "announce_too_long": "That is too long for one message ({length} characters; at most {limit}).",
        "announce_nobody": "Nobody would receive this announcement yet, so I did not prepare it.",
        "announce_send_button": "📤 Send to {count} subscribers",
        "announce_cancel_button": "✖ Cancel",
        "announce_sending": "📤 Sending to {count} subscribers… I will report here when it is done.",
        "announce_cancelled": "Cancelled: nothing was sent.",
        "announce_already_sent": "Already sent.",
        "announce_already_cancelled": "This announcement was cancelled.",
        "announce_report": (
            "📊 <b>Announcement sent</b>\nDelivered: {delivered}\nBlocked the bot: {blocked}\n"
            "Failed: {failed}"
        ),
        "stats": (
            "📊 <b>Statistics</b>\nChats: {chats} ({active} active)\nSubscribers: {subscribers}\n"
            "Posts: {posts}\nSearch by meaning: {meaning}\nLast sync: {last_sync}\nQueue: {queue}\n"
            "Last announcement: {last}"
        ),
        "stats_meaning_ready": "on, {embedded} of {total} posts",
        "stats_meaning_embedding": "getting ready, {embedded} of {total} posts embedded",
        "stats_meaning_off": "off, {reason}",
        "stats_never": "never",
        "stats_last": "{when} — {delivered} delivered, {blocked} blocked, {failed} failed, {pending} pending",
    },
    "sr": {
        "start": (
            "👋 Zdravo! Odgovaram na pitanja iz vesti koje objavljuje <b>{site}</b> ({count} tekstova).\n\n"
            "Pošaljite mi nekoliko reči, na primer <i>CND 2023</i> ili <i>smanjenje štete</i>, i pronaći "
            "ću tekstove o tome.\n\n"
            "/latest — najnoviji tekstovi\n/topics — pregled po temama\n"
            "/subscribe — primajte nove tekstove čim budu objavljeni\n/language — engleski ili srpski\n"
            "/help — sve što umem"
        ),
        "help": (
            "<b>Kako se pita</b>\n"
            "Pošaljite nekoliko reči (ili /search <i>reči</i>). Prikazujem po pet tekstova; dugmad ispod "
            "odgovora menjaju strane.\n\n"
            "<b>Filteri</b> koje možete upisati u pitanje: <code>#cnd</code>, <code>2023</code>, "
            "<code>mart 2023</code>.\n\n"
            "/latest [n] — najnoviji tekstovi\n/topics — tekstovi po temama\n/language — promena jezika\n\n"
            "<b>Novi tekstovi</b>\n/subscribe — svaki novi tekst\n"
            "<code>/subscribe cnd</code> — samo jedna tema\n"
            "/unsubscribe [tema] — prekid\n/subscriptions — šta pratite\n"
            "/stop — zaboravi ovaj čet (briše sve što o njemu čuvam)\n\n"
            "U bilo kom drugom četu upišite <code>@{bot} reči</code> da podelite tekst.\n"
            "U grupama me pomenite ili odgovorite na moju poruku."
        ),
        "search_usage": "Šta da potražim? Na primer: <code>/search smanjenje štete</code>",
        "unknown_command": "Ne znam tu komandu. /help pokazuje šta umem.",
        "only_text": "Umem da čitam samo tekst. Pošaljite mi nekoliko reči ili probajte /latest ili /topics.",
        "empty_query": "U toj poruci nema reči koje mogu da potražim. Probajte /latest ili /topics.",
        "results_header": "🔎 <b>{query}</b> — tekstova: {total}",
        "results_header_one": "🔎 <b>{query}</b> — 1 tekst",
        "corrected": "Prikazujem rezultate za <b>{corrected}</b>.",
        "nothing_found": (
            "Nisam našao ništa o <b>{query}</b>. 🤷\n\n"
            "Probajte s manje ili drugim rečima, pogledajte /topics ili /latest tekstove."
        ),
        "no_date": "bez datuma",
        "read_button": "📖 Čitaj: {title}",
        "prev_button": "‹ Nazad",
        "next_button": "Dalje ›",
        "page_label": "{page}/{pages}",
        "latest_header": "🗞 <b>Najnoviji tekstovi</b>",
        "latest_empty": "Još nema tekstova.",
        "topics_header": "🏷 <b>Teme</b> — dodirnite jednu da vidite najnovije tekstove.",
        "topics_empty": "Još nema tema.",
        "topic_header": "🏷 <b>#{tag}</b> — najnoviji tekstovi",
        "post_continued": "(nastavak {part}/{parts})",
        "language_choose": "Izaberite jezik:",
        "language_set": "Važi: ovde ću pisati srpski (latinica).",
        "expired": "Ovo dugme je isteklo. Molim vas, pitajte ponovo.",
        "gone": "Ovaj tekst više nije dostupan.",
        "flood": "⏳ Šaljete poruke veoma brzo — odgovoriću na njih redom.",
        "flood_callback": "Malo polakše, molim vas.",
        "error": "😕 Izvinite, nešto je pošlo naopako kod mene. Pokušajte ponovo za trenutak.",
        "inline_more": "Još rezultata",
        "cmd_start": "Početak i kratko predstavljanje",
        "cmd_help": "Kako se postavljaju pitanja",
        "cmd_search": "Pretraga vesti",
        "cmd_latest": "Najnoviji tekstovi",
        "cmd_topics": "Tekstovi po temama",
        "cmd_language": "Engleski ili srpski",
        # pretplate i obaveštenja
        "cmd_subscribe": "Novi tekstovi (svi ili jedna tema)",
        "cmd_unsubscribe": "Prekid slanja novih tekstova",
        "cmd_subscriptions": "Vaše pretplate",
        "cmd_stop": "Zaboravi ovaj čet i prestani sa slanjem",
        "new_post": "🆕 <b>Novi tekst</b>",
        "sub_all_done": (
            "🔔 Pretplaćeni ste: slaću vam svaki novi tekst.\n"
            "/subscriptions prikazuje vaše pretplate; /unsubscribe ih prekida."
        ),
        "sub_all_already": "Već ste pretplaćeni na sve nove tekstove. /subscriptions ih prikazuje.",
        "sub_tag_done": "🔔 Pretplaćeni ste na <b>#{tag}</b>: slaću vam nove tekstove o ovoj temi.",
        "sub_tag_already": "Već pratite <b>#{tag}</b>. /subscriptions prikazuje vaše pretplate.",
        "sub_unknown_tag": "Ne znam temu <b>{tag}</b>. Da li ste mislili na neku od ovih?",
        "sub_unknown_tag_none": "Ne znam temu <b>{tag}</b>. /topics prikazuje sve teme.",
        "unsub_all_done": "🔕 Pretplata je prekinuta: više vam neću slati nove tekstove.",
        "unsub_tag_done": "🔕 Više ne pratite <b>#{tag}</b>.",
        "unsub_not_following": "Ne pratite <b>#{tag}</b>. /subscriptions prikazuje vaše pretplate.",
        "unsub_nothing": "Nemate pretplata. /subscribe vam šalje svaki novi tekst.",
        "subs_header": "🔔 <b>Vaše pretplate</b> — dodirnite jednu da je uklonite:",
        "subs_empty": (
            "Još nemate pretplata.\n/subscribe — svaki novi tekst\n"
            "/subscribe <i>tema</i> — jedna tema (vidi /topics)"
        ),
        "subs_all_name": "Svi novi tekstovi",
        "subs_remove_button": "✖ {name}",
        "subs_add_button": "🔔 #{tag}",
        "topic_follow_button": "🔔",
        "topic_following_button": "🔕",
        "sub_toggled_on": "Pretplaćeni ste na {name}",
        "sub_toggled_off": "Više ne pratite {name}",
        "group_admins_only": "Samo administratori ove grupe mogu da menjaju njene pretplate.",
        "stop_done": (
            "🗑 Gotovo: obrisao sam sve što sam čuvao o ovom četu — jezik, pretplate i poruke na čekanju. "
            "Više vam neću pisati. Pošaljite /start ako želite da se vratite."
        ),
        "announce_refused": "Izvinite, samo administratori mreže mogu da šalju obaveštenja.",
        "announce_usage": (
            "Napišite obaveštenje posle komande, npr. <code>/announce Skupština je pomerena za petak</code>, "
            "ili odgovorite na poruku sa /announce. <code>/announce #tema tekst</code> stiže samo "
            "pretplatnicima te teme."
        ),
        "announce_too_long": "To je predugačko za jednu poruku ({length} znakova; najviše {limit}).",
        "announce_nobody": "Ovo obaveštenje još nema kome da stigne, pa ga nisam pripremio.",
        "announce_send_button": "📤 Pošalji pretplatnicima ({count})",
        "announce_cancel_button": "✖ Otkaži",
        "announce_sending": "📤 Šaljem pretplatnicima ({count})… Javiću ovde kada završim.",
        "announce_cancelled": "Otkazano: ništa nije poslato.",
        "announce_already_sent": "Već je poslato.",
        "announce_already_cancelled": "Ovo obaveštenje je otkazano.",
        "announce_report": (
            "📊 <b>Obaveštenje je poslato</b>\nIsporučeno: {delivered}\nBlokirali bota: {blocked}\n"
            "Neuspešno: {failed}"
        ),
        "stats": (
            "📊 <b>Statistika</b>\nČetovi: {chats} (aktivnih {active})\nPretplatnici: {subscribers}\n"
            "Tekstovi: {posts}\nPretraga po značenju: {meaning}\nPoslednja sinhronizacija: {last_sync}\n"
            "Red: {queue}\nPoslednje obaveštenje: {last}"
        ),
        "stats_meaning_ready": "uključena, {embedded} od {total} tekstova",
        "stats_meaning_embedding": "priprema se, obrađeno {embedded} od {total} tekstova",
        "stats_meaning_off": "isključena, {reason}",
        "stats_never": "nikad",
        "stats_last": (
            "{when} — isporučeno {delivered}, blokirano {blocked}, neuspešno {failed}, čeka {pending}"
        ),
    },
}


def language_for(code: str | None, chosen: str | None = None) -> str:
    """The UI language: the chat's choice if any, else Serbian for Serbian-family Telegram codes."""
    if chosen in LANGUAGES:
        return chosen
    base = (code or "").lower().replace("_", "-").split("-")[0]
    return "sr" if base in SERBIAN_CODES else "en"


def chat_language(chosen: str | None, code: str | None, default: str) -> str:
    """The language of a message the bot starts (notification, report): the chat's choice, else its
    user's Telegram language, else the configured default."""
    if chosen is None and code is None:
        return default
    return language_for(code, chosen)


def _template(lang: str, key: str) -> str:
    table = CATALOGUE.get(lang, CATALOGUE["en"])
    return table.get(key) or CATALOGUE["en"][key]


def t(lang: str, key: str, **values: object) -> str:
    """The HTML text for `key` in `lang`, with keyword values escaped."""
    return _template(lang, key).format(**{k: escape(str(v)) for k, v in values.items()})


def plain(lang: str, key: str, **values: object) -> str:
    """The text for `key` in `lang` for plain-text places; the template must contain no HTML."""
    return _template(lang, key).format(**values)


def format_date(day: dt.date | None, lang: str) -> str:
    """`25 May 2023` in English, `25. maj 2023.` in Serbian; the `no_date` text for undated posts."""
    if day is None:
        return plain(lang, "no_date")
    month = MONTHS.get(lang, MONTHS["en"])[day.month - 1]
    if lang == "sr":
        return f"{day.day}. {month} {day.year}."
    return f"{day.day} {month} {day.year}"
