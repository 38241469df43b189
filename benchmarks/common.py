"""What the benchmark scripts share: timing a whole process (with its peak memory), checking
its exact outcome, the synthetic repository's git history, and writing the figures."""

from __future__ import annotations

import compileall
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
BIN = Path(sys.executable).parent
OUT = Path(__file__).resolve().parent / "out"
TIME = "/usr/bin/time"
# The probe used without /usr/bin/time: runs argv[1:] (stdin passed on) and prints the child's
# peak RSS (KiB on Linux) on stderr in /usr/bin/time's words; the wall time is taken outside.
RSS_WRAPPER = ("import resource,subprocess,sys\n"
               "code = subprocess.run(sys.argv[1:]).returncode\n"
               "print('Maximum resident set size (kbytes):',"
               " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
               "sys.exit(code)")
MAXRSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
# rspp's text summary of a clean run: the only text output read as "exactly no findings".
_CLEAN = re.compile(r"\d[\d,]* files? checked: no findings")


def as_installed(tools: Path = REPO / "tools") -> None:
    """Time rspp as an installed package runs: byte-compile ``tools`` once (pip compiles a
    package's modules when it installs it) and let the timed processes keep bytecode
    (PYTHONDONTWRITEBYTECODE is removed from this process's environment, which they
    inherit). Without it, a shell with that variable set recompiles every module edited
    since its bytecode was written, in every timed process (70 ms for 17 modules here), a
    cost the anchor, installed with its bytecode, never pays."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(tools, quiet=1)


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> float:
    """Wall-clock seconds of one whole process; stops the benchmark if it fails."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}")
    return time.perf_counter() - start


def findings_in(stdout: str) -> set[str] | None:
    """The finding codes of rspp's report in ``stdout``: a JSON report's codes, or none for
    the text summary of a clean run (``N files checked: no findings``, alone on its last
    line). None when the output is neither (a traceback, another command's output)."""
    text = stdout.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        found = data.get("findings") if isinstance(data, dict) else None
        if not isinstance(found, list):
            return None
        return {str(f.get("code")) if isinstance(f, dict) else "<not a finding>"
                for f in found}
    last = text.splitlines()[-1] if text else ""
    return set() if _CLEAN.fullmatch(last) else None


def expect(cmd: list[str], code: int, codes: set[str]) -> None:
    """Run ``cmd`` once with ``--format json`` and stop the benchmark unless it exits
    ``code`` with exactly the findings ``codes``: a run that fails for another reason (a lock
    too large to read, a broken generator) measures nothing, and must not pass as a figure."""
    done = subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True,
                          check=False)
    found = findings_in(done.stdout) if done.stdout.strip().startswith("{") else None
    if done.returncode != code or found != codes:
        shown = sorted(found) if found is not None else ["<no JSON report>"]
        raise SystemExit(f"{' '.join(cmd)}: exit {done.returncode} with {shown}; "
                         f"the benchmark expects exit {code} with {sorted(codes)}\n"
                         f"{done.stderr[-2000:]}")


@dataclass(frozen=True, slots=True)
class Run:
    """One measured process: wall seconds, peak RSS in MiB, exit status and output."""

    seconds: float
    rss_mib: float
    code: int
    stdout: str
    stderr: str


def peak_probe() -> str:
    """How ``measure`` reads peak memory, in words."""
    return "/usr/bin/time -v" if os.access(TIME, os.X_OK) else "ru_maxrss of a wrapper"


def measure(cmd: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None,
            stdin: Path | None = None) -> Run:
    """Run ``cmd`` once as a whole process under the peak-RSS probe (``/usr/bin/time -v``,
    else a ``python -c`` wrapper reading its child's ``ru_maxrss``). Checks nothing about the
    outcome but that the probe reported a peak: see ``outcome``."""
    probe = [TIME, "-v"] if os.access(TIME, os.X_OK) else [sys.executable, "-c", RSS_WRAPPER]
    with (stdin.open("rb") if stdin else open(os.devnull, "rb")) as feed:
        start = time.perf_counter()
        done = subprocess.run([*probe, *cmd], stdin=feed, capture_output=True, cwd=cwd,
                              env=dict(env) if env is not None else None, check=False)
        seconds = time.perf_counter() - start
    stderr = done.stderr.decode(errors="replace")
    found = MAXRSS.findall(stderr)
    if not found:
        raise SystemExit(f"no peak RSS reported for {' '.join(cmd)} (exit {done.returncode}):"
                         f"\n{stderr[-2000:]}")
    return Run(seconds, int(found[-1]) / 1024, done.returncode,
               done.stdout.decode(errors="replace"), stderr)


def outcome(run: Run, cmd: Sequence[str], code: int, what: str,
            ok: Callable[[str], bool]) -> Run:
    """``run`` if it exited ``code`` and ``ok(stdout)`` holds (``what`` says what that is);
    otherwise stop the benchmark with the command, its status and the end of its output. A
    process that failed (a traceback exits 1) measured nothing and must not pass as a figure."""
    if run.code != code or not ok(run.stdout):
        shown = " ".join(cmd[:8]) + (" ..." if len(cmd) > 8 else "")
        raise SystemExit(f"`{shown}` exited {run.code}; the benchmark expects exit {code} "
                         f"with {what}\n--- stdout (end)\n{run.stdout[-2000:]}\n"
                         f"--- stderr (end)\n{run.stderr[-2000:]}")
    return run


def has_findings(codes: set[str]) -> Callable[[str], bool]:
    """``outcome``'s check of an rspp report with exactly the finding codes ``codes``."""
    return lambda stdout: findings_in(stdout) == codes


def git(root: Path, *args: str) -> None:
    """One git command in ``root`` with a fixed identity and no signing."""
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)


def commit_base(root: Path, rspp: Sequence[str], env: Mapping[str, str] | None = None) -> None:
    """Build every derived file of the repository at ``root``, lock it, commit it as branch
    ``main`` of a new git repository and switch to a branch ``change``; ``rspp`` is the
    command that runs rspp (each step must exit 0)."""
    for step in ("build", "lock"):
        subprocess.run([*rspp, step, "--root", str(root)], check=True, cwd=root,
                       stdout=subprocess.DEVNULL, env=dict(env) if env is not None else None)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "change")


def next_version(root: Path) -> Path:
    """A new minor version of the repository's first spec, next to it (``<name>_next.yaml``),
    with one parameter changed when the spec has it (else only a comment added)."""
    source = sorted((root / "pipelines" / "specs").rglob("*.yaml"))[0]
    text = source.read_text(encoding="utf-8")
    text = re.sub(r'(version:\s*"?)(\d+)\.(\d+)\.(\d+)',
                  lambda m: f"{m[1]}{m[2]}.{int(m[3]) + 1}.0", text, count=1)
    text = (text.replace("endpointing_ms: 25", "endpointing_ms: 30", 1)
            if "endpointing_ms: 25" in text else text + "# edited\n")
    spec = source.with_name(source.stem + "_next.yaml")
    spec.write_text(text, encoding="utf-8")
    return spec


def set_temperature(spec: Path, value: str) -> None:
    """Set the first LLM ``temperature`` of a generated spec (every one has an LLM) to
    ``value``: a change of content that keeps the spec valid."""
    text = spec.read_text(encoding="utf-8")
    changed, count = re.subn(r"temperature: [0-9.]+", f"temperature: {value}", text, count=1)
    if not count:
        raise SystemExit(f"{spec}: no `temperature:` to change")
    spec.write_text(changed, encoding="utf-8")


def report(name: str, result: dict[str, Any], write: bool = True) -> None:
    """Write benchmarks/out/<name>.json (unless ``write`` is false) and print the figures."""
    if write:
        OUT.mkdir(exist_ok=True)
        (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n",
                                          encoding="utf-8")
    width = max(len(k) for k in result) + 2
    for key, value in result.items():
        print(f"{key:{width}} {value}")


class ToolFailed(Exception):
    """A tool exited with an unexpected status: the figures would mean nothing."""


def console_script(name: str) -> Path:
    """The real console script installed next to the running interpreter."""
    path = BIN / name
    if not path.is_file() or not os.access(path, os.X_OK):
        raise ToolFailed(f"{name} is not installed next to {sys.executable} (looked for {path})")
    return path


_PARSER_PROBE = (
    "from ruamel.yaml import YAML\n"
    "parser = YAML(typ='safe', pure=False).Parser\n"
    "print('C' if parser.__module__.split('.')[-1].startswith('_') else 'pure Python')\n"
)


def anchor_yaml_parser(script: Path) -> str:
    """Whether check-jsonschema's ruamel.yaml parses with its C extension or in Python."""
    first = script.read_bytes()[:300].split(b"\n", 1)[0].decode("utf-8", "replace")
    interpreter = first[2:].strip().split(" ")[0] if first.startswith("#!") else ""
    if not interpreter or not Path(interpreter).is_file():
        return "unknown"
    proc = subprocess.run([interpreter, "-c", _PARSER_PROBE], capture_output=True, text=True,
                          check=False)
    return proc.stdout.strip() if proc.returncode == 0 else "unknown"


def source_revision() -> str:
    """The commit of the working tree, marked ``+modified`` when it has local changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+modified" if dirty.strip() else "")


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _has_format(node: Any) -> bool:
    if isinstance(node, dict):
        return ("format" in node and isinstance(node["format"], str)) or any(
            _has_format(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_format(v) for v in node)
    return False


def schema_parity(kinds: Sequence[str], package: Path | None = None
                  ) -> tuple[list[str], str]:
    """Extra check-jsonschema flags for parity with rspp, and a note saying why.

    rspp validates with the JSON Schemas packaged with it (``package``: the rspp package
    folder; default: the one this interpreter imports) and does not check ``format``; the
    anchor reads the repository's schemas/. They must be the same documents.
    """
    if package is None:
        spec = importlib.util.find_spec("rspp")
        if spec is None or spec.origin is None:
            raise ToolFailed("the rspp package is not importable by this interpreter")
        package = Path(spec.origin).parent
    packaged = package / "schemas"
    uses_format = False
    for kind in kinds:
        ours = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
        theirs = json.loads((packaged / f"{kind}.schema.json").read_text(encoding="utf-8"))
        if ours != theirs:
            raise ToolFailed(f"schemas/{kind}.schema.json differs from rspp's packaged copy "
                             f"({packaged}); regenerate the schemas first")
        uses_format = uses_format or _has_format(ours)
    if uses_format:
        return ["--disable-formats", "*"], (
            "the schemas use `format`, which rspp does not check: check-jsonschema runs "
            "with --disable-formats '*'")
    return [], ("the schemas use no `format` keyword: check-jsonschema runs with its "
                "defaults (no --disable-formats)")
