"""Identifier, version and reference grammar, shared by the models, schemas and rules.

No pydantic here: this module is on the hot validation path.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

ID_PATTERN = r"^[a-z][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$"
# SemVer 2.0.0, the grammar published with the specification (no leading zeros).
SEMVER_CORE = (
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(?:-((?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
SEMVER_PATTERN = rf"^{SEMVER_CORE}$"
_ID_BODY = r"[a-z][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*"
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"
REF_PATTERN = rf"^{_ID_BODY}@{SEMVER_CORE}(?:#sha256:[0-9a-f]{{64}})?$"
# Media-type-like port types: base type, subtype, then ;name=value parameters.
PORT_TYPE_PATTERN = r"^[a-z][a-z0-9-]*/[a-z0-9][a-z0-9.+-]*(;[a-z][a-z0-9_]*=[A-Za-z0-9._{}-]+)*$"
NODE_TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_]*)*$"
LOCAL_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
PORT_REF_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_REF_RE = re.compile(REF_PATTERN)


@dataclass(frozen=True, slots=True)
class Ref:
    """A parsed ``id@version`` or ``id@version#sha256:<hex>`` reference."""

    id: str
    version: str
    digest: str | None = None

    def __str__(self) -> str:
        base = f"{self.id}@{self.version}"
        return f"{base}#{self.digest}" if self.digest else base


def parse_ref(text: object) -> Ref | None:
    """Parse a reference; None when it does not match the grammar."""
    if not isinstance(text, str) or not _REF_RE.match(text):
        return None
    body, _, digest = text.partition("#")
    ident, _, version = body.partition("@")
    return Ref(ident, version, digest or None)


@dataclass(frozen=True, slots=True)
class PortType:
    """A media-type-like port type: ``audio/pcm16;rate=16000;channels=1``."""

    base: str
    params: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return self.base + "".join(f";{k}={v}" for k, v in self.params)

    def accepts(self, produced: PortType) -> bool:
        """True when a consumer of this type may read ``produced``.

        Base types must match and every parameter the consumer declares must be present with
        the same value on the producer. There is no wildcard.
        """
        if self.base != produced.base:
            return False
        have = dict(produced.params)
        return all(have.get(k) == v for k, v in self.params)


@functools.lru_cache(maxsize=4096)
def parse_port_type(text: str) -> PortType:
    base, *rest = (part.strip() for part in text.split(";"))
    params = []
    for item in rest:
        name, _, value = item.partition("=")
        params.append((name, value))
    return PortType(base, tuple(params))
