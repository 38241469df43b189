"""Suggestions ("did you mean") for near-miss names: node types, parameters, ids, ports, allowed values.

One helper for every message that names something unknown. Closeness is
:class:`difflib.SequenceMatcher`'s ratio, compared without regard to case; a suggestion is made
only when one name is at least :data:`CUTOFF` close, difflib's own default (``tern`` ->
``turn`` is 0.75, ``ttx`` -> ``tts`` 0.67, ``interim`` -> ``interim_results`` 0.64; ``rate``
-> ``sample_rate`` is 0.53 and not suggested). Of equally close names the one sharing the
longer prefix wins, then the one that sorts first. Dependency-free and deterministic.
"""

from __future__ import annotations

from collections.abc import Iterable

CUTOFF = 0.6


def close_match(word: str, choices: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The choice closest to ``word`` (at least ``cutoff`` similar), or None.

    ``word`` itself is never suggested; of choices that differ only in case, the one that
    sorts first stands for them all.
    """
    import difflib  # only when a name is unknown: a clean run makes no suggestion (ADR 0014)

    by_folded: dict[str, str] = {}
    for choice in sorted(set(choices)):
        if choice != word:
            by_folded.setdefault(choice.lower(), choice)
    folded = word.lower()

    def closeness(choice: str) -> tuple[float, int]:
        # Equally similar names: the one sharing the longer prefix (ttx: tts before stt).
        prefix = next((i for i, (a, b) in enumerate(zip(folded, choice, strict=False))
                       if a != b), min(len(folded), len(choice)))
        return difflib.SequenceMatcher(None, folded, choice).ratio(), prefix

    # max() keeps the first of equally close names; by_folded is in sorted order.
    best = max(by_folded, key=closeness, default=None)
    return by_folded[best] if best is not None and closeness(best)[0] >= cutoff else None


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = CUTOFF) -> str:
    """``"; did you mean 'turn'?"`` to append to a message, or ``""`` when nothing is close."""
    match = close_match(word, choices, cutoff)
    return f"; did you mean {match!r}?" if match is not None else ""
