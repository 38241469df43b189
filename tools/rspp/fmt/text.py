"""Format one artifact text, and prove the result means the same and keeps every comment."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rspp.core.findings import Finding
from rspp.core.jsontypes import JsonObject
from rspp.core.sink import finding
from rspp.core.text import reason
from rspp.fmt.compare import difference
from rspp.fmt.refusal import Refused
from rspp.fmt.scan import Comment, Layout, scan
from rspp.load.api import load_bytes
from rspp.load.document import Document, Syntax
from rspp.load.lines import YAML11_BREAKS, hide_yaml11_breaks
from rspp.model.order import json_text

FMT001 = "FMT001"


@dataclass(frozen=True, slots=True)
class Formatted:
    """The canonical text, or the original text with the findings that refused formatting."""

    text: str
    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings


def _refused(doc: Document, message: str, pointer: str = "",
             where: tuple[int, int] | None = None) -> Formatted:
    if where is None:
        span = doc.span(pointer)
        where = (span.line, span.col)
    refused = finding(FMT001, doc.path, where[0], where[1], f"{message}; file left unchanged",
                      pointer=pointer)
    return Formatted(doc.text, (refused,))


def format_json(doc: Document) -> str:
    """The canonical text of a JSON document (``rspp.fmt.order.json_text``)."""
    return json_text(doc.data)


def _short(comment: Comment) -> str:
    text = comment.text.strip()
    return repr(text if len(text) <= 50 else text[:47] + "...")


def _comments_differ(before: tuple[Comment, ...], new_text: str) -> tuple[str, int, int] | None:
    """Where ``new_text`` does not hold the comments of ``before``, each as often."""
    after = scan(new_text).comments
    left = Counter(c.text.strip() for c in after)
    for comment in before:
        text = comment.text.strip()
        if left[text] <= 0:
            return (f"formatting would drop the comment {_short(comment)}", comment.line + 1,
                    comment.col + 1)
        left[text] -= 1
    extra = next((c for c in after if left[c.text.strip()] > 0), None)
    if extra is not None:
        return f"formatting would repeat the comment {_short(extra)}", 1, 1
    return None


def verify(doc: Document, new_text: str, layout: Layout | None = None) -> Formatted:
    """``new_text`` if it loads to the same data (values and types) and keeps every comment
    (of ``layout``, the scan of a YAML ``doc``)."""
    if new_text == doc.text:
        return Formatted(new_text)
    again = load_bytes(new_text.encode("utf-8", "surrogatepass"), doc.path, syntax=doc.syntax)
    if again.document is None:
        problem = again.findings[0]
        return _refused(doc, f"formatted text would not load ({problem.code} {problem.message})")
    changed = difference(doc.data, again.document.data)
    if changed is not None:
        pointer, what = changed
        return _refused(doc, f"formatting would change the meaning: {what}", pointer)
    if doc.syntax == "yaml":
        differ = _comments_differ((layout or scan(doc.text)).comments, new_text)
        if differ is not None:
            message, line, col = differ
            return _refused(doc, message, where=(line, col))
    return Formatted(new_text)


def format_document(doc: Document) -> Formatted:
    """Format a document the strict loader has accepted (its positions are made if it was
    loaded without them)."""
    doc.ensure_spans()
    if doc.syntax == "json":
        return verify(doc, format_json(doc))
    if not YAML11_BREAKS.search(doc.text):
        return _format_yaml(doc)
    # NEL, LS and PS are ordinary characters to YAML 1.2 (and rspp) but line breaks to the
    # round-trip parser: format with private-use stand-ins (same lines and columns), then
    # put them back.
    hidden = hide_yaml11_breaks(doc.text)
    stand_in = load_bytes(hidden[0].encode("utf-8", "surrogatepass"), doc.path,
                          syntax="yaml").document if hidden is not None else None
    if hidden is None or stand_in is None:
        return _refused(doc, "the text holds NEL, LS or PS characters (U+0085, U+2028, "
                             "U+2029) that cannot be formatted; write them as escapes in "
                             "double-quoted strings (\\N, \\L, \\P)")
    done = _format_yaml(stand_in)
    return Formatted(doc.text if not done.ok else done.text.translate(hidden[1]),
                     done.findings)


def rewrite_document(doc: Document, data: JsonObject) -> Formatted:
    """``doc``'s file rewritten to hold ``data`` instead (a migration's result, ADR 0023), in
    canonical form, keeping every comment: the members ``data`` shares with ``doc.data`` keep
    their comments and their authors' scalar text. Refused (FMT001, file left as it was) when
    the new text would not load to exactly ``data`` or would lose a comment."""
    doc.ensure_spans()
    target = Document(doc.path, doc.text, data, doc.syntax, doc.spans, doc.key_spans)
    if doc.syntax == "json":
        return verify(target, format_json(target))
    if YAML11_BREAKS.search(doc.text):
        return _refused(doc, "the text holds NEL, LS or PS characters (U+0085, U+2028, U+2029) "
                             "that cannot be rewritten; run rspp fmt first")
    return _format_yaml(doc, data)


def _format_yaml(doc: Document, data: JsonObject | None = None) -> Formatted:
    from ruamel.yaml.error import YAMLError as RuamelError
    from yaml import YAMLError

    from rspp.fmt.yaml_text import format_yaml

    try:
        layout = scan(doc.text)
        new_text = format_yaml(doc, layout, data)
    except Refused as exc:
        where = (exc.line, exc.col) if exc.line is not None else None
        return _refused(doc, exc.message, exc.pointer, where)
    except (RuamelError, YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        said = getattr(exc, "problem", None) or reason(exc, named=False)
        where = (mark.line + 1, mark.column + 1) if mark is not None else None
        return _refused(doc, f"the round-trip YAML parser cannot read the file: {said}",
                        where=where)
    except Exception as exc:  # the round-trip emitter has corners it cannot write; a refusal
        # leaves the file as it was, which is always safe
        return _refused(doc, f"the round-trip YAML writer failed ({reason(exc, 200)})")
    if data is not None:
        doc = Document(doc.path, doc.text, data, doc.syntax, doc.spans, doc.key_spans)
    return verify(doc, new_text, layout)


def format_text(text: str, syntax: Syntax, path: str = "<text>") -> Formatted:
    """Format ``text`` (``syntax`` is ``"yaml"`` or ``"json"``).

    Text the strict loader refuses (aliases, tags, duplicate keys, ...) is returned unchanged
    with the loader's findings; so is text whose formatting would change its data or lose a
    comment, with an FMT001 finding.
    """
    loaded = load_bytes(text.encode("utf-8", "surrogatepass"), path, syntax=syntax)
    if loaded.document is None:
        return Formatted(text, loaded.findings)
    return format_document(loaded.document)
