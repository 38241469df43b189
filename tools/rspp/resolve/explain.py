"""Where did a resolved value come from: look up ``defaultingSources`` for a pointer.

The view is read as loaded (a view file given on the command line is not validated): every
value is narrowed where it is read."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from rspp.core.errors import UsageError
from rspp.core.jsontypes import as_array, as_object
from rspp.load.spans import escape_token


@dataclass(frozen=True, slots=True)
class Explanation:
    pointer: str
    value: object
    source: Mapping[str, object] | None  # None: no recorded source (never for a leaf)


def _leaves(value: object, pointer: str) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict) and value:
        for key in sorted(value):
            yield from _leaves(value[key], f"{pointer}/{escape_token(key)}")
    elif isinstance(value, list) and value and not all(
            isinstance(v, (str, int, float, bool)) for v in value):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{pointer}/{i}")
    else:
        yield pointer, value


def normalize_pointer(view: Mapping[str, object], pointer: str) -> str:
    """Accept ``/spec/...`` or a pointer relative to the spec; node ids may stand for indices
    (``/nodes/stt/params/model``)."""
    if not pointer.startswith("/"):
        pointer = "/" + pointer
    if pointer == "/":
        return ""
    parts = pointer.split("/")[1:]
    if parts and parts[0] not in ("spec", "metadata", "apiVersion", "kind"):
        parts = ["spec", *parts]
    if len(parts) >= 3 and parts[:2] == ["spec", "nodes"] and not parts[2].isdigit():
        ids = [as_object(n).get("id") for n in as_array(as_object(view["spec"]).get("nodes"))]
        wanted = parts[2].replace("~1", "/").replace("~0", "~")
        if wanted not in ids:
            raise UsageError(f"no node {wanted!r} in the resolved view (a module node's / is "
                             "written ~1 in a pointer)", f"nodes: {', '.join(map(str, ids))}")
        parts[2] = str(ids.index(wanted))
    return "/" + "/".join(parts) if parts else ""


def _get(view: Mapping[str, object], pointer: str) -> object:
    value: object = view
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise UsageError(f"{pointer}: no such field in the resolved view",
                             "`rspp resolve TARGET` shows the fields")
    return value


def explain(view: Mapping[str, object], pointer: str = "") -> list[Explanation]:
    """Every leaf at or under ``pointer`` with the source recorded for it (or an ancestor)."""
    pointer = normalize_pointer(view, pointer) if pointer else ""
    sources = as_object(as_object(view["spec"]).get("defaultingSources"))
    out = []
    for leaf, value in _leaves(_get(view, pointer), pointer):
        if leaf.startswith("/spec/defaultingSources"):
            continue
        probe = leaf
        while probe and probe not in sources:
            probe = probe.rsplit("/", 1)[0]
        source = sources.get(probe)
        out.append(Explanation(leaf, value, source if isinstance(source, dict) else None))
    return out


def describe(source: Mapping[str, object] | None) -> str:
    if source is None:
        return "no recorded source"
    where = ""
    if source.get("file"):
        where = f" ({source['file']}:{source.get('line', 1)}:{source.get('column', 1)})"
    who = {"builtin": "built-in default", "spec": "spec", "module": "module",
           "profile": "profile", "policy": "policy overlay", "bundle": "bundle",
           "extension": "extension"}.get(str(source.get("kind")), str(source.get("kind")))
    ref = f" {source['ref']}" if source.get("ref") else ""
    return f"{who}{ref}{where}: {source.get('reason', '')}"


def explain_text(entries: list[Explanation]) -> str:
    """Two lines per entry: ``POINTER = VALUE`` and ``    <- SOURCE``; hidden characters in
    pointers, values and file names are escaped (``rspp.report.escape.visible``)."""
    from rspp.report.escape import visible

    lines = [f"{visible(e.pointer)} = {visible(json.dumps(e.value, ensure_ascii=False))}\n"
             f"    <- {visible(describe(e.source))}" for e in entries]
    return "\n".join(lines) + ("\n" if lines else "")


def explain_json(entries: list[Explanation]) -> str:
    data = [{"pointer": e.pointer, "value": e.value, "source": e.source} for e in entries]
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
