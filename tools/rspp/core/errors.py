"""Infrastructure errors. Findings about artifacts are never raised; these are."""

from __future__ import annotations


class RsppError(Exception):
    """An infrastructure failure: carries a human cause and a remedy.

    The CLI maps it to exit code 2 and one line of output.
    """

    def __init__(self, cause: str, remedy: str = "") -> None:
        super().__init__(cause)
        self.cause = cause
        self.remedy = remedy

    def one_line(self) -> str:
        return f"{self.cause} ({self.remedy})" if self.remedy else self.cause


class UsageError(RsppError):
    """The command line asked for something that cannot be done."""
