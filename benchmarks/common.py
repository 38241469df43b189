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


def report(name: str, result: dict[str, Any]) -> None:
    """Write benchmarks/out/<name>.json and print the figures."""
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    width = max(len(k) for k in result) + 2
    for key, value in result.items():
        print(f"{key:{width}} {value}")
