"""Prove that work ran in worker processes, not only that its result equals the serial one.

``watch_workers`` replaces the function a process pool hands its chunks to (looked up as a
module global when the pool maps) with a recorder that writes the process id it runs in to a
log, then calls the original. The pools fork (rspp asks for the "fork" start method), so the
children inherit the table of originals; only the recorder's key and log are pickled.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_ORIGINALS: dict[str, Callable[..., Any]] = {}


@dataclass(frozen=True, slots=True)
class _Recorder:
    key: str
    log: Path

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self.log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return _ORIGINALS[self.key](*args, **kwargs)


@dataclass(frozen=True, slots=True)
class WorkerLog:
    """The process ids the watched function ran in, one entry per call."""

    path: Path

    def pids(self) -> list[int]:
        if not self.path.exists():
            return []
        return [int(line) for line in self.path.read_text(encoding="utf-8").split()]

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def assert_ran_here(self) -> None:
        """The function ran, only in this process: no pool was used."""
        pids = self.pids()
        assert pids, "the worker function never ran"
        assert set(pids) == {os.getpid()}, "the work ran in other processes"

    def assert_ran_in_workers(self) -> None:
        """The function ran, and never in this process."""
        pids = self.pids()
        assert pids, "the worker function never ran: no pool was used"
        assert os.getpid() not in pids, "the worker function ran in the parent process"


def watch_workers(monkeypatch: pytest.MonkeyPatch, module: ModuleType, name: str,
                  log: Path) -> WorkerLog:
    """Record every call of ``module.name`` (with the process it ran in) to ``log``."""
    key = f"{module.__name__}.{name}"
    original = getattr(module, name)
    assert callable(original), key
    monkeypatch.setitem(_ORIGINALS, key, original)
    monkeypatch.setattr(module, name, _Recorder(key, log))
    return WorkerLog(log)
