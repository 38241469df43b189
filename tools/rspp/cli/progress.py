"""Progress of long runs on a terminal: files loaded of total and their rate, then the
artifacts checked by the rules.

Shown only to a person watching: standard error is a terminal, the output format is text,
``--quiet`` is not given, and no CI system is named in the environment (``CI`` set to
anything but ``0``/``false``). Never in CI logs, pipes, files or machine formats. The bar is
drawn on standard error and erased when the run ends, so standard output holds exactly what
it holds without it. rich is imported only when the bar is shown.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any, Final

Progress = Callable[[str, int, int], None]

# stage -> (what the bar says, the unit its rate counts)
_STAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "load": ("files", "files"), "rules": ("rules", "artifacts")})


def wanted(fmt: str, quiet: bool) -> bool:
    """Whether a progress bar is shown for a run in output format ``fmt``."""
    if quiet or fmt != "text":
        return False
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def shown(fmt: str, quiet: bool) -> Iterator[Progress | None]:
    """A callback drawing a transient progress bar on standard error, or None when none is
    :func:`wanted`; the bar is erased when the block ends."""
    if not wanted(fmt, quiet):
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.progress import Progress as Bar

    bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
              TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
              console=Console(stderr=True), transient=True)
    tasks: dict[str, tuple[Any, float]] = {}

    def update(stage: str, done: int, total: int) -> None:
        label, unit = _STAGES.get(stage, (stage, stage))
        if stage not in tasks:
            tasks[stage] = (bar.add_task(label, total=total, rate=""), time.monotonic())
        task, start = tasks[stage]
        elapsed = time.monotonic() - start
        rate = f"{done / elapsed:,.0f} {unit}/s" if elapsed > 0.2 else ""
        bar.update(task, completed=done, total=total, rate=rate)

    with bar:
        yield update
