"""The validation pipeline: discover -> load -> envelope/schema -> index -> rules -> result."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rspp.findings import Finding, Severity
from rspp.load.api import Limits, load_file
from rspp.load.document import Document
from rspp.model.artifact import Artifact, Index
from rspp.rules.base import Context, Hit, Rule
from rspp.rules.registry import active_rules, severity_of
from rspp.validate.discover import discover, expand_targets, relative
from rspp.validate.schema import check_envelope, check_schema


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    root: Path
    targets: tuple[Path, ...] = ()
    strict: bool = False
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class ValidationResult:
    root: Path
    files: tuple[str, ...]
    findings: tuple[Finding, ...]
    documents: Mapping[str, Document]
    strict: bool = False

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def failed(self) -> bool:
        return self.errors > 0 or (self.strict and self.warnings > 0)


@dataclass(slots=True)
class Repository:
    """Everything loaded: documents by path, artifacts in the index, loader/schema findings."""

    root: Path
    documents: dict[str, Document] = field(default_factory=dict)
    index: Index = field(default_factory=Index)
    findings: list[Finding] = field(default_factory=list)
    unloaded: list[str] = field(default_factory=list)


def load_repository(root: Path, files: list[Path], limits: Limits) -> Repository:
    repo = Repository(root)
    for path in files:
        loaded = load_file(path, root, limits=limits)
        repo.findings.extend(loaded.findings)
        doc = loaded.document
        if doc is None:
            repo.unloaded.append(relative(root, path))
            continue
        repo.documents[doc.path] = doc
        kind, problems = check_envelope(doc)
        repo.findings.extend(problems)
        if kind is None:
            repo.unloaded.append(doc.path)
            continue
        schema_findings = check_schema(doc, kind)
        repo.findings.extend(schema_findings)
        meta = doc.data.get("metadata")
        ident = meta.get("id") if isinstance(meta, dict) else None
        version = meta.get("version") if isinstance(meta, dict) else None
        if isinstance(ident, str) and isinstance(version, str):
            repo.index.add(Artifact(doc, kind, ident, version, not schema_findings))
    return repo


def _to_finding(rule: Rule, owner: Artifact, hit: Hit) -> Finding:
    doc = (hit.target or owner).doc
    span = doc.span(hit.pointer, key=hit.key)
    return Finding(rule.code, severity_of(rule.code), doc.path, span.line, span.col, hit.message,
                   hit.pointer, span.end_line, span.end_col, hit.related)


def run_rules(repo: Repository, targets: set[str] | None) -> list[Finding]:
    """Run every active rule over the index; keep what concerns ``targets`` (None: all)."""
    ctx = Context(repo.index, unloaded=tuple(repo.unloaded), root=repo.root)
    target_ids = {(a.kind, a.id) for a in repo.index.artifacts
                  if targets is None or a.path in targets}
    out: list[Finding] = []
    seen: set[tuple[str, str, str]] = set()
    for rule in active_rules():
        if rule.check is None:
            continue
        for art in repo.index.artifacts:
            if art.kind not in rule.kinds or (rule.needs_schema_valid and not art.schema_valid):
                continue
            for hit in rule.check(art, ctx):
                finding = _to_finding(rule, art, hit)
                wanted = (targets is None or finding.path in targets
                          or (hit.refers_to is not None and hit.refers_to in target_ids))
                key = (finding.code, finding.path, finding.pointer + "|" + finding.message)
                if wanted and key not in seen:
                    seen.add(key)
                    out.append(finding)
    return out


def validate(options: ValidateOptions) -> ValidationResult:
    """Validate the repository at ``options.root`` (or only the named targets)."""
    root = Path(os.path.abspath(options.root))
    all_files = discover(root)
    if options.targets:
        named = expand_targets(root, list(options.targets))
        targets: set[str] | None = {relative(root, p) for p in named}
        known = {relative(root, p) for p in all_files}
        files = all_files + [p for p in named if relative(root, p) not in known]
    else:
        targets = None
        files = all_files
    repo = load_repository(root, files, options.limits)
    findings = [f for f in repo.findings if targets is None or f.path in targets]
    findings.extend(run_rules(repo, targets))
    findings.sort(key=Finding.sort_key)
    checked = sorted(targets) if targets is not None else [relative(root, p) for p in files]
    return ValidationResult(root, tuple(checked), tuple(findings), repo.documents, options.strict)
