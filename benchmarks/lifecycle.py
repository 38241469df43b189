"""`rspp status`, `rspp check --against` and `rspp compat --against` with one changed spec,
against `rspp validate`.

    python3 benchmarks/lifecycle.py --specs 5000 [--repeat 3] [--keep DIR]

Builds the synthetic repository (benchmarks/generate.py), locks it, builds every derived file
(resolved views and pages under docs/pipelines/, bundle pins), commits it to a real git
repository, adds a new minor version of one spec with one parameter changed (not locked: at
5,000 specs rspp.lock is larger than the loader's 1 MiB cap, so a second `rspp lock` is
refused), then times whole processes in the same run: `rspp validate` (the anchor),
`rspp status`, `rspp check --against main` and `rspp compat --against main`. Writes
benchmarks/out/lifecycle.json. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import commit_base, expect, next_version, report, timed  # noqa: E402
from generate import generate  # noqa: E402

RSPP = [sys.executable, "-m", "rspp"]


def prepare(root: Path, specs: int, seed: int) -> Path:
    """The committed repository and the spec changed on the branch."""
    generate(root, specs, seed)
    commit_base(root, RSPP)
    return next_version(root)


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
        validate, status, check, compat = [], [], [], []
        # The new version is valid, not locked yet: exactly LCK001 at the gate, else nothing.
        expect([*RSPP, "validate", "--root", str(root)], 0, set())
        expect([*RSPP, "check", "--root", str(root), "--against", "main"], 1, {"LCK001"})
        expect([*RSPP, "compat", "--root", str(root), "--against", "main"], 0, set())
        for _ in range(args.repeat):
            validate.append(timed([*RSPP, "validate", "--root", str(root)], (0,)))
            status.append(timed([*RSPP, "status", "--root", str(root)], (0,)))
            check.append(timed([*RSPP, "check", "--root", str(root), "--against", "main"], (1,)))
            compat.append(timed([*RSPP, "compat", "--root", str(root), "--against", "main"],
                                (0,)))
        v, s, c, k = (statistics.median(x) for x in (validate, status, check, compat))
        result = {"specs": args.specs, "repeat": args.repeat,
                  "changed_file": str(spec.relative_to(root)),
                  "validate_s": round(v, 3), "status_s": round(s, 3),
                  "check_against_s": round(c, 3), "compat_against_s": round(k, 3),
                  "status_over_validate": round(s / v, 3),
                  "check_over_validate": round(c / v, 3),
                  "compat_over_validate": round(k / v, 3)}
    report("lifecycle", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
