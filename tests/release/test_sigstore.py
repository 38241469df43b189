"""Offline verification of real public sigstore bundles (tests/data/sigstore/README.md says
which must pass, with which identity, and which must be refused and why), and keyless
signing end to end against sigstore services replaced by local ones (fake Fulcio and Rekor
on 127.0.0.1)."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from rspp.release import oci
from rspp.release.sign import SignError, pae, sigstore_signer, statement
from rspp.release.trust import (
    SignatureError,
    TrustedIdentity,
    TrustPolicy,
    load_policy,
    verify_signature,
    verify_sigstore_artifact,
)

if TYPE_CHECKING:
    from sigstore.sign import SigningContext

DATA = Path(__file__).resolve().parents[1] / "data" / "sigstore"
STAGING_ROOT = DATA / "staging_trusted_root.json"
PRODUCTION_ROOT = DATA / "production_trusted_root.json"
GITHUB = "https://token.actions.githubusercontent.com"
GITHUB_LOGIN = "https://github.com/login/oauth"
RFC8785_RELEASE = ("https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml"
                   "@refs/tags/v0.1.2")
BEACON = "sigstore-conformance/extremely-dangerous-public-oidc-beacon"
BEACON_WORKFLOW = (f"https://github.com/{BEACON}/.github/workflows/"
                   "extremely-dangerous-oidc-beacon.yml@refs/heads/main")


class Network:
    """What the tests let sockets do: nothing, or (``loopback``) reach 127.0.0.1 only."""

    def __init__(self) -> None:
        self.attempts: list[object] = []
        self.loopback = False


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Network]:
    """Offline means offline: a socket connection fails the test (the fake services' test
    allows 127.0.0.1). sigstore's local trust cache is redirected into the test's folder,
    so the trust root it reads is the one it ships, whatever this machine cached before."""
    network = Network()
    connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        if network.loopback and isinstance(address, tuple) and address[0] == "127.0.0.1":
            connect(self, address)
            return
        network.attempts.append(address)
        raise AssertionError(f"a socket was opened to {address!r}")

    def guarded_ex(self: socket.socket, address: object) -> int:
        guarded(self, address)
        return 0

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    yield network
    assert network.attempts == []


def policy(*identities: TrustedIdentity, root: Path | None = STAGING_ROOT) -> TrustPolicy:
    return TrustPolicy("trust.yaml", identities=identities, trusted_root=root)


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


# Message signatures that verify: (bundle, artifact, trust root, identity, issuer).
PASSING = [
    ("bundle.txt.sigstore", "bundle.txt", STAGING_ROOT, "a@tny.town", GITHUB_LOGIN),
    ("bundle_v3.txt.sigstore", "bundle_v3.txt", STAGING_ROOT, "william@yossarian.net",
     GITHUB_LOGIN),
    ("staging-rekor-v2.txt.sigstore.json", "staging-rekor-v2.txt", STAGING_ROOT,
     "jku@goto.fi", GITHUB_LOGIN),
    ("bundle_v3_github.whl.sigstore", "bundle_v3_github.whl", PRODUCTION_ROOT,
     RFC8785_RELEASE, GITHUB),
]


@pytest.mark.parametrize(("bundle", "artifact", "root", "identity", "issuer"), PASSING)
def test_real_bundles_verify_offline(bundle: str, artifact: str, root: Path, identity: str,
                                     issuer: str) -> None:
    trusted = policy(TrustedIdentity(issuer, identity), root=root)
    signer = verify_sigstore_artifact(read(bundle), read(artifact), trusted)
    assert signer == f"{identity} via {issuer}"


@pytest.mark.parametrize(("bundle", "artifact", "root", "identity", "issuer"), PASSING)
def test_real_bundles_by_someone_else_are_refused(bundle: str, artifact: str, root: Path,
                                                  identity: str, issuer: str) -> None:
    others = policy(TrustedIdentity(issuer, "someone@example.com"),
                    TrustedIdentity("https://accounts.example", identity), root=root)
    with pytest.raises(SignatureError) as caught:
        verify_sigstore_artifact(read(bundle), read(artifact), others)
    assert caught.value.code == "VFY003"
    assert caught.value.cause == (f"signed by {identity} via {issuer}, which the trust "
                                  f"policy trust.yaml does not list")


@pytest.mark.parametrize(("bundle", "artifact", "root", "identity", "issuer"), PASSING)
def test_real_bundles_refuse_other_content(bundle: str, artifact: str, root: Path,
                                           identity: str, issuer: str) -> None:
    trusted = policy(TrustedIdentity(issuer, identity), root=root)
    with pytest.raises(SignatureError) as caught:
        verify_sigstore_artifact(read(bundle), read(artifact) + b"\n", trusted)
    assert caught.value.code == "VFY002"


@pytest.mark.parametrize(("bundle", "artifact", "root", "identity", "issuer"), PASSING)
def test_real_bundles_refuse_the_other_instance(bundle: str, artifact: str, root: Path,
                                                identity: str, issuer: str) -> None:
    other = STAGING_ROOT if root == PRODUCTION_ROOT else PRODUCTION_ROOT
    with pytest.raises(SignatureError) as caught:
        verify_sigstore_artifact(read(bundle), read(artifact),
                                 policy(TrustedIdentity(issuer, identity), root=other))
    assert caught.value.code == "VFY002"


def test_the_bundled_production_root_is_used_without_a_trusted_root_file() -> None:
    """No ``trustedRoot``: sigstore's own copy of the public instance's root, offline."""
    trusted = policy(TrustedIdentity(GITHUB, RFC8785_RELEASE), root=None)
    assert verify_sigstore_artifact(read("bundle_v3_github.whl.sigstore"),
                                    read("bundle_v3_github.whl"), trusted) == \
        f"{RFC8785_RELEASE} via {GITHUB}"
    with pytest.raises(SignatureError) as staging:
        verify_sigstore_artifact(read("bundle_v3.txt.sigstore"), read("bundle_v3.txt"),
                                 policy(TrustedIdentity(GITHUB_LOGIN, "william@yossarian.net"),
                                        root=None))
    assert staging.value.code == "VFY002"


def test_github_workflow_repository_and_ref(tmp_path: Path) -> None:
    shutil.copy(PRODUCTION_ROOT, tmp_path / "root.json")
    path = tmp_path / "trust.yaml"
    path.write_text("apiVersion: rspp.dev/v1alpha1\nkind: TrustPolicy\ntrustedRoot: root.json\n"
                    f"sigstore:\n  - issuer: {GITHUB}\n    workflowRepository: "
                    "trailofbits/rfc8785.py\n    workflowRef: refs/tags/v0.1.2\n",
                    encoding="utf-8")
    trusted = load_policy(path)
    assert trusted.trusted_root == tmp_path / "root.json"
    bundle, wheel = read("bundle_v3_github.whl.sigstore"), read("bundle_v3_github.whl")
    assert verify_sigstore_artifact(bundle, wheel, trusted) == f"{RFC8785_RELEASE} via {GITHUB}"
    for repository, ref in (("trailofbits/rfc8785.py", "refs/heads/main"),
                            ("trailofbits/other", None)):
        other = policy(TrustedIdentity(GITHUB, None, repository, ref), root=PRODUCTION_ROOT)
        with pytest.raises(SignatureError) as caught:
            verify_sigstore_artifact(bundle, wheel, other)
        assert caught.value.code == "VFY003"


@pytest.mark.parametrize(("bundle", "artifact", "says"), [
    # The log entry records another artifact's hash than the bundle's signature covers
    # (CVE-2022-36056: the entry must be consistent with the signed material).
    ("bundle_cve_2022_36056.txt.sigstore", "bundle_cve_2022_36056.txt",
     "transparency log entry is inconsistent"),
    # mediaType is not a sigstore bundle version.
    ("bundle_invalid_version.txt.sigstore", "bundle_invalid_version.txt", "malformed"),
    # No transparency log entry at all.
    ("bundle_no_log_entry.txt.sigstore", "bundle_no_log_entry.txt", "log entry"),
    # Neither an inclusion promise nor a signed timestamp: no verified signing time.
    ("bundle_v3_no_signed_time.txt.sigstore.json", "bundle_v3_no_signed_time.txt",
     "inclusion promise or signed timestamp"),
])
def test_broken_real_bundles_are_refused(bundle: str, artifact: str, says: str) -> None:
    everyone = [TrustedIdentity(GITHUB_LOGIN, "william@yossarian.net"),
                TrustedIdentity("https://accounts.google.com", "alex.cameron@trailofbits.com")]
    for root in (STAGING_ROOT, PRODUCTION_ROOT):
        with pytest.raises(SignatureError) as caught:
            verify_sigstore_artifact(read(bundle), read(artifact), policy(*everyone, root=root))
        assert caught.value.code == "VFY002"
        if root == STAGING_ROOT:  # the instance they were made on: refused for their flaw
            assert says in caught.value.cause


def test_a_real_dsse_bundle_verifies_as_a_signature() -> None:
    """The staging DSSE bundle over an in-toto statement: what rspp's keyless signatures
    are (media type oci.SIGSTORE)."""
    data = read("a.dsse.staging-rekor-v2.txt.sigstore.json")
    signed = verify_signature(oci.SIGSTORE, data, policy(
        TrustedIdentity(GITHUB, None, BEACON, "refs/heads/main")))
    assert signed.signer == f"{BEACON_WORKFLOW} via {GITHUB}"
    assert signed.statement.startswith(b'{"_type":"https://in-toto.io/Statement/v1",'
                                       b'"subject":[{"name":"a.txt","digest":{"sha256":"a0cfc7')
    for refusal, code in (
            (policy(TrustedIdentity(GITHUB, None, BEACON, "refs/heads/other")), "VFY003"),
            (policy(TrustedIdentity(GITHUB, BEACON_WORKFLOW), root=PRODUCTION_ROOT), "VFY002")):
        with pytest.raises(SignatureError) as caught:
            verify_signature(oci.SIGSTORE, data, refusal)
        assert caught.value.code == code
    # a DSSE bundle is not a message signature, nor the other way round
    with pytest.raises(SignatureError) as swapped:
        verify_sigstore_artifact(data, read("a.dsse.staging-rekor-v2.txt"),
                                 policy(TrustedIdentity(GITHUB, BEACON_WORKFLOW)))
    assert swapped.value.code == "VFY002"
    with pytest.raises(SignatureError) as message:
        verify_signature(oci.SIGSTORE, read("bundle_v3.txt.sigstore"),
                         policy(TrustedIdentity(GITHUB_LOGIN, "william@yossarian.net")))
    assert message.value.code == "VFY002"


def test_a_tampered_dsse_bundle_is_refused() -> None:
    import base64
    import json

    doc = json.loads(read("a.dsse.staging-rekor-v2.txt.sigstore.json"))
    payload = base64.b64decode(doc["dsseEnvelope"]["payload"]).replace(b"a.txt", b"b.txt")
    doc["dsseEnvelope"]["payload"] = base64.b64encode(payload).decode()
    with pytest.raises(SignatureError) as caught:
        verify_signature(oci.SIGSTORE, json.dumps(doc).encode(),
                         policy(TrustedIdentity(GITHUB, BEACON_WORKFLOW)))
    assert caught.value.code == "VFY002"


# -------------------------------------------------- keyless signing against local services
#
# Fulcio and Rekor (v1 API) stand-ins on 127.0.0.1: a test CA issues the signing
# certificate (with an embedded SCT, RFC 6962 §3.3, signed by a test CT log key), and a
# one-entry transparency log answers with its entry, an empty inclusion proof (a tree of one
# leaf: the root is the leaf hash, RFC 6962 §2.1), a checkpoint (a signed note) and a signed
# entry timestamp, all by a test log key. A trusted root naming the CA and both keys lets
# sigstore verify the bundle exactly as it verifies a public one.

SCT_LIST_OID = "1.3.6.1.4.1.11129.2.4.2"
TEST_ISSUER = "https://issuer.rspp.test"
TEST_IDENTITY = "release@rspp.test"
LOG_ORIGIN = "rspp-test-log"


def _der_length(n: int) -> bytes:
    return bytes([n]) if n < 0x80 else bytes([0x81, n]) if n < 0x100 else \
        bytes([0x82]) + n.to_bytes(2, "big")


class FakeSigstore:
    """Test CA, CT log key and transparency log key, served by one local HTTP server."""

    def __init__(self, folder: Path) -> None:
        import datetime as dt
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ct_key = ec.generate_private_key(ec.SECP256R1())
        self.log_key = ec.generate_private_key(ec.SECP256R1())
        self.entries: list[dict[str, object]] = []
        now = dt.datetime.now(dt.UTC)
        name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "rspp tests"),
                          x509.NameAttribute(NameOID.COMMON_NAME, "rspp test CA")])
        self.ca = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.ca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.ca_key.public_key()),
                           critical=False)
            .sign(self.ca_key, hashes.SHA256()))
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/api/v2/signingCert":
                    answer = fake.issue(body, self.headers["Authorization"].split()[1])
                elif self.path == "/api/v1/log/entries":
                    answer = fake.log(body)
                else:
                    self.send_error(404)
                    return
                data = json.dumps(answer).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.root_path = folder / "trusted_root.json"
        self.root_path.write_text(json.dumps(self.trusted_root()), encoding="utf-8")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    @staticmethod
    def _spki(key: object) -> bytes:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key.public_key().public_bytes(serialization.Encoding.DER,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)

    def log_id(self, key: object) -> bytes:
        import hashlib

        return hashlib.sha256(self._spki(key)).digest()

    def trusted_root(self) -> dict[str, object]:
        import base64

        from cryptography.hazmat.primitives import serialization

        since = {"start": "2020-01-01T00:00:00Z"}

        def log(key: object) -> dict[str, object]:
            return {"baseUrl": self.url, "hashAlgorithm": "SHA2_256",
                    "publicKey": {"rawBytes": base64.b64encode(self._spki(key)).decode(),
                                  "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": since},
                    "logId": {"keyId": base64.b64encode(self.log_id(key)).decode()}}

        ca_der = self.ca.public_bytes(serialization.Encoding.DER)
        return {"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
                "tlogs": [log(self.log_key)],
                "certificateAuthorities": [{
                    "subject": {"organization": "rspp tests", "commonName": "rspp test CA"},
                    "uri": self.url,
                    "certChain": {"certificates": [
                        {"rawBytes": base64.b64encode(ca_der).decode()}]},
                    "validFor": since}],
                "ctlogs": [log(self.ct_key)],
                "timestampAuthorities": []}

    def client_trust_config(self) -> str:
        since = {"start": "2020-01-01T00:00:00Z"}
        service = {"url": self.url, "majorApiVersion": 1, "validFor": since,
                   "operator": "rspp tests"}
        return json.dumps({
            "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
            "trustedRoot": self.trusted_root(),
            "signingConfig": {
                "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
                "caUrls": [service], "oidcUrls": [], "rekorTlogUrls": [service],
                "tsaUrls": [], "rekorTlogConfig": {"selector": "ANY"},
                "tsaConfig": {"selector": "ANY"}}})

    def issue(self, request: dict[str, str], token: str) -> dict[str, object]:
        """Fulcio: a certificate for the CSR's key naming the token's subject and issuer."""
        import base64
        import datetime as dt
        import struct

        import jwt
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID

        claims = jwt.decode(token, options={"verify_signature": False})
        csr = x509.load_pem_x509_csr(base64.b64decode(request["certificateSigningRequest"]))
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        issuer = str(claims["iss"]).encode()
        public = csr.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        builder = (
            x509.CertificateBuilder().subject_name(x509.Name([]))
            .issuer_name(self.ca.subject).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(minutes=10))
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]),
                           critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                self.ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(str(claims["sub"]))]),
                           critical=True)
            .add_extension(x509.UnrecognizedExtension(
                x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1"), issuer), critical=False)
            .add_extension(x509.UnrecognizedExtension(
                x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8"),
                b"\x0c" + _der_length(len(issuer)) + issuer), critical=False))

        log_id, stamp = self.log_id(self.ct_key), int(now.timestamp()) * 1000

        def with_sct(signature: bytes) -> x509.Certificate:
            sct = (struct.pack("!B32sQH", 0, log_id, stamp, 0)
                   + struct.pack("!BBH", 4, 3, len(signature)) + signature)  # sha256, ecdsa
            listed = struct.pack("!H", len(sct)) + sct
            octets = struct.pack("!H", len(listed)) + listed
            return builder.add_extension(x509.UnrecognizedExtension(
                x509.ObjectIdentifier(SCT_LIST_OID),
                b"\x04" + _der_length(len(octets)) + octets), critical=False,
            ).sign(self.ca_key, hashes.SHA256())

        tbs = with_sct(b"\x00" * 70).tbs_precertificate_bytes  # the SCT is not part of it
        issuer_key = self.ca_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        import hashlib

        signed = (struct.pack("!BBQH", 0, 0, stamp, 1) + hashlib.sha256(issuer_key).digest()
                  + len(tbs).to_bytes(3, "big") + tbs + struct.pack("!H", 0))
        cert = with_sct(self.ct_key.sign(signed, ec.ECDSA(hashes.SHA256())))
        pems = [c.public_bytes(serialization.Encoding.PEM).decode() for c in (cert, self.ca)]
        return {"signedCertificateEmbeddedSct": {"chain": {"certificates": pems}}}

    def log(self, request: dict[str, object]) -> dict[str, object]:
        """Rekor v1: integrate a dsse entry as the only leaf of the log."""
        import base64
        import hashlib
        import time

        import rfc8785
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        assert request["kind"] == "dsse"
        spec = request["spec"]
        assert isinstance(spec, dict)
        proposed = spec["proposedContent"]
        envelope = json.loads(proposed["envelope"])
        body = rfc8785.dumps({"apiVersion": "0.0.1", "kind": "dsse", "spec": {
            "envelopeHash": {"algorithm": "sha256", "value": hashlib.sha256(
                proposed["envelope"].encode()).hexdigest()},
            "payloadHash": {"algorithm": "sha256", "value": hashlib.sha256(
                base64.b64decode(envelope["payload"])).hexdigest()},
            "signatures": [{"signature": s["sig"], "verifier": proposed["verifiers"][0]}
                           for s in envelope["signatures"]]}})
        leaf = hashlib.sha256(b"\x00" + body).digest()
        log_id = self.log_id(self.log_key)
        integrated = int(time.time())
        note = f"{LOG_ORIGIN} - 1\n1\n{base64.b64encode(leaf).decode()}\n"
        note_sig = self.log_key.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
        checkpoint = (note + "\n\u2014 " + LOG_ORIGIN + " "
                      + base64.b64encode(log_id[:4] + note_sig).decode() + "\n")
        body64 = base64.b64encode(body).decode()
        promise = rfc8785.dumps({"body": body64, "integratedTime": integrated,
                                 "logID": log_id.hex(), "logIndex": 0})
        entry = {"body": body64, "integratedTime": integrated, "logID": log_id.hex(),
                 "logIndex": 0, "verification": {
                     "inclusionProof": {"checkpoint": checkpoint, "hashes": [], "logIndex": 0,
                                        "rootHash": leaf.hex(), "treeSize": 1},
                     "signedEntryTimestamp": base64.b64encode(self.log_key.sign(
                         promise, ec.ECDSA(hashes.SHA256()))).decode()}}
        self.entries.append(entry)
        return {hashlib.sha256(body).hexdigest(): entry}


@pytest.fixture
def fake_sigstore(tmp_path: Path, no_network: Network) -> Iterator[FakeSigstore]:
    """Local services; sockets may connect to 127.0.0.1 and nowhere else."""
    no_network.loopback = True
    fake = FakeSigstore(tmp_path)
    yield fake
    fake.close()


def _token(issuer: str = TEST_ISSUER, subject: str = TEST_IDENTITY) -> str:
    import time

    import jwt

    now = int(time.time())
    return jwt.encode({"iss": issuer, "sub": subject, "aud": "sigstore", "iat": now,
                       "nbf": now, "exp": now + 300}, "rspp test secret, 32 bytes or more", algorithm="HS256")


def _context(fake: FakeSigstore) -> Callable[[], SigningContext]:
    from sigstore.models import ClientTrustConfig
    from sigstore.sign import SigningContext

    config = ClientTrustConfig.from_json(fake.client_trust_config())
    return lambda: SigningContext.from_trust_config(config)


@pytest.mark.slow
def test_keyless_signing_end_to_end(fake_sigstore: FakeSigstore, tmp_path: Path) -> None:
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    raw = statement("demo@1.0.0", oci.sha256(b"manifest"), "https://slsa.dev/provenance/v1",
                    {"builder": {"id": "rspp"}})
    signer = sigstore_signer(_token(), signing_context=_context(fake_sigstore))
    assert signer.media_type == oci.SIGSTORE
    bundle = signer.sign(raw)
    doc = json.loads(bundle)
    assert doc["mediaType"] == oci.SIGSTORE
    envelope = doc["dsseEnvelope"]
    assert (base64.b64decode(envelope["payload"]), envelope["payloadType"]) == (raw,
                                                                                oci.IN_TOTO)
    cert = x509.load_der_x509_certificate(
        base64.b64decode(doc["verificationMaterial"]["certificate"]["rawBytes"]))
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(base64.b64decode(envelope["signatures"][0]["sig"]), pae(oci.IN_TOTO, raw),
                  ec.ECDSA(hashes.SHA256()))
    assert len(fake_sigstore.entries) == 1

    # Full verification through a policy naming the local instance's trusted root.
    (tmp_path / "trust.yaml").write_text(
        "apiVersion: rspp.dev/v1alpha1\nkind: TrustPolicy\ntrustedRoot: trusted_root.json\n"
        f"sigstore:\n  - issuer: {TEST_ISSUER}\n    identity: {TEST_IDENTITY}\n",
        encoding="utf-8")
    trusted = load_policy(tmp_path / "trust.yaml")
    signed = verify_signature(oci.SIGSTORE, bundle, trusted)
    assert (signed.statement, signed.signer) == (raw, f"{TEST_IDENTITY} via {TEST_ISSUER}")

    other = policy(TrustedIdentity(TEST_ISSUER, "someone@rspp.test"),
                   root=fake_sigstore.root_path)
    with pytest.raises(SignatureError) as stranger:
        verify_signature(oci.SIGSTORE, bundle, other)
    assert stranger.value.code == "VFY003"
    for root in (PRODUCTION_ROOT, None):  # the public instance does not vouch for it
        with pytest.raises(SignatureError) as public_root:
            verify_signature(oci.SIGSTORE, bundle, policy(
                TrustedIdentity(TEST_ISSUER, TEST_IDENTITY), root=root))
        assert public_root.value.code == "VFY002"
    # Each piece the local log returned is checked: a checkpoint signed over another
    # root, a signed entry timestamp over another time, a changed payload are refused.
    entry = doc["verificationMaterial"]["tlogEntries"][0]
    checkpoint = entry["inclusionProof"]["checkpoint"]["envelope"]
    note, signature = checkpoint.split("\n\n")
    root_line = note.split("\n")[2]
    other_root = base64.b64encode(bytes(32)).decode()

    def checkpoint_over_another_root(d: Any) -> None:
        proof = d["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]
        proof["checkpoint"]["envelope"] = (note.replace(root_line, other_root) + "\n\n"
                                           + signature)

    def another_integration_time(d: Any) -> None:
        logged = d["verificationMaterial"]["tlogEntries"][0]
        logged["integratedTime"] = str(int(logged["integratedTime"]) + 1)

    def another_payload(d: Any) -> None:
        d["dsseEnvelope"]["payload"] = base64.b64encode(raw.replace(b"rspp", b"evil")).decode()

    broken = [checkpoint_over_another_root, another_integration_time, another_payload]
    for change in broken:
        copy = json.loads(bundle)
        change(copy)
        with pytest.raises(SignatureError) as tampered:
            verify_signature(oci.SIGSTORE, json.dumps(copy).encode(), trusted)
        assert tampered.value.code == "VFY002", change.__name__


@pytest.mark.slow
def test_keyless_signing_with_services_down(fake_sigstore: FakeSigstore) -> None:
    context = _context(fake_sigstore)
    fake_sigstore.close()  # nothing answers on its port any more
    fake_sigstore.close = lambda: None  # type: ignore[method-assign]
    with pytest.raises(SignError) as refused:
        sigstore_signer(_token(), signing_context=context).sign(
            statement("demo@1.0.0", oci.sha256(b"m"), "p", {}))
    assert refused.value.code == "SIG003"
    assert refused.value.cause.startswith("sigstore signing failed: ")
    assert fake_sigstore.entries == []


def test_an_expired_token_is_refused(no_network: Network) -> None:
    with pytest.raises(SignError) as refused:
        sigstore_signer(_token_expired(), signing_context=_unused).sign(b"{}")
    assert refused.value.code == "SIG003"


def _token_expired() -> str:
    import jwt

    return jwt.encode({"iss": TEST_ISSUER, "sub": TEST_IDENTITY, "aud": "sigstore",
                       "iat": 1000, "nbf": 1000, "exp": 2000}, "rspp test secret, 32 bytes or more",
                      algorithm="HS256")


def _unused() -> SigningContext:
    raise AssertionError("no signing context is built for a refused token")
