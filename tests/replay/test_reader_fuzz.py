"""Differential fuzzing of the trace reader (conform.trace._Checker._read).

The invariant: reading a trace, whatever its layout over reads (plain, gzip, short reads),
gives the same findings (codes, lines, messages), counts and totals as feeding each of its
lines alone to ``_Checker._line`` (the slow, line-by-line path), numbered from 1.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rspp.conform.trace import (
    CHUNK,
    LINE_LIMIT,
    Evidence,
    TraceResult,
    TraceSource,
    _Checker,
)
from rspp.rules.replay import OR02_BASELINE

CASES = Path(__file__).parent / "cases"
GOOD = (CASES / "TRC010" / "quiet.jsonl").read_bytes()
LINES = GOOD.splitlines()
EVIDENCE = Evidence((*OR02_BASELINE, "routing_snapshot_ref", "lane"), "fuzz evidence")


class _ShortRaw(io.RawIOBase):
    """A raw stream returning at most ``k`` bytes a read."""

    def __init__(self, data: bytes, k: int) -> None:
        self._data = io.BytesIO(data)
        self._k = k

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        piece = self._data.read(min(len(buffer), self._k))
        buffer[:len(piece)] = piece
        return len(piece)


class _ShortStream:
    """A plain (unbuffered) binary stream whose read returns at most ``k`` bytes."""

    def __init__(self, data: bytes, k: int) -> None:
        self._data = io.BytesIO(data)
        self._k = k

    def read(self, size: int = -1) -> bytes:
        return self._data.read(self._k if size < 0 else min(size, self._k))


def _summary(result: TraceResult) -> tuple[Any, ...]:
    return (tuple((f.code, f.line, f.message, f.related) for f in result.findings),
            dict(result.counts), result.lines, result.events, result.unreadable,
            result.sessions, result.accepted_turns, result.closed_turns,
            result.complete_turns, result.split_brain_turns, result.stages)


def check(stream: Any) -> tuple[Any, ...]:
    checker = _Checker(EVIDENCE, None)
    checker.feed(TraceSource("t.jsonl", stream))
    return _summary(checker.result())


def reference(data: bytes) -> tuple[Any, ...]:
    """Every line fed alone to ``_line``: what the reader must give. (What ``feed`` does
    around its reading is done here by hand: the checker may be compiled, and a compiled
    class takes no replaced method.)"""
    checker = _Checker(EVIDENCE, None)
    checker.path = "t.jsonl"
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    for number, raw in enumerate(parts, 1):
        checker._line(raw, number)
    checker.last = len(parts)
    checker.lines += len(parts)
    if not checker.events:
        checker.emit("TRC004", 1, f"{len(parts)} lines and no event: a trace with no event "
                     "proves nothing")
    checker.end_of_trace(len(parts))
    return _summary(checker.result())


def run_plain(data: bytes) -> TraceResult:
    checker = _Checker(EVIDENCE, None)
    checker.feed(TraceSource("t.jsonl", io.BytesIO(data)))
    return checker.result()


STREAMS: dict[str, Callable[[bytes], Any]] = {
    "plain": io.BytesIO,
    "gzip": lambda data: io.BytesIO(gzip.compress(data, mtime=0)),
    "short-7": lambda data: _ShortStream(data, 7),
    "short-4099": lambda data: _ShortStream(data, 4099),
    "buffered-short": lambda data: io.BufferedReader(_ShortRaw(data, 1000), 8),
}


def assert_agrees(data: bytes, streams: tuple[str, ...] = ("plain",)) -> None:
    expected = reference(data)
    for name in streams:
        got = check(STREAMS[name](data))
        assert got == expected, (name, got[:5], expected[:5])


# --------------------------------------------------------------------------- mutations
def _dup_key(line: bytes) -> bytes:
    return line[:1] + b'"lane":"data",' + line[1:]


def _dup_key_last(line: bytes) -> bytes:
    return line[:-1] + b',"lane":"control"}'


MUTATIONS: dict[str, Callable[[bytes], bytes]] = {
    "same": lambda line: line,
    "dup-key": _dup_key,
    "dup-key-last": _dup_key_last,
    "space-after-colon": lambda line: line.replace(b":", b": ", 1),
    "space-lead": lambda line: b" " + line,
    "space-trail": lambda line: line + b" ",
    "tab-trail": lambda line: line + b"\t",
    "cr": lambda line: line + b"\r",
    "cr-inside": lambda line: line.replace(b",", b",\r", 1),
    "unicode-escape": lambda line: line.replace(b'"sess_', b'"\\u0073ess_', 1),
    "slash-escape": lambda line: line.replace(b'"sess_', b'"\\/sess_', 1),
    "raw-non-ascii": lambda line: line.replace(b'"sess_', b'"s\xc3\xa9ss_', 1),
    "escaped-non-ascii": lambda line: line.replace(b'"sess_', b'"s\\u00e9ss_', 1),
    "surrogate-pair": lambda line: line[:-1] + b',"reason":"\\ud83d\\ude00"}',
    "lone-surrogate": lambda line: line[:-1] + b',"reason":"\\ud83d"}',
    "minus-zero": lambda line: line.replace(b'"lease_epoch":7', b'"lease_epoch":-0', 1),
    "exp-int": lambda line: line.replace(b'"lease_epoch":7', b'"lease_epoch":7e0', 1),
    "brace-newline-escape": lambda line: line[:-1] + b',"reason":"x}\\n"}',
    "brace-in-string": lambda line: line[:-1] + b',"reason":"}"}',
    "nested-unknown": lambda line: line[:-1] + b',"x":{"a":{"b":[1,{"c":"}"}]}}}',
    "unknown-field": lambda line: line[:-1] + b',"x":1}',
    "nul": lambda line: line.replace(b'"sess_', b'"\x00sess_', 1),
    "bad-utf8": lambda line: line.replace(b'"sess_', b'"\xffsess_', 1),
    "bom": lambda line: b"\xef\xbb\xbf" + line,
    "long-known": lambda line: line[:-1] + b',"reason":"' + b"r" * 5000 + b'"}',
    "truncated": lambda line: line[: len(line) // 2],
    "not-object": lambda line: b"[" + line + b"]",
    "nan": lambda line: line[:-1] + b',"x":NaN}',
}

# whole lines that may be inserted anywhere
EXTRA_LINES = [b"", b" ", b"\r", b"\t", b"{}", b"null", b"}", b"{", b'"x"',
               b'{"event":"nope"}', b"\xef\xbb\xbf"]


_COMPACT = (b'{"event":"lease_released","session_id":"fill","turn_id":"","correlation_id":"c",'
            b'"lease_epoch":0,"lane":"control","ts_mono_ns":0,"worker":"', b'"}')


def _compact_lines(length: int) -> bytes | None:
    """Compact events (each alone a clean line for the fast path) taking ``length`` bytes
    with the newlines between them, or None if ``length`` is too short."""
    least = len(_COMPACT[0]) + len(_COMPACT[1])
    most = least + 4096
    count = -(-(length + 1) // (most + 1))
    if length + 1 < count * (least + 1):
        return None
    spare = length + 1 - count * (least + 1)
    lines = []
    for _ in range(count):
        extra = min(spare, 4096)
        spare -= extra
        lines.append(_COMPACT[0] + b"w" * extra + _COMPACT[1])
    data = b"\n".join(lines)
    assert len(data) == length
    return data


def _filler(length: int, kind: int) -> bytes:
    """A line of ``length`` bytes (no newline); kind 2: several compact event lines."""
    if kind == 2:
        lines = _compact_lines(length)
        if lines is not None:
            return lines
    if kind == 0 or length < 200:
        return b" " * length
    head = LINES[1][:-1] + b',"pad":"'
    return head + b"x" * max(0, length - len(head) - 2) + b'"}'


class Trace(bytes):
    """A generated trace, shown by its layout rather than its bytes."""

    layout: list[str]

    def __repr__(self) -> str:
        return f"Trace({len(self)} bytes: {' '.join(self.layout)})"


@st.composite
def traces(draw: st.DrawFn) -> Trace:
    out: list[bytes] = []
    layout: list[str] = []
    items = [("line", line) for line in LINES * draw(st.integers(1, 3))]
    # few mutated lines, so that most runs are otherwise clean and reach the fast path
    mutated = set(draw(st.lists(st.integers(0, len(items) - 1), max_size=3)))
    items = [("mutate" if i in mutated else kind, line) for i, (kind, line) in
             enumerate(items)]
    items += [("extra", b"")] * draw(st.integers(0, 4))
    items += [("filler", b"")] * draw(st.integers(0, 4))
    items = draw(st.permutations(items))
    for kind, line in items:
        if kind == "extra":
            out.append(draw(st.sampled_from(EXTRA_LINES)))
            layout.append(repr(out[-1]))
            continue
        if kind == "filler":
            # a line placing the next line's start at a read boundary, or near it
            at = sum(len(x) + 1 for x in out)
            reads = draw(st.integers(1, (LINE_LIMIT // CHUNK) + 3))
            target = CHUNK * reads + draw(st.integers(-3, 3))
            length = target - at - 1  # its newline is byte target - 1
            if length < 0:
                length = draw(st.integers(0, 3))
            out.append(_filler(length, draw(st.integers(0, 2))))
            layout.append(f"filler{len(out[-1])}[{out[-1][:1]!r}]")
            continue
        what = f"L{LINES.index(line) + 1}"
        if kind == "mutate":
            mutation = draw(st.sampled_from(sorted(MUTATIONS)))
            line = MUTATIONS[mutation](line)
            what += f"/{mutation}"
        if out and draw(st.integers(0, 15)) == 0:
            sep = draw(st.sampled_from([b"", b" ", b"\r"]))
            out[-1] = out[-1] + sep + line  # two objects on one line
            layout[-1] += f"+{sep!r}+{what}"
            continue
        out.append(line)
        layout.append(what)
    data = b"\n".join(out)
    if draw(st.booleans()):
        data += b"\n"
        layout.append("<final newline>")
    trace = Trace(data)
    trace.layout = layout
    return trace


@pytest.mark.slow
@settings(max_examples=int(os.environ.get('FUZZ_EXAMPLES', 150)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(traces())
def test_reader_agrees_with_line_by_line(data: bytes) -> None:
    assert_agrees(data, ("plain", "short-4099"))


@pytest.mark.slow
@settings(max_examples=int(os.environ.get('FUZZ_EXAMPLES', 40)) // 4 + 1, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(traces())
def test_reader_agrees_through_gzip_and_short_reads(data: bytes) -> None:
    assert_agrees(data, ("gzip", "buffered-short"))


# ---------------------------------------------------------------------- found by the fuzzer
def _long(length: int) -> bytes:
    return b" " * length


KNOWN = [
    # A run that is exactly one empty line ("\n") decodes to no event, and "[]" is as long
    # as the run plus one: it passed the length proof as zero events and the line went
    # uncounted, every later line number one too low. The fast path now needs an event.
    pytest.param(b"\n", id="only-an-empty-line"),
    pytest.param(b"\n" + _long(LINE_LIMIT + 10) + b"\n" + GOOD,
                 id="empty-line-then-over-long-line"),
    pytest.param(LINES[0] + b"\n" + _long(CHUNK - len(LINES[0]) - 2) + b"\n\n"
                 + _long(CHUNK + 5) + b"\n" + GOOD, id="empty-line-first-byte-of-a-read"),
    pytest.param(GOOD + b" " * (CHUNK - len(GOOD) - 1) + b"\n\n",
                 id="trace-ends-with-an-empty-line-alone-in-the-last-read"),
    pytest.param(b"\n" * (CHUNK - 2 - LINE_LIMIT % CHUNK) + _long(LINE_LIMIT + CHUNK) + b"\n\n"
                 + GOOD, id="empty-line-after-an-over-long-line-ending-a-read"),
]


@pytest.mark.parametrize("data", KNOWN)
def test_an_empty_line_alone_in_a_run_is_counted(data: bytes) -> None:
    assert_agrees(data, ("plain", "gzip"))


# ------------------------------------------------------------ lines at the line limit
def _line_of(length: int, kind: str) -> bytes:
    if kind == "blank":
        return b" " * length
    if kind == "cr":
        return _filler(length - 1, 1) + b"\r"
    return _filler(length, 1)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["event", "blank", "cr"])
@pytest.mark.parametrize("length", [LINE_LIMIT - 1, LINE_LIMIT, LINE_LIMIT + 1, LINE_LIMIT + 2,
                                    LINE_LIMIT + CHUNK, 2 * LINE_LIMIT + 1])
@pytest.mark.parametrize("start", [0, 2, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 2])
def test_lines_at_the_limit_agree(kind: str, length: int, start: int) -> None:
    lead = LINES[0] + b"\n" + b" " * max(0, start - len(LINES[0]) - 2) + b"\n" \
        if start > len(LINES[0]) + 1 else b" " * (start - 1) + b"\n" * (start > 0)
    assert len(lead) == start
    long = _line_of(length, kind)
    rest = b"\n".join(LINES[1:])
    for data in (lead + long + b"\n" + rest + b"\n", lead + long, lead + long + b"\n",
                 lead + long + b"\n \n" + rest, lead + long + b"\n\n" + rest):
        assert_agrees(data, ("plain", "gzip"))


def test_a_deeply_nested_unknown_field_is_a_finding_not_a_recursion_error() -> None:
    # orjson takes nesting to 1023 levels; the duplicate-key check after it recursed, and
    # ran out of stack on such a line (found by the fuzzer).
    depth = 1020
    line = LINES[1][:-1] + b',"x":' + b"[" * depth + b"]" * depth + b"}"
    assert_agrees(GOOD + line + b"\n")
    result = run_plain(GOOD + line + b"\n")
    assert [(f.line, f.code) for f in result.findings] == [(len(LINES) + 1, "TRC001")]
    assert "nesting deeper than 64 levels" in result.findings[0].message
