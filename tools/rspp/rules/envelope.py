"""Rules about the envelope and the schema, emitted by the validation engine."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.core.findings import Severity
from rspp.model.artifact import Artifact
from rspp.rules.base import Context, Hit, Rule

# Where each kind lives. pipelines/examples/ may hold any kind.
HOME: dict[str, str] = {
    "PipelineSpec": "pipelines/specs/",
    "Module": "pipelines/modules/",
    "ExecutionProfile": "pipelines/profiles/",
    "PolicyOverlay": "pipelines/policies/",
    "ExtensionManifest": "pipelines/extensions/",
    "PipelineBundle": "pipelines/bundles/",
    "RolloutManifest": "rollouts/",
    "ReplayEvidenceManifest": "pipelines/replay/",
    "CompatibilityContract": "compat/",
    "ConformanceGates": "pipelines/tests/",
}
_MANAGED = ("pipelines/", "compat/", "rollouts/")


def _misplaced(art: Artifact, ctx: Context) -> Iterator[Hit]:
    path = art.path
    if not path.startswith(_MANAGED) or path.startswith("pipelines/examples/"):
        return
    home = HOME.get(art.kind)
    if home and not path.startswith(home):
        yield Hit("/kind", f"{art.kind} belongs under {home}, not in {path.rsplit('/', 1)[0]}/")


RULES: tuple[Rule, ...] = (
    Rule("ENV001", "envelope", Severity.ERROR, "The kind is missing or unknown.",
         "Every artifact names its kind (PipelineSpec, ExecutionProfile, Module, PolicyOverlay, "
         "ExtensionManifest, PipelineBundle, RolloutManifest, ReplayEvidenceManifest, "
         "CompatibilityContract, ConformanceGates). Without a known kind nothing else can be "
         "checked, so this finding stands alone for the file.",
         emitted_by="engine", needs_schema_valid=False),
    Rule("ENV002", "envelope", Severity.ERROR, "The apiVersion is missing or not supported.",
         "Artifacts are read by apiVersion first and validated against that version's model. "
         "This rspp reads rspp.dev/v1alpha1; a newer apiVersion needs a newer rspp, an unknown "
         "one is a typo.",
         emitted_by="engine", needs_schema_valid=False),
    Rule("ENV003", "envelope", Severity.WARNING, "The artifact is not in the folder for its kind.",
         "The repository layout is fixed: specs in pipelines/specs, profiles in "
         "pipelines/profiles, rollouts in rollouts/ and so on (pipelines/examples may hold any "
         "kind). A misplaced file is still validated, but reviewers and CODEOWNERS rules will "
         "look for it elsewhere.",
         kinds=tuple(HOME), check=_misplaced, needs_schema_valid=False),
    Rule("SCH001", "schema", Severity.ERROR, "The artifact does not match its kind's schema.",
         "The artifact is validated against schemas/<Kind>.schema.json (JSON Schema 2020-12, "
         "generated from the models). Each violation is one finding located at the offending "
         "value; an unknown key is located at the key. Versions must be quoted SemVer strings: "
         "version: 1.10 is the number 1.1 in YAML, which is why it is refused.",
         emitted_by="engine", needs_schema_valid=False),
    Rule("SCH002", "schema", Severity.ERROR, "A schema rspp validates with is refused.",
         "rspp validates with its own schemas only: each schema file must declare exactly "
         "\"$schema\": \"https://json-schema.org/draft/2020-12/schema\" and rspp's \"$id\" "
         "for its kind, and every $ref must point inside the schema (\"#/$defs/...\") or at "
         "another of rspp's schemas by its $id. A remote or file: $ref, a relative path, an "
         "unknown dialect, or a file that cannot be read or is not a valid JSON Schema refuses "
         "the schema: nothing is fetched or read, each artifact of that kind is reported as "
         "not validated, with the location of the offending value in the schema file. In "
         "rspp's own repository the schemas are working-tree files; regenerate them with "
         "`rspp schemas --write`.",
         emitted_by="api", needs_schema_valid=False),
    Rule("SCH003", "schema", Severity.ERROR,
         "A float literal where the schema says integer.",
         "JSON Schema counts 64.0 as an integer and the digest (RFC 8785) writes it as 64, so "
         "neither tells capacity: 64.0 from capacity: 64; a runtime reading the YAML gets a "
         "float. Where the schema accepts only an integer, a float literal (64.0, 6.4e1, 64.) "
         "is refused: write 64. Fields that accept any number are not affected. See ADR 0004.",
         emitted_by="engine", needs_schema_valid=False),
)
