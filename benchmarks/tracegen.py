"""Large synthetic replay traces for the trace checker (`rspp replay check`), valid by construction.

    python3 benchmarks/tracegen.py OUT.jsonl [--events 1000000] [--sessions 5000] [--seed 0]
                                             [--gzip]

`generate(path, events, sessions, seed, gzip)` writes exactly `events` events (JSON Lines, one
compact object a line, event ABI 1.1.0: the format of ADR 0011, "Settled while building") over
`sessions` interleaved sessions and returns the number written. Every session starts within the
first ten seconds (so all of them are live at once, whatever the length of the trace: the
checker's memory is bounded by open turns, which this keeps equal) and is a sequence of turns of
`livekit_voice_assistant_bundle@1.0.0`:

- the session's worker acquires the lease (`lease_acquired`, a random first epoch) and
  releases it after the last turn (`lease_released`);
- each turn is admitted (`admit`), or first deferred then admitted (`defer`, `admit`, ~6%),
  and sometimes follows a rejected candidate (`reject` of a backchannel, ~8%);
- a committed turn: `turn_open` (the frozen plan: `bundle_ref`, `plan_hash`,
  `routing_snapshot_ref`), `turn_active`, the stage marks `speech_end`, `stt_final`,
  `turn_commit`, `llm_request`, `llm_first_token`, `tts_first_byte`, `output_accepted`,
  `playback_started`, one to three more `output_accepted` audio chunks, `turn_close`;
- ~12% of turns are barged in: after playback, `cancel_requested` and `cancel_accepted`
  (scope `turn`), `turn_abort`, `turn_close`, with no output after the accepted cancel;
- ~8% of turns fall back: the primary TTS fails (`output_rejected`, `provider_error`) and the
  secondary's output is accepted;
- ~5% of turns start after a lease handover to another worker (epoch + 1), and ~3% see the
  handover mid-turn: a late output of the old worker at the old epoch is `output_rejected`
  (`stale_epoch`) and the turn finishes at the new epoch.

Stage durations are drawn below the `simple/v1` budgets (turn latency at most ~715 ms of
800, first audio ~510 of 600, STT final 190 of 200, first token 330 of 350, TTS first byte
145 of 150), so the trace passes the checker with no finding, budgets included.

The output depends only on (events, sessions, seed); the gzip variant holds the same bytes
compressed (no file name, time 0 in the header). Memory does not grow with `events` (~100 MB
at 5,000 sessions): the sessions are merged by timestamp (`heapq.merge`), each holding only
its current turn, and lines go to the file in batches.
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import heapq
import random
from collections.abc import Callable, Iterator
from pathlib import Path

BUNDLE = "livekit_voice_assistant_bundle@1.0.0"
PLAN_HASH = "sha256:3b1f0c9d7e2a4f6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b"
ROUTING = "routing/us-east-1/2026-11-20T09:14:00Z"
MS = 1_000_000
T0 = 500_000 * 1_000 * MS  # the monotonic clock reads ~500,000 s at the first event
LANES = {"stage_mark": "telemetry", "output_accepted": "data", "output_rejected": "data",
         "playback_started": "data"}

# Events of a session beside its turns (lease_acquired, lease_released), of the shortest
# committed turn (admit, open, active, 5 marks, commit, output, playback, close), and an upper
# bound of any turn drawn at random; a session's quota must leave room for a committed turn.
SESSION_EVENTS = 2
PLAIN_TURN = 12
TURN_MAX = 32
MIN_QUOTA = SESSION_EVENTS + PLAIN_TURN
BATCH = 8192


class _Session:
    """One session's clock, lease and turn counter; ``emit`` appends a line to ``out``."""

    def __init__(self, index: int, seed: int) -> None:
        self.rng = random.Random(f"tracegen:{seed}:{index}")
        self.key = f"{self.rng.getrandbits(32):08x}"
        self.sid = f"sess_{self.key}"
        self.index = index
        self.t = T0 + self.rng.randrange(10_000 * MS)
        self.epoch = self.rng.randrange(1, 40)
        self.worker = self.rng.randrange(64)
        self.turn = 0
        self.out: list[tuple[int, int, str]] = []

    def wait(self, low_ms: float, high_ms: float) -> None:
        self.t += int(self.rng.uniform(low_ms, high_ms) * MS) + 1

    def emit(self, event: str, turn: str, extra: str = "", *, epoch: int | None = None,
             corr: str | None = None) -> None:
        corr = corr or f"corr_{self.key}_{turn[5:]}"
        line = (f'{{"event":"{event}","session_id":"{self.sid}","turn_id":"{turn}",'
                f'"correlation_id":"{corr}","lease_epoch":{self.epoch if epoch is None else epoch},'
                f'"lane":"{LANES.get(event, "control")}","ts_mono_ns":{self.t}{extra}}}\n')
        self.out.append((self.t, self.index, line))

    def lease(self, event: str) -> None:
        self.emit(event, "", f',"worker":"worker-{self.worker:02d}"',
                  corr=f"corr_{self.key}_lease_{self.epoch}")

    def handover(self) -> None:
        """Another worker takes the session over at the next epoch."""
        self.epoch += 1
        self.worker = (self.worker + 1 + self.rng.randrange(63)) % 64
        self.lease("lease_acquired")

    def next_turn(self) -> str:
        self.turn += 1
        return f"turn_{self.turn:04d}"

    def mark(self, turn: str, stage: str, low_ms: float, high_ms: float) -> None:
        self.wait(low_ms, high_ms)
        self.emit("stage_mark", turn, f',"stage":"{stage}"')

    def chunk(self, turn: str, node: str = "tts") -> None:
        self.emit("output_accepted", turn,
                  f',"node":"{node}","provider_request_id":"req_{self.rng.getrandbits(32):08x}"')


def _turn(s: _Session, *, plain_chunks: int | None = None) -> None:
    """One turn (and what precedes it) into ``s.out``: drawn at random, or with
    ``plain_chunks`` a plain committed turn (``PLAIN_TURN`` events, no handover, no rejected
    or deferred candidate) with exactly that many audio chunks after the first."""
    rng = s.rng
    final = plain_chunks is not None
    roll = rng.random()
    if not final and roll < 0.05:
        s.wait(200, 1500)
        s.handover()
    s.wait(400, 3000)  # silence before the user speaks
    if not final and rng.random() < 0.08:
        s.emit("reject", s.next_turn(), ',"reason":"backchannel"')
        s.wait(300, 1200)
    turn = s.next_turn()
    if not final and rng.random() < 0.06:
        s.emit("defer", turn, ',"reason":"agent_speaking"')
        s.wait(100, 800)
        s.emit("admit", turn, ',"reason":"agent_finished"')
    else:
        s.emit("admit", turn, ',"reason":"vad_speech_start"')
    s.wait(0.5, 2)
    s.emit("turn_open", turn, f',"bundle_ref":"{BUNDLE}","plan_hash":"{PLAN_HASH}",'
                              f'"routing_snapshot_ref":"{ROUTING}"')
    s.wait(1, 4)
    s.emit("turn_active", turn)
    kind = "commit" if final else rng.choices(
        ("commit", "barge_in", "fallback", "stale"), (0.77, 0.12, 0.08, 0.03))[0]
    s.mark(turn, "speech_end", 600, 4000)
    s.mark(turn, "stt_final", 60, 190)
    if kind != "barge_in":
        s.wait(3, 12)
        s.emit("turn_commit", turn, ',"terminal_outcome":"commit","reason":"end_of_turn"')
    s.mark(turn, "llm_request", 1, 4)
    s.mark(turn, "llm_first_token", 120, 330)
    node = "tts"
    if kind == "fallback":
        s.wait(20, 50)
        s.emit("output_rejected", turn, ',"node":"tts_primary","reason":"provider_error",'
                                        f'"plan_hash":"{PLAN_HASH}"')
        s.mark(turn, "tts_first_byte", 40, 94)
        node = "tts_secondary"
    else:
        s.mark(turn, "tts_first_byte", 40, 140)
    s.wait(1, 5)
    s.chunk(turn, node)
    s.wait(8, 30)
    s.emit("playback_started", turn, ',"node":"room_out"')
    chunks = plain_chunks if plain_chunks is not None else rng.randrange(4)
    for _ in range(chunks):
        s.wait(150, 400)
        s.chunk(turn, node)
    if kind == "barge_in":
        s.wait(300, 3000)
        s.emit("cancel_requested", turn, ',"scope":"turn","reason":"barge_in","node":"interrupt"')
        s.wait(5, 60)
        s.emit("cancel_accepted", turn, ',"scope":"turn","reason":"barge_in","node":"interrupt"')
        s.wait(2, 15)
        s.emit("turn_abort", turn, ',"terminal_outcome":"abort","reason":"cancelled"')
    elif kind == "stale":
        old = s.epoch
        s.wait(200, 1500)
        s.handover()
        s.wait(5, 80)
        s.emit("output_rejected", turn, ',"node":"tts","reason":"stale_epoch"', epoch=old)
    s.wait(500, 3000)  # the agent finishes speaking
    s.emit("turn_close", turn)


def _session(index: int, quota: int, seed: int) -> Iterator[tuple[int, int, str]]:
    """The events of session ``index``, exactly ``quota`` of them, as (ts, index, line)."""
    s = _Session(index, seed)
    s.lease("lease_acquired")
    yield from s.out
    remaining = quota - SESSION_EVENTS
    while remaining >= TURN_MAX + PLAIN_TURN:
        s.out = []
        _turn(s)
        if len(s.out) > TURN_MAX:
            raise AssertionError(f"a turn of {len(s.out)} events exceeds TURN_MAX")
        remaining -= len(s.out)
        yield from s.out
    # The last few turns are plain, so that the session ends on exactly its quota: 0-3 audio
    # chunks each, the last turn taking what is left (0 to PLAIN_TURN - 1 chunks).
    s.out = []
    while remaining >= 2 * PLAIN_TURN:
        chunks = s.rng.randrange(min(4, remaining - 2 * PLAIN_TURN + 1))
        _turn(s, plain_chunks=chunks)
        remaining -= PLAIN_TURN + chunks
    _turn(s, plain_chunks=remaining - PLAIN_TURN)
    s.wait(200, 2000)
    s.lease("lease_released")
    yield from s.out


def _write(write: Callable[[bytes], object], events: int, sessions: int,
           seed: int) -> int:
    base, extra = divmod(events, sessions)
    merged = heapq.merge(*(_session(i, base + (i < extra), seed) for i in range(sessions)))
    written = 0
    batch: list[str] = []
    for _, _, line in merged:
        batch.append(line)
        if len(batch) == BATCH:
            write("".join(batch).encode("ascii"))
            written += len(batch)
            batch.clear()
    write("".join(batch).encode("ascii"))
    return written + len(batch)


def generate(path: Path, events: int, sessions: int, seed: int = 0, gzip: bool = False) -> int:
    """Write a trace of exactly ``events`` events over ``sessions`` sessions to ``path``
    (gzip-compressed when ``gzip``); returns the number of events written.

    Raises ValueError when a session would get fewer than ``MIN_QUOTA`` (15) events (a lease
    acquired and released around one committed turn)."""
    if sessions < 1 or events < sessions * MIN_QUOTA:
        raise ValueError(f"{events} events over {sessions} sessions: need at least "
                         f"{MIN_QUOTA} events a session")
    with path.open("wb") as raw:
        if not gzip:
            return _write(raw.write, events, sessions, seed)
        with gzip_module.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                  compresslevel=6) as packed:
            return _write(packed.write, events, sessions, seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the trace file to write")
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gzip", action="store_true", help="write it gzip-compressed")
    args = parser.parse_args()
    try:
        written = generate(args.out, args.events, args.sessions, args.seed, args.gzip)
    except ValueError as error:
        parser.error(str(error))
    print(f"{written} events over {args.sessions} sessions -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
