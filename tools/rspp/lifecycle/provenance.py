"""Derived files: what they are made from, whether they are fresh, and building them.

Each derived file carries provenance (``_rspp`` in JSON, a front-matter block in Markdown):
the generator, the generator's fingerprint (``generator_fingerprint``: a digest of the code
that makes the file), every input with the sha256 of its bytes, and a fingerprint of the
file's own content. `rspp status` compares that record with the repository and the running
rspp, so it needs no regeneration to say fresh, stale (input changed, generator changed,
edited by hand), missing, invalid or blocked (an input has errors). `rspp build` regenerates exactly the
stale and missing files, in dependency order (a pipeline page after its resolved view).

The graph: for every bundle, ``docs/pipelines/<bundle>.resolved.json`` (inputs: every file the
view depends on) and ``docs/pipelines/<bundle>.md`` (input: the view); and the bundle's own
pins, which must carry the digests of what they pin.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from rspp.core.canonical import pretty
from rspp.core.constants import DERIVED_DIR as OUT_DIR
from rspp.model.artifact import Artifact

if TYPE_CHECKING:
    from rspp.lifecycle.freshness import Stamps

# Each generator and the modules whose code makes its output; every rspp module they import
# (at the top or inside a function) counts too, except the ones in _NOT_OUTPUT.
GENERATORS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "rspp resolve": ("rspp.resolve.api", "rspp.lifecycle.provenance"),
    "rspp page": ("rspp.core.markdown", "rspp.gen.graph", "rspp.lifecycle.provenance"),
})
# Validation and the code catalogue decide whether a file may be generated (blocked) and how
# findings read, and the freshness record whether a file must be read to be judged, never
# what a generated file says: their modules do not make a generator stale.
_NOT_OUTPUT = ("rspp.rules", "rspp.validate", "rspp.core.catalogue", "rspp.core.sink",
               "rspp.lifecycle.freshness")
_FINGERPRINT_FORMAT = b"rspp generator fingerprint 1\n"
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(rspp(?:\.\w+)*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)"
                     r"|import[ \t]+(rspp(?:\.\w+)*))", re.M)


class State(StrEnum):
    """The state of one derived file, as `rspp status` names it."""

    FRESH = "fresh"  # made from its inputs by this rspp, unedited
    STALE = "stale"  # an input, the generator or the file itself changed
    MISSING = "missing"  # not generated yet
    INVALID = "invalid"  # its provenance record cannot be read
    BLOCKED = "blocked"  # an input has validation errors: it cannot be made
    ERROR = "error"  # making it failed



def bytes_digest(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _module_files(package: Path) -> dict[str, Path]:
    """Module name (``rspp.x.y``) -> source file, for every module under ``package``."""
    out: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(("rspp", *parts))] = path
    return out


def _source(path: Path) -> bytes:
    """A module's source as UTF-8 with ``\\n`` line ends (no BOM): the same bytes from a
    checkout on any platform, a wheel or an editable install."""
    text = path.read_bytes().decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")


def generator_modules(generator: str, package: Path | None = None) -> dict[str, bytes]:
    """Module name -> normalised source of every module whose code makes ``generator``'s
    output: its entry modules and, transitively, every rspp module they import and the
    packages holding those (found in the source text, so imports inside functions count),
    except validation (``_NOT_OUTPUT``).
    ``package``: the rspp package folder (default: the running one). Raises KeyError for an
    unknown generator."""
    if package is None:
        import rspp

        package = Path(rspp.__file__).parent
    files = _module_files(package)
    out: dict[str, bytes] = {}
    # An entry module runs its packages' __init__ first, like every import does.
    todo = [".".join(entry.split(".")[:i]) for entry in GENERATORS[generator]
            for i in range(1, entry.count(".") + 2)]
    while todo:
        module = todo.pop()
        if module in out or module.startswith(_NOT_OUTPUT):
            continue
        path = files.get(module)
        if path is None:
            continue  # a name imported from a module, not a module
        out[module] = source = _source(path)
        for found in _IMPORT.finditer(source.decode("utf-8")):
            base = found[1] or found[3]
            # Importing a.b.c runs a and a.b (their __init__) first.
            parts = base.split(".")
            todo += [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
            if found[2]:
                todo += [f"{base}.{name}" for name in re.findall(r"\w+", found[2])
                         if name != "as"]
    return out


@functools.cache
def generator_fingerprint(generator: str, package: Path | None = None) -> str:
    """``sha256:<hex>`` over the normalised source of ``generator_modules`` (sorted by module
    name, each with its name and length): it changes whenever the code that makes the
    generator's output changes (comments included: a false "stale" costs one rebuild, a
    missed change a wrong page). File paths, byte-code, platform line ends and the Python
    version never enter it. Computed once per process, from about 30 files (~1 ms)."""
    digest = hashlib.sha256(_FINGERPRINT_FORMAT + generator.encode("utf-8") + b"\n")
    for module, source in sorted(generator_modules(generator, package).items()):
        digest.update(f"{module}\n{len(source)}\n".encode())
        digest.update(source)
    return "sha256:" + digest.hexdigest()


@dataclass(slots=True)
class Node:
    """One derived file (or a bundle's pins) and what it is made from."""

    path: str
    generator: str
    inputs: tuple[str, ...]
    make: Callable[[], bytes | None]  # the new content; None when it cannot be made
    deps: tuple[str, ...] = ()  # derived files this one is made from
    state: State = State.FRESH
    reason: str = ""


@dataclass(slots=True)
class DerivedGraph:
    """The derived files of a repository (views, pages, bundle pins) and what each is made
    from, in dependency order."""

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


_MAX_INPUT = 1 << 24  # bytes: inputs are artifacts (1 MiB each by default) and the lock


def _file_digest(path: Path, cache: dict[str, str] | None, *, root: Path) -> str:
    """sha256 of a file's bytes (``cache``: remembered for one status pass, by path), read
    under the read policy of :mod:`rspp.core.paths` inside ``root`` (a link out of the repository
    is never followed)."""
    key = str(path)
    if cache is not None and key in cache:
        return cache[key]
    from rspp.load.reading import read_file

    raw = read_file(path, root, _MAX_INPUT)[1]
    # unreadable, or refused by the read policy: recorded as changed
    digest = bytes_digest(raw) if isinstance(raw, bytes) else "sha256:" + "0" * 64
    if cache is not None:
        cache[key] = digest
    return digest


def _input_digests(root: Path, paths: tuple[str, ...], cache: dict[str, str] | None = None,
                   stamps: Stamps | None = None) -> dict[str, str]:
    """Input path -> digest of its bytes; ``stamps`` takes each input's stamp before its
    first read in the pass (:mod:`rspp.lifecycle.freshness`)."""
    out: dict[str, str] = {}
    for rel in sorted(paths):
        if stamps is not None:
            stamps.of(rel)
        out[rel] = _file_digest(root / rel, cache, root=root)
    return out


def provenance(root: Path, generator: str, inputs: tuple[str, ...],
               fingerprint: str) -> dict[str, object]:
    return {"generator": generator, "generatorFingerprint": generator_fingerprint(generator),
            "inputs": _input_digests(root, inputs), "fingerprint": fingerprint}


def with_view_provenance(root: Path, view: Mapping[str, object],
                         inputs: tuple[str, ...]) -> bytes:
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


def read_provenance(raw: bytes, path: str) -> tuple[dict[str, object] | None, str]:
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
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, ""


def assess(root: Path, node: Node, cache: dict[str, str] | None = None,
           stamps: Stamps | None = None) -> None:
    """Set ``node.state`` and ``node.reason`` from its file and inputs (``cache``: input
    digests shared by the nodes of one pass; files do not change during it). ``stamps``
    takes the stamp of the file and of each input before reading it, for the record of
    :mod:`rspp.lifecycle.freshness`."""
    from rspp.core.files import FileAccessError, read_existing

    if stamps is not None:
        stamps.of(node.path)
    try:  # read as rspp writes it: no link followed, nothing outside the repository
        current = read_existing(root / node.path, root=root, verb="check")
    except FileAccessError as exc:
        node.state, node.reason = State.INVALID, exc.cause
        return
    if current is None:
        node.state, node.reason = State.MISSING, "not generated yet"
        return
    record, actual = read_provenance(current, node.path)
    then = record.get("inputs") if record is not None else None
    if record is None or not isinstance(then, dict):
        node.state, node.reason = State.INVALID, "no readable provenance (_rspp / front matter)"
        return
    if record.get("fingerprint") != actual:
        node.state, node.reason = State.STALE, "edited by hand (its fingerprint does not match)"
        return
    if record.get("generator") != node.generator:
        node.state = State.STALE
        node.reason = f"made by generator {record.get('generator')!r}, not {node.generator!r}"
        return
    if record.get("generatorFingerprint") != generator_fingerprint(node.generator):
        node.state = State.STALE
        node.reason = ("generator changed (the rspp code that makes this file differs from "
                       "the code that made it)")
        return
    now = _input_digests(root, node.inputs, cache, stamps)
    changed = sorted(p for p in now if then.get(p) != now[p] and p in then)
    added, gone = sorted(set(now) - set(then)), sorted(set(then) - set(now))
    if changed or added or gone:
        parts = [f"input {p} changed" for p in changed]
        parts += [f"new input {p}" for p in added] + [f"input {p} no longer used" for p in gone]
        node.state, node.reason = State.STALE, "; ".join(parts)
        return
    node.state, node.reason = State.FRESH, ""
