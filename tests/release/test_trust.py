"""The trust policy and DSSE verification (rspp.release.trust): every refusal carries its code,
and nothing refused is returned."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rspp.release import oci
from rspp.release.sign import KeySigner, key_signer, keygen, pae, statement
from rspp.release.trust import (
    PolicyError,
    SignatureError,
    Signed,
    TrustedIdentity,
    TrustPolicy,
    load_policy,
    verify_signature,
)

STATEMENT = statement("demo@1.0.0", oci.sha256(b"manifest"), "https://slsa.dev/provenance/v1",
                      {"builder": {"id": "rspp"}})
HEAD = "apiVersion: rspp.dev/v1alpha1\nkind: TrustPolicy\n"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Any socket connection attempt fails the test (and is recorded)."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise AssertionError(f"a socket was opened to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == []


class Keys:
    """Two key pairs in a folder: ``a`` is trusted by ``policy``, ``b`` is not."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ids = {name: keygen(folder / f"{name}.key", folder / f"{name}.pub")
                    for name in ("a", "b")}
        self.policy_path = folder / "trust.yaml"
        self.policy_path.write_text(HEAD + "keys:\n" + self.entry("a"), encoding="utf-8")
        self.policy = load_policy(self.policy_path)

    def entry(self, name: str) -> str:
        pem = (self.folder / f"{name}.pub").read_text(encoding="ascii")
        return (f"  - keyid: {self.ids[name]}\n    publicKey: |\n"
                + "".join(f"      {line}\n" for line in pem.splitlines()))

    def signer(self, name: str) -> KeySigner:
        return key_signer(self.folder / f"{name}.key")


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return Keys(tmp_path)


def refused(code: str, call: Callable[[], Signed | TrustPolicy | str]) -> SignatureError:
    """Run ``call``; it must raise SignatureError ``code`` (so nothing is returned)."""
    with pytest.raises(SignatureError) as caught:
        call()
    assert caught.value.code == code, caught.value.one_line()
    return caught.value


def _edit(envelope: bytes, change: Callable[[dict[str, object]], None]) -> bytes:
    doc = json.loads(envelope)
    change(doc)
    return json.dumps(doc).encode()


def test_the_policy_key_verifies(keys: Keys, no_network: list[object]) -> None:
    signed = verify_signature(oci.DSSE, keys.signer("a").sign(STATEMENT), keys.policy)
    assert signed == Signed(STATEMENT, f"key {keys.ids['a']}")
    assert keys.policy.keys[0].keyid == keys.ids["a"] and keys.policy.identities == ()


def test_a_tampered_payload_is_refused(keys: Keys) -> None:
    envelope = keys.signer("a").sign(STATEMENT)
    forged = STATEMENT.replace(b'"rspp"', b'"evil"')

    def swap(doc: dict[str, object]) -> None:
        doc["payload"] = base64.b64encode(forged).decode()

    error = refused("VFY002", lambda: verify_signature(oci.DSSE, _edit(envelope, swap),
                                                       keys.policy))
    assert error.cause == (f"no signature of the DSSE envelope verifies with a key of the "
                           f"trust policy {keys.policy_path}")


def test_a_signature_over_other_content_is_refused(keys: Keys) -> None:
    signer = keys.signer("a")
    other = signer.sign(statement("other@1.0.0", oci.sha256(b"x"), "p", {}))
    envelope = keys.signer("a").sign(STATEMENT)

    def graft(doc: dict[str, object]) -> None:
        doc["signatures"] = json.loads(other)["signatures"]

    refused("VFY002", lambda: verify_signature(oci.DSSE, _edit(envelope, graft), keys.policy))


def test_a_valid_signature_by_an_unlisted_key_is_refused(keys: Keys) -> None:
    envelope = keys.signer("b").sign(STATEMENT)
    error = refused("VFY003", lambda: verify_signature(oci.DSSE, envelope, keys.policy))
    assert error.one_line() == (
        f"signed by key {keys.ids['b']}, which the trust policy {keys.policy_path} does not "
        f"list (add the key to the policy's keys if it is trusted)")
    # the same envelope verifies once the policy lists b: the refusal was about trust only
    keys.policy_path.write_text(HEAD + "keys:\n" + keys.entry("b"), encoding="utf-8")
    assert verify_signature(oci.DSSE, envelope, load_policy(keys.policy_path)).statement == \
        STATEMENT


def test_an_unlisted_key_cannot_pass_under_a_listed_key_id(keys: Keys) -> None:
    envelope = _edit(keys.signer("b").sign(STATEMENT),
                     lambda doc: doc.update(signatures=[
                         {"keyid": keys.ids["a"], "sig": doc["signatures"][0]["sig"]}]))  # type: ignore[index]
    refused("VFY002", lambda: verify_signature(oci.DSSE, envelope, keys.policy))


def test_a_second_signature_by_a_listed_key_is_enough(keys: Keys) -> None:
    by_b = json.loads(keys.signer("b").sign(STATEMENT))["signatures"]
    by_a = json.loads(keys.signer("a").sign(STATEMENT))["signatures"]
    envelope = _edit(keys.signer("a").sign(STATEMENT),
                     lambda doc: doc.update(signatures=by_b + by_a))
    assert verify_signature(oci.DSSE, envelope, keys.policy).signer == f"key {keys.ids['a']}"


def _signed_envelope(keys: Keys, payload_type: str, payload: bytes) -> bytes:
    key = keys.signer("a")
    sig = key._key.sign(pae(payload_type, payload))
    return json.dumps({"payload": base64.b64encode(payload).decode(),
                       "payloadType": payload_type,
                       "signatures": [{"keyid": key.keyid,
                                       "sig": base64.b64encode(sig).decode()}]}).encode()


def test_a_correctly_signed_wrong_payload_type_is_refused(keys: Keys) -> None:
    envelope = _signed_envelope(keys, "application/json", STATEMENT)
    error = refused("VFY002", lambda: verify_signature(oci.DSSE, envelope, keys.policy))
    assert "payloadType is 'application/json'" in error.cause


def test_a_correctly_signed_payload_that_is_no_statement_is_refused(keys: Keys) -> None:
    for payload in (b'{"_type":"https://in-toto.io/Statement/v0.1"}', b"[]", b"\xff"):
        envelope = _signed_envelope(keys, oci.IN_TOTO, payload)
        error = refused("VFY002", lambda e=envelope: verify_signature(oci.DSSE, e,  # type: ignore[misc]
                                                                      keys.policy))
        assert error.cause == "the signed payload is not an in-toto Statement v1"


@pytest.mark.parametrize("data", [
    b"not json", b"[]", b'{"payload":"","payloadType":"x"}',
    b'{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[]}',
    b'{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{}]}',
    b'{"payload":"e30=","payloadType":"application/vnd.in-toto+json",'
    b'"signatures":[{"sig":"!!"}]}',
    b'{"payload":"e30=","payloadType":"application/vnd.in-toto+json",'
    b'"signatures":[{"sig":"AA==","extra":1}]}',
    b'{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[],'
    b'"payload":"e30="}',
    b'{"payload":5,"payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AA=="}]}',
])
def test_malformed_envelopes_are_refused(keys: Keys, data: bytes) -> None:
    refused("VFY002", lambda: verify_signature(oci.DSSE, data, keys.policy))


def test_an_unknown_media_type_is_refused(keys: Keys) -> None:
    envelope = keys.signer("a").sign(STATEMENT)
    error = refused("VFY002", lambda: verify_signature("application/json", envelope,
                                                       keys.policy))
    assert error.cause == "unknown signature media type 'application/json'"


def test_a_policy_without_keys_refuses_every_envelope(keys: Keys) -> None:
    only_sigstore = TrustPolicy("p", identities=(TrustedIdentity("https://issuer", "me"),))
    refused("VFY003", lambda: verify_signature(oci.DSSE, keys.signer("a").sign(STATEMENT),
                                               only_sigstore))


# ------------------------------------------------------------------------------ the policy


def policy_error(folder: Path, text: str, name: str = "trust.yaml") -> PolicyError:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.code == "VFY008"
    assert caught.value.path == str(path)
    return caught.value


def test_policy_errors_have_positions(keys: Keys) -> None:
    folder = keys.folder
    entry = keys.entry("a")
    unknown = policy_error(folder, HEAD + "keys:\n" + entry + "    comment: mine\n")
    assert (unknown.line, unknown.col) == (9, 5)
    assert unknown.cause.endswith("unknown field 'comment' in a keys entry")
    top = policy_error(folder, HEAD + "key:\n" + entry)
    assert (top.line, top.col) == (3, 1)
    bad_pem = policy_error(folder, HEAD + "keys:\n  - keyid: " + keys.ids["a"]
                           + "\n    publicKey: not a key\n")
    assert (bad_pem.line, bad_pem.col, bad_pem.remedy) == (
        5, 16, "paste the .pub file `rspp keygen` wrote")
    wrong_id = policy_error(folder, HEAD + "keys:\n" + entry.replace(keys.ids["a"],
                                                                      keys.ids["b"]))
    assert (wrong_id.line, wrong_id.col) == (4, 12)
    assert f"is not this public key's id ({keys.ids['a']})" in wrong_id.cause
    twice = policy_error(folder, HEAD + "keys:\n" + entry + entry)
    assert twice.line == 9 and "listed twice" in twice.cause


def test_an_empty_policy_trusts_nobody_and_is_refused(tmp_path: Path) -> None:
    for text in (HEAD, HEAD + "keys: []\nsigstore: []\n"):
        error = policy_error(tmp_path, text)
        assert (error.line, error.col) == (1, 1)
        assert "trusts nobody" in error.cause
    assert policy_error(tmp_path, "").cause.endswith("holds no YAML document")
    assert policy_error(tmp_path, "- a list\n").cause.endswith(
        "top level must be a mapping, found a sequence")


@pytest.mark.parametrize(("text", "where", "says"), [
    ("apiVersion: v1\nkind: TrustPolicy\nkeys: []\n", (1, 13), "apiVersion must be"),
    ("apiVersion: rspp.dev/v1alpha1\nkind: Policy\n", (2, 7), "kind must be"),
    (HEAD + "keys: {}\n", (3, 7), "keys must be a list"),
    (HEAD + "sigstore:\n  - identity: me\n", (4, 5), "needs its issuer"),
    (HEAD + "sigstore:\n  - issuer: https://i\n", (4, 5), "exactly one of identity"),
    (HEAD + "sigstore:\n  - issuer: https://i\n    identity: me\n    workflowRepository: o/r\n",
     (4, 5), "exactly one of identity"),
    (HEAD + "sigstore:\n  - issuer: https://i\n    identity: me\n    workflowRef: refs/x\n",
     (6, 18), "workflowRef is only allowed"),
    (HEAD + "sigstore:\n  - issuer: 5\n    identity: me\n", (4, 13), "must be a non-empty"),
    (HEAD + "sigstore:\n  - issuer: https://i\n    identity: me\n    email: me\n", (6, 5),
     "unknown field 'email'"),
    (HEAD + "sigstore:\n  - issuer: https://i\n    identity: me\n"
     "trustedRoot: https://example.invalid/root.json\n", (6, 14), "never fetched"),
    (HEAD + "sigstore:\n  - issuer: https://i\n    identity: me\ntrustedRoot: missing.json\n",
     (6, 14), "cannot read the trusted root"),
    (HEAD + "sigstore:\n  - issuer: https://i\n    identity: me\ntrustedRoot: trust.yaml\n",
     (6, 14), "is not a sigstore trusted root"),
    (HEAD + "kind: TrustPolicy\n", (3, 1), "duplicate"),
    ("apiVersion: [\n", (2, 1), "YAML syntax error"),
])
def test_policy_refusals(tmp_path: Path, text: str, where: tuple[int, int], says: str,
                         no_network: list[object]) -> None:
    error = policy_error(tmp_path, text)
    assert ((error.line, error.col), says in error.cause) == (where, True), error.cause


def test_a_json_policy_and_identities_load(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps({
        "apiVersion": "rspp.dev/v1alpha1", "kind": "TrustPolicy",
        "sigstore": [{"issuer": "https://token.actions.githubusercontent.com",
                      "workflowRepository": "org/repo", "workflowRef": "refs/heads/main"},
                     {"issuer": "https://accounts.example", "identity": "me@example.com"}]}),
        encoding="utf-8")
    policy = load_policy(path)
    assert [i.describe() for i in policy.identities] == [
        "workflows of org/repo@refs/heads/main via https://token.actions.githubusercontent.com",
        "me@example.com via https://accounts.example"]
    assert policy.keys == () and policy.trusted_root is None
    bad = policy_error(tmp_path, '{"apiVersion": "rspp.dev/v1alpha1", "kind": "TrustPolicy",\n'
                                 ' "sigstore": [{"issuer": "i", "identity": "x", "x": 1}]}',
                       "trust.json")
    assert (bad.line, bad.col) == (2, 48)


@pytest.mark.parametrize("url", ["https://example.invalid/trust.yaml",
                                 "http://127.0.0.1:9/trust.yaml", "file:///etc/trust.yaml"])
def test_a_policy_is_never_fetched(url: str, no_network: list[object]) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(Path(url))
    assert caught.value.code == "VFY008"
    assert "never fetched" in caught.value.cause


def test_an_unreadable_policy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "absent.yaml")
    assert caught.value.code == "VFY008"
    assert (caught.value.line, caught.value.col) == (1, 1)
