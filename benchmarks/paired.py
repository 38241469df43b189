"""Paired before/after timing of rspp: two source trees, the same repositories, alternating
runs, medians and the after/before ratio of each moment.

A change that should not change speed (a refactor) is judged by this: both trees run in the
same session on the same files, one after the other, so machine noise hits both alike.

    python3 benchmarks/paired.py --before /path/to/old/checkout --specs 1000 --repeat 5

``--before`` and ``--after`` (default: this checkout) are repository checkouts; each is run
with its own ``tools/`` first on ``PYTHONPATH`` by the interpreter running this script, which
must have rspp's dependencies installed. Moments: the pre-commit hook (`rspp validate` of one
spec of this repository's examples), `rspp validate` and `rspp resolve --all` of an N-spec
synthetic repository. Asserts nothing: it prints the figures and writes
benchmarks/out/paired.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import report  # noqa: E402
from generate import generate  # noqa: E402


def _run(tree: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree / "tools")}
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rspp", *args], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{tree}: rspp {' '.join(args)} exited {done.returncode}: "
                         f"{done.stderr.decode(errors='replace')[-400:]}")
    return elapsed


def _paired(before: Path, after: Path, args: list[str], repeat: int) -> dict[str, float]:
    times: dict[str, list[float]] = {"before": [], "after": []}
    _run(before, args)  # one untimed run each: file caches warm for both
    _run(after, args)
    for i in range(repeat):
        order = (("before", before), ("after", after))
        for name, tree in order if i % 2 == 0 else order[::-1]:
            times[name].append(_run(tree, args))
    b, a = statistics.median(times["before"]), statistics.median(times["after"])
    return {"before_s": round(b, 3), "after_s": round(a, 3), "after/before": round(a / b, 3)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the old checkout")
    parser.add_argument("--after", type=Path, default=HERE.parent, help="the new checkout")
    parser.add_argument("--specs", type=int, default=1000, help="synthetic repository size")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per tree and moment")
    args = parser.parse_args(argv)
    common.as_installed(args.before / "tools")
    common.as_installed(args.after / "tools")
    examples = args.after
    spec = next(iter(sorted((examples / "pipelines" / "specs").rglob("*.yaml"))))
    result: dict[str, object] = {"python": sys.version.split()[0], "nproc": os.cpu_count(),
                                 "specs": args.specs, "repeat": args.repeat}
    result["pre-commit (validate one spec)"] = _paired(
        args.before, args.after, ["validate", "--root", str(examples), str(spec)],
        max(args.repeat, 10))
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        generate(repo, args.specs)
        result[f"validate, {args.specs} specs"] = _paired(
            args.before, args.after, ["validate", "--root", str(repo)], args.repeat)
        result[f"resolve --all, {args.specs} specs"] = _paired(
            args.before, args.after, ["resolve", "--all", "--root", str(repo)], args.repeat)
    report("paired", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
