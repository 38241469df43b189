"""Issue 14's performance table in one run: every moment, paired with its anchor or floor.

    python3 benchmarks/table.py [--specs 5000] [--fmt-specs 1000] [--repeat 3] [--no-write]

Run it with the interpreter of an environment where rspp's dependencies and check-jsonschema
are installed (`pip install -e '.[dev]'`); every rspp process runs this checkout's `tools/`
(PYTHONPATH), through the `rspp` console script next to the interpreter when there is one
(what a pre-commit hook runs), else `python -m rspp`. Every figure is a whole process (start,
imports, reading files, output), wall clock, measured under `/usr/bin/time -v` (else a
`python -c` wrapper reading its child's `ru_maxrss`) for its peak RSS. Each row's figure is
the median of `--repeat` runs; its anchor runs in the same rounds, in rotating order, so that
machine noise hits both alike. Rows, in the order of the table:

1. **pre-commit**: this checkout's tracked files copied into a temporary git repository (same
   layout), `rspp validate pipelines/specs/<first spec>` from its root, as the hook runs it,
   after one untimed run filled the cache; before each timed run the spec gets a new comment
   line (a trivial edit: new bytes, so one cache miss, same content digest, so the bundle that
   pins it stays valid). Anchor: `check-jsonschema --schemafile schemas/PipelineSpec.schema.json
   <that spec>`; floor: `python -c pass`. Met when rspp's median is at most 0.15 s and below
   check-jsonschema's.
2. **one changed spec, N specs**: in the synthetic repository (benchmarks/generate.py), after
   the full runs of row 5 filled the cache, the first spec's LLM temperature is set to a new
   value before each run (a real content change that keeps it valid), then
   `rspp validate <spec>` from the repository's root. Goal: at most 0.5 s.
3. **full validate, one core**: `rspp validate --root DIR -j 1 --no-cache` against
   check-jsonschema on the same files with the same schemas, one process per kind
   (`--schemafile schemas/<Kind>.schema.json <every file of that kind>`, as benchmarks/run.py
   runs it; the anchor's time is the sum, its peak the largest). Ratio: the anchor's median
   over rspp's. Goal: at least 6x.
4. **full validate, two workers**: the same with `-j 2`, in the same rounds. Goal: at least 8x.
5. **warm against cold**: per round `rspp cache clear`, then `rspp validate -j 1` with the
   empty cache (cold: it writes every entry), then the same again (warm, nothing changed).
   The benchmark checks that the cache is empty before the cold run and filled after it.
   Ratio: cold median over warm median. Goal: at least 20x.
6. **peak memory**: the largest peak RSS of row 3's rspp runs (`-j 1 --no-cache`, one
   process), against check-jsonschema's largest. Goal: at most 250 MB (10^6 bytes).
7. **`rspp fmt --check`**: a separate synthetic repository of `--fmt-specs` specs (its files
   are canonical: the check must exit 0); per round `rspp cache clear`, then the check twice
   (cold, then warm). Goal: both medians at most 10 s.
8. **resolve and the gate**: row 2's repository, its derived files built, locked and
   committed as branch `main` of a git repository; on a branch, a new minor version of one
   spec (parameters changed) is added and locked, so that `rspp check --against main`
   must exit 0 with exactly one kind of finding, CHG016 (the compatible change and the bump it
   needs, an info). Timed with a warm cache (one untimed run each first): `rspp resolve
   <id@version of the first bundle>` (must print the ResolvedSpec) and
   `rspp check --against main --format json`. Goals: at most 1 s and 2 s.

Every process must exit with its exact expected status and output: rspp's reports must hold
exactly the expected finding codes (a clean text run ends with `N files checked: no
findings`), `fmt --check` must report no file to reformat, check-jsonschema must say `ok`.
Anything else stops the benchmark with the command and its output: a failing process (a
traceback exits 1) measures nothing. "met?" is computed from the figures against the goals;
a goal met on a smaller repository than the issue's is "yes at this size".

Sizes other than the defaults are shown in the moment column: those figures are not the
issue's. The table is printed, written to benchmarks/out/table.json (with every run's
seconds and peak) and between the `table.py` markers of benchmarks/README.md (added with a
section explaining the rows if missing); `--no-write` only prints. Ratios measured side by
side are what compare across machines; seconds on a shared machine drift by tens of percent.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOOLS = ROOT / "tools"
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import (  # noqa: E402
    BIN,
    SCHEMAS,
    Run,
    ToolFailed,
    anchor_yaml_parser,
    commit_base,
    git,
    has_findings,
    measure,
    next_version,
    nproc,
    outcome,
    peak_probe,
    report,
    schema_parity,
    set_temperature,
    source_revision,
)
from generate import by_kind, generate  # noqa: E402

README = HERE / "README.md"
BEGIN, END = "<!-- table.py: begin -->", "<!-- table.py: end -->"
SPECS, FMT_SPECS, REPEAT, SEED = 5000, 1000, 3, 7
PY = sys.executable

PRECOMMIT_S = 0.15
ONE_SPEC_S = 0.5
RATIO_ONE_CORE = 6.0
RATIO_TWO_WORKERS = 8.0
WARM_OVER_COLD = 20.0
PEAK_MB = 250.0
FMT_S = 10.0
RESOLVE_S = 1.0
CHECK_S = 2.0

SECTION = f"""## Issue 14's table (`table.py`)

```sh
python3 benchmarks/table.py                                        # the issue's sizes
python3 benchmarks/table.py --specs 300 --fmt-specs 100 --repeat 1 --no-write   # a quick look
```

One command measures every moment of issue 14 with its anchor in the same run and writes the
table below (between the markers; `--no-write` only prints it). Each figure is the median of
`--repeat` whole processes; "met?" is computed from the figures, and says "yes at this size"
when the goal is met on a smaller repository than the issue's (the figures of a larger one
are not known, and most grow with it). The rows:

- **pre-commit**: `rspp validate <spec>` on a copy of this repository, one spec given a new
  comment before each run (warm cache), against check-jsonschema on that file (schema only)
  and the floor of starting Python (`python -c pass`).
- **one changed spec**: `rspp validate <spec>` in the N-spec synthetic repository after a
  full run filled the cache, the spec's LLM temperature changed before each run.
- **full validate**: `rspp validate -j 1 --no-cache` and `-j 2 --no-cache` against
  check-jsonschema on the same files with the same schemas (one process per kind, summed).
- **warm against cold**: `rspp validate -j 1` right after `rspp cache clear` (cold, writes the
  cache), then again with nothing changed (warm).
- **peak memory**: the largest peak RSS of the `-j 1 --no-cache` runs, against
  check-jsonschema's largest process; MB are 10^6 bytes.
- **`fmt --check`**: a separate repository of `--fmt-specs` canonical specs, right after
  `rspp cache clear` (cold) and again (warm).
- **resolve and the gate**: the N-spec repository built, locked and committed as `main`, a
  new minor version of one spec added and locked on a branch; `rspp resolve <bundle id@version>`
  and `rspp check --against main` (exit 0, one CHG016 info), warm cache.

The module docstring of `table.py` gives every command exactly.

{BEGIN}
{END}
"""


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def med(values: Sequence[float]) -> float:
    return statistics.median(values)


@dataclass(frozen=True, slots=True)
class Tools:
    """How rspp, the anchor and the floor are started."""

    rspp: list[str]
    env: dict[str, str]
    cjs: Path
    cjs_flags: list[str]


@dataclass(slots=True)
class Row:
    """One line of the table and the figures behind it."""

    moment: str
    rspp: str
    anchor: str
    goal: str
    met: bool
    figures: dict[str, Any] = field(default_factory=dict)


def rspp(tools: Tools, args: Sequence[str], cwd: Path, code: int = 0,
         codes: frozenset[str] = frozenset()) -> Run:
    """One rspp process whose report must hold exactly ``codes`` and exit ``code``."""
    cmd = [*tools.rspp, *args]
    return outcome(measure(cmd, cwd=cwd, env=tools.env), cmd, code,
                   f"exactly the findings {sorted(codes)}", has_findings(set(codes)))


def rspp_says(tools: Tools, args: Sequence[str], cwd: Path, what: str,
              ok: Callable[[str], bool]) -> Run:
    """One rspp process that prints no report (fmt, resolve, cache): exit 0 and ``ok``."""
    cmd = [*tools.rspp, *args]
    return outcome(measure(cmd, cwd=cwd, env=tools.env), cmd, 0, what, ok)


def anchor(tools: Tools, kind: str, files: Sequence[Path], cwd: Path) -> Run:
    """check-jsonschema on ``files`` with the schema of ``kind``: must exit 0 and say ok."""
    cmd = [str(tools.cjs), "--schemafile", str(SCHEMAS / f"{kind}.schema.json"),
           *tools.cjs_flags, *(str(f) for f in files)]
    return outcome(measure(cmd, cwd=cwd), cmd, 0, "`ok -- validation done`",
                   lambda out: "ok -- validation done" in out)


def floor(cwd: Path) -> Run:
    cmd = [PY, "-c", "pass"]
    return outcome(measure(cmd, cwd=cwd), cmd, 0, "no output", lambda out: out == "")


def rotations(names: Sequence[str], repeat: int) -> list[list[str]]:
    """The order of each round: rotated by one each round, so that no process always goes
    first (or always follows the same one)."""
    return [[*names[i % len(names):], *names[:i % len(names)]] for i in range(repeat)]


def size(n: int, default: int) -> str:
    """``n`` specs, saying the issue's size when it is another."""
    return f"{n:,} specs" + ("" if n == default else f" (issue: {default:,})")


def cache_entries(root: Path) -> int:
    folder = root / ".rspp" / "cache" / "files"
    return sum(len(files) for _, _, files in os.walk(folder)) if folder.is_dir() else 0


# --------------------------------------------------------------------------- the rows


def copy_checkout(dest: Path) -> None:
    """This checkout's tracked files as they are in the work tree, with the same layout, as
    the only commit of a new git repository at ``dest``."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = ROOT / rel
        if source.is_file() and not source.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
        elif source.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(source), dest / rel)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "examples")


def row_precommit(tools: Tools, tmp: Path, repeat: int) -> Row:
    repo = tmp / "examples"
    copy_checkout(repo)
    specs = sorted(p for p in (repo / "pipelines" / "specs").rglob("*")
                   if p.suffix in (".yaml", ".yml") and p.is_file())
    if not specs:
        raise SystemExit("pipelines/specs holds no YAML spec: no pre-commit moment to time")
    spec = specs[0]
    rel = str(spec.relative_to(repo))
    original = spec.read_text(encoding="utf-8")
    rspp(tools, ["validate", rel], repo)  # fills the cache; not timed
    runs: dict[str, list[Run]] = {"rspp": [], "check-jsonschema": [], "floor": []}
    for i, order in enumerate(rotations(list(runs), repeat)):
        for name in order:
            if name == "rspp":
                spec.write_text(f"{original}# touched before timed run {i + 1}\n",
                                encoding="utf-8")
                runs[name].append(rspp(tools, ["validate", rel], repo))
            elif name == "check-jsonschema":
                runs[name].append(anchor(tools, "PipelineSpec", [Path(rel)], repo))
            else:
                runs[name].append(floor(repo))
    r, a, f = (med([x.seconds for x in runs[k]]) for k in runs)
    return Row(f"pre-commit: `rspp validate {rel}` on a copy of this repository, the spec "
               "given a new comment before each run, warm cache",
               f"{r:.3f} s", f"check-jsonschema {a:.3f} s; `python -c pass` {f:.3f} s",
               f"≤ {PRECOMMIT_S} s, and faster than check-jsonschema",
               r <= PRECOMMIT_S and r < a,
               {"spec": rel, **{f"{k}_s": [x.seconds for x in v] for k, v in runs.items()}})


def rows_full(tools: Tools, root: Path, groups: dict[str, list[Path]], n: int,
              repeat: int) -> list[Row]:
    """Rows 3, 4 and 6: -j 1 and -j 2 without the cache against the anchor, same rounds."""
    runs: dict[str, list[Run]] = {"-j 1": [], "-j 2": []}
    anchor_s: list[float] = []
    anchor_peak: list[float] = []
    for i, order in enumerate(rotations([*runs, "check-jsonschema"], repeat)):
        for name in order:
            if name in runs:
                runs[name].append(rspp(tools, ["validate", "--root", str(root), *name.split(),
                                               "--no-cache"], root))
            else:
                parts = [anchor(tools, kind, files, root) for kind, files in sorted(groups.items())]
                anchor_s.append(sum(p.seconds for p in parts))
                anchor_peak.append(max(p.rss_mib for p in parts))
        say(f"  full validate round {i + 1}/{repeat}: -j 1 {runs['-j 1'][-1].seconds:.1f} s, "
            f"-j 2 {runs['-j 2'][-1].seconds:.1f} s, check-jsonschema {anchor_s[-1]:.1f} s")
    a = med(anchor_s)
    rows = []
    for name, goal in (("-j 1", RATIO_ONE_CORE), ("-j 2", RATIO_TWO_WORKERS)):
        r = med([x.seconds for x in runs[name]])
        what = "one core" if name == "-j 1" else "two workers"
        rows.append(Row(
            f"full `rspp validate`, {size(n, SPECS)}, {what} (`{name} --no-cache`)",
            f"{r:.1f} s: {a / r:.1f}x faster",
            f"check-jsonschema {a:.1f} s (same files, same schemas)",
            f"≥ {goal:g}x faster than the anchor", a / r >= goal,
            {"rspp_s": [x.seconds for x in runs[name]], "anchor_s": anchor_s,
             "ratio": a / r,
             "pair_ratios": [s / x.seconds for s, x in zip(anchor_s, runs[name], strict=True)]}))
    peak = max(x.rss_mib for x in runs["-j 1"]) * 2**20 / 1e6
    a_peak = max(anchor_peak) * 2**20 / 1e6
    rows.append(Row(
        f"peak memory, full validate of {size(n, SPECS)}, one process (`-j 1 --no-cache`)",
        f"{peak:.0f} MB", f"check-jsonschema {a_peak:.0f} MB (its largest process)",
        f"≤ {PEAK_MB:g} MB", peak <= PEAK_MB,
        {"rspp_peak_mb": [x.rss_mib * 2**20 / 1e6 for x in runs["-j 1"]],
         "anchor_peak_mb": [x * 2**20 / 1e6 for x in anchor_peak], "probe": peak_probe()}))
    return rows


def row_warm_cold(tools: Tools, root: Path, n: int, files: int, repeat: int) -> Row:
    cold: list[Run] = []
    warm: list[Run] = []
    written: list[int] = []
    args = ["validate", "--root", str(root), "-j", "1"]
    for i in range(repeat):
        rspp_says(tools, ["cache", "clear", "--root", str(root)], root, "the cache cleared",
                  lambda _: True)
        if cache_entries(root):
            raise SystemExit(f"`rspp cache clear` left {cache_entries(root)} entries")
        cold.append(rspp(tools, args, root))
        written.append(cache_entries(root))
        if written[-1] < files:
            raise SystemExit(f"the cold run wrote {written[-1]} cache entries for {files} files")
        warm.append(rspp(tools, args, root))
        say(f"  cold/warm round {i + 1}/{repeat}: cold {cold[-1].seconds:.1f} s, "
            f"warm {warm[-1].seconds:.1f} s")
    c, w = med([x.seconds for x in cold]), med([x.seconds for x in warm])
    return Row(f"second run, nothing changed (warm cache) vs cold (empty cache, written), "
               f"{size(n, SPECS)}, `-j 1`",
               f"cold {c:.1f} s, warm {w:.1f} s: warm {c / w:.1f}x faster", "—",
               f"warm ≥ {WARM_OVER_COLD:g}x faster than cold", c / w >= WARM_OVER_COLD,
               {"cold_s": [x.seconds for x in cold], "warm_s": [x.seconds for x in warm],
                "entries_written": written, "ratio": c / w})


def row_one_spec(tools: Tools, root: Path, n: int, repeat: int) -> Row:
    spec = sorted((root / "pipelines" / "specs").rglob("*.yaml"))[0]
    rel = str(spec.relative_to(root))
    runs = []
    for i in range(repeat):
        # A value no earlier run has seen (the generator draws 0.2-0.8 in steps of 0.2).
        set_temperature(spec, f"{0.3 + (i + 1) / 10000:.4f}")
        runs.append(rspp(tools, ["validate", rel], root))
    r = med([x.seconds for x in runs])
    return Row(f"one changed spec in a repository of {size(n, SPECS)}: `rspp validate FILE` "
               "after a full run filled the cache, the file's content changed",
               f"{r:.2f} s", "—", f"≤ {ONE_SPEC_S} s", r <= ONE_SPEC_S,
               {"spec": rel, "rspp_s": [x.seconds for x in runs]})


def _is_view_of(spec_id: str) -> Callable[[str], bool]:
    def ok(stdout: str) -> bool:
        try:
            view = json.loads(stdout)
        except ValueError:
            return False
        return (isinstance(view, dict) and view.get("kind") == "ResolvedSpec"
                and view.get("metadata", {}).get("id") == spec_id)
    return ok


def row_gate(tools: Tools, root: Path, n: int, repeat: int) -> Row:
    start = time.perf_counter()
    commit_base(root, tools.rspp, tools.env)
    spec = next_version(root)
    set_temperature(spec, "0.55")  # a change the gate reports (CHG016), whatever was drawn
    # The new version has no bundle, so it adds no derived file: locking it is the whole
    # change (the gate's exact findings below would name any stale or missing file).
    rspp_says(tools, ["lock", "--root", str(root)], root, "`rspp lock` done", lambda _: True)
    say(f"  built, locked and committed in {time.perf_counter() - start:.0f} s; "
        f"new version {spec.relative_to(root)}")
    bundle_file = sorted((root / "pipelines" / "bundles").rglob("*.json"))[0]
    meta = json.loads(bundle_file.read_text(encoding="utf-8"))["metadata"]
    ref = f"{meta['id']}@{meta['version']}"
    pinned = json.loads(bundle_file.read_text(encoding="utf-8"))["spec"]["pins"][0]["ref"]
    resolve_args = ["resolve", "--root", str(root), ref]
    check_args = ["check", "--root", str(root), "--against", "main", "--format", "json"]
    is_view = _is_view_of(pinned.split("@")[0])

    def do_resolve() -> Run:
        return rspp_says(tools, resolve_args, root, f"the ResolvedSpec of {ref}", is_view)

    def do_check() -> Run:
        return rspp(tools, check_args, root, 0, frozenset({"CHG016"}))

    do_resolve()  # warm: not timed
    do_check()
    runs: dict[str, list[Run]] = {"resolve": [], "check": []}
    for order in rotations(list(runs), repeat):
        for name in order:
            runs[name].append(do_resolve() if name == "resolve" else do_check())
    r, c = (med([x.seconds for x in runs[k]]) for k in runs)
    return Row(f"`rspp resolve {ref}` and `rspp check --against main` with one changed spec "
               f"(a new minor version, locked), {size(n, SPECS)}, warm cache",
               f"resolve {r:.2f} s; check {c:.2f} s", "—",
               f"≤ {RESOLVE_S:g} s / ≤ {CHECK_S:g} s", r <= RESOLVE_S and c <= CHECK_S,
               {"bundle": ref, "changed": str(spec.relative_to(root)),
                "resolve_s": [x.seconds for x in runs["resolve"]],
                "check_s": [x.seconds for x in runs["check"]]})


def row_fmt(tools: Tools, root: Path, n: int, files: int, repeat: int) -> Row:
    clean = f"0 files would be reformatted, {files} unchanged"
    args = ["fmt", "--check", "--root", str(root)]
    cold: list[Run] = []
    warm: list[Run] = []
    for i in range(repeat):
        rspp_says(tools, ["cache", "clear", "--root", str(root)], root, "the cache cleared",
                  lambda _: True)
        for runs in (cold, warm):
            runs.append(rspp_says(tools, args, root, f"`{clean}`",
                                  lambda out: out.strip().splitlines()[-1:] == [clean]))
        say(f"  fmt --check round {i + 1}/{repeat}: cold {cold[-1].seconds:.1f} s, "
            f"warm {warm[-1].seconds:.1f} s")
    c, w = med([x.seconds for x in cold]), med([x.seconds for x in warm])
    return Row(f"`rspp fmt --check`, repository of {size(n, FMT_SPECS)}: cold (cache cleared) "
               "and warm (second run)", f"cold {c:.1f} s, warm {w:.1f} s", "—",
               f"≤ {FMT_S:g} s", c <= FMT_S and w <= FMT_S,
               {"cold_s": [x.seconds for x in cold], "warm_s": [x.seconds for x in warm]})


# --------------------------------------------------------------------------- set-up, output


def requirement_names() -> list[str]:
    """The distributions rspp requires (pyproject.toml's [project] dependencies)."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        deps = tomllib.load(handle)["project"]["dependencies"]
    return [re.split(r"[\s\[<>=!~;]", d, maxsplit=1)[0] for d in deps]


def preflight() -> Tools:
    """Stop with a clear message unless this interpreter has rspp's dependencies, imports
    rspp from this checkout, and check-jsonschema is installed."""
    missing = []
    for name in requirement_names():
        try:
            metadata.version(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        raise SystemExit(f"{PY} lacks rspp's dependencies ({', '.join(missing)}): run the "
                         "benchmark with the interpreter of an environment where rspp is "
                         "installed (`pip install -e '.[dev]'`)")
    env = {k: v for k, v in os.environ.items() if k != "RSPP_NO_CACHE"}
    env["PYTHONPATH"] = str(TOOLS)
    probe = subprocess.run([PY, "-c", "import rspp, rspp.cli.main; print(rspp.__file__)"],
                           env=env, capture_output=True, text=True, check=False)
    where = Path(probe.stdout.strip()).resolve().parent if probe.returncode == 0 else None
    if where != (TOOLS / "rspp").resolve():
        raise SystemExit(f"{PY} with PYTHONPATH={TOOLS} does not import rspp from this "
                         f"checkout (exit {probe.returncode}: {probe.stdout.strip()}"
                         f"{probe.stderr.strip()[-800:]})")
    script = BIN / "rspp"
    command = [str(script)] if script.is_file() and os.access(script, os.X_OK) else \
        [PY, "-m", "rspp"]
    cjs = BIN / "check-jsonschema"
    found = str(cjs) if cjs.is_file() else shutil.which("check-jsonschema")
    if found is None:
        raise SystemExit(f"check-jsonschema is not installed next to {PY} nor on PATH: "
                         "install the dev extras (`pip install -e '.[dev]'`)")
    version = subprocess.run([found, "--version"], capture_output=True, text=True,
                             check=False)
    if version.returncode != 0:
        raise SystemExit(f"{found} --version exited {version.returncode}: "
                         f"{version.stderr.strip()[-800:]}")
    try:
        flags, _ = schema_parity(["PipelineSpec", "PipelineBundle", "ExecutionProfile",
                                  "Module"], TOOLS / "rspp")
    except ToolFailed as exc:
        raise SystemExit(str(exc)) from exc
    return Tools(command, env, Path(found), flags)


def at_issue_size(row: Row) -> bool:
    """Whether ``row`` was measured at the issue's size (:func:`size` names the issue's
    size in the moment when it was not)."""
    return "(issue: " not in row.moment


def verdict(row: Row) -> str:
    """"yes" or "no"; a goal met on a smaller repository than the issue's is "yes at this
    size": the figures of a larger one are not known, and most grow with it."""
    if not row.met:
        return "no"
    return "yes" if at_issue_size(row) else "yes at this size"


def markdown(rows: Sequence[Row], header: str) -> str:
    lines = [header, "", "| moment | rspp | anchor / floor | goal | met? |",
             "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.moment} | {r.rspp} | {r.anchor} | {r.goal} | {verdict(r)} |"
              for r in rows]
    return "\n".join(lines)


def write_readme(table: str) -> None:
    text = README.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + "\n\n" + SECTION
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--specs", type=int, default=SPECS,
                        help=f"specs of the synthetic repository (default {SPECS})")
    parser.add_argument("--fmt-specs", type=int, default=FMT_SPECS,
                        help=f"specs of the fmt --check repository (default {FMT_SPECS})")
    parser.add_argument("--repeat", type=int, default=REPEAT,
                        help=f"timed runs of every process (default {REPEAT})")
    parser.add_argument("--no-write", action="store_true",
                        help="print only: write neither benchmarks/out/table.json nor the "
                             "README table")
    args = parser.parse_args(argv)
    common.as_installed()
    if min(args.specs, args.fmt_specs, args.repeat) < 1:
        parser.error("--specs, --fmt-specs and --repeat need positive numbers")
    tools = preflight()
    began = time.perf_counter()
    revision = source_revision()
    cjs_version = subprocess.run([str(tools.cjs), "--version"], capture_output=True,
                                 text=True, check=False).stdout.strip()
    parser_kind = anchor_yaml_parser(tools.cjs)
    say(f"rspp {' '.join(tools.rspp)} from {TOOLS} at {revision}; {cjs_version} "
        f"({parser_kind} YAML parser); python {platform.python_version()}, nproc {nproc()}")
    with tempfile.TemporaryDirectory(prefix="rspp-table-") as tmp_name:
        tmp = Path(tmp_name)
        say("pre-commit on this repository's examples")
        precommit = row_precommit(tools, tmp, args.repeat)
        root = tmp / "repo"
        files = generate(root, args.specs, SEED)
        groups = by_kind(root, files)
        say(f"{size(args.specs, SPECS)}: {len(files):,} files generated")
        one_core, two_workers, peak = rows_full(tools, root, groups, args.specs, args.repeat)
        say("warm against cold")
        warm = row_warm_cold(tools, root, args.specs, len(files), args.repeat)
        say("one changed spec")
        one = row_one_spec(tools, root, args.specs, args.repeat)
        say("resolve and check --against main")
        gate = row_gate(tools, root, args.specs, args.repeat)
        shutil.rmtree(root)
        fmt_root = tmp / "fmt"
        fmt_files = generate(fmt_root, args.fmt_specs, SEED)
        say(f"fmt --check, {size(args.fmt_specs, FMT_SPECS)}: {len(fmt_files):,} files")
        fmt = row_fmt(tools, fmt_root, args.fmt_specs, len(fmt_files), args.repeat)
    ordered = [precommit, one, one_core, two_workers, warm, peak, fmt, gate]
    minutes = (time.perf_counter() - began) / 60
    command = "python3 benchmarks/table.py" + "".join(
        f" --{name.replace('_', '-')} {value}"
        for name, value, default in (("specs", args.specs, SPECS),
                                     ("fmt_specs", args.fmt_specs, FMT_SPECS),
                                     ("repeat", args.repeat, REPEAT)) if value != default)
    header = (f"`{command}` at {revision}: Python {platform.python_version()}, nproc "
              f"{nproc()}, {cjs_version} ({parser_kind} YAML parser); medians of "
              f"{args.repeat} whole processes, peak RSS by {peak_probe()}; "
              f"{minutes:.1f} minutes in all.")
    table = markdown(ordered, header)
    result = {"command": command, "revision": revision, "python": platform.python_version(),
              "nproc": nproc(), "check_jsonschema": cjs_version,
              "check_jsonschema_yaml_parser": parser_kind, "specs": args.specs,
              "fmt_specs": args.fmt_specs, "repeat": args.repeat, "seed": SEED,
              "minutes": round(minutes, 1),
              "rows": [{"moment": r.moment, "rspp": r.rspp, "anchor": r.anchor,
                        "goal": r.goal, "met": r.met, "at_issue_size": at_issue_size(r),
                        "figures": r.figures}
                       for r in ordered]}
    report("table", result, write=not args.no_write)
    print()
    print(table)
    if not args.no_write:
        write_readme(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
