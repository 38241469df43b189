"""Text of third-party origin (an exception's message, a pack's reason) as one bounded line
for a finding, a gate reason or an error line: the one place that flattens and cuts it."""

from __future__ import annotations

LIMIT = 300
"""The default length, in characters, of a flattened text."""


def flat(text: str, limit: int = LIMIT) -> str:
    """``text`` on one line: every run of whitespace (line breaks included) becomes one
    space; longer than ``limit`` characters, it is cut to ``limit`` ending in "..."."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def reason(exc: BaseException, limit: int = LIMIT, *, named: bool = True) -> str:
    """``exc`` as one bounded line (:func:`flat`): ``"TypeName: message"`` (``named``) or the
    message alone; the type's name when the message is empty."""
    message = " ".join(str(exc).split())
    if not message:
        return flat(type(exc).__name__, limit)
    return flat(f"{type(exc).__name__}: {message}" if named else message, limit)
