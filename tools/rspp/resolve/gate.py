"""The validation gate every command runs: the rules, then the checks only the resolved graph
shows. Validation is handed these checks here, so ``rspp.validate`` never imports resolve."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import msgspec

from rspp.core.findings import Finding
from rspp.model.access import profile_body
from rspp.model.artifact import Artifact
from rspp.model.catalog import NodeType, shaping_params
from rspp.report.result import Report
from rspp.validate.engine import (
    Repository,
    RepositoryPass,
    ValidateOptions,
    check_repository,
)


def resolved_graph_pass(repo: Repository, broken: set[str],
                        targets: set[str] | None) -> list[Finding]:
    """Resolve every bundle whose inputs have no errors: what only the resolved graph shows
    (profile node defaults that change port types, policy inserts and turn rules) is
    reported here.

    A bundle that pins no policy, and whose profile's node defaults set no parameter a
    port type depends on, resolves to a graph the rules have already checked; it is not
    resolved again here.
    """
    out: list[Finding] = []
    seen: set[tuple[str, str, int, int, str]] = set()
    for bundle in repo.index.of_kind("PipelineBundle"):
        if repo.scope is not None and bundle.path not in repo.scope:
            continue  # not concerned with the targets: no file it involves is one of them
        # imported here: a run concerned with no bundle (pre-commit on one spec) resolves
        # nothing and does not pay for importing the resolver (ADR 0014)
        from rspp.resolve.api import bundle_inputs, involved_files, to_finding
        from rspp.resolve.normalize import normalize

        inputs = bundle_inputs(bundle, repo.index) if bundle.schema_valid else None
        if inputs is None:
            continue
        if not inputs.policies and not _reshapes_ports(inputs.profile, repo.index.node_types):
            continue
        files = involved_files(inputs, repo.index)
        if files & broken or (targets is not None and not files & targets):
            continue
        res = normalize(inputs.spec, inputs.profile, inputs.policies, index=repo.index,
                        bundle=bundle, checks_only=True)
        for problem in res.problems:
            finding = to_finding(problem)
            key = (finding.code, finding.path, finding.line, finding.col, finding.message)
            if key not in seen:
                seen.add(key)
                out.append(finding)
    return out


def _reshapes_ports(profile: Artifact, types: Mapping[str, NodeType]) -> bool:
    for node_type, params in (profile_body(profile).get("nodeDefaults") or {}).items():
        shaping = shaping_params(node_type, types)
        if shaping is None or shaping & set(params or {}):
            return True
    return False



PASSES: Final[tuple[RepositoryPass, ...]] = (resolved_graph_pass,)


def validate_repository(options: ValidateOptions) -> tuple[Report, Repository]:
    """Validate with every check (``PASSES`` included); hand back the loaded repository.

    Raises as ``rspp.validate.engine.check_repository``."""
    return check_repository(options, PASSES)


def validate(options: ValidateOptions) -> Report:
    """Validate the repository at ``options.root`` (or only the named targets); the report
    alone (documents the run did not need stay unread)."""
    return validate_repository(msgspec.structs.replace(options, load_all=False))[0]
