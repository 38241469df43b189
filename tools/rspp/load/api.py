"""Public entry points: read a file safely and parse it into a located document."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Final

import msgspec

from rspp.core.findings import Finding
from rspp.load.document import Document, Syntax
from rspp.load.reading import Limits, decode, read_file

__all__ = ["Limits", "LoadResult", "load_bytes", "load_file", "syntax_for"]


class LoadResult(msgspec.Struct, frozen=True):
    """The parsed document, or ``None`` with the findings that refused the file."""

    document: Document | None
    findings: tuple[Finding, ...]


_SYNTAXES: Final[Mapping[str, Syntax]] = MappingProxyType(
    {".yaml": "yaml", ".yml": "yaml", ".json": "json"})


def syntax_for(path: Path) -> Syntax | None:
    """``"yaml"`` or ``"json"`` from the file suffix (any letter case), else ``None``."""
    return _SYNTAXES.get(path.suffix.lower())


def load_file(path: Path, root: Path, *, limits: Limits = Limits(),
              policy_checked: bool = False) -> LoadResult:
    """Read ``path`` (inside the repository ``root``) and parse it by its suffix.

    Files with an unknown suffix are parsed as YAML (JSON is a subset of it).
    ``policy_checked``: see :func:`rspp.load.source.read_file`.
    """
    rel, raw = read_file(path, root, limits.max_bytes, policy_checked=policy_checked)
    if isinstance(raw, Finding):
        return LoadResult(None, (raw,))
    return load_bytes(raw, rel, syntax=syntax_for(path) or "yaml", limits=limits)


def load_bytes(raw: bytes, rel_path: str, *, syntax: Syntax,
               limits: Limits = Limits(), located: bool = True) -> LoadResult:
    """Decode and parse ``raw`` as ``syntax`` (``"yaml"`` or ``"json"``). With ``located``
    false, a file the loader accepts is built without positions (the document's spans
    are made when one is first asked for); the data and the findings are the same."""
    # each parser imported when first used: a run whose files all come from the validation
    # cache parses nothing (ADR 0014)
    if syntax == "yaml":
        from rspp.load.yaml_strict import parse_yaml as parse
    elif syntax == "json":
        from rspp.load.json_strict import parse_json as parse
    else:
        raise ValueError(f"unknown syntax {syntax!r}; expected 'yaml' or 'json'")
    text = decode(raw, rel_path, limits.max_bytes)
    if isinstance(text, Finding):
        return LoadResult(None, (text,))
    if not located:
        if syntax == "yaml":
            from rspp.load.yaml_strict import parse_yaml_data as parse_data
        else:
            from rspp.load.json_strict import parse_json_data as parse_data
        data = parse_data(text, limits.max_depth, limits.max_int_digits)
        if data is not None:
            return LoadResult(Document(rel_path, text, data, syntax, spans_dropped=True), ())
    parsed, findings = parse(text, rel_path, limits.max_depth, limits.max_int_digits)
    if findings or parsed is None:
        return LoadResult(None, tuple(findings))
    return LoadResult(Document(rel_path, text, parsed.data, syntax, parsed.spans, parsed.key_spans),
                      ())
