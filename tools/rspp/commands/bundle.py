"""`rspp bundle build`: a PipelineBundle built from the repository's artifacts, its pins
carrying digests; schema-checked and resolved before it is returned."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rspp.commands.resolve import lookup
from rspp.load.document import Syntax
from rspp.report.result import Report
from rspp.resolve.api import Inputs, involved_files, to_finding
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import ValidateOptions

if TYPE_CHECKING:
    from rspp.model.views import PipelineBundle


@dataclass(frozen=True, slots=True)
class BundleOptions:
    root: Path
    id: str
    version: str
    spec: str
    profile: str
    policies: tuple[str, ...] = ()
    packages_from: tuple[str, ...] = ()
    min_runtime: str = ""
    max_runtime: str | None = None
    event_abi: str = ""
    description: str | None = None


@dataclass(frozen=True, slots=True)
class BundleOutcome:
    document: PipelineBundle | None  # keys in canonical order
    report: Report

    @property
    def text(self) -> str:
        """The bundle's canonical JSON text (what `rspp fmt` writes); "" without a bundle."""
        return self.render("json")

    def render(self, syntax: Syntax) -> str:
        """The bundle's canonical text as ``syntax`` (``"json"`` or ``"yaml"``): it passes
        `rspp fmt --check` as it is. "" without a bundle."""
        from rspp.fmt.write import artifact_text

        return artifact_text(self.document, syntax) if self.document is not None else ""


def build_bundle_document(options: BundleOptions) -> BundleOutcome:
    """Build a bundle from the repository's artifacts; it is schema-checked and resolved."""
    from rspp.fmt.write import artifact_text
    from rspp.load.api import load_bytes
    from rspp.resolve.bundle import BundleInput, build_bundle
    from rspp.validate.schema import check_schema

    result, repo = validate_repository(ValidateOptions(root=options.root))
    index = repo.index
    spec = lookup(index, "PipelineSpec", options.spec)
    inputs = Inputs(spec, lookup(index, "ExecutionProfile", options.profile),
                    tuple(lookup(index, "PolicyOverlay", p) for p in options.policies))
    files = involved_files(inputs, index)
    blocking = [f for f in result.findings if f.path in files]
    if any(f.is_error for f in blocking):
        return BundleOutcome(None, result.with_findings(blocking, files=files))
    compatibility = {"minRuntime": options.min_runtime, "eventAbi": options.event_abi}
    if options.max_runtime:
        compatibility["maxRuntime"] = options.max_runtime
    built = build_bundle(BundleInput(
        options.id, options.version, inputs.spec, inputs.profile, inputs.policies,
        compatibility, tuple(lookup(index, "PipelineBundle", b) for b in options.packages_from),
        options.description), index)
    if built.document is None:
        return BundleOutcome(None, result.with_findings(
            [to_finding(p) for p in built.problems], files=files))
    text = artifact_text(built.document)
    doc = load_bytes(text.encode("utf-8"), "(built bundle)", syntax="json").document
    assert doc is not None  # we just wrote plain JSON
    problems = list(check_schema(doc, "PipelineBundle"))
    if problems:
        return BundleOutcome(None, Report.of_document(result.root, doc.path, problems, doc))
    return BundleOutcome(built.document, result.with_findings(blocking, files=files))
