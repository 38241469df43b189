"""Identifier, version and reference grammar, shared by the models, schemas and rules.

No pydantic here: this module is on the hot validation path.
"""

from __future__ import annotations

import functools
import re

import msgspec

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
# A waived artifact version: id@version, optionally Kind/ in front (no digest).
WAIVED_PATTERN = rf"^(?:[A-Z][A-Za-z]+/)?{_ID_BODY}@{SEMVER_CORE}$"

# Implementation references (``impl``): a package URL or an OCI image reference pinned by
# digest; never a path or a URL a runtime would fetch as given.
# Package URL (purl specification, PURL-SPECIFICATION.rst): pkg:type/namespace/name@version
# ?qualifiers#subpath. rspp requires the canonical form (lowercase type, no "pkg://"), a
# version, and refuses what would read as a path: "." and ".." segments, and percent-escapes
# of "." and "/" (%2E, %2F). Qualifier values carry no ":" (no URL schemes).
_PCT = r"%(?:[013-9A-Fa-f][0-9A-Fa-f]|2[0-9A-Da-d])"
_PCT_NO_COLON = r"%(?:[014-9A-Fa-f][0-9A-Fa-f]|2[0-9A-Da-d]|3[0-9B-Fb-f])"
_C = rf"(?:[A-Za-z0-9_~+-]|{_PCT})"  # a character of a segment, "." excepted
_D = rf"(?:[A-Za-z0-9._~+-]|{_PCT})"
_SEGMENT = rf"(?:{_C}{_D}*|\.{_C}{_D}*|\.\.{_D}+)"  # never "." nor ".."
_QC = rf"(?:[A-Za-z0-9_~+-]|{_PCT_NO_COLON})"
_QD = rf"(?:[A-Za-z0-9._~+-]|{_PCT_NO_COLON})"
_QSEGMENT = rf"(?:{_QC}{_QD}*|\.{_QC}{_QD}*|\.\.{_QD}+)"
_QUALIFIER = rf"[a-z][a-z0-9._-]*={_QSEGMENT}(?:/{_QSEGMENT})*"
PURL_PATTERN = (
    rf"^pkg:[a-z][a-z0-9.+-]*(?:/{_SEGMENT})+@(?:{_D}|:)+"
    rf"(?:\?{_QUALIFIER}(?:&{_QUALIFIER})*)?(?:#{_SEGMENT}(?:/{_SEGMENT})*)?$"
)
# OCI image reference (the distribution reference grammar, distribution/reference
# reference.go): registry host[:port]/path[:tag]@sha256:<64 hex>. The registry is required
# (no implicit docker.io) and so is the digest, which pins the content.
_HOST_LABEL = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_OCI_PATH = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
OCI_PATTERN = (
    rf"^(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})+(?::[0-9]{{1,5}})?|localhost(?::[0-9]{{1,5}})?"
    rf"|{_HOST_LABEL}:[0-9]{{1,5}})"
    rf"(?:/{_OCI_PATH})+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})?@sha256:[0-9a-f]{{64}}$"
)
IMPL_PATTERN = f"^(?:{PURL_PATTERN[1:-1]}|{OCI_PATTERN[1:-1]})$"

_REF_RE = re.compile(REF_PATTERN)


class Ref(msgspec.Struct, frozen=True):
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


class PortType(msgspec.Struct, frozen=True):
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
