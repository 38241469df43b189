"""Findings: the frozen values every rule emits and every reporter consumes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Span:
    """1-based line and column of a value in its source file (end exclusive)."""

    line: int
    col: int
    end_line: int | None = None
    end_col: int | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """Another location a finding points at (the other side of a comparison)."""

    path: str
    line: int
    col: int
    message: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing rspp found, at one place. Built by :mod:`rspp.core.sink`, which takes the
    severity from the code catalogue; nothing else constructs one."""

    code: str
    severity: Severity
    path: str
    line: int
    col: int
    message: str
    pointer: str = ""
    end_line: int | None = None
    end_col: int | None = None
    related: tuple[Related, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        """True for an error: what fails a run without ``--strict``."""
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.code, self.message)

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"
