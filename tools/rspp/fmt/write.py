"""Writing an artifact: the one way rspp turns an artifact mapping into the text of a file.

Every artifact rspp writes into a repository (a built bundle, ...) is written here, so it is
canonical by construction: what `rspp fmt --check` accepts, byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

from rspp.fmt.quoting import needs_quotes
from rspp.load.document import Syntax
from rspp.model.order import canonical_order, json_text

# Plain scalars that need no quotes in block context: no indicator first, no ": " or " #".
_PLAIN = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_./@:#+=~-]*")


class ArtifactWriteError(ValueError):
    """The mapping cannot be written as a canonical artifact (not JSON data, or its YAML text
    would not read back as the same data). A fault of the caller: artifacts rspp builds
    always can be."""


def artifact_text(data: Mapping[str, object], syntax: Syntax = "json") -> str:
    """The canonical text of the artifact ``data`` (``syntax``: ``"json"`` or ``"yaml"``).

    JSON: ``rspp.fmt.order.json_text``, the text `rspp fmt` writes for the same data. YAML:
    block style, keys in the kind's canonical order, versions double-quoted, formatted by
    `rspp fmt` itself (docs/fmt.md). Raises ArtifactWriteError when ``data`` is not a
    mapping of JSON values, or (YAML) when the formatted text would not load to ``data``.
    """
    if not isinstance(data, Mapping) or not data:
        raise ArtifactWriteError("an artifact is a mapping with at least its envelope keys")
    _check(dict(data), "")
    if syntax == "json":
        return json_text(dict(data))
    if syntax != "yaml":
        raise ArtifactWriteError(f"unknown artifact syntax {syntax!r}; expected json or yaml")
    from rspp.fmt.compare import difference
    from rspp.fmt.text import format_text
    from rspp.load.api import load_bytes

    draft = "\n".join(_block(canonical_order(dict(data)), 0)) + "\n"
    result = format_text(draft, "yaml", "(written artifact)")
    if not result.ok:
        problem = result.findings[0]
        raise ArtifactWriteError(f"the YAML text of the artifact cannot be written: "
                                 f"{problem.code} {problem.message}")
    again = load_bytes(result.text.encode("utf-8"), "(written artifact)", syntax="yaml").document
    changed = difference(dict(data), again.data) if again is not None else ("", "no document")
    if changed is not None:
        raise ArtifactWriteError(f"the YAML text of the artifact would not read back as the "
                                 f"same data at {changed[0] or '/'}: {changed[1]}")
    return result.text


def _check(value: object, pointer: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ArtifactWriteError(f"{pointer or '/'}: key {key!r} is not a string")
            _check(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{pointer}/{index}")
    elif not (value is None or isinstance(value, str | int | float | bool)):
        raise ArtifactWriteError(f"{pointer or '/'}: {type(value).__name__} is not a JSON value")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ArtifactWriteError(f"{pointer or '/'}: {value} is not a JSON number")


# What a YAML double-quoted scalar must escape beyond JSON's escapes: characters YAML does not
# allow in a stream (YAML 1.2 5.1) and the line breaks YAML 1.1 readers fold (NEL, LS, PS).
_UNPRINTABLE = re.compile(r"[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _scalar(value: object) -> str:
    if isinstance(value, str):
        plain = _PLAIN.fullmatch(value) is not None and not value.endswith(":")
        if plain and not needs_quotes(value):
            return value
        return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}",
                                json.dumps(value, ensure_ascii=False))
    return json.dumps(value)  # null, true, 1, 1.5: the YAML 1.2 core schema reads them alike


def _block(value: object, column: int) -> list[str]:
    """Block-style lines of a non-scalar ``value`` whose keys (or dashes) are at ``column``
    (fmt re-indents and quotes; this only has to read back as the same data)."""
    pad = " " * column
    lines: list[str] = []
    pairs: Iterable[tuple[object, object]] = (
        value.items() if isinstance(value, dict)
        else ((None, v) for v in value) if isinstance(value, list) else ())
    for key, item in pairs:
        head = f"{pad}{_scalar(key)}:" if key is not None else f"{pad}-"
        if isinstance(item, dict | list) and item:
            lines.append(head)
            lines.extend(_block(item, column + 2))
        elif isinstance(item, dict | list):
            lines.append(f"{head} {'{}' if isinstance(item, dict) else '[]'}")
        else:
            lines.append(f"{head} {_scalar(item)}")
    return lines
