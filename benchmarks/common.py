"""What the benchmark scripts share: timing a whole process and writing the figures."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> float:
    """Wall-clock seconds of one whole process; stops the benchmark if it fails."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {done.returncode}")
    return time.perf_counter() - start


def expect(cmd: list[str], code: int, codes: set[str]) -> None:
    """Run ``cmd`` once with ``--format json`` and stop the benchmark unless it exits
    ``code`` with exactly the findings ``codes``: a run that fails for another reason (a lock
    too large to read, a broken generator) measures nothing, and must not pass as a figure."""
    done = subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True,
                          check=False)
    found = ({f["code"] for f in json.loads(done.stdout).get("findings", [])}
             if done.stdout.strip().startswith("{") else {"<no JSON report>"})
    if done.returncode != code or found != codes:
        raise SystemExit(f"{' '.join(cmd)}: exit {done.returncode} with {sorted(found)}; "
                         f"the benchmark expects exit {code} with {sorted(codes)}\n"
                         f"{done.stderr[-2000:]}")


def report(name: str, result: dict[str, Any]) -> None:
    """Write benchmarks/out/<name>.json and print the figures."""
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in result) + 2
    for key, value in result.items():
        print(f"{key:{width}} {value}")
