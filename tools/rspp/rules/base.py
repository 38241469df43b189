"""The rule contract: rules are data plus a check function that yields hits, never raises."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rspp.core.findings import Related, Severity

if TYPE_CHECKING:
    from rspp.model.artifact import Artifact, Index


@dataclass(frozen=True, slots=True)
class Hit:
    """One place a rule fires: where (a JSON pointer into the artifact) and why."""

    pointer: str
    message: str
    key: bool = False
    related: tuple[Related, ...] = ()
    # The finding belongs to another artifact's file (e.g. a bundle check on a spec edge).
    target: Artifact | None = None
    # (kind, id) this hit refers to: lets a partial run report breakage caused by its files.
    refers_to: tuple[str, str] | None = None


@dataclass(slots=True)
class Context:
    """What a rule may look at: the whole repository index and shared, cached analyses."""

    index: Index
    # Analyses shared by rules (graphs, parameter sites): each reader narrows what it finds.
    cache: dict[tuple[str, str], object] = field(default_factory=dict)
    # Files that could not be loaded or have no readable envelope: they define nothing.
    unloaded: tuple[str, ...] = ()
    # The repository root, for rules that check that a named file exists.
    root: Path | None = None


ArtifactCheck = Callable[["Artifact", Context], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A registry entry.

    ``kinds`` lists the artifact kinds ``check`` inspects; a rule without ``check`` is emitted
    by another stage (the loader, the schema validator, the repository pass) and is listed for
    its documentation and its stable code.
    """

    code: str
    category: str
    severity: Severity
    summary: str
    doc: str
    kinds: tuple[str, ...] = ()
    check: ArtifactCheck | None = None
    emitted_by: str = "rules"
    replaced_by: str | None = None
    needs_schema_valid: bool = True

    @property
    def retired(self) -> bool:
        return self.replaced_by is not None
