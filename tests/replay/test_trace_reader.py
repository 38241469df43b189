"""Reading traces: gzip, hostile and malformed lines, the fast and the slow path agree, and
memory stays bounded by open turns."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from collections.abc import Iterable
from pathlib import Path

import msgspec
import msgspec.inspect
import pytest

from rspp.conform.trace import (
    CHUNK,
    CLOSED_RING,
    FINDINGS_PER_CODE,
    LINE_LIMIT,
    Evidence,
    TraceResult,
    TraceSource,
    check_traces,
)
from rspp.model.events import EVENT_TYPES
from rspp.rules.replay import OR02_BASELINE

CASES = Path(__file__).parent / "cases"
GOOD = (CASES / "TRC010" / "quiet.jsonl").read_bytes()
EVIDENCE = Evidence((*OR02_BASELINE, "routing_snapshot_ref", "lane"), "test evidence")


def run(data: bytes, evidence: Evidence = EVIDENCE) -> TraceResult:
    return check_traces([TraceSource("t.jsonl", io.BytesIO(data))], evidence=evidence)


def codes(result: TraceResult) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in result.findings]


def with_line(index: int, text: bytes) -> bytes:
    lines = GOOD.splitlines(keepends=True)
    lines[index] = text + b"\n"
    return b"".join(lines)


def stage_line(**fields: object) -> bytes:
    """A replacement for line 2 (a stage mark of the first turn: dropping it changes only
    latency, so a finding on it is the only finding)."""
    event = json.loads(GOOD.splitlines()[1])
    event.update(fields)
    return json.dumps({k: v for k, v in event.items() if v is not None},
                      separators=(",", ":")).encode()


def test_the_good_trace_is_clean_plain_and_gzip() -> None:
    plain = run(GOOD)
    zipped = run(gzip.compress(GOOD, mtime=0))
    assert plain.findings == () == zipped.findings
    assert plain.events == zipped.events == len(GOOD.splitlines())
    assert plain.metrics == zipped.metrics


def test_gzip_is_detected_from_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "trace.jsonl"  # no .gz, still gzip
    path.write_bytes(gzip.compress(GOOD))
    with path.open("rb") as stream:
        result = check_traces([TraceSource("trace.jsonl", stream)], evidence=EVIDENCE)
    assert result.findings == () and result.events > 0


def test_truncated_and_corrupt_gzip_are_located_findings() -> None:
    data = gzip.compress(GOOD)
    truncated = run(data[: len(data) // 2])
    assert "TRC001" in {f.code for f in truncated.findings}
    assert any("gzip stream is corrupt or ends early" in f.message for f in truncated.findings)
    corrupt = run(data[:20] + bytes(64) + data[84:])
    assert "TRC001" in {f.code for f in corrupt.findings}


def test_malformed_lines_are_reported_and_checking_continues() -> None:
    cases = {
        b"not json": "not JSON",
        b"[1, 2]": "not a JSON object",
        b'"text"': "not a JSON object",
        b'{"a": NaN}': "not JSON",
        b'{"a": Infinity}': "not JSON",
        b'{"a": "\\ud800"}': "not JSON",
        b'{"event":"stage_mark","event":"stage_mark"}': "duplicate key 'event'",
        b'{"x": {"k": 1, "k": 2}}': "duplicate key 'k'",
        b"\xff\xfe{}": "not JSON",
        # not UTF-8 inside a string: msgspec 0.18 (the lowest allowed) raised UnicodeDecodeError
        b'{"event": "\xff"}': "not JSON",
        stage_line(session_id="s\udcff").replace(b"\\udcff", b"\xff"): "not JSON",
    }
    for text, message in cases.items():
        result = run(with_line(1, text))
        assert codes(result) == [(2, "TRC001")], (text, codes(result))
        assert message in result.findings[0].message, (text, result.findings[0].message)
        assert result.events == len(GOOD.splitlines()) - 1


def test_schema_violations_are_trc002_with_the_field() -> None:
    cases = {
        stage_line(event="thinking"): "unknown event",
        stage_line(event=None): "no 'event' field",
        stage_line(lease_epoch=True): "lease_epoch",
        stage_line(lease_epoch=-1): "lease_epoch",
        stage_line(lease_epoch="7"): "lease_epoch",
        stage_line(ts_mono_ns=1.5): "ts_mono_ns",
        stage_line(lane="audio"): "lane",
        stage_line(session_id=""): "session_id",
        stage_line(stage="nap"): "stage",
        stage_line(stage=None): "stage",
        stage_line(plan_hash=5): "plan_hash",
        stage_line(lease_epoch=2**64): "lease_epoch",
    }
    for text, field in cases.items():
        result = run(with_line(1, text))
        assert codes(result) == [(2, "TRC002")], (text, codes(result))
        assert field in result.findings[0].message, (text, result.findings[0].message)


def test_spaces_unknown_fields_and_quotes_in_values_take_the_slow_path_and_pass() -> None:
    spaced = json.dumps(json.loads(stage_line()), indent=1).replace("\n", " ").encode()
    unknown = stage_line(gpu_ms=12)
    quoted = stage_line(node='a":b')
    crlf = stage_line() + b"\r"
    for text in (spaced, unknown, quoted, crlf):
        result = run(with_line(1, text))
        assert result.findings == (), (text, codes(result))


def test_an_unknown_field_counts_as_evidence() -> None:
    wanted = Evidence((*EVIDENCE.fields, "asr_model"), "test")
    missing = run(GOOD, wanted)
    assert {f.code for f in missing.findings} == {"TRC015"}
    assert all("asr_model" in f.message for f in missing.findings)
    carried = run(with_line(1, stage_line(asr_model="nova-3")), wanted)
    assert [f.message.split(":")[0] for f in carried.findings] == [
        "session sess_a turn turn_0002"]  # the other turn still lacks it


def test_blank_lines_are_skipped_but_an_empty_trace_never_passes() -> None:
    assert run(b"\n" + GOOD.replace(b"\n", b"\n\n")).findings == ()
    assert codes(run(b"")) == [(1, "TRC004")]
    assert codes(run(b"\n \n")) == [(1, "TRC004")]
    assert codes(run(b"garbage\n")) == [(1, "TRC001"), (1, "TRC004")]


def test_an_over_long_line_is_skipped_without_being_held() -> None:
    long_line = b'{"event":"stage_mark","pad":"' + b"x" * (4 * LINE_LIMIT) + b'"}'
    result = run(with_line(1, long_line))
    assert codes(result) == [(2, "TRC001")]
    assert f"longer than {LINE_LIMIT} bytes" in result.findings[0].message
    assert result.lines == len(GOOD.splitlines())


@pytest.mark.parametrize("blank", [0, 5, 20])
def test_two_events_on_one_line_are_refused_even_when_a_blank_line_evens_the_count(
        blank: int) -> None:
    # Lines 2 and 3 written on one line, and an empty line elsewhere: as many newlines as
    # events and as many bytes as their compact re-encoding, but not one event per line.
    # The fast path once took it, numbering the second event wrongly and passing the trace.
    lines = GOOD.splitlines(keepends=True)
    lines[1:3] = [lines[1].rstrip(b"\n") + lines[2]]
    lines.insert(blank, b"\n")
    result = run(b"".join(lines))
    joined = 2 if blank > 1 else 3
    assert (joined, "TRC001") in codes(result), codes(result)
    assert "not JSON" in next(f.message for f in result.findings if f.code == "TRC001")
    assert result.events == len(GOOD.splitlines()) - 2


def test_every_event_field_keeps_the_fast_path_proof_sound() -> None:
    # The reader's length proof (conform.trace._Checker._read) needs every event to
    # re-encode no longer than its source: optional fields default to UNSET (re-encoded only
    # when present) and every value is a string, an integer or a string literal, which the
    # encoder writes in the shortest JSON form. A float field (1e5 re-encodes as 100000.0)
    # or another default would let a duplicate key hide behind a shorter field.
    for event_type in EVENT_TYPES:
        assert all(default is msgspec.UNSET for default in event_type.__struct_defaults__)
        info = msgspec.inspect.type_info(event_type)
        assert isinstance(info, msgspec.inspect.StructType)
        for field in info.fields:
            assert isinstance(field.type, (msgspec.inspect.StrType, msgspec.inspect.IntType,
                                           msgspec.inspect.LiteralType)), field
            if isinstance(field.type, msgspec.inspect.LiteralType):
                assert all(isinstance(v, str) for v in field.type.values), field
    for char in [*map(chr, range(128)), "\u00e9", "\u2028", "\U0001f600"]:
        # the shortest text of the character inside a JSON string (RFC 8259 section 7)
        if char in '"\\\b\t\n\f\r':
            shortest = 2
        elif ord(char) < 0x20:
            shortest = 6  # \u00XX
        else:
            shortest = len(char.encode())
        assert len(msgspec.json.encode(char)) - 2 == shortest, repr(char)


def _long_line_ending_at(offset: int) -> bytes:
    """GOOD with its line 2 replaced by an over-long line whose newline is byte ``offset``
    of the trace."""
    first = GOOD.splitlines(keepends=True)[0]
    head = b'{"event":"stage_mark","pad":"'
    pad = offset - len(first) - len(head) - len(b'"}')
    assert pad > LINE_LIMIT
    return with_line(1, head + b"x" * pad + b'"}')


@pytest.mark.slow
@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_an_over_long_line_ending_at_a_read_boundary_loses_nothing_after_it(
        delta: int) -> None:
    # Reads are CHUNK bytes; the long line's newline is the last byte of a read (delta 0)
    # or next to it. The reader once stopped there, as at the end of the trace: everything
    # after the line went unread, and the trace passed on what it had seen.
    boundary = CHUNK * (LINE_LIMIT // CHUNK + 2)
    data = _long_line_ending_at(boundary - 1 + delta)
    assert data[boundary - 1 + delta:boundary + delta] == b"\n"
    for stream in (data, gzip.compress(data, mtime=0)):
        result = run(stream)
        assert codes(result) == [(2, "TRC001")], codes(result)
        assert result.lines == len(GOOD.splitlines())
        assert result.events == len(GOOD.splitlines()) - 1


def test_lines_cut_at_every_read_boundary_read_as_a_whole() -> None:
    # The same events, padded so that a line ends on each side of a read boundary: a run
    # ending exactly at the end of a read, a line split across two reads, a trace whose last
    # line has no newline.
    lines = GOOD.splitlines(keepends=True)
    for shift in range(-3, 4):
        body = b"".join(lines)
        filler = b"\n" * (CHUNK - len(lines[0]) + shift)
        data = lines[0] + filler + body[len(lines[0]):]
        for tail in (data, data.rstrip(b"\n")):
            result = run(tail)
            assert result.findings == (), (shift, codes(result))
            assert result.events == len(lines)


def test_findings_are_capped_per_code_but_counted_exactly() -> None:
    bad = b"not json\n" * (FINDINGS_PER_CODE + 25)
    result = run(bad)
    assert result.counts["TRC001"] == FINDINGS_PER_CODE + 25
    assert sum(f.code == "TRC001" for f in result.findings) == FINDINGS_PER_CODE
    assert result.shown == 25 + 0


def _turns(count: int, sessions: int) -> Iterable[bytes]:
    template = GOOD.splitlines()[:11]  # one whole turn
    for i in range(count):
        sid = f"sess_{i % sessions:05d}".encode()
        tid = f"turn_{i:07d}".encode()
        for line in template:
            yield (line.replace(b"sess_a", sid).replace(b"turn_0001", tid) + b"\n")


def _peak(count: int) -> tuple[int, TraceResult]:
    data = b"".join(_turns(count, sessions=50))
    tracemalloc.start()
    try:
        result = run(data)
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_memory_is_bounded_by_open_turns_not_by_events() -> None:
    # Both traces are several reads long (~1.6 KB a turn), so the read buffers are at their
    # full size in both and the difference is what the 4,000 more turns keep.
    small_peak, small = _peak(2_000)
    large_peak, large = _peak(6_000)
    assert small.findings == () == large.findings
    assert large.events == 3 * small.events
    # Per closed turn only its ring entry stays (a key of two short strings, < 300 bytes,
    # up to CLOSED_RING of them); the events themselves are never kept. Holding the events
    # would cost over 1 KiB per event, 11 per turn.
    assert CLOSED_RING > 4_000
    assert large_peak - small_peak < 300 * 4_000, (small_peak, large_peak)
