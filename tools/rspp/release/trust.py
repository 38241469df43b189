"""The trust policy and signature verification (ADR 0008: verification fails closed).

A trust policy file (YAML or JSON, read through :mod:`rspp.load`, so duplicate keys, aliases
and other ambiguous YAML are refused and every error has a position) names who may sign::

    apiVersion: rspp.dev/v1alpha1
    kind: TrustPolicy
    keys:                       # offline ed25519 keys (DSSE envelopes)
      - keyid: <64 hex: sha256 of the DER SubjectPublicKeyInfo>
        publicKey: |
          -----BEGIN PUBLIC KEY-----
          ...
    sigstore:                   # keyless identities (sigstore bundles)
      - issuer: https://token.actions.githubusercontent.com
        identity: https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main
      - issuer: https://token.actions.githubusercontent.com
        workflowRepository: org/repo
        workflowRef: refs/heads/main        # optional
    trustedRoot: trusted_root.json          # optional, relative to this file

Verification (:func:`verify_signature`, :func:`verify_sigstore_artifact`) first checks the
signature cryptographically (for sigstore: certificate chain to the trust root, transparency
log inclusion, signed time), then the signer against the policy. It raises
:class:`SignatureError`: ``VFY002`` when the signature document is malformed, does not
verify, has the wrong payload type or an unknown media type; ``VFY003`` when it is a valid
signature (or, for an offline key, a signature claiming a key id) by a signer the policy does
not list. :func:`load_policy` raises :class:`PolicyError` ``VFY008`` (with file:line:col) for
a policy that cannot be used. The statement's subject and predicate are the caller's to
check; verification returns the signed bytes.

Offline verification never opens a socket: the trust root is the policy's ``trustedRoot``
file or the public sigstore instance's root that sigstore keeps locally (``offline=True``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from rspp.core.errors import RsppError
from rspp.core.text import reason
from rspp.release import oci
from rspp.release.sign import STATEMENT_TYPE, pae

if TYPE_CHECKING:
    from cryptography.x509 import Certificate
    from sigstore.models import Bundle
    from sigstore.verify import Verifier

API_VERSION: Final = "rspp.dev/v1alpha1"
KIND: Final = "TrustPolicy"
MAX_POLICY: Final = 1 << 20
"""Largest policy file read (bytes)."""
MAX_TRUSTED_ROOT: Final = 4 << 20
"""Largest trusted root file read (bytes)."""
MAX_SIGNATURE: Final = 4 << 20
"""Largest envelope or bundle verified (bytes)."""

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+:/")
"""A URL scheme (two letters at least, so a Windows drive ``C:/`` is a path); ``Path``
folds ``https://h/p`` into ``https:/h/p``, which this still recognises."""
_TOP: Final = frozenset({"apiVersion", "kind", "keys", "sigstore", "trustedRoot"})
_KEY_FIELDS: Final = frozenset({"keyid", "publicKey"})
_ID_FIELDS: Final = frozenset({"issuer", "identity", "workflowRepository", "workflowRef"})
_ENVELOPE: Final = frozenset({"payload", "payloadType", "signatures"})
_SIGNATURE: Final = frozenset({"keyid", "sig"})
_ISSUER_V1: Final = "1.3.6.1.4.1.57264.1.1"
_ISSUER_V2: Final = "1.3.6.1.4.1.57264.1.8"


class PolicyError(RsppError):
    """The trust policy cannot be used (``code`` ``VFY008``); ``path``, ``line``, ``col``
    locate the problem (1-based; 1:1 when the whole file is at fault)."""

    def __init__(self, path: str, line: int, col: int, message: str, remedy: str = "",
                 code: str = "VFY008") -> None:
        super().__init__(f"{path}:{line}:{col}: {message}", remedy)
        self.code = code
        self.path, self.line, self.col = path, line, col


class SignatureError(RsppError):
    """A signature is refused: ``code`` ``VFY002`` (malformed, does not verify, wrong
    payload type, unknown media type) or ``VFY003`` (valid, but by a signer the trust
    policy does not list)."""

    def __init__(self, code: str, cause: str, remedy: str = "") -> None:
        super().__init__(cause, remedy)
        self.code = code


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """An offline key: its id (:func:`rspp.release.sign.key_id`) and PEM public key."""

    keyid: str
    public_pem: bytes


@dataclass(frozen=True, slots=True)
class TrustedIdentity:
    """A keyless signer: the OIDC ``issuer`` and either the exact certificate SAN
    ``identity`` or the GitHub ``workflow_repository`` (``owner/name``) with an optional
    ``workflow_ref`` (``refs/heads/main``, ``refs/tags/v1``)."""

    issuer: str
    identity: str | None = None
    workflow_repository: str | None = None
    workflow_ref: str | None = None

    def describe(self) -> str:
        if self.identity is not None:
            return f"{self.identity} via {self.issuer}"
        ref = f"@{self.workflow_ref}" if self.workflow_ref else ""
        return f"workflows of {self.workflow_repository}{ref} via {self.issuer}"


@dataclass(frozen=True, slots=True)
class TrustPolicy:
    """A loaded trust policy. ``trusted_root`` is the sigstore trusted root file the
    policy names, resolved against the policy's folder (None: the public instance's root);
    it was parsed when the policy was loaded and is read again at each verification."""

    path: str
    keys: tuple[TrustedKey, ...] = ()
    identities: tuple[TrustedIdentity, ...] = ()
    trusted_root: Path | None = None


@dataclass(frozen=True, slots=True)
class Signed:
    """A verified signature: ``statement`` is the signed payload (bytes, the in-toto
    statement as signed) and ``signer`` says who signed (``key <keyid>`` or
    ``<identity> via <issuer>``)."""

    statement: bytes
    signer: str


# ---------------------------------------------------------------------------- the policy


def load_policy(path: Path, *, confine: Path | None = None) -> TrustPolicy:
    """Read and check the trust policy file at ``path`` (``.json`` is parsed as JSON, any
    other suffix as YAML). Policies are local files: a URL is refused, never fetched.
    ``confine``: the folder (the repository) the policy file and its ``trustedRoot`` must
    lie in, links followed (PathError ``PATH001`` for the policy file outside it).

    Raises PolicyError ``VFY008`` with the position of the first problem: unreadable or
    unparsable file, wrong ``apiVersion``/``kind``, an unknown field, a key id that is not
    the public key's, a public key that is not an ed25519 PEM SubjectPublicKeyInfo, an
    identity without issuer or with both ``identity`` and ``workflowRepository``, a
    ``trustedRoot`` that cannot be read or parsed, nothing trusted at all.
    """
    from rspp.load.api import load_bytes, syntax_for

    shown = str(path)
    if _URL.match(shown):
        raise PolicyError(shown, 1, 1, "a trust policy is read from a file, never fetched",
                          "download it, review it, and give its local path")
    if confine is not None:
        from rspp.core.paths import real_inside

        real_inside(path, confine, "trust policy")
    raw = _read(path, MAX_POLICY, shown, 1, 1, "trust policy")
    loaded = load_bytes(raw, shown, syntax=syntax_for(path) or "yaml")
    if loaded.document is None:
        first = loaded.findings[0]
        raise PolicyError(shown, first.line, first.col, first.message)
    doc = loaded.document

    def fail(pointer: str, message: str, *, key: bool = False, remedy: str = "") -> PolicyError:
        span = doc.span(pointer, key=key)
        return PolicyError(shown, span.line, span.col, message, remedy)

    data = doc.data  # the loader refused anything but a mapping
    for name in sorted(set(data) - _TOP):
        raise fail(f"/{name}", f"unknown field {name!r} in a trust policy", key=True,
                   remedy="allowed: " + ", ".join(sorted(_TOP)))
    if data.get("apiVersion") != API_VERSION:
        raise fail("/apiVersion", f"apiVersion must be {API_VERSION!r}")
    if data.get("kind") != KIND:
        raise fail("/kind", f"kind must be {KIND!r}")
    keys = tuple(_key(fail, f"/keys/{i}", item)
                 for i, item in enumerate(_list(fail, data, "keys")))
    seen: set[str] = set()
    for i, trusted in enumerate(keys):
        if trusted.keyid in seen:
            raise fail(f"/keys/{i}/keyid", f"key {trusted.keyid} is listed twice")
        seen.add(trusted.keyid)
    identities = tuple(_identity(fail, f"/sigstore/{i}", item)
                       for i, item in enumerate(_list(fail, data, "sigstore")))
    root: Path | None = None
    if "trustedRoot" in data:
        span = doc.span("/trustedRoot")
        root = _trusted_root(fail, path, data["trustedRoot"], (span.line, span.col),
                             confine)
    if not keys and not identities:
        raise fail("", "the trust policy trusts nobody: it lists no keys and no sigstore "
                       "identities", remedy="add a `keys` or `sigstore` entry")
    return TrustPolicy(shown, keys, identities, root)


def _read(path: Path, limit: int, shown: str, line: int, col: int, what: str) -> bytes:
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise PolicyError(shown, line, col, f"the {what} {path} is not a regular file",
                                  "name a file")
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise PolicyError(shown, line, col, f"cannot read the {what} {path}: {exc.strerror}",
                          "check the path") from None
    if len(raw) > limit:
        raise PolicyError(shown, line, col, f"the {what} {path} is larger than {limit} bytes")
    return raw


def _list(fail: _Fail, data: Mapping[str, object], name: str) -> list[object]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise fail(f"/{name}", f"{name} must be a list")
    return value


def _fields(fail: _Fail, pointer: str, item: object, allowed: frozenset[str],
            what: str) -> dict[str, str]:
    if not isinstance(item, dict):
        raise fail(pointer, f"a {what} entry is a mapping")
    for name in sorted(set(item) - allowed):
        raise fail(f"{pointer}/{name}", f"unknown field {name!r} in a {what} entry", key=True,
                   remedy="allowed: " + ", ".join(sorted(allowed)))
    for name, value in item.items():
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{pointer}/{name}", f"{name} must be a non-empty string")
    return {str(k): str(v) for k, v in item.items()}


def _key(fail: _Fail, pointer: str, item: object) -> TrustedKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from rspp.release.sign import key_id

    fields = _fields(fail, pointer, item, _KEY_FIELDS, "keys")
    for name in sorted(_KEY_FIELDS - set(fields)):
        raise fail(pointer, f"a key needs {name}")
    pem = fields["publicKey"].encode("utf-8")
    try:
        public = serialization.load_pem_public_key(pem)
    except ValueError:
        raise fail(f"{pointer}/publicKey", "publicKey is not a PEM public key "
                                           "(-----BEGIN PUBLIC KEY-----)",
                   remedy="paste the .pub file `rspp keygen` wrote") from None
    if not isinstance(public, Ed25519PublicKey):
        raise fail(f"{pointer}/publicKey", "publicKey is not an ed25519 key")
    actual = key_id(public)
    if fields["keyid"] != actual:
        raise fail(f"{pointer}/keyid", f"keyid {fields['keyid']!r} is not this public key's "
                                       f"id ({actual})",
                   remedy="write the id `rspp keygen` printed for this key")
    return TrustedKey(actual, pem)


def _identity(fail: _Fail, pointer: str, item: object) -> TrustedIdentity:
    fields = _fields(fail, pointer, item, _ID_FIELDS, "sigstore")
    if "issuer" not in fields:
        raise fail(pointer, "a sigstore identity needs its issuer (the OIDC provider URL)")
    exact, repository = fields.get("identity"), fields.get("workflowRepository")
    ref = fields.get("workflowRef")
    if (exact is None) == (repository is None):
        raise fail(pointer, "a sigstore identity has exactly one of identity (the exact "
                            "certificate identity) and workflowRepository")
    if ref is not None and repository is None:
        raise fail(f"{pointer}/workflowRef", "workflowRef is only allowed with "
                                             "workflowRepository")
    return TrustedIdentity(fields["issuer"], exact, repository, ref)


def _trusted_root(fail: _Fail, policy_path: Path, value: object,
                  where: tuple[int, int], confine: Path | None) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise fail("/trustedRoot", "trustedRoot must be a file path")
    if _URL.match(value):
        raise fail("/trustedRoot", "trustedRoot is a local file, never fetched",
                   remedy="download it, review it, and give its path")
    target = policy_path.parent / value
    if confine is not None:
        import os

        from rspp.core.paths import under

        if under(os.path.realpath(target), os.path.realpath(confine)) is None:
            raise fail("/trustedRoot", f"trustedRoot {value} is outside the repository",
                       remedy="keep the trusted root file inside the repository")
    _read(target, MAX_TRUSTED_ROOT, str(policy_path), *where, "trusted root")
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import TrustedRoot

    try:
        TrustedRoot.from_file(str(target))
    except (SigstoreError, ValueError, UnicodeDecodeError):  # pydantic's too
        # the error's text may quote the file's content: never shown
        raise fail("/trustedRoot", f"{value} is not a sigstore trusted root (JSON "
                                   "trusted_root.json of a sigstore instance)") from None
    return target


class _Fail(Protocol):  # the type of load_policy's local `fail`
    def __call__(self, pointer: str, message: str, *, key: bool = False,
                 remedy: str = "") -> PolicyError: ...


# ------------------------------------------------------------------------- verification


def verify_signature(media_type: str, data: bytes, policy: TrustPolicy, *,
                     offline: bool = True) -> Signed:
    """Verify a signature document over an in-toto statement and return what was signed.

    ``media_type`` is :data:`rspp.release.oci.DSSE` (``data``: a DSSE envelope signed by an
    ed25519 key of the policy) or :data:`rspp.release.oci.SIGSTORE` (``data``: a sigstore
    bundle holding a DSSE envelope, checked against the policy's trust root and identities).
    The payload type must be ``application/vnd.in-toto+json`` and the payload a JSON object
    whose ``_type`` is an in-toto Statement v1.

    Raises SignatureError ``VFY002`` or ``VFY003`` (module documentation), PolicyError
    ``VFY008`` when ``offline`` is False and the trust root cannot be refreshed.
    """
    if len(data) > MAX_SIGNATURE:
        raise SignatureError("VFY002", f"the signature is larger than {MAX_SIGNATURE} bytes")
    if media_type == oci.DSSE:
        signed = _verify_envelope(data, policy)
    elif media_type == oci.SIGSTORE:
        signed = _verify_sigstore_dsse(data, policy, offline)
    else:
        raise SignatureError("VFY002", f"unknown signature media type {media_type!r}",
                             f"expected {oci.DSSE} or {oci.SIGSTORE}")
    _check_statement(signed.statement)
    return signed


def _check_statement(payload: bytes) -> None:
    try:
        value = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        value = None
    if not isinstance(value, dict) or value.get("_type") != STATEMENT_TYPE:
        raise SignatureError("VFY002", "the signed payload is not an in-toto Statement v1",
                             "sign the statement rspp publish builds")


def _strict_json(data: bytes, what: str) -> object:
    try:
        return json.loads(data, object_pairs_hook=oci.unique_keys)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise SignatureError("VFY002", f"the {what} is not JSON") from None


def _b64(text: object, what: str) -> bytes:
    if not isinstance(text, str):
        raise SignatureError("VFY002", f"the DSSE envelope's {what} is not a string")
    try:
        if "-" in text or "_" in text:  # DSSE allows the URL-safe alphabet too
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("VFY002", f"the DSSE envelope's {what} is not base64") from None


def _verify_envelope(data: bytes, policy: TrustPolicy) -> Signed:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    envelope = _strict_json(data, "DSSE envelope")
    if not isinstance(envelope, dict) or set(envelope) != _ENVELOPE:
        raise SignatureError("VFY002", "malformed DSSE envelope: it must hold exactly "
                                       "payload, payloadType and signatures")
    kind, sigs = envelope["payloadType"], envelope["signatures"]
    if kind != oci.IN_TOTO:
        raise SignatureError("VFY002", f"the DSSE payloadType is {kind!r}, not {oci.IN_TOTO}")
    if not isinstance(sigs, list) or not sigs:
        raise SignatureError("VFY002", "the DSSE envelope has no signatures")
    payload = _b64(envelope["payload"], "payload")
    message = pae(oci.IN_TOTO, payload)
    claimed: list[str] = []
    decoded: list[bytes] = []
    for sig in sigs:
        if not isinstance(sig, dict) or "sig" not in sig or not set(sig) <= _SIGNATURE:
            raise SignatureError("VFY002", "malformed DSSE signature: it holds sig and an "
                                           "optional keyid")
        keyid = sig.get("keyid", "")
        if not isinstance(keyid, str):
            raise SignatureError("VFY002", "a DSSE signature's keyid is not a string")
        claimed.append(keyid)
        decoded.append(_b64(sig["sig"], "signature"))
    for trusted in policy.keys:
        public = serialization.load_pem_public_key(trusted.public_pem)
        assert isinstance(public, Ed25519PublicKey)  # load_policy checked it
        for raw in decoded:
            try:
                public.verify(raw, message)
            except InvalidSignature:
                continue
            return Signed(payload, f"key {trusted.keyid}")
    listed = {trusted.keyid for trusted in policy.keys}
    strangers = [keyid for keyid in claimed if keyid and keyid not in listed]
    if strangers:
        raise SignatureError(
            "VFY003", f"signed by key {', '.join(strangers)}, which the trust policy "
                      f"{policy.path} does not list",
            "add the key to the policy's keys if it is trusted")
    raise SignatureError("VFY002", "no signature of the DSSE envelope verifies with a key of "
                                   f"the trust policy {policy.path}",
                         "the signature or the signed content was altered")


def _load_bundle(data: bytes) -> Bundle:
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import Bundle

    try:
        return Bundle.from_json(data)
    except (SigstoreError, ValueError, UnicodeDecodeError) as exc:
        raise SignatureError("VFY002", f"malformed sigstore bundle: {reason(exc, named=False)}") from None


def _verifier(policy: TrustPolicy, offline: bool) -> Verifier:
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    try:
        if policy.trusted_root is not None:
            return Verifier(trusted_root=TrustedRoot.from_file(str(policy.trusted_root)))
        return Verifier.production(offline=offline)
    except (SigstoreError, OSError, ValueError) as exc:
        raise PolicyError(policy.path, 1, 1, f"the sigstore trust root cannot be obtained: "
                                             f"{reason(exc, named=False)}",
                          "retry, or verify offline with the bundled trust root") from None


class _AnySigner:
    """A sigstore verification policy that accepts every certificate: the signer is
    judged after the cryptographic checks, so a valid signature by someone else is told
    apart (VFY003) from a bad one (VFY002)."""

    def verify(self, cert: Certificate) -> None:
        return None


def _failures() -> tuple[type[BaseException], ...]:
    from sigstore.errors import Error as SigstoreError

    return (SigstoreError, ValueError, TypeError, KeyError)


def _verify_sigstore_dsse(data: bytes, policy: TrustPolicy, offline: bool) -> Signed:
    bundle = _load_bundle(data)
    if bundle._dsse_envelope is None:
        raise SignatureError("VFY002", "the sigstore bundle signs a message, not an in-toto "
                                       "statement in a DSSE envelope")
    verifier = _verifier(policy, offline)
    try:
        kind, payload = verifier.verify_dsse(bundle, _AnySigner())
    except _failures() as exc:
        raise SignatureError("VFY002", f"the sigstore bundle does not verify: {reason(exc, named=False)}",
                             "it was altered, or was made for another sigstore instance "
                             "than the policy's trust root") from None
    if kind != oci.IN_TOTO:
        raise SignatureError("VFY002", f"the DSSE payloadType is {kind!r}, not {oci.IN_TOTO}")
    return Signed(bytes(payload), _allowed(bundle.signing_certificate, policy))


def verify_sigstore_artifact(bundle: bytes, artifact: bytes, policy: TrustPolicy, *,
                             offline: bool = True) -> str:
    """Verify a sigstore bundle holding a message signature over ``artifact`` (bytes) and
    return the signer (``<identity> via <issuer>``). Raises SignatureError ``VFY002`` /
    ``VFY003`` as :func:`verify_signature` does, PolicyError ``VFY008`` as it does."""
    if len(bundle) > MAX_SIGNATURE:
        raise SignatureError("VFY002", f"the signature is larger than {MAX_SIGNATURE} bytes")
    loaded = _load_bundle(bundle)
    if loaded._dsse_envelope is not None:
        raise SignatureError("VFY002", "the sigstore bundle holds a DSSE envelope, not a "
                                       "message signature")
    verifier = _verifier(policy, offline)
    try:
        verifier.verify_artifact(artifact, loaded, _AnySigner())
    except _failures() as exc:
        raise SignatureError("VFY002", f"the sigstore bundle does not verify: {reason(exc, named=False)}",
                             "it was altered, signs other content, or was made for another "
                             "sigstore instance than the policy's trust root") from None
    return _allowed(loaded.signing_certificate, policy)


def certificate_identity(cert: Certificate) -> tuple[str, str]:
    """``(identity, issuer)`` of a Fulcio certificate: the first SAN (URI, e-mail or
    sigstore other-name) and the OIDC issuer extension (``1.3.6.1.4.1.57264.1.8``, else
    the older ``.1.1``); ``"?"`` for what is missing (Fulcio ``docs/oid-info.md``)."""
    from cryptography import x509

    identity = issuer = "?"
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        sans = None
    if sans is not None:
        for name in sans:
            if isinstance(name, x509.UniformResourceIdentifier | x509.RFC822Name):
                identity = name.value
                break
            if isinstance(name, x509.OtherName):
                identity = name.value.decode("utf-8", "replace")
                break
    for oid in (_ISSUER_V2, _ISSUER_V1):
        try:
            ext = cert.extensions.get_extension_for_oid(x509.ObjectIdentifier(oid)).value
        except x509.ExtensionNotFound:
            continue
        raw = getattr(ext, "value", b"")
        if oid == _ISSUER_V2 and raw[:1] == b"\x0c":  # DER UTF8String
            raw = _der_string(raw)
        issuer = raw.decode("utf-8", "replace")
        break
    return identity, issuer


def _der_string(raw: bytes) -> bytes:
    """The contents of a DER string (tag, definite length, contents)."""
    if len(raw) < 2:
        return b""
    length, start = raw[1], 2
    if length & 0x80:
        count = length & 0x7F
        length, start = int.from_bytes(raw[2:2 + count], "big"), 2 + count
    return raw[start:start + length]


def _allowed(cert: Certificate, policy: TrustPolicy) -> str:
    from sigstore.errors import VerificationError
    from sigstore.verify.policy import (
        AllOf,
        GitHubWorkflowRef,
        GitHubWorkflowRepository,
        Identity,
        OIDCIssuer,
        VerificationPolicy,
    )

    identity, issuer = certificate_identity(cert)
    for trusted in policy.identities:
        check: VerificationPolicy
        if trusted.identity is not None:
            check = Identity(identity=trusted.identity, issuer=trusted.issuer)
        else:
            parts: list[VerificationPolicy] = [
                OIDCIssuer(trusted.issuer),
                GitHubWorkflowRepository(trusted.workflow_repository or "")]
            if trusted.workflow_ref is not None:
                parts.append(GitHubWorkflowRef(trusted.workflow_ref))
            check = AllOf(parts)
        try:
            check.verify(cert)
        except (VerificationError, ValueError, UnicodeDecodeError):
            continue
        return f"{identity} via {issuer}"
    raise SignatureError(
        "VFY003", f"signed by {identity} via {issuer}, which the trust policy {policy.path} "
                  f"does not list",
        "add this identity to the policy's sigstore entries if it is trusted")


def policy_from_keys(keys: Mapping[str, bytes], path: str = "<keys>") -> TrustPolicy:
    """A policy trusting exactly ``keys`` (key id -> PEM public key), for callers that
    verify with keys they already hold (tests, ``--key``-style options). The ids are not
    checked here; :func:`load_policy` checks them for files."""
    return TrustPolicy(path, tuple(TrustedKey(k, v) for k, v in sorted(keys.items())))


def public_key_file(path: Path) -> TrustedKey:
    """The public key file ``path`` (PEM SubjectPublicKeyInfo, as ``rspp keygen`` writes)
    as a trusted key with its id. Raises PolicyError ``VFY008`` when it is not one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from rspp.release.sign import key_id

    shown = str(path)
    raw = _read(path, 64 * 1024, shown, 1, 1, "public key")
    try:
        public = serialization.load_pem_public_key(raw)
    except ValueError:
        public = None
    if not isinstance(public, Ed25519PublicKey):
        raise PolicyError(shown, 1, 1, "not an ed25519 PEM public key",
                          "give the .pub file `rspp keygen` wrote")
    return TrustedKey(key_id(public), raw)

