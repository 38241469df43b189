"""`rspp status` and `rspp build`: the derived files of a repository, their state, and making
the stale and missing ones (ADR 0003)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rspp.lifecycle.derived import Entry, entries, graph, run_build
from rspp.lifecycle.lock import read_lock
from rspp.lifecycle.provenance import State
from rspp.report.result import Report
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import Repository, ValidateOptions


@dataclass(frozen=True, slots=True)
class BuildOptions:
    root: Path


@dataclass(frozen=True, slots=True)
class StatusOutcome:
    """Every derived file with its state; ``report``: the validation they were judged on."""

    entries: tuple[Entry, ...]
    report: Report

    @property
    def failed(self) -> bool:
        return any(e.state != State.FRESH for e in self.entries)


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    written: tuple[str, ...]
    failed: tuple[Entry, ...]
    entries: tuple[Entry, ...]  # the state after the build
    report: Report  # the validation after the build

    @property
    def blocked(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.state == State.BLOCKED)


def _load(root: Path) -> tuple[Repository, Report, set[str]]:
    result, repo = validate_repository(ValidateOptions(root=root))
    lock, _ = read_lock(root)
    return repo, result, set(lock.entries) if lock is not None else set()


def status(options: BuildOptions) -> StatusOutcome:
    """The state of every derived file (fresh, stale, missing, invalid, blocked).

    Raises as ``rspp.resolve.gate.validate_repository``."""
    repo, result, locked = _load(options.root)
    return StatusOutcome(tuple(entries(graph(repo, result, locked))), result)


def build(options: BuildOptions) -> BuildOutcome:
    """Pins first (they change bundle files), then, on the reloaded repository, the rest.

    Raises as ``rspp.resolve.gate.validate_repository``; FileAccessError (IO001-IO003) for a
    write the writer refuses."""
    repo, result, locked = _load(options.root)
    written, failed = run_build(graph(repo, result, locked), only_pins=True)
    if written:
        repo, result, locked = _load(options.root)
    more, failed_more = run_build(graph(repo, result, locked))
    repo, result, locked = _load(options.root)
    after = entries(graph(repo, result, locked))
    return BuildOutcome(tuple(written + more), tuple(failed + failed_more), tuple(after), result)
