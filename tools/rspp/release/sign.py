"""Signing published bundles (ADR 0008): in-toto statements, DSSE envelopes, sigstore bundles,
and the offline key pairs ``rspp keygen`` writes.

What is signed is an in-toto Statement v1 (in-toto attestation spec, ``spec/v1/statement.md``)
whose subject is the OCI manifest digest of a published bundle, serialised as RFC 8785
canonical JSON. Two signers wrap it:

* :func:`key_signer`: an offline ed25519 key (RFC 8032) signs a DSSE v1 envelope
  (secure-systems-lab DSSE ``envelope.md``/``protocol.md``: the signature is over
  ``PAE(payloadType, payload)``) with payload type :data:`rspp.release.oci.IN_TOTO`; media type
  :data:`rspp.release.oci.DSSE`.
* :func:`sigstore_signer`: keyless sigstore signing (a short-lived Fulcio certificate for the
  ambient OIDC identity, a Rekor transparency log entry); the statement is signed as DSSE and
  the result is a sigstore bundle (protobuf-specs ``Bundle`` v0.3 JSON); media type
  :data:`rspp.release.oci.SIGSTORE`.

Key files: the private key is PEM PKCS#8 (RFC 5958, ``-----BEGIN PRIVATE KEY-----``), the
public key PEM SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, ``-----BEGIN PUBLIC KEY-----``). A key
id is the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo (:func:`key_id`).

Refusals raise :class:`SignError` with ``code``: ``SIG001`` (the private key file cannot be
used: unreadable, not an unencrypted ed25519 PKCS#8 PEM key, or readable by group/others),
``SIG002`` (keygen would overwrite a file), ``SIG003`` (keyless signing impossible: no ambient
identity, a malformed or expired token, the signing services refused or could not be reached).

The signing libraries are imported inside the functions that use them, so validation never
pays for them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from rspp.core.canonical import canonical_bytes
from rspp.core.errors import RsppError
from rspp.core.text import reason
from rspp.release import oci

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
    from sigstore.sign import SigningContext

STATEMENT_TYPE: Final = "https://in-toto.io/Statement/v1"
"""``_type`` of an in-toto Statement v1."""

MAX_KEY_FILE: Final = 64 * 1024
"""Largest key file read (bytes); an ed25519 PEM key is about 120."""


class SignError(RsppError):
    """Signing or key generation refused: ``code`` is ``SIG001``, ``SIG002`` or ``SIG003``
    (see the module documentation)."""

    def __init__(self, code: str, cause: str, remedy: str = "") -> None:
        super().__init__(cause, remedy)
        self.code = code


class Signer(Protocol):
    """Signs a statement (bytes, RFC 8785 JSON) and returns the signature document's bytes
    (a DSSE envelope or a sigstore bundle, UTF-8 JSON) whose OCI media type is
    ``media_type``."""

    @property
    def media_type(self) -> str: ...

    def sign(self, statement: bytes) -> bytes: ...


def statement(subject_name: str, subject_digest: str, predicate_type: str,
              predicate: Mapping[str, object]) -> bytes:
    """An in-toto Statement v1 as RFC 8785 canonical JSON bytes.

    ``subject_digest`` is ``sha256:<64 hex>`` (an OCI digest) or the bare 64 hex digits; the
    statement's subject is ``[{"name": subject_name, "digest": {"sha256": hex}}]``. Raises
    ValueError when the digest is neither (a programming error, not user input).
    """
    hexdigest = subject_digest.removeprefix("sha256:")
    if not oci.is_digest("sha256:" + hexdigest):
        raise ValueError(f"subject digest {subject_digest!r} is not a sha256 digest")
    return canonical_bytes({
        "_type": STATEMENT_TYPE,
        "subject": [{"name": subject_name, "digest": {"sha256": hexdigest}}],
        "predicateType": predicate_type,
        "predicate": dict(predicate),
    })


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding (DSSE ``protocol.md``):
    ``"DSSEv1" SP len(type) SP type SP len(body) SP body``, lengths in ASCII decimal bytes."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def key_id(public_key: Ed25519PublicKey) -> str:
    """The key id rspp gives a public key: lowercase hex SHA-256 of its DER
    SubjectPublicKeyInfo (64 characters)."""
    from cryptography.hazmat.primitives import serialization

    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True, slots=True)
class KeySigner:
    """An offline ed25519 key signing DSSE envelopes (from :func:`key_signer`)."""

    keyid: str
    _key: Ed25519PrivateKey

    @property
    def media_type(self) -> str:
        return oci.DSSE

    def public_pem(self) -> bytes:
        """The public key, PEM SubjectPublicKeyInfo (as ``rspp keygen`` writes it)."""
        from cryptography.hazmat.primitives import serialization

        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, statement: bytes) -> bytes:
        """The DSSE envelope (RFC 8785 JSON: ``payload``, ``payloadType``, ``signatures``
        with one ``{keyid, sig}``; base64 is RFC 4648 §4 with padding) over ``statement``.
        Deterministic: ed25519 signatures are, and so is the serialisation."""
        signature = self._key.sign(pae(oci.IN_TOTO, statement))
        return canonical_bytes({
            "payload": base64.b64encode(statement).decode("ascii"),
            "payloadType": oci.IN_TOTO,
            "signatures": [{"keyid": self.keyid,
                            "sig": base64.b64encode(signature).decode("ascii")}],
        })


def key_signer(path: Path) -> KeySigner:
    """A signer for the ed25519 private key at ``path`` (PEM PKCS#8, unencrypted, as
    :func:`keygen` writes it).

    Raises SignError ``SIG001`` when the file cannot be read, is larger than
    :data:`MAX_KEY_FILE`, is not such a key, or (POSIX) is readable or writable by group or
    others.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise SignError("SIG001", f"cannot read the private key {path}: {exc.strerror}",
                        "give the path of a key written by `rspp keygen`") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SignError("SIG001", f"the private key {path} is not a regular file",
                            "give the path of a key written by `rspp keygen`")
        if os.name == "posix" and info.st_mode & 0o077:
            raise SignError(
                "SIG001",
                f"the private key {path} is accessible by group or others "
                f"(mode {stat.S_IMODE(info.st_mode):04o})",
                f"run `chmod 600 {path}`")
        raw = os.read(fd, MAX_KEY_FILE + 1)
    except OSError as exc:
        raise SignError("SIG001", f"cannot read the private key {path}: {exc.strerror}",
                        "give the path of a key written by `rspp keygen`") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_KEY_FILE:
        raise SignError("SIG001", f"the private key {path} is larger than {MAX_KEY_FILE} bytes",
                        "give the path of a key written by `rspp keygen`")
    try:
        key = serialization.load_pem_private_key(raw, password=None)
    except (ValueError, TypeError) as exc:
        reason = ("it is encrypted" if isinstance(exc, TypeError)
                  else "it is not a PEM PKCS#8 private key")
        raise SignError("SIG001", f"the private key {path} cannot be used: {reason}",
                        "give an unencrypted ed25519 key written by `rspp keygen`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SignError("SIG001", f"the private key {path} is not an ed25519 key",
                        "generate one with `rspp keygen`")
    return KeySigner(key_id(key.public_key()), key)


def keygen(private: Path, public: Path) -> str:
    """Write a new ed25519 key pair and return its key id (:func:`key_id`).

    ``private`` gets the PEM PKCS#8 private key, unencrypted, mode 0600 whatever the umask;
    ``public`` the PEM SubjectPublicKeyInfo (mode 0644 less the umask). Files are created
    with ``O_CREAT|O_EXCL`` and never replace anything: when either path exists (a dangling
    link included) or both name the same file, SignError ``SIG002`` is raised and nothing is
    written; on any failure, whatever was created is removed. Other I/O failures raise
    SignError ``SIG001``.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if os.path.abspath(private) == os.path.abspath(public):
        raise SignError("SIG002", f"the private and public key paths are the same: {private}",
                        "give two different paths")
    for path in (private, public):
        if os.path.lexists(path):
            raise SignError("SIG002", f"{path} already exists; keygen never overwrites a key",
                            "choose another path or remove the old key first")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    with _created(private, private_pem, 0o600, exact=True), \
            _created(public, public_pem, 0o644, exact=False):
        pass
    return key_id(key.public_key())


@contextlib.contextmanager
def _created(path: Path, data: bytes, mode: int, *, exact: bool) -> Iterator[None]:
    """Create ``path`` exclusively with ``data``; remove it again when the block raises."""
    flags = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
             | getattr(os, "O_CLOEXEC", 0))
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise SignError("SIG002", f"{path} already exists; keygen never overwrites a key",
                        "choose another path or remove the old key first") from None
    except OSError as exc:
        raise SignError("SIG001", f"cannot create {path}: {exc.strerror}",
                        "choose a writable folder") from None
    try:
        try:
            if exact:
                os.fchmod(fd, mode)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise SignError("SIG001", f"cannot write {path}: {exc.strerror}",
                        "choose a writable folder with free space") from None
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def production_context() -> SigningContext:
    """The signing context of the public sigstore instance (its signing configuration is
    read through TUF, which needs the network)."""
    from sigstore.models import ClientTrustConfig
    from sigstore.sign import SigningContext

    return SigningContext.from_trust_config(ClientTrustConfig.production())


@dataclass(frozen=True, slots=True)
class SigstoreSigner:
    """Keyless signing with sigstore (from :func:`sigstore_signer`)."""

    identity_token: str
    signing_context: Callable[[], SigningContext]

    @property
    def media_type(self) -> str:
        return oci.SIGSTORE

    def sign(self, statement: bytes) -> bytes:
        """The sigstore bundle (JSON bytes) holding a DSSE envelope over exactly
        ``statement`` (payload type ``application/vnd.in-toto+json``), the signing
        certificate and the transparency log entry. Raises SignError ``SIG003`` when the
        statement is not an in-toto statement, the token is refused or a service fails."""
        import requests
        from sigstore import dsse
        from sigstore.errors import Error as SigstoreError
        from sigstore.oidc import ExpiredIdentity, IdentityToken

        failures: tuple[type[BaseException], ...] = (SigstoreError, ExpiredIdentity, requests.RequestException, OSError,
                    ValueError, *_internal_failures())
        try:
            token = IdentityToken(self.identity_token)
        except failures as exc:
            raise SignError("SIG003", f"the identity token cannot be used: {reason(exc, named=False)}",
                            "sign from a CI job granted an OIDC token "
                            "(GitHub Actions: `permissions: id-token: write`)") from None
        try:
            content = dsse.Statement(statement)
            context = self.signing_context()
            # cache=True (the default) is required: without it sigstore 4.x draws a new
            # ephemeral key at each use, so the certificate would name another key than the
            # one that signs.
            with context.signer(token, cache=True) as signer:
                bundle = signer.sign_dsse(content)
        except failures as exc:
            raise SignError("SIG003", f"sigstore signing failed: {reason(exc, named=False)}",
                            "check the network and the identity; retry, or sign with an "
                            "offline key (--key)") from None
        return bundle.to_json().encode("utf-8")


def _internal_failures() -> tuple[type[BaseException], ...]:
    """The exceptions sigstore's service clients raise (not exported by sigstore)."""
    out: list[type[BaseException]] = []
    with contextlib.suppress(ImportError):
        from sigstore._internal.fulcio.client import ExpiredCertificate, FulcioClientError

        out += [ExpiredCertificate, FulcioClientError]
    with contextlib.suppress(ImportError):
        from sigstore._internal.rekor import RekorClientError

        out.append(RekorClientError)
    return tuple(out)


def sigstore_signer(identity_token: str | None = None, *,
                    signing_context: Callable[[], SigningContext] = production_context,
                    ) -> SigstoreSigner:
    """A keyless signer for ``identity_token`` (a raw OIDC JWT), or, when None, for the
    ambient identity (``sigstore.oidc.detect_credential``: GitHub Actions with
    ``permissions: id-token: write``, and the other CI systems it knows).

    ``signing_context`` builds the sigstore ``SigningContext`` when signing (default: the
    public instance, :func:`production_context`); tests pass one pointing at their own
    services. Raises SignError ``SIG003`` when no identity can be found.
    """
    if identity_token is None:
        from sigstore.oidc import IdentityError, detect_credential

        try:
            identity_token = detect_credential()
        except IdentityError as exc:
            raise SignError("SIG003", f"no ambient OIDC identity: {reason(exc, named=False)}",
                            "grant the job an OIDC token (GitHub Actions: "
                            "`permissions: id-token: write`) or sign with an offline key "
                            "(--key)") from None
        if identity_token is None:
            raise SignError("SIG003", "no ambient OIDC identity for keyless signing",
                            "run in a CI job granted an OIDC token (GitHub Actions: "
                            "`permissions: id-token: write`) or sign with an offline key "
                            "(--key)")
    return SigstoreSigner(identity_token, signing_context)
