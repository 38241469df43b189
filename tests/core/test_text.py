"""Third-party text as one bounded line (rspp.core.text): the only flattening of exception
messages and pack reasons into findings, gate reasons and error lines."""

from __future__ import annotations

from rspp.core.text import flat, reason


def test_flat_joins_whitespace_runs_and_cuts_with_an_ellipsis() -> None:
    assert flat("a\n\tb  \r\n c\u2028d") == "a b c d"
    assert flat("x" * 10, 10) == "x" * 10
    assert flat("x" * 11, 10) == "x" * 7 + "..."


def test_reason_names_the_exception_or_says_its_type() -> None:
    assert reason(KeyError("labels")) == "KeyError: 'labels'"
    assert reason(ValueError("bad\nvalue"), named=False) == "bad value"
    assert reason(RuntimeError()) == "RuntimeError"
    assert reason(RuntimeError(), named=False) == "RuntimeError"
    assert len(reason(ValueError("y" * 1000))) == 300
