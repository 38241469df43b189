"""The one way formatting says no: the file is left as it is, with an FMT001 finding."""

from __future__ import annotations


class Refused(Exception):
    """The file cannot be formatted faithfully. ``line``/``col`` are 1-based when known;
    otherwise ``pointer`` locates the value concerned."""

    def __init__(self, message: str, *, pointer: str = "", line: int | None = None,
                 col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.line = line
        self.col = col
