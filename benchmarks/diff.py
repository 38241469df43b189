"""`rspp diff --against main` with one changed spec, against `rspp validate` (issue 12).

    python3 benchmarks/diff.py --specs 5000 [--repeat 3] [--keep DIR]

Builds the synthetic repository and its one-spec change as benchmarks/lifecycle.py does (a new
minor version of one spec on a branch of a real git repository; here an LLM temperature is
changed in it, so the resolved view differs), then
times in the same run, as whole processes: `rspp validate` (the anchor: loading and checking
everything) and `rspp diff --against main --format markdown`. In one process it also times the
two phases of the diff: the gate against the base (what `rspp check --against main` does,
loading included) and the review itself (resolving the reached pipelines, deepdiff, grouping,
the picture, the Markdown), which is the diff's own work beyond the gate. Writes
benchmarks/out/diff.json. Asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import expect, report, set_temperature, timed  # noqa: E402
from lifecycle import RSPP, prepare  # noqa: E402


def _phases(root: Path) -> dict[str, float]:
    """Seconds of each phase of one diff, in this process: the gate against the base
    (`rspp check --against main`: validation, lock, immutability, compatibility, derived
    files; what the diff runs first) and the review itself."""
    from rspp.commands.check import CheckOptions, checked
    from rspp.review import render
    from rspp.review.diff import review

    start = time.perf_counter()
    gate = checked(CheckOptions(root, "main", today=dt.date.today()))
    gated = time.perf_counter()
    assert gate.history is not None and gate.evaluation is not None
    done = review(gate.repository, gate.history, gate.evaluation)
    render.markdown(done)
    reviewed = time.perf_counter()
    return {"gate": gated - start, "review": reviewed - gated,
            "pipelines": float(len(done.pipelines))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    common.as_installed()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "repo"
        spec = prepare(root, args.specs, args.seed)
        # A change the resolved view shows, whatever the spec drew: an LLM's temperature.
        set_temperature(spec, "0.55")
        validate, diff = [], []
        # The diff's gate fails on exactly the new version's lock entry and the changed
        # value's compat rule (its exit is 1); anything else means the figures are of another
        # run than the one meant.
        expect([*RSPP, "validate", "--root", str(root)], 0, set())
        expect([*RSPP, "check", "--root", str(root), "--against", "main"], 1,
               {"CHG016", "LCK001"})
        for _ in range(args.repeat):
            validate.append(timed([*RSPP, "validate", "--root", str(root)], (0,)))
            diff.append(timed([*RSPP, "diff", "--root", str(root), "--against", "main",
                               "--format", "markdown"], (1,)))
        phases = [_phases(root) for _ in range(args.repeat)]
        v, d = statistics.median(validate), statistics.median(diff)
        median = {k: statistics.median(p[k] for p in phases) for k in phases[0]}
        result = {"specs": args.specs, "repeat": args.repeat,
                  "changed_file": str(spec.relative_to(root)),
                  "validate_s": round(v, 3), "diff_s": round(d, 3),
                  "diff_over_validate": round(d / v, 3),
                  "phase_gate_s": round(median["gate"], 3),
                  "phase_review_s": round(median["review"], 3),
                  "review_over_validate": round(median["review"] / v, 4),
                  "pipelines_reviewed": int(median["pipelines"])}
    report("diff", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
