"""The replay trace checker against the floor of reading the trace: events/s and peak memory.

    python3 benchmarks/replay.py [--events 1000000] [--sessions 5000] [--repeat 3]
                                 [--lengths 250000,1000000,2000000] [--seed 0] [--keep DIR]

Generates a synthetic trace of `--events` events over `--sessions` interleaved sessions
(benchmarks/tracegen.py: valid by construction) in a temporary folder, then times whole
processes in the same run, `--repeat` times each in rotating order (medians reported):

- **floor (json)**: `python -c "import json,sys; for l in open(sys.argv[1],'rb'): json.loads(l)"`,
  the bare cost of reading and parsing every line with the standard library;
- **floor (orjson)**: the same loop with `orjson.loads`, the fastest general JSON parser;
- **floor (msgspec)**: the same loop with `msgspec.json.decode`
  (the checker decodes each line with msgspec into typed event structs);
- **checker (compiled)**: `python -m rspp replay check - --format json --manifest
  or02_baseline@1.1.0 --bundle livekit_voice_assistant_bundle@1.0.0` with the trace on standard
  input (the command reads traces from inside the repository or from stdin), running the
  trace checker as a wheel ships it where a C compiler exists: compiled by mypyc (setup.py,
  ADR 0012). The benchmark builds that wheel first (`pip wheel --no-build-isolation` with
  `RSPP_COMPILE=1`, so mypy and setuptools must be installed: the dev extras) and runs the
  unpacked wheel; when the build fails it says why and times the pure modules only;
- **checker (pure Python)**: the same command on this checkout's `tools/`, as an editable
  install or a machine without a C compiler runs it;
- **checker start-up**: the same command on a 14-event trace: importing rspp and validating
  the repository to resolve the manifest and the bundle's budgets, per implementation. The
  "checking alone" rate is the events over the checker's time minus this.

Then the shipped checker (compiled when it built) alone at each of `--lengths` (same sessions, same seed), once each, to show
that its peak memory does not follow the length of the trace: it is bounded by open turns and
live sessions, plus a ring of the last 65,536 closed turns (to recognise an event after
CLOSE), which fills up over the first ~900,000 events of this trace and then stays full.

Peak RSS of each process comes from `/usr/bin/time -v` when it exists, else from a
`python -c` wrapper that runs the process and reads its `ru_maxrss` (`RUSAGE_CHILDREN` of a
parent with one child). Every process runs this checkout's `tools/` (PYTHONPATH) or the
wheel built from it. Prints
Markdown tables to stdout and writes no file; asserts nothing, and exits non-zero only when a
process fails or the checker reports a finding on the generated trace (then the figures mean
nothing).
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import Run  # noqa: E402
from tracegen import generate  # noqa: E402

PY = sys.executable
MANIFEST = "or02_baseline@1.1.0"
BUNDLE = "livekit_voice_assistant_bundle@1.0.0"
FLOOR_JSON = "import json,sys\nfor l in open(sys.argv[1],'rb'): json.loads(l)"
FLOOR_ORJSON = "import orjson,sys\nfor l in open(sys.argv[1],'rb'): orjson.loads(l)"
FLOOR_MSGSPEC = ("import msgspec,sys\nd = msgspec.json.decode\n"
                 "for l in open(sys.argv[1],'rb'): d(l)")


def measure(cmd: Sequence[str], stdin: Path | None = None, ok: tuple[int, ...] = (0,),
            path: Path = ROOT / "tools") -> Run:
    """Run ``cmd`` once under the RSS probe with rspp from ``path``; stop the benchmark if it
    fails."""
    run = common.measure(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(path)},
                         stdin=stdin)
    if run.code not in ok:
        sys.stderr.write(run.stderr[-2000:])
        raise SystemExit(f"{' '.join(cmd)} exited {run.code}")
    return run


def checker(trace: Path, path: Path) -> Run:
    """One run of the checker (rspp from ``path``) over ``trace``; refuses a trace with
    findings."""
    run = measure([PY, "-m", "rspp", "replay", "check", "-", "--format", "json",
                   "--manifest", MANIFEST, "--bundle", BUNDLE], stdin=trace, path=path)
    problems = findings_of(run.stdout)
    if problems:
        raise SystemExit(f"the checker reports {problems} finding(s) on a generated trace "
                         "(tracegen.py must write valid traces)")
    return run


def findings_of(stdout: str) -> int:
    """The number of findings in the checker's JSON report. Anything but a report (no output,
    a traceback, another shape) stops the benchmark: a process that did not check the trace
    measures nothing (an interpreter without rspp's dependencies fails in a fraction of a
    second, and must not pass as a rate)."""
    try:
        data = json.loads(stdout)
    except ValueError:
        data = None
    found = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(found, list):
        raise SystemExit(f"the checker printed no JSON report: {stdout[:300]!r}")
    return len(found)


def compiled(folder: Path) -> tuple[Path | None, str]:
    """Build this checkout's wheel with the trace checker compiled and unpack it into
    ``folder``; (the folder, "") or (None, why not)."""
    dist = folder / "dist"
    env = {**os.environ, "RSPP_COMPILE": "1"}
    done = subprocess.run([PY, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                           "-w", str(dist), str(ROOT)], capture_output=True, text=True,
                          env=env, cwd=ROOT, check=False)
    wheels = list(dist.glob("rspp-*.whl"))
    if done.returncode or not wheels:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return None, lines[-1] if lines else f"pip wheel exited {done.returncode}"
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(folder / "native")
    # Byte-compiled as pip does on install, so that start-up compares like with like.
    compileall.compile_dir(folder / "native", quiet=1)
    return folder / "native", ""


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
    common.as_installed()
    missing = [m for m in ("msgspec", "orjson", "typer") if importlib.util.find_spec(m) is None]
    if missing:
        raise SystemExit(f"{PY} lacks rspp's dependencies ({', '.join(missing)}): run the "
                         "benchmark with the interpreter of an environment where rspp is "
                         "installed (`pip install -e '.[dev]'`)")
    lengths = _lengths(args.lengths, args.events)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        native, why_not = compiled(Path(tmp))
        checkers = {"checker (pure Python)": ROOT / "tools"}
        if native is not None:
            checkers = {"checker (compiled)": native, **checkers}
        shipped = next(iter(checkers.values()))
        trace = folder / f"trace-{args.events}.jsonl"
        start = time.perf_counter()
        generate(trace, args.events, args.sessions, args.seed)
        generated = time.perf_counter() - start
        size = trace.stat().st_size
        cases = {
            "floor (json.loads per line)": [PY, "-c", FLOOR_JSON, str(trace)],
            "floor (orjson.loads per line)": [PY, "-c", FLOOR_ORJSON, str(trace)],
        }
        cases["floor (msgspec.json.decode per line)"] = [PY, "-c", FLOOR_MSGSPEC, str(trace)]
        tiny = folder / "trace-14.jsonl"
        generate(tiny, 14, 1, args.seed)
        runs: dict[str, list[Run]] = {name: [] for name in [*cases, *checkers]}
        names = list(runs)
        startup: dict[str, list[Run]] = {name: [] for name in checkers}
        for round_ in range(args.repeat):
            for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                runs[name].append(checker(trace, checkers[name]) if name in checkers
                                  else measure(cases[name]))
            for name, path in checkers.items():
                startup[name].append(checker(tiny, path))
        memory = []
        for n in lengths:
            path = trace if n == args.events else folder / f"trace-{n}.jsonl"
            if path != trace:
                generate(path, n, args.sessions, args.seed)
            memory.append((n, checker(path, shipped)))
            if path != trace and not args.keep:
                path.unlink()

    what = "`rspp replay check - --format json`"
    print(f"# Replay trace checker: {args.events:,} events, {args.sessions:,} sessions\n")
    print(f"- python {platform.python_version()} ({PY}), nproc {os.cpu_count()}, "
          f"{platform.machine()}")
    print(f"- trace: {size / 2**20:,.1f} MiB ({size / args.events:.0f} bytes/event), "
          f"seed {args.seed}, generated in {generated:.1f} s")
    print(f"- checker: {what}, evidence {MANIFEST}, budgets of {BUNDLE}")
    print("- compiled checker: " + ("the wheel's mypyc build of rspp.conform.trace"
                                    if native is not None else f"not built ({why_not})"))
    print(f"- whole processes, median of {args.repeat}; peak RSS: {common.peak_probe()}\n")
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
    print("\n| checker | start-up s (14-event trace) | checking alone s | events/s "
          "| time / json floor |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name in checkers:
        fixed = statistics.median(r.seconds for r in startup[name])
        checking = floor[name] - fixed
        print(f"| {name} | {fixed:.2f} | {checking:.2f} | {args.events / checking:,.0f} "
              f"| {checking / base_json:.2f} |")
    print("\nStart-up: importing rspp and validating the repository (manifest, bundle budgets). "
          "Checking alone: the checker's median minus its start-up.")
    print(f"\n## Checker memory against trace length ({args.sessions:,} sessions, "
          f"{next(iter(checkers))})\n")
    print("| events | seconds | events/s | peak RSS MiB |")
    print("| ---: | ---: | ---: | ---: |")
    for n, run in memory:
        print(f"| {n:,} | {run.seconds:.2f} | {n / run.seconds:,.0f} | {run.rss_mib:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
