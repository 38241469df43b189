"""The rule contract: a catalogue code bound to a check function that yields hits, never raises."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import msgspec

from rspp.core.catalogue import Emitter, Entry
from rspp.core.constants import AUTHORED_KINDS
from rspp.core.findings import Related, Severity

if TYPE_CHECKING:
    from rspp.model.artifact import Artifact, Index


class Hit(msgspec.Struct, frozen=True):
    """One place a rule fires: where (a JSON pointer into the artifact) and why."""

    pointer: str
    message: str
    key: bool = False
    related: tuple[Related, ...] = ()
    # The finding belongs to another artifact's file (e.g. a bundle check on a spec edge).
    target: Artifact | None = None
    # (kind, id) this hit refers to: lets a partial run report breakage caused by its files.
    refers_to: tuple[str, str] | None = None


class Analyses:
    """Analyses shared by rules (port graphs, parameter sites, effective buffers), by key
    (analysis name, artifact path or paths). Each is a pure function of the artifacts its
    key names, so dropping one only costs computing it again: the ``keep`` most recently
    used are held, the oldest dropped first, so a run's memory does not grow with the
    repository (ADR 0019)."""

    __slots__ = ("_held", "keep")

    def __init__(self, keep: int = 1024) -> None:
        self.keep = keep
        self._held: OrderedDict[tuple[str, str], object] = OrderedDict()

    def get(self, key: tuple[str, str]) -> object | None:
        """The analysis held under ``key``, or None."""
        found = self._held.get(key)
        if found is not None:
            self._held.move_to_end(key)
        return found

    def __setitem__(self, key: tuple[str, str], value: object) -> None:
        self._held[key] = value
        self._held.move_to_end(key)
        if len(self._held) > self.keep:
            self._held.popitem(last=False)

    def __len__(self) -> int:
        return len(self._held)


class Context(msgspec.Struct):
    """What a rule may look at: the whole repository index and shared, cached analyses."""

    index: Index
    # Analyses shared by rules (graphs, parameter sites): each reader narrows what it finds.
    cache: Analyses = msgspec.field(default_factory=Analyses)
    # Files that could not be loaded or have no readable envelope: they define nothing.
    unloaded: tuple[str, ...] = ()
    # The repository root, for rules that check that a named file exists: set only for the
    # checks bound with ``reads_files`` (the others see None), so that a check cannot read
    # the file system without saying so.
    root: Path | None = None


ArtifactCheck = Callable[["Artifact", Context], Iterable[Hit]]


EVERY_KIND: Final = AUTHORED_KINDS
"""The ``kinds`` of a check that applies to every artifact, whatever its kind (one definition
per id and version): the validation engine runs it over the enabled packs' kinds too."""


class Check(msgspec.Struct, frozen=True):
    """The binding of a catalogue code to the check that reports it.

    ``kinds`` lists the artifact kinds ``check`` inspects; with ``needs_schema_valid`` the
    check sees only artifacts their kind's schema accepts. With ``reads_files`` the check
    looks at files of the repository beyond the artifacts (through ``Context.root``, which is
    None for every other check): its findings then depend on more than the artifacts'
    contents, and a whole run never takes them from the cache (ADR 0013). Everything else
    about the code (its category, severity, summary and doc) is in the catalogue
    (:mod:`rspp.core.catalogue`).
    """

    code: str
    kinds: tuple[str, ...]
    check: ArtifactCheck
    needs_schema_valid: bool = True
    reads_files: bool = False


class Rule(msgspec.Struct, frozen=True):
    """A code as the registry hands it out: its catalogue entry and, for a code reported by
    the rules, what its check binding says (no kinds and no check for a code another stage
    reports: the loader, the validation engine, the resolver, the command line). The binding's
    fields are copied, not looked up: the engine reads them for every artifact."""

    entry: Entry
    kinds: tuple[str, ...] = ()
    check: ArtifactCheck | None = None
    needs_schema_valid: bool = False
    reads_files: bool = False

    @classmethod
    def join(cls, entry: Entry, binding: Check | None) -> Rule:
        if binding is None:
            return cls(entry)
        return cls(entry, binding.kinds, binding.check, binding.needs_schema_valid,
                   binding.reads_files)

    @property
    def code(self) -> str:
        return self.entry.code

    @property
    def category(self) -> str:
        return self.entry.category

    @property
    def severity(self) -> Severity:
        return self.entry.severity

    @property
    def summary(self) -> str:
        return self.entry.summary

    @property
    def doc(self) -> str:
        return self.entry.doc

    @property
    def emitted_by(self) -> Emitter:
        return self.entry.emitted_by

    @property
    def replaced_by(self) -> str | None:
        return self.entry.replaced_by

    @property
    def retired(self) -> bool:
        return self.entry.retired
