"""The one way findings are made: the code names the catalogue entry that gives the severity.

:func:`finding` builds a single finding; :class:`FindingSink` collects the findings of a pass
and hands them back sorted, each once. Neither ever chooses a severity: that is the
catalogue's (:mod:`rspp.core.catalogue`), so a code reads the same wherever it is reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec

from rspp.core.catalogue import Entry, entry
from rspp.core.findings import Finding, Related, Waived


def finding(code: str, path: str, line: int, col: int, message: str, *, pointer: str = "",
            end_line: int | None = None, end_col: int | None = None,
            related: Iterable[Related] = (), subject: str = "",
            waiver: Waived | None = None) -> Finding:
    """The finding of ``code`` at ``path:line:col``, with the catalogue's severity.

    ``subject``: the artifact version (``Kind/id@version``) the finding is about when it is
    not the artifact of ``path``; ``waiver``: the waiver that accepts it. Raises KeyError for
    a code the catalogue lacks (a bug: every code is catalogued, and a test scans the package
    for code literals).
    """
    return Finding(code, entry(code).severity, path, line, col, message, pointer, end_line,
                   end_col, tuple(related), subject, waiver)


def entry_finding(made_by: Entry, path: str, line: int, col: int, message: str, *,
                  pointer: str = "", end_line: int | None = None, end_col: int | None = None,
                  related: Iterable[Related] = ()) -> Finding:
    """The finding of ``made_by``'s code with its severity: for a code that ``made_by``
    catalogues rather than rspp's catalogue (a pack's rule, ADR 0024), or one already looked
    up."""
    return Finding(made_by.code, made_by.severity, path, line, col, message, pointer,
                   end_line, end_col, tuple(related))


def waived(made: Finding, waiver: Waived) -> Finding:
    """``made`` accepted by ``waiver``: the same finding (code, severity, place, message),
    no longer failing anything."""
    return msgspec.structs.replace(made, waiver=waiver)


class FindingSink:
    """The findings of one pass, each kept once (in the order first emitted)."""

    __slots__ = ("_findings", "_seen")

    def __init__(self) -> None:
        self._findings: list[Finding] = []
        self._seen: set[Finding] = set()

    def emit(self, code: str, path: str, line: int, col: int, message: str, *,
             pointer: str = "", end_line: int | None = None, end_col: int | None = None,
             related: Iterable[Related] = (), subject: str = "") -> Finding:
        """Record the finding of ``code`` (see :func:`finding`) and return it."""
        made = finding(code, path, line, col, message, pointer=pointer, end_line=end_line,
                       end_col=end_col, related=related, subject=subject)
        self.add(made)
        return made

    def add(self, made: Finding) -> None:
        """Record a finding already made; one equal to a recorded finding is dropped."""
        if made not in self._seen:
            self._seen.add(made)
            self._findings.append(made)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self._findings)

    def __len__(self) -> int:
        return len(self._findings)

    @property
    def failed(self) -> bool:
        """True when an error was recorded."""
        return any(f.is_error for f in self._findings)

    def sorted(self) -> list[Finding]:
        """The findings by path, line, column, code and message."""
        return sorted(self._findings, key=Finding.sort_key)
