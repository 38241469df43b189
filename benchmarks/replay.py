"""The replay trace checker against the floor of reading the trace: events/s and peak memory.

    python3 benchmarks/replay.py [--events 1000000] [--sessions 5000] [--repeat 3]
                                 [--lengths 250000,1000000,2000000] [--seed 0] [--keep DIR]

Generates a synthetic trace of `--events` events over `--sessions` interleaved sessions
(benchmarks/tracegen.py: valid by construction) in a temporary folder, then times whole
processes in the same run, `--repeat` times each in rotating order (medians reported):

- **floor (json)**: `python -c "import json,sys; for l in open(sys.argv[1],'rb'): json.loads(l)"`,
  the bare cost of reading and parsing every line with the standard library;
- **floor (orjson)**: the same loop with `orjson.loads`, the fastest general JSON parser;
- **floor (msgspec)**, when msgspec is installed: the same loop with `msgspec.json.decode`
  (the checker decodes each line with msgspec into typed event structs);
- **checker**: `python -m rspp replay check - --format json --manifest or02_baseline@1.1.0
  --bundle livekit_voice_assistant_bundle@1.0.0` with the trace on standard input (the command
  reads traces from inside the repository or from stdin);
- **checker start-up**: the same command on a 14-event trace: importing rspp and validating
  the repository to resolve the manifest and the bundle's budgets. The "checking" rate is the
  events over the checker's time minus this.

Then the checker alone at each of `--lengths` (same sessions, same seed), once each, to show
that its peak memory does not follow the length of the trace: it is bounded by open turns and
live sessions, plus a ring of the last 65,536 closed turns (to recognise an event after
CLOSE), which fills up over the first ~900,000 events of this trace and then stays full.

Peak RSS of each process comes from `/usr/bin/time -v` when it exists, else from a
`python -c` wrapper that runs the process and reads its `ru_maxrss` (`RUSAGE_CHILDREN` of a
parent with one child). Every process runs this checkout's `tools/` (PYTHONPATH). Prints
Markdown tables to stdout and writes no file; asserts nothing, and exits non-zero only when a
process fails or the checker reports a finding on the generated trace (then the figures mean
nothing).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from tracegen import generate  # noqa: E402

PY = sys.executable
MANIFEST = "or02_baseline@1.1.0"
BUNDLE = "livekit_voice_assistant_bundle@1.0.0"
TIME = "/usr/bin/time"

FLOOR_JSON = "import json,sys\nfor l in open(sys.argv[1],'rb'): json.loads(l)"
FLOOR_ORJSON = "import orjson,sys\nfor l in open(sys.argv[1],'rb'): orjson.loads(l)"
FLOOR_MSGSPEC = ("import msgspec,sys\nd = msgspec.json.decode\n"
                 "for l in open(sys.argv[1],'rb'): d(l)")
# The probe used without /usr/bin/time: runs argv[1:] (stdin passed on) and prints the child's
# peak RSS (KiB on Linux) on stderr in /usr/bin/time's words; the wall time is taken outside.
RSS_WRAPPER = ("import resource,subprocess,sys\n"
               "code = subprocess.run(sys.argv[1:]).returncode\n"
               "print('Maximum resident set size (kbytes):',"
               " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
               "sys.exit(code)")
MAXRSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


class Run:
    """One timed process: wall seconds, peak RSS in MiB, its stdout."""

    def __init__(self, seconds: float, rss_mib: float, stdout: str) -> None:
        self.seconds, self.rss_mib, self.stdout = seconds, rss_mib, stdout


def measure(cmd: Sequence[str], stdin: Path | None = None, ok: tuple[int, ...] = (0,)) -> Run:
    """Run ``cmd`` once under the RSS probe; stop the benchmark if it fails."""
    probe = ([TIME, "-v"] if os.access(TIME, os.X_OK) else [PY, "-c", RSS_WRAPPER])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tools")}
    with (stdin.open("rb") if stdin else open(os.devnull, "rb")) as feed:
        start = time.perf_counter()
        done = subprocess.run([*probe, *cmd], stdin=feed, capture_output=True, env=env,
                              cwd=ROOT, check=False)
        seconds = time.perf_counter() - start
    if done.returncode not in ok:
        sys.stderr.write(done.stderr.decode(errors="replace")[-2000:])
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}")
    found = MAXRSS.findall(done.stderr.decode(errors="replace"))
    if not found:
        raise SystemExit(f"no peak RSS reported for {' '.join(cmd)}")
    return Run(seconds, int(found[-1]) / 1024, done.stdout.decode(errors="replace"))


def checker(trace: Path) -> Run:
    """One run of the checker over ``trace``; refuses a trace with findings."""
    run = measure([PY, "-m", "rspp", "replay", "check", "-", "--format", "json",
                   "--manifest", MANIFEST, "--bundle", BUNDLE], stdin=trace, ok=(0, 1))
    problems = findings_of(run.stdout)
    if problems:
        raise SystemExit(f"the checker reports {problems} finding(s) on a generated trace "
                         "(tracegen.py must write valid traces)")
    return run


def findings_of(stdout: str) -> int:
    """The number of findings in the checker's JSON output (either shape), 0 if none."""
    data = json.loads(stdout) if stdout.strip() else {}
    if isinstance(data, list):
        return len(data)
    found = data.get("findings", 0)
    return len(found) if isinstance(found, list) else int(found)


def _lengths(text: str | None, events: int) -> list[int]:
    if text:
        return sorted({int(x) for x in text.split(",") if x.strip()})
    return [events // 4, events, events * 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lengths", help="trace lengths for the memory check, comma-separated "
                        "(default: events/4, events, 2*events)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep the traces")
    args = parser.parse_args()
    lengths = _lengths(args.lengths, args.events)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        trace = folder / f"trace-{args.events}.jsonl"
        start = time.perf_counter()
        generate(trace, args.events, args.sessions, args.seed)
        generated = time.perf_counter() - start
        size = trace.stat().st_size
        cases = {
            "floor (json.loads per line)": [PY, "-c", FLOOR_JSON, str(trace)],
            "floor (orjson.loads per line)": [PY, "-c", FLOOR_ORJSON, str(trace)],
        }
        if importlib.util.find_spec("msgspec") is not None:
            cases["floor (msgspec.json.decode per line)"] = [PY, "-c", FLOOR_MSGSPEC, str(trace)]
        tiny = folder / "trace-14.jsonl"
        generate(tiny, 14, 1, args.seed)
        runs: dict[str, list[Run]] = {name: [] for name in [*cases, "checker"]}
        names = list(runs)
        startup: list[Run] = []
        for round_ in range(args.repeat):
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                runs[name].append(checker(trace) if name == "checker"
                                  else measure(cases[name]))
            startup.append(checker(tiny))
        memory = []
        for n in lengths:
            path = trace if n == args.events else folder / f"trace-{n}.jsonl"
            if path != trace:
                generate(path, n, args.sessions, args.seed)
            memory.append((n, checker(path)))
            if path != trace and not args.keep:
                path.unlink()

    what = "`rspp replay check - --format json`"
    print(f"# Replay trace checker: {args.events:,} events, {args.sessions:,} sessions\n")
    print(f"- python {platform.python_version()} ({PY}), nproc {os.cpu_count()}, "
          f"{platform.machine()}")
    print(f"- trace: {size / 2**20:,.1f} MiB ({size / args.events:.0f} bytes/event), "
          f"seed {args.seed}, generated in {generated:.1f} s")
    print(f"- checker: {what}, evidence {MANIFEST}, budgets of {BUNDLE}")
    print(f"- whole processes, median of {args.repeat}; peak RSS: "
          f"{'/usr/bin/time -v' if os.access(TIME, os.X_OK) else 'ru_maxrss of a wrapper'}\n")
    floor = {name: statistics.median(r.seconds for r in runs[name]) for name in names}
    base_json, base_orjson = floor[names[0]], floor[names[1]]
    print("| process | seconds | events/s | time / json floor | time / orjson floor "
          "| peak RSS MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in names:
        secs = floor[name]
        rss = max(r.rss_mib for r in runs[name])
        print(f"| {name} | {secs:.2f} | {args.events / secs:,.0f} | {secs / base_json:.2f} "
              f"| {secs / base_orjson:.2f} | {rss:.1f} |")
    fixed = statistics.median(r.seconds for r in startup)
    checking = floor["checker"] - fixed
    print(f"\nChecker start-up (import, repository validation; a 14-event trace): {fixed:.2f} s. "
          f"Checking alone: {checking:.2f} s, {args.events / checking:,.0f} events/s "
          f"({checking / base_json:.2f} x the json floor's time).")
    print(f"\n## Checker memory against trace length ({args.sessions:,} sessions)\n")
    print("| events | seconds | events/s | peak RSS MiB |")
    print("| ---: | ---: | ---: | ---: |")
    for n, run in memory:
        print(f"| {n:,} | {run.seconds:.2f} | {n / run.seconds:,.0f} | {run.rss_mib:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
