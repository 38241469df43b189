"""Signing (rspp.release.sign): statements, keygen, DSSE envelopes with offline keys, and
interoperability with securesystemslib's DSSE implementation in both directions."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from rspp.release import oci
from rspp.release.sign import (
    STATEMENT_TYPE,
    SignError,
    key_id,
    key_signer,
    keygen,
    pae,
    sigstore_signer,
    statement,
)
from rspp.release.trust import policy_from_keys, public_key_file, verify_signature

if TYPE_CHECKING:
    from sigstore.sign import SigningContext

DIGEST = oci.sha256(b"a manifest")
PROVENANCE = "https://slsa.dev/provenance/v1"


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test that changes it."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path, str]:
    private, public = tmp_path / "release.key", tmp_path / "release.pub"
    return private, public, keygen(private, public)


def _statement() -> bytes:
    return statement("demo@1.0.0", DIGEST, PROVENANCE, {"builder": {"id": "rspp"}})


def test_statement_is_canonical_in_toto_v1() -> None:
    raw = _statement()
    assert raw == (b'{"_type":"https://in-toto.io/Statement/v1","predicate":{"builder":{"id":'
                   b'"rspp"}},"predicateType":"https://slsa.dev/provenance/v1","subject":[{"'
                   b'digest":{"sha256":"' + DIGEST[7:].encode() + b'"},"name":"demo@1.0.0"}]}')
    assert json.loads(raw)["_type"] == STATEMENT_TYPE
    # a bare hex digest is the same subject
    assert statement("demo@1.0.0", DIGEST[7:], PROVENANCE, {"builder": {"id": "rspp"}}) == raw
    with pytest.raises(ValueError, match="not a sha256 digest"):
        statement("demo@1.0.0", "sha512:00", PROVENANCE, {})


def test_pae_is_the_dsse_v1_encoding() -> None:
    assert pae("http://example.com/HelloWorld", b"hello world") == \
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"


def test_keygen_writes_a_0600_private_key_whatever_the_umask(tmp_path: Path,
                                                            umask: None) -> None:
    for mask, name in ((0o000, "open"), (0o277, "strict")):
        os.umask(mask)
        private, public = tmp_path / f"{name}.key", tmp_path / f"{name}.pub"
        kid = keygen(private, public)
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
        assert stat.S_IMODE(public.stat().st_mode) == 0o644 & ~mask
        loaded = serialization.load_pem_private_key(private.read_bytes(), password=None)
        assert isinstance(loaded, ed25519.Ed25519PrivateKey)
        assert private.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----\n")
        pub = serialization.load_pem_public_key(public.read_bytes())
        assert public.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----\n")
        der = pub.public_bytes(serialization.Encoding.DER,
                               serialization.PublicFormat.SubjectPublicKeyInfo)
        assert kid == hashlib.sha256(der).hexdigest() == key_id(loaded.public_key())


@pytest.mark.parametrize("existing", ["private", "public", "both"])
def test_keygen_never_overwrites_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    private, public = tmp_path / "k", tmp_path / "k.pub"
    old = {p: b"old " + p.name.encode() for p, name in ((private, "private"),
                                                        (public, "public"))
           if existing in (name, "both")}
    for path, data in old.items():
        path.write_bytes(data)
    with pytest.raises(SignError) as refused:
        keygen(private, public)
    assert refused.value.code == "SIG002"
    assert "already exists" in refused.value.cause
    assert {p: p.read_bytes() for p in (private, public) if p.exists()} == old


def test_keygen_refuses_a_dangling_link_and_one_path_for_both(tmp_path: Path) -> None:
    link = tmp_path / "k"
    link.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(SignError) as refused:
        keygen(link, tmp_path / "k.pub")
    assert refused.value.code == "SIG002"
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "k.pub").exists()
    with pytest.raises(SignError) as same:
        keygen(tmp_path / "x", tmp_path / "x")
    assert same.value.code == "SIG002"
    assert not (tmp_path / "x").exists()


def test_keygen_removes_the_private_key_when_the_public_one_cannot_be_written(
        tmp_path: Path) -> None:
    private = tmp_path / "k"
    with pytest.raises(SignError) as refused:
        keygen(private, tmp_path / "missing-folder" / "k.pub")
    assert refused.value.code == "SIG001"
    assert list(tmp_path.iterdir()) == []


def test_envelope_round_trip_is_deterministic(pair: tuple[Path, Path, str]) -> None:
    private, public, kid = pair
    signer = key_signer(private)
    assert signer.media_type == oci.DSSE and signer.keyid == kid
    raw = _statement()
    envelope = signer.sign(raw)
    assert signer.sign(raw) == envelope  # ed25519 and RFC 8785: same bytes every time
    doc = json.loads(envelope)
    assert doc["payloadType"] == oci.IN_TOTO
    assert base64.b64decode(doc["payload"]) == raw
    assert [s["keyid"] for s in doc["signatures"]] == [kid]
    signed = verify_signature(oci.DSSE, envelope, policy_from_keys(
        {kid: public.read_bytes()}))
    assert (signed.statement, signed.signer) == (raw, f"key {kid}")
    assert public_key_file(public).keyid == kid


def test_securesystemslib_verifies_our_envelope(pair: tuple[Path, Path, str]) -> None:
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import SSlibKey  # type: ignore[attr-defined]

    private, public, kid = pair
    envelope = Envelope.from_dict(json.loads(key_signer(private).sign(_statement())))
    pub = serialization.load_pem_public_key(public.read_bytes())
    assert isinstance(pub, ed25519.Ed25519PublicKey)
    key = SSlibKey.from_crypto(pub, keyid=kid)
    assert set(envelope.verify([key], 1)) == {kid}
    assert envelope.payload == _statement() and envelope.payload_type == oci.IN_TOTO
    # and refuses it once the payload changed: the check above can fail
    envelope.payload = _statement().replace(b"rspp", b"evil")
    from securesystemslib.exceptions import VerificationError
    with pytest.raises(VerificationError):
        envelope.verify([key], 1)


@pytest.mark.parametrize("keyid", ["ours", "securesystemslib"])
def test_we_verify_a_securesystemslib_envelope(pair: tuple[Path, Path, str],
                                               keyid: str) -> None:
    from securesystemslib.dsse import Envelope
    from securesystemslib.signer import (  # type: ignore[attr-defined]
        CryptoSigner,
        SSlibKey,
    )

    private, public, kid = pair
    loaded = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert isinstance(loaded, ed25519.Ed25519PrivateKey)
    # their default key id is another hash than ours: the key, not the hint, decides
    sslib_key = SSlibKey.from_crypto(loaded.public_key(),
                                     keyid=kid if keyid == "ours" else None)
    envelope = Envelope(_statement(), oci.IN_TOTO, {})
    envelope.sign(CryptoSigner(loaded, sslib_key))
    data = json.dumps(envelope.to_dict()).encode()
    signed = verify_signature(oci.DSSE, data, policy_from_keys({kid: public.read_bytes()}))
    assert (signed.statement, signed.signer) == (_statement(), f"key {kid}")


def test_key_signer_refuses_unusable_keys(tmp_path: Path, pair: tuple[Path, Path, str]) -> None:
    private, public, _ = pair
    ec_key = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    encrypted = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"))
    cases = {"missing": None, "public.pem": public.read_bytes(), "ec.pem": ec_key,
             "encrypted.pem": encrypted, "text": b"not a key"}
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
            path.chmod(0o600)
        with pytest.raises(SignError) as refused:
            key_signer(path)
        assert refused.value.code == "SIG001", name
    private.chmod(0o640)
    with pytest.raises(SignError) as wide:
        key_signer(private)
    assert wide.value.code == "SIG001"
    assert wide.value.one_line() == (f"the private key {private} is accessible by group or "
                                     f"others (mode 0640) (run `chmod 600 {private}`)")
    with pytest.raises(SignError) as folder:
        key_signer(tmp_path)
    assert folder.value.code == "SIG001"


def test_sigstore_signer_without_an_ambient_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    # No CI identity here: detect_credential finds nothing (the CI variables removed, and
    # any metadata service it might ask for one is unreachable).
    def unreachable(self: socket.socket, address: object) -> None:
        raise OSError(f"the network is off in this test ({address!r})")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    for name in ("GITHUB_ACTIONS", "ACTIONS_ID_TOKEN_REQUEST_URL",
                 "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "GOOGLE_SERVICE_ACCOUNT_NAME",
                 "GOOGLE_APPLICATION_CREDENTIALS", "SIGSTORE_ID_TOKEN", "CI_JOB_JWT_V2",
                 "BUILDKITE", "CIRCLECI", "GITLAB_CI"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SignError) as refused:
        sigstore_signer()
    assert refused.value.code == "SIG003"
    assert "no ambient OIDC identity" in refused.value.cause


def test_sigstore_signer_refuses_a_malformed_token() -> None:
    signer = sigstore_signer("not-a-jwt", signing_context=_never)
    assert signer.media_type == oci.SIGSTORE
    with pytest.raises(SignError) as refused:
        signer.sign(_statement())
    assert refused.value.code == "SIG003"
    assert refused.value.cause.startswith("the identity token cannot be used")


def _never() -> SigningContext:
    raise AssertionError("no signing context is built for a refused token")
