"""The located document: parsed data plus the source position of every key and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rspp.core.findings import Span
from rspp.core.jsontypes import JsonObject
from rspp.load.lines import split_lines

# The two syntaxes an artifact file may be written in (by its suffix: .yaml/.yml, .json).
Syntax = Literal["yaml", "json"]


@dataclass(slots=True)
class Document:
    """A parsed artifact file.

    ``data`` holds plain JSON values only (dict, list, str, int, float, bool, None).
    ``spans`` maps the JSON pointer of every value ("" is the root) to its span;
    ``key_spans`` maps the JSON pointer of every mapping member to the span of its key.
    """

    path: str
    text: str
    data: JsonObject
    syntax: Syntax
    spans: dict[str, Span] = field(default_factory=dict)
    key_spans: dict[str, Span] = field(default_factory=dict)
    # True when the spans were dropped to ship the document between processes cheaply;
    # they are rebuilt from ``text`` the first time a position is asked for.
    spans_dropped: bool = False
    # the lines of ``text``, split the first time ``line_text`` is asked
    _lines: list[str] | None = field(default=None, repr=False, compare=False)
    # the canonical digest of ``data``, computed the first time it is asked
    # (``rspp.model.digest.document_digest``): it lives exactly as long as the document
    digest: str | None = field(default=None, repr=False, compare=False)
    # what the file holds, when ``data`` is its upgrade to a newer API version (ADR 0023)
    original: JsonObject | None = field(default=None, repr=False, compare=False)

    @property
    def held(self) -> JsonObject:
        """The data as the file holds it (``data`` unless it was upgraded in memory): what a
        digest is taken over and what a bundle carries."""
        return self.data if self.original is None else self.original

    def without_spans(self) -> Document:
        return Document(self.path, self.text, self.data, self.syntax, spans_dropped=True,
                        digest=self.digest, original=self.original)

    def ensure_spans(self) -> None:
        """Make the positions when they were dropped or never made (``load_bytes`` with
        ``located`` false); a no-op otherwise."""
        if self.spans_dropped:
            self._rebuild_spans()

    def _rebuild_spans(self) -> None:
        from rspp.load.json_strict import parse_json
        from rspp.load.yaml_strict import parse_yaml

        parse = parse_yaml if self.syntax == "yaml" else parse_json
        # The text was accepted under the run's limits, which only refuse: with no limit it
        # parses the same way (the run may have raised the defaults).
        loosest = 1 << 30
        again, _ = parse(self.text, self.path, loosest, loosest)
        if again is None:  # the text parsed once; it parses the same way again
            raise RuntimeError(f"{self.path}: positions could not be rebuilt")
        self.spans, self.key_spans, self.spans_dropped = again.spans, again.key_spans, False

    def span(self, pointer: str, *, key: bool = False) -> Span:
        """The span of the value at ``pointer`` (or of its key), else of the nearest ancestor;
        the document's start (1, 1) for a text that is no JSON pointer (RFC 6901: "" or
        "/..."), such as one a pack's rule made up."""
        if self.spans_dropped:
            self._rebuild_spans()
        if key and pointer in self.key_spans:
            return self.key_spans[pointer]
        probe = pointer if pointer.startswith("/") else ""
        while True:
            found = self.spans.get(probe)
            if found is not None:
                return found
            if not probe:
                return Span(1, 1)
            probe = probe.rsplit("/", 1)[0]

    def line_text(self, line: int) -> str:
        """The text of 1-based ``line`` without its line break, or "" past the end.

        Lines end only at LF, CR LF or CR (see ``rspp.load.lines``), so the numbers match
        the ones the loader reports and git shows.
        """
        lines = self._lines
        if lines is None:
            lines = self._lines = split_lines(self.text)
        return lines[line - 1] if 0 < line <= len(lines) else ""
