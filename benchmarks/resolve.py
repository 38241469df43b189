"""Resolve throughput on the synthetic repository, against `rspp validate` in the same run.

    python3 benchmarks/resolve.py --specs 5000 [--repeat 3] [--keep DIR]

Times, for a repository of N specs and N bundles (benchmarks/generate.py):
- validate (the anchor): `rspp validate --root DIR`, whole process;
- resolve all: every bundle resolved to its full view (module expansion, defaults, the
  source of every value with its file and line, canonical JSON text), in one process after
  loading the repository; reported as specs per second;
- resolve one: `rspp resolve <bundle>` whole process, what a reviewer waits for;
- resolve --all: `rspp resolve --all --out-dir DIR` whole process: validation, every view
  resolved in one worker per core and written.
Writes benchmarks/out/resolve.json. Asserts nothing; fails only when a command fails.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import report, timed  # noqa: E402
from generate import generate  # noqa: E402


def resolve_all(root: Path) -> tuple[float, float, int]:
    """(seconds to load, seconds to resolve every bundle, bundles resolved)."""
    from rspp.core.canonical import pretty
    from rspp.core.pool import default_jobs
    from rspp.load.api import Limits
    from rspp.resolve.api import bundle_inputs, resolve_inputs
    from rspp.validate.discover import discover
    from rspp.validate.engine import load_repository

    gc.disable()
    try:
        start = time.perf_counter()
        repo = load_repository(root, discover(root), Limits(), default_jobs())
        loaded = time.perf_counter()
        count = 0
        for bundle in repo.index.of_kind("PipelineBundle"):
            inputs = bundle_inputs(bundle, repo.index)
            if inputs is None:
                raise SystemExit(f"{bundle.path}: does not pin a spec and a profile")
            view = resolve_inputs(inputs, repo.index).view
            if view is None:
                raise SystemExit(f"{bundle.path}: does not resolve")
            pretty(view)
            count += 1
        return loaded - start, time.perf_counter() - loaded, count
    finally:
        gc.enable()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="Write the repository here and keep it.")
    args = parser.parse_args()
    common.as_installed()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "repo"
        if not (root / "pipelines").is_dir():
            generate(root, args.specs, args.seed)
        rspp = [sys.executable, "-m", "rspp"]
        bundle = sorted((root / "pipelines" / "bundles").rglob("*.json"))[0]
        views = Path(tmp) / "views"
        validate, resolve_one, command_all, resolve_runs = [], [], [], []
        for _ in range(args.repeat):
            validate.append(timed([*rspp, "validate", "--root", str(root)]))
            resolve_one.append(timed([*rspp, "resolve", "--root", str(root), str(bundle)]))
            command_all.append(timed([*rspp, "resolve", "--all", "--root", str(root),
                                       "--out-dir", str(views)]))
            resolve_runs.append(resolve_all(root))
        load_s = statistics.median(r[0] for r in resolve_runs)
        all_s = statistics.median(r[1] for r in resolve_runs)
        count = resolve_runs[0][2]
        result = {
            "specs": args.specs, "repeat": args.repeat, "bundles_resolved": count,
            "validate_whole_process_s": round(statistics.median(validate), 3),
            "load_s": round(load_s, 3),
            "resolve_all_s": round(all_s, 3),
            "resolve_specs_per_s": round(count / all_s, 1),
            "resolve_one_whole_process_s": round(statistics.median(resolve_one), 3),
            "resolve_all_command_s": round(statistics.median(command_all), 3),
            "resolve_all_command_specs_per_s": round(count / statistics.median(command_all), 1),
            "resolve_all_over_validate": round(all_s / statistics.median(validate), 3),
        }
    report("resolve", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
