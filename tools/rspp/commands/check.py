"""`rspp check`: the one CI gate. Validation, the lock, immutability and compatibility
(``rspp compat``: changes and bumps against a base ref, version skew, deprecations, waivers),
and freshness of derived files, in one report with the same formats as `rspp validate`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Final

from rspp.compat.engine import Evaluation
from rspp.compat.history import History
from rspp.lifecycle.lock import Lock
from rspp.lifecycle.provenance import State
from rspp.report.result import Report
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import Repository, ValidateOptions

# Every state `rspp status` does not call fresh is a finding: the gate is never greener than
# status (``rspp.lifecycle.provenance.State``; a test holds the two lists together).
DERIVED_CODES: Final[Mapping[str, str]] = MappingProxyType({
    "stale": "DRV001", "missing": "DRV002", "invalid": "DRV003", "error": "DRV003",
    "blocked": "DRV004"})
# Pins are written into bundle files, which changes their digests: build before locking.
BUILD_THEN_LOCK = "run `rspp build`, then `rspp lock`, and commit the changes"


def derived_remedy(state: State, generator: str) -> str:
    """What to do about a derived file in ``state``, in the order to do it."""
    if state != State.BLOCKED:
        return BUILD_THEN_LOCK
    if generator == "pins":
        return ("if the bundle's lock entry is not published yet, remove it from rspp.lock, "
                "then run `rspp build`, then `rspp lock`; otherwise publish the bundle as a "
                "new version (`rspp build`, then `rspp lock`)")
    return "fix the findings of its inputs, then " + BUILD_THEN_LOCK


@dataclass(frozen=True, slots=True)
class CheckOptions:
    root: Path
    against: str | None = None
    strict: bool = False
    jobs: int = 0
    fetch: bool = True
    today: dt.date | None = None
    cache: bool = True  # the per-file cache of validation (ADR 0013)
    # Load every document after validation (in the workers), for a caller that reads them
    # all (publish packs every locked bundle's inputs); else a document the validation run
    # took from its header is loaded when a later stage first reads it (ADR 0021).
    load_all: bool = False


@dataclass(frozen=True, slots=True)
class Checked:
    """The gate's report, with the repository it validated (its artifacts in memory) and the
    lock it read (None when the lock is unreadable): what `rspp bundle publish` packs."""

    report: Report
    repository: Repository
    lock: Lock | None
    # What the compatibility gate compared, and the base it read (None without --against):
    # what `rspp diff` reviews.
    evaluation: Evaluation | None = None
    history: History | None = None


def _no_looser_than_base(result: Report, history: History) -> Report:
    """``result`` judged under its configuration made no looser than the base's: a pull
    request cannot lower a severity or add an exclude for its own run (ADR 0010)."""
    from rspp.compat.history import base_texts
    from rspp.load.config import MAX_BYTES, SOURCES, parse_config, stricter

    if result.config is None:
        return result
    base = parse_config(base_texts(history, SOURCES, MAX_BYTES)).config
    config = stricter(result.config, base, history.label, result.entries)
    if config == result.config:
        return result
    return replace(result, findings=(*result.findings, *result.hidden), hidden=(),
                   config=config)


def check(options: CheckOptions) -> Report:
    """The gate's report (see the module doc)."""
    return checked(options).report


def checked(options: CheckOptions) -> Checked:
    """The gate's report and what it read (see :class:`Checked`)."""
    from rspp.core.constants import LOCK_FILE
    from rspp.core.sink import finding
    from rspp.lifecycle.derived import entries, graph
    from rspp.lifecycle.immutability import compare, snapshot_files, snapshot_index
    from rspp.lifecycle.lock import read_lock, update
    from rspp.validate import digests

    result, repo = validate_repository(ValidateOptions(root=options.root, jobs=options.jobs,
                                                       cache=options.cache,
                                                       load_all=options.load_all))
    recorded = digests.recall(repo)
    findings = list(result.findings)
    lock, problems = read_lock(repo.root)
    findings.extend(problems)
    if lock is not None:
        pending = update(lock, repo.index)
        findings.extend(pending.findings)
        line, col = lock.location()
        findings.extend(finding("LCK001", LOCK_FILE, line, col,
                                f"{key} is not in {LOCK_FILE}: {BUILD_THEN_LOCK}",
                                pointer="/artifacts") for key in pending.added)
    history = None
    if options.against is not None:
        from rspp.compat.history import with_base

        # The base is read once: immutability here, compatibility in the gate below.
        history = with_base(repo, options.against, fetch=options.fetch)
        assert history.git is not None and history.commit is not None
        head = snapshot_index(repo.index, lock)
        base = snapshot_files(history.base_files, history.label, history.base_lock)
        for key, version in head.versions.items():
            if version.path not in history.changed:
                base.versions.setdefault(key, version)
        rewritten = history.git.is_ancestor(history.commit) is False
        findings.extend(compare(base, head, rewritten=rewritten))
        result = _no_looser_than_base(result, history)
    locked = set(lock.entries) if lock is not None else set()
    bundles = {a.path: a for a in repo.index.of_kind("PipelineBundle")}
    for entry in entries(graph(repo, result, locked)):
        if entry.state == State.FRESH:
            continue
        code = DERIVED_CODES.get(entry.state, "DRV003")
        path = entry.path.split("#")[0]
        line, col, pointer, what = 1, 1, "", ""
        if entry.generator == "pins":
            what, pointer = "pins of ", "/spec/pins"
            if path in bundles:  # at the bundle's pins
                span = bundles[path].doc.span(pointer)
                line, col = span.line, span.col
        findings.append(finding(code, path, line, col,
                                f"{what}{path} is {entry.state}: {entry.reason} "
                                f"({derived_remedy(entry.state, entry.generator)})",
                                pointer=pointer))
    from rspp.compat.engine import Options, gate

    today = options.today or dt.date.today()
    evaluation, findings = gate(repo, lock, Options(options.against, today, options.fetch,
                                                    compare_tree=False), findings,
                                history=history)
    report = replace(result, strict=options.strict).with_findings(
        findings, files={*result.files, *(f.path for f in findings)})
    digests.remember(repo, recorded)
    return Checked(report, repo, lock, evaluation, history)
