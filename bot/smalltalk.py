"""Greetings and thanks, in English and Serbian (any script, with or without diacritics): recognised so
that "hello" or "hvala" gets a friendly word instead of a search for posts about "hello"."""

from __future__ import annotations

import re
from typing import Literal

from index import fold

SmallTalk = Literal["greeting", "thanks"]
_GREETING_PHRASES = frozenset(
    {"good morning", "good afternoon", "good evening", "good day", "dobar dan", "dobro jutro", "dobro vece"}
)
_THANKS_PHRASES = frozenset(
    {
        *("thanks", "thank you", "thx", "ty", "cheers", "many thanks", "thanks a lot", "thank you very much"),
        *("thanks so much", "thank you so much", "great thanks", "ok thanks", "ok thank you"),
        *("hvala", "hvala vam", "hvala ti", "hvala puno", "puno hvala", "hvala lepo", "hvala mnogo"),
        *("fala", "hvala najlepse", "hvala vam puno", "ok hvala", "super hvala", "zahvaljujem"),
    }
)
_GREETING_WORDS = frozenset(
    {"hello", "hi", "hey", "hiya", "howdy", "greetings", "zdravo", "cao", "ciao", "hej", "pozdrav"}
)
_ADDRESSEES = frozenset({"bot", "bote", "there", "everyone", "all", "svima", "friend"})
MAX_WORDS = 5


def small_talk(text: str) -> SmallTalk | None:
    """Whether the whole message is a greeting or a thank-you (a name or emoji around it allowed)."""
    words = [fold(word) for word in re.findall(r"[^\W\d_]+", text.lower())]
    words = [word for word in words if word not in _ADDRESSEES]
    if not words or len(words) > MAX_WORDS:
        return None
    phrase = " ".join(words)
    if phrase in _THANKS_PHRASES:
        return "thanks"
    if phrase in _GREETING_PHRASES or (len(words) == 1 and words[0] in _GREETING_WORDS):
        return "greeting"
    return None
