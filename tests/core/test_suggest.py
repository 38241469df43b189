"""The one "did you mean" helper: what is close enough to suggest, and which name wins."""

from __future__ import annotations

import pytest

from rspp.core.suggest import close_match, did_you_mean


@pytest.mark.parametrize(("word", "choices", "expected"), [
    ("temprature", ["model", "temperature", "max_tokens"], "temperature"),
    ("tern", ["cancel", "transcript", "turn"], "turn"),
    ("interim", ["interim_results", "punctuate"], "interim_results"),
    ("stt.deepgrm", ["stt.deepgram", "stt.openai", "tts.cartesia"], "stt.deepgram"),
    ("Medium", ["low", "medium", "high"], "medium"),
    # Equally similar: the longer shared prefix wins (a typo at the end, not a swap).
    ("ttx", ["stt", "tts"], "tts"),
    # Nothing close enough: no suggestion rather than a random one.
    ("rate", ["sample_rate", "num_channels"], None),
    ("xyz", ["model", "temperature"], None),
    ("en", ["on"], None),
    ("anything", [], None),
])
def test_close_match(word: str, choices: list[str], expected: str | None) -> None:
    assert close_match(word, choices) == expected


def test_the_word_itself_is_never_suggested() -> None:
    assert close_match("turn", ["turn"]) is None
    assert close_match("turn", ["turn", "turns"]) == "turns"


def test_ties_go_to_the_name_that_sorts_first_whatever_the_input_order() -> None:
    assert close_match("abc", ["abe", "abd"]) == "abd"
    assert close_match("abc", ["abd", "abe"]) == "abd"


def test_did_you_mean_is_a_message_suffix_or_nothing() -> None:
    assert did_you_mean("tern", {"turn": 1, "cancel": 2}) == "; did you mean 'turn'?"
    assert did_you_mean("zzz", ["turn"]) == ""
