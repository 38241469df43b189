"""The command line: rspp in-process (``rspp.cli.main.main`` returns the exit code) and as a
real process (the console script, optionally without the capabilities that let root read
anything, optionally under a system call trace); what its output says; check-jsonschema.

Every test that starts a process must be marked ``slow`` (tests/conftest.py enforces it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rspp.cli.main import main
from tests.helpers.git import commit

BIN = Path(sys.executable).parent
RSPP = str(BIN / "rspp")
SETPRIV = shutil.which("setpriv")
STRACE = shutil.which("strace")
# root reads files whatever their mode bits; without these capabilities it cannot
DROP_READ_CAPS = ["--inh-caps=-dac_override,-dac_read_search",
                  "--bounding-set=-dac_override,-dac_read_search"]

needs_setpriv = pytest.mark.skipif(
    os.geteuid() == 0 and SETPRIV is None,
    reason="running as root without setpriv: root reads files whatever their mode bits")
needs_strace = pytest.mark.skipif(STRACE is None, reason="strace is not installed")


# The day every gate run of the tests is judged on (deprecation windows, waiver expiry), so a
# test gives the same answer on every day it runs.
TODAY = "2026-11-30"
# What the untouched examples carry on TODAY, by (code, path): event ABI 1.0.0 is inside its
# deprecation window (bundle 0.9.0 emits it), and the canary's rollback target cannot run on
# runtime 1.6. tests/compat/test_examples_baseline.py holds the examples to exactly these.
EXAMPLE_WARNINGS = frozenset({
    ("DEP002", "pipelines/bundles/livekit_voice_assistant_bundle_0_9.yaml"),
    ("SKW008", "rollouts/canary_10pct.yaml"),
})


def known_warning(code: str, path: str) -> bool:
    """Whether a finding is one of ``EXAMPLE_WARNINGS`` (its path may be shown from another
    folder than the repository root)."""
    return any(code == c and (path == p or path.endswith("/" + p)) for c, p in EXAMPLE_WARNINGS)


@dataclass(frozen=True, slots=True)
class Run:
    """One run of rspp: its exit code and what it printed."""

    code: int
    out: str
    err: str


def rspp(capsys: pytest.CaptureFixture[str], *args: str) -> Run:
    """Run ``rspp ARGS`` in-process; its exit code and what it printed."""
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return Run(code, out, err)


def rspp_process(*args: str | Path, cwd: Path | None = None,
                 env: Mapping[str, str] | None = None, module: bool = False,
                 unprivileged: bool = False, trace: Path | None = None,
                 timeout: float = 120) -> Run:
    """Run rspp as a real process: the console script (``module``: ``python -m rspp``).
    ``unprivileged``: as a user the mode bits apply to (root without its read-anything
    capabilities); ``trace``: record every file system call to that file."""
    cmd = [*([sys.executable, "-m", "rspp"] if module else [RSPP]), *map(str, args)]
    if unprivileged and os.geteuid() == 0:
        assert SETPRIV is not None
        cmd = [SETPRIV, *DROP_READ_CAPS, *cmd]
    if trace is not None:
        assert STRACE is not None
        cmd = [STRACE, "-f", "-qq", "-e", "trace=%file,%desc", "-o", str(trace), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env=None if env is None else dict(env), stdin=subprocess.DEVNULL,
                          check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def touched(trace: Path, folder: Path) -> list[str]:
    """The lines of a system call trace that name ``folder`` or a path under it."""
    needle = f'"{folder}'
    return [line for line in trace.read_text(encoding="utf-8", errors="replace").splitlines()
            if needle in line]


def check_jsonschema() -> list[str]:
    """The command that runs check-jsonschema (a dev dependency: its absence fails)."""
    exe = BIN / "check-jsonschema"
    found = str(exe) if exe.exists() else shutil.which("check-jsonschema")
    assert found, "check-jsonschema must be installed (pip install -e '.[dev]')"
    return [found]


# --- what rspp said ---------------------------------------------------------------------------

def one_error(run: Run, code: str, *needles: str) -> None:
    """Exit 2, nothing on stdout, one line on stderr with ``code`` and each needle."""
    assert run.code == 2, (run.out, run.err)
    assert run.err.startswith(f"rspp: error: {code} "), run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err, run.err
    for needle in needles:
        assert needle in run.err, (needle, run.err)


def check_json(capsys: pytest.CaptureFixture[str], root: Path, *args: str,
               baseline: bool = False, notes: bool = False) -> tuple[int, list[dict[str, Any]]]:
    """``rspp check --format json ARGS`` on ``root`` (judged on ``TODAY`` unless ARGS say
    otherwise): the exit code and the findings, without the examples' known warnings
    (``EXAMPLE_WARNINGS``) unless ``baseline``, and without notes (the compatibility gate's
    list of changes, severity info) unless ``notes``."""
    today = () if "--today" in args else ("--today", TODAY)
    run = rspp(capsys, "check", "--root", str(root), "--format", "json", *args, *today)
    assert run.err == "", run.err
    findings: list[dict[str, Any]] = json.loads(run.out)["findings"]
    if not baseline:
        findings = [f for f in findings if not known_warning(f["code"], f["path"])]
    if not notes:
        findings = [f for f in findings if f["severity"] != "info"]
    return run.code, findings


def codes(findings: list[dict[str, Any]]) -> list[str]:
    """The sorted codes of ``findings`` (repeated codes repeated)."""
    return sorted(f["code"] for f in findings)


def only(findings: list[dict[str, Any]], code: str) -> dict[str, Any]:
    """The one finding with ``code``."""
    found = [f for f in findings if f["code"] == code]
    assert len(found) == 1, found
    return found[0]


def lock_and_commit(capsys: pytest.CaptureFixture[str], repo: Path, message: str) -> str:
    """`rspp lock` (which must succeed), then commit everything."""
    run = rspp(capsys, "lock", "--root", str(repo))
    assert run.code == 0, run.out + run.err
    return commit(repo, message=message)


_STATUS_LINE = re.compile(r"^(?P<state>\w+) +(?P<path>\S+)(?:  \((?P<reason>.*)\))?$")


def status(capsys: pytest.CaptureFixture[str], root: Path
           ) -> tuple[int, list[tuple[str, str, str]]]:
    """``rspp status``: the exit code and (state, path, reason) per derived file, in order."""
    run = rspp(capsys, "status", "--root", str(root))
    assert run.err == "", run.err
    *lines, summary = run.out.splitlines()
    rows = []
    for line in lines:
        found = _STATUS_LINE.match(line)
        assert found is not None, line
        rows.append((found["state"], found["path"], found["reason"] or ""))
    fresh = sum(1 for row in rows if row[0] == "fresh")
    assert summary == f"{fresh} fresh, {len(rows) - fresh} not fresh"
    return run.code, rows


def states(rows: list[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    """Path -> (state, reason) of ``rspp status`` rows that are not fresh."""
    return {path: (state, reason) for state, path, reason in rows if state != "fresh"}
