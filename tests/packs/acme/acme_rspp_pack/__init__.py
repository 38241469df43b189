"""A test pack: rule ACME001 (every owner of a PipelineSpec is an address at acme.example),
the node type acme.redact (Acme's in-house PII redactor), the gate type acme.soak, and the
artifact kind LatencyBudget (acme.example/v1) with rule ACME003 (a budget names a pipeline of
the repository)."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.model.artifact import Artifact
from rspp.model.catalog import NodeType, Param, PortDecl
from rspp.rules.base import Context, Hit
from rspp.rules.packs import GateRequest, GateVerdict, Pack, PackGate, PackKind, PackRule

_TRANSCRIPT = "text/transcript+json"


def _owners(art: Artifact, ctx: Context) -> Iterator[Hit]:
    meta = art.doc.data.get("metadata")
    owners = meta.get("owners") if isinstance(meta, dict) else None
    for i, owner in enumerate(owners if isinstance(owners, list) else []):
        if not (isinstance(owner, str) and owner.endswith("@acme.example")):
            yield Hit(f"/metadata/owners/{i}", f"owner {owner!r} is not an address at "
                                               "acme.example")


def _team(art: Artifact, ctx: Context) -> Iterator[Hit]:
    """Acme's modules (id acme_*) name a known team. Written with a bug a real pack could
    have: a module without labels raises KeyError (rspp reports it as a finding)."""
    if art.id.startswith("acme_"):
        meta = art.doc.data["metadata"]
        assert isinstance(meta, dict)
        team = meta["labels"]["team"]  # type: ignore[call-overload,index]
        if team not in ("voice", "telephony"):
            yield Hit("/metadata/labels/team", f"team {team!r} is not an Acme team")


def _budget_pipeline(art: Artifact, ctx: Context) -> Iterator[Hit]:
    """ACME003: a LatencyBudget names a PipelineSpec of the repository."""
    spec = art.doc.data["spec"]
    assert isinstance(spec, dict)
    if not ctx.index.by_kind_id.get(("PipelineSpec", str(spec["pipeline"]))):
        yield Hit("/spec/pipeline", f"no PipelineSpec {spec['pipeline']!r} in the repository")


LATENCY_BUDGET = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "acme.example/v1"},
        "kind": {"const": "LatencyBudget"},
        "metadata": {"type": "object"},
        "spec": {"$ref": "#/$defs/budget"},
    },
    "additionalProperties": False,
    "$defs": {"budget": {
        "type": "object",
        "required": ["pipeline", "firstAudioMs"],
        "properties": {"pipeline": {"type": "string"},
                       "firstAudioMs": {"type": "integer", "minimum": 100, "maximum": 5000}},
        "additionalProperties": False,
    }},
}


def _soak(request: GateRequest) -> GateVerdict:
    """acme.soak: the soak logs named by ``paths`` hold at most ``max_errors`` ERROR lines."""
    limit = request.thresholds.get("max_errors", 0)
    errors = [f"{rel}:{n}" for rel in request.paths
              for n, line in enumerate((request.root / rel).read_text().splitlines(), 1)
              if line.startswith("ERROR")]
    if len(errors) > limit:
        return GateVerdict(False, (f"{len(errors)} ERROR lines, at most {limit} allowed",
                                   *errors))
    return GateVerdict(True, (f"{len(errors)} ERROR lines",))


PACK = Pack(
    prefix="ACME",
    summary="Acme's house rules and node types.",
    rules=(
        PackRule("ACME001", "Every owner of a PipelineSpec is an address at acme.example.",
                 "Acme routes pipeline alerts by owner address; an address outside "
                 "acme.example is never paged.", ("PipelineSpec",), _owners),
        PackRule("ACME002", "An Acme module names a known team.", "Alerts go to the team.",
                 ("Module",), _team),
        PackRule("ACME003", "A LatencyBudget names a pipeline of the repository.",
                 "A budget for no pipeline is never enforced.", ("LatencyBudget",),
                 _budget_pipeline),
    ),
    kinds=(PackKind("acme.example/v1", "LatencyBudget", LATENCY_BUDGET,
                    "Time to first audio a pipeline must meet."),),
    gates=(PackGate("acme.soak", "Soak logs hold at most max_errors ERROR lines.", _soak),),
    node_types=(
        NodeType("acme.redact", "text", inputs={"text": PortDecl(_TRANSCRIPT)},
                 outputs={"text": _TRANSCRIPT}, params={"mode": "mask"},
                 decls={"mode": Param(default="mask", type="string", enum=("mask", "drop"))}),
    ),
)
