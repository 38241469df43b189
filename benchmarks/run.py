"""Time `rspp validate` against check-jsonschema on synthetic repositories.

    python3 benchmarks/run.py [--sizes 1000,5000] [--repeat 3] [--seed 7] [--keep DIR]

For each size N a repository with N specs (and their bundles, profiles and modules) is
generated, then, alternating which goes first, whole processes are timed on the same files:

  rspp              rspp validate --root DIR   (schema and every semantic rule, all files)
  check-jsonschema  check-jsonschema --schemafile schemas/<Kind>.schema.json <files of Kind>,
                    once per kind present; the anchor is the sum (schema checks only)

The pre-commit scenario then times `rspp validate <one spec>` on the repository's own
examples. Figures are printed and written to benchmarks/out/results.json. Nothing is
asserted: the exit status is 0 unless a tool fails (or reports the generated files invalid).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import common
from common import (
    SCHEMAS,
    ToolFailed,
    anchor_yaml_parser,
    console_script,
    nproc,
    schema_parity,
    source_revision,
)
from generate import by_kind, generate

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "out" / "results.json"
RATIO_TARGET = 4.0  # at N=5,000
PRECOMMIT_TARGET_S = 0.3
PRECOMMIT_RUNS = 10


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run(cmd: Sequence[str | Path], cwd: Path, ok: Sequence[int] = (0,)) -> tuple[float, str]:
    """Run ``cmd`` as a whole process; (wall seconds, output). Unexpected status: ToolFailed."""
    args = [str(c) for c in cmd]
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        shown = " ".join(args[:6]) + (" ..." if len(args) > 6 else "")
        tail = "\n".join(proc.stdout.splitlines()[-20:])
        raise ToolFailed(f"`{shown}` exited {proc.returncode} in {cwd}:\n{tail}")
    return elapsed, proc.stdout


def version_of(script: Path) -> str:
    _, out = run([script, "--version"], REPO)
    return out.strip().splitlines()[-1] if out.strip() else "unknown"


@contextmanager
def workdir(keep: Path | None, n: int) -> Iterator[Path]:
    if keep is not None:
        target = keep / f"n{n}"
        if target.exists():
            shutil.rmtree(target)
        yield target
        return
    with tempfile.TemporaryDirectory(prefix=f"rspp-bench-{n}-") as tmp:
        yield Path(tmp) / "repo"


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def bench_size(n: int, repeat: int, seed: int, rspp: Path, cjs: Path,
               keep: Path | None) -> dict[str, Any]:
    with workdir(keep, n) as root:
        start = time.perf_counter()
        files = generate(root, n, seed)
        groups = by_kind(root, files)
        spec_bytes = [(root / p).stat().st_size for p in groups["PipelineSpec"]]
        total = sum(p.stat().st_size for p in files)
        counts = ", ".join(f"{len(v)} {k}" for k, v in sorted(groups.items()))
        say(f"N = {n:,}: {len(files):,} files ({counts}), {total / 1e6:.1f} MB, "
            f"mean spec {statistics.mean(spec_bytes) / 1000:.2f} KB "
            f"[generated in {time.perf_counter() - start:.1f} s]")
        flags, _ = schema_parity(sorted(groups))

        def time_rspp() -> float:
            elapsed, out = run([rspp, "validate", "--root", root], root)
            if "no findings" not in out:
                raise ToolFailed(f"rspp reported findings on the generated files:\n{out[-2000:]}")
            return elapsed

        def time_anchor() -> tuple[float, dict[str, float]]:
            parts: dict[str, float] = {}
            for kind, paths in sorted(groups.items()):
                schema = SCHEMAS / f"{kind}.schema.json"
                elapsed, _ = run([cjs, "--schemafile", schema, *flags, *paths], root)
                parts[kind] = elapsed
            return sum(parts.values()), parts

        rspp_times: list[float] = []
        anchor_times: list[float] = []
        anchor_parts: list[dict[str, float]] = []
        for i in range(repeat):
            first_rspp = i % 2 == 0
            if first_rspp:
                rspp_times.append(time_rspp())
            a_total, a_parts = time_anchor()
            anchor_times.append(a_total)
            anchor_parts.append(a_parts)
            if not first_rspp:
                rspp_times.append(time_rspp())
            order = "rspp first" if first_rspp else "check-jsonschema first"
            parts = ", ".join(f"{k} {v:.2f}" for k, v in a_parts.items())
            say(f"  run {i + 1}/{repeat} ({order}): rspp {rspp_times[-1]:.2f} s | "
                f"check-jsonschema {a_total:.2f} s ({parts}) | "
                f"ratio {a_total / rspp_times[-1]:.2f}")

        # One changed spec inside this repository (rspp still loads the whole repository
        # to resolve references): how pre-commit scales with repository size.
        one = sorted(groups["PipelineSpec"])[0]
        single = [run([rspp, "validate", "--root", root, root / one], root)[0]
                  for _ in range(repeat)]

    r_med, a_med = _median(rspp_times), _median(anchor_times)
    ratio = a_med / r_med
    pair_ratios = [a / r for a, r in zip(anchor_times, rspp_times, strict=True)]
    say(f"  median: rspp {r_med:.2f} s ({r_med / len(files) * 1000:.2f} ms/file) | "
        f"check-jsonschema {a_med:.2f} s ({a_med / len(files) * 1000:.2f} ms/file)")
    say(f"  => rspp is {ratio:.1f}x faster than check-jsonschema at N = {n:,} "
        f"(paired ratios {min(pair_ratios):.2f}-{max(pair_ratios):.2f}; "
        f"target >= {RATIO_TARGET:.0f}x at N = 5,000)")
    say(f"  one changed spec in this repository: rspp validate {one} "
        f"median {_median(single):.2f} s over {repeat}")
    return {
        "specs": n,
        "files": len(files),
        "files_by_kind": {k: len(v) for k, v in sorted(groups.items())},
        "bytes": total,
        "mean_spec_bytes": round(statistics.mean(spec_bytes)),
        "rspp_s": rspp_times,
        "check_jsonschema_s": anchor_times,
        "check_jsonschema_by_kind_s": anchor_parts,
        "rspp_median_s": r_med,
        "check_jsonschema_median_s": a_med,
        "ratio": ratio,
        "pair_ratios": pair_ratios,
        "single_file_in_repo_s": single,
        "single_file_in_repo_median_s": _median(single),
    }


def bench_precommit(rspp: Path) -> dict[str, Any]:
    """`rspp validate <one spec>` on the repository's own examples, as a hook runs it."""
    specs = sorted(p for p in (REPO / "pipelines" / "specs").rglob("*")
                   if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    if specs:
        cmd: list[str | Path] = [rspp, "validate", specs[0].relative_to(REPO)]
        where = "repository examples"
    else:
        base = Path("tests") / "rules" / "base"
        cmd = [rspp, "validate", "--root", base, base / "pipelines" / "specs" / "agent.yaml"]
        where = "tests/rules/base (pipelines/specs holds no spec yet)"
    shown = " ".join(str(c) if i else "rspp" for i, c in enumerate(cmd))
    run(cmd, REPO, ok=(0,))  # warm the file cache; not counted; the examples are clean
    times: list[float] = []
    statuses: set[int] = set()
    for _ in range(PRECOMMIT_RUNS):
        start = time.perf_counter()
        proc = subprocess.run([str(c) for c in cmd], cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
        statuses.add(proc.returncode)
    if statuses != {0}:
        raise ToolFailed(f"`{shown}` exited {sorted(statuses)}; the examples are clean")
    med = _median(times)
    say(f"pre-commit ({where}): `{shown}`")
    say(f"  median {med:.3f} s over {PRECOMMIT_RUNS} runs (min {min(times):.3f}, "
        f"max {max(times):.3f}); target {PRECOMMIT_TARGET_S} s")
    return {"command": shown, "where": where, "times_s": times, "median_s": med,
            "target_s": PRECOMMIT_TARGET_S, "exit_statuses": sorted(statuses)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000",
                        help="comma-separated numbers of specs (default 1000,5000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool and size")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--anchor", type=Path, default=None,
                        help="check-jsonschema script to time (default: the one next to "
                             "this interpreter)")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where to write the JSON summary (default benchmarks/out/"
                             "results.json)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="generate into DIR/n<N> and keep it (default: a temporary folder)")
    args = parser.parse_args(argv)
    common.as_installed()
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: not a list of numbers: {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("--sizes and --repeat need positive numbers")

    try:
        rspp = console_script("rspp")
        cjs = args.anchor.absolute() if args.anchor else console_script("check-jsonschema")
        if not cjs.is_file():
            raise ToolFailed(f"--anchor {cjs}: no such file")
        env = {
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "nproc": nproc(),
            "rspp": version_of(rspp),
            "rspp_revision": source_revision(),
            "check_jsonschema": version_of(cjs),
            "check_jsonschema_path": str(cjs),
            "check_jsonschema_yaml_parser": anchor_yaml_parser(cjs),
        }
        _, note = schema_parity(["PipelineSpec", "PipelineBundle", "ExecutionProfile",
                                 "Module"])
        say(f"python {env['python']} ({env['implementation']}), nproc {env['nproc']}, "
            f"{env['platform']}")
        say(f"{env['rspp']} at {env['rspp_revision']} ({rspp})")
        say(f"{env['check_jsonschema']} ({cjs}); its ruamel.yaml parses YAML with the "
            f"{env['check_jsonschema_yaml_parser']} parser")
        say(f"schemas: {SCHEMAS.relative_to(REPO)}/ (same documents rspp uses); {note}")
        say("timings are whole processes, wall clock; runs alternate which tool goes first")
        say()
        results = [bench_size(n, args.repeat, args.seed, rspp, cjs, args.keep) for n in sizes]
        say()
        precommit = bench_precommit(rspp)
    except ToolFailed as exc:
        sys.stderr.write(f"benchmark void: {exc}\n")
        return 2

    summary = {"environment": env, "schema_note": note, "seed": args.seed,
               "repeat": args.repeat, "ratio_target": RATIO_TARGET, "sizes": results,
               "precommit": precommit}
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    say()
    say("summary")
    for r in results:
        say(f"  N = {r['specs']:>6,}: rspp {r['rspp_median_s']:.2f} s, check-jsonschema "
            f"{r['check_jsonschema_median_s']:.2f} s -> rspp is {r['ratio']:.1f}x faster")
    say(f"  pre-commit, one spec: {precommit['median_s']:.3f} s (target "
        f"{PRECOMMIT_TARGET_S} s)")
    say(f"  written to {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
