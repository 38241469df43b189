"""Offline verification of real public sigstore bundles (tests/data/sigstore/README.md says
which must pass, with which identity, and which must be refused and why), and keyless
signing end to end against sigstore services replaced by local ones (fake Fulcio and Rekor
on 127.0.0.1)."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from rspp.release import oci
from rspp.release.trust import (
    SignatureError,
    TrustedIdentity,
    TrustPolicy,
    load_policy,
    verify_signature,
    verify_sigstore_artifact,
)

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


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[object]]:
    """Offline means offline: every socket connection fails the test. sigstore's local trust
    cache is redirected into the test's folder, so the trust root it reads is the one it
    ships, whatever this machine cached before."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"a socket was opened to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    yield attempts
    assert attempts == []


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
