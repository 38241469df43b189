"""Findings: the frozen values every rule emits and every reporter consumes."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import msgspec


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Span:
    """1-based line and column of a value in its source file (end exclusive). A dataclass,
    not a struct: the loaders build spans without ``__init__`` (``rspp.load.spans``)."""

    line: int
    col: int
    end_line: int | None = None
    end_col: int | None = None


class Related(msgspec.Struct, frozen=True):
    """Another location a finding points at (the other side of a comparison)."""

    path: str
    line: int
    col: int
    message: str = ""


class Waived(msgspec.Struct, frozen=True):
    """The waiver that accepts a finding (``compat/waivers.yaml``): who accepts it, why, until
    which day (``expires``, ``YYYY-MM-DD``, valid through that day), an optional link, and
    where the waiver is written (``path:line:col`` of its entry)."""

    owner: str
    reason: str
    expires: str
    link: str | None
    path: str
    line: int
    col: int

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class Finding(msgspec.Struct, frozen=True):
    """One thing rspp found, at one place. Built by :mod:`rspp.core.sink`, which takes the
    severity from the code catalogue; nothing else constructs one.

    ``subject`` names the artifact version the finding is about when that is not the artifact
    of the file it is located in (lock-key form ``Kind/id@version``, e.g. a finding placed in
    rspp.lock about a deleted version); empty otherwise. ``waiver`` is set when a waiver
    accepts the finding (:mod:`rspp.compat.waivers`): it keeps its code and severity, is
    reported as a notice, and fails nothing.
    """

    code: str
    severity: Severity
    path: str
    line: int
    col: int
    message: str
    pointer: str = ""
    end_line: int | None = None
    end_col: int | None = None
    related: tuple[Related, ...] = msgspec.field(default=())
    subject: str = ""
    waiver: Waived | None = None

    @property
    def is_error(self) -> bool:
        """True for an error that no waiver accepts: what fails a run without ``--strict``."""
        return self.severity is Severity.ERROR and self.waiver is None

    @property
    def is_warning(self) -> bool:
        """True for a warning that no waiver accepts: what fails a run under ``--strict``."""
        return self.severity is Severity.WARNING and self.waiver is None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.code, self.message)

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"
