"""Derived files: what they are made from, whether they are fresh, and building them.

Each derived file carries provenance (``_rspp`` in JSON, a front-matter block in Markdown):
the generator, its version, every input with the sha256 of its bytes, and a fingerprint of
the file's own content. `rspp status` compares that record with the repository now, so it
needs no regeneration to say fresh, stale (input changed, generator version changed, edited by
hand), missing, invalid or blocked (an input has errors). `rspp build` regenerates exactly the
stale and missing files, in dependency order (a pipeline page after its resolved view).

The graph: for every bundle, ``docs/pipelines/<bundle>.resolved.json`` (inputs: every file the
view depends on) and ``docs/pipelines/<bundle>.md`` (input: the view); and the bundle's own
pins, which must carry the digests of what they pin.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rspp.canonical import pretty
from rspp.model.artifact import Artifact

OUT_DIR = "docs/pipelines"
GENERATORS = {"rspp resolve": "1", "rspp page": "1"}
STATES = ("fresh", "stale", "missing", "invalid", "blocked", "error")


def bytes_digest(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


@dataclass(slots=True)
class Node:
    """One derived file (or a bundle's pins) and what it is made from."""

    path: str
    generator: str
    inputs: tuple[str, ...]
    make: Callable[[], bytes | None]  # the new content; None when it cannot be made
    deps: tuple[str, ...] = ()  # derived files this one is made from
    state: str = "fresh"
    reason: str = ""


@dataclass(slots=True)
class Graph:
    root: Path
    nodes: dict[str, Node] = field(default_factory=dict)

    def order(self) -> list[Node]:
        """Dependencies first; ties by path (deterministic)."""
        done: list[Node] = []
        seen: set[str] = set()

        def visit(node: Node) -> None:
            if node.path in seen:
                return
            seen.add(node.path)
            for dep in node.deps:
                if dep in self.nodes:
                    visit(self.nodes[dep])
            done.append(node)

        for path in sorted(self.nodes):
            visit(self.nodes[path])
        return done


def view_path(bundle: Artifact) -> str:
    return f"{OUT_DIR}/{bundle.id.replace('/', '_')}@{bundle.version}.resolved.json"


def page_path(bundle: Artifact) -> str:
    return f"{OUT_DIR}/{bundle.id.replace('/', '_')}@{bundle.version}.md"


def _file_digest(path: Path, cache: dict[str, str] | None = None) -> str:
    """sha256 of a file's bytes (``cache``: remembered for one status pass, by path)."""
    key = str(path)
    if cache is not None and key in cache:
        return cache[key]
    try:
        digest = bytes_digest(path.read_bytes())
    except OSError:
        digest = "sha256:" + "0" * 64
    if cache is not None:
        cache[key] = digest
    return digest


def _input_digests(root: Path, paths: tuple[str, ...],
                   cache: dict[str, str] | None = None) -> dict[str, str]:
    return {rel: _file_digest(root / rel, cache) for rel in sorted(paths)}


def provenance(root: Path, generator: str, inputs: tuple[str, ...],
               fingerprint: str) -> dict[str, Any]:
    return {"generator": generator, "generatorVersion": GENERATORS[generator],
            "inputs": _input_digests(root, inputs), "fingerprint": fingerprint}


def with_view_provenance(root: Path, view: dict[str, Any], inputs: tuple[str, ...]) -> bytes:
    """The view in canonical form with ``_rspp`` (which sorts first) added. The fingerprint is
    the digest of the text without the ``_rspp`` member, i.e. of the view's own text."""
    body = {k: v for k, v in view.items() if k != "_rspp"}
    record = provenance(root, "rspp resolve", inputs,
                        bytes_digest(pretty(body).encode("utf-8")))
    return pretty({**body, "_rspp": record}).encode("utf-8")


def _split_json(text: str) -> tuple[str, str] | None:
    """(the ``_rspp`` member's text, the rest of the document's text)."""
    start = '{\n  "_rspp": {\n'
    if not text.startswith(start):
        return None
    end = text.find("\n  },\n", len(start))
    if end < 0:
        return None
    return text[len('{\n  "_rspp": '):end + 4], "{\n" + text[end + len("\n  },\n"):]


def with_page_provenance(root: Path, text: str, inputs: tuple[str, ...]) -> bytes:
    record = provenance(root, "rspp page", inputs, bytes_digest(text.encode("utf-8")))
    head = "---\n" + "".join(f"rspp-{k}: {json.dumps(v, sort_keys=True)}\n"
                             for k, v in sorted(record.items())) + "---\n"
    return (head + text).encode("utf-8")


def read_provenance(raw: bytes, path: str) -> tuple[dict[str, Any] | None, str]:
    """The recorded provenance and the digest of the content it covers (None: invalid)."""
    try:
        text = raw.decode("utf-8")
        if path.endswith(".json"):
            parts = _split_json(text)
            if parts is None:
                return None, ""
            record = json.loads(parts[0])
            return (record if isinstance(record, dict) else None), \
                bytes_digest(parts[1].encode("utf-8"))
        if not text.startswith("---\n") or "\n---\n" not in text:
            return None, ""
        head, body = text[4:].split("\n---\n", 1)
        record = {}
        for line in head.splitlines():
            key, _, value = line.partition(": ")
            record[key.removeprefix("rspp-")] = json.loads(value)
        return record, bytes_digest(body.encode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, ""


def assess(root: Path, node: Node, cache: dict[str, str] | None = None) -> None:
    """Set ``node.state`` and ``node.reason`` from its file and inputs (``cache``: input
    digests shared by the nodes of one pass; files do not change during it)."""
    target = root / node.path
    if not target.is_file():
        node.state, node.reason = "missing", "not generated yet"
        return
    record, actual = read_provenance(target.read_bytes(), node.path)
    if record is None or not isinstance(record.get("inputs"), dict):
        node.state, node.reason = "invalid", "no readable provenance (_rspp / front matter)"
        return
    if record.get("fingerprint") != actual:
        node.state, node.reason = "stale", "edited by hand (its fingerprint does not match)"
        return
    version = GENERATORS[node.generator]
    if record.get("generatorVersion") != version or record.get("generator") != node.generator:
        node.state = "stale"
        node.reason = (f"generator version {record.get('generatorVersion')} -> {version}")
        return
    now = _input_digests(root, node.inputs, cache)
    then: dict[str, str] = record["inputs"]
    changed = sorted(p for p in now if then.get(p) != now[p] and p in then)
    added, gone = sorted(set(now) - set(then)), sorted(set(then) - set(now))
    if changed or added or gone:
        parts = [f"input {p} changed" for p in changed]
        parts += [f"new input {p}" for p in added] + [f"input {p} no longer used" for p in gone]
        node.state, node.reason = "stale", "; ".join(parts)
        return
    node.state, node.reason = "fresh", ""
