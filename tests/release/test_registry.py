"""RegistryStore against a real registry (docker-registry on 127.0.0.1), checked by an
independent client (skopeo), plus a scripted loopback server for what a well-behaved
registry never does (redirects elsewhere, endless bodies, authentication)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rspp.release import oci
from rspp.release.registry import RegistryStore, RegistryUrlError, parse_oci
from tests.release.conftest import Registry, free_port, skopeo

LAYER = b'{"apiVersion":"rspp/v1","kind":"Bundle"}'
TAG = "voice_bundle-1.0.0"


def manifest(layer: bytes = LAYER) -> bytes:
    """An OCI 1.1 image manifest with artifactType, the empty config, one JSON layer."""
    doc = {
        "schemaVersion": 2, "mediaType": oci.MANIFEST, "artifactType": oci.BUNDLE_TYPE,
        "config": oci.Descriptor.of(oci.EMPTY, oci.EMPTY_DATA).to_json(),
        "layers": [oci.Descriptor.of(oci.ARTIFACT_LAYER, layer,
                                     {oci.TITLE: "Bundle/voice@1.0.0"}).to_json()],
        "annotations": {"dev.rspp.id": "voice", "dev.rspp.version": "1.0.0"}}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def publish(store: RegistryStore, data: bytes = LAYER, tag: str = TAG) -> str:
    store.put_blob(oci.EMPTY_DATA, oci.EMPTY_DIGEST)
    store.put_blob(data, oci.sha256(data))
    body = manifest(data)
    digest = oci.sha256(body)
    store.put_manifest(body, digest, oci.MANIFEST)
    store.set_tag(tag, digest, oci.MANIFEST)
    return digest


# --- a real registry --------------------------------------------------------------------------

@pytest.mark.slow
def test_round_trip(registry: Registry) -> None:
    store = RegistryStore(registry.url)
    assert store.location == registry.url
    assert store.tags() == []
    assert store.resolve(TAG) is None
    assert not store.has_blob(oci.sha256(LAYER))
    digest = publish(store)
    assert store.has_blob(oci.sha256(LAYER)) and store.has_blob(oci.EMPTY_DIGEST)
    assert store.get_blob(oci.sha256(LAYER)) == LAYER
    assert store.get_manifest(digest) == manifest()
    assert store.resolve(TAG) == digest
    assert store.tags() == [TAG]
    # Idempotent: the same content again changes nothing.
    assert publish(store) == digest
    assert store.tags() == [TAG]
    # A second tag, and a tag moved to other content.
    other = publish(store, b'{"other":true}', "voice_bundle-1.0.1")
    store.set_tag("latest", other, oci.MANIFEST)
    assert store.tags() == ["latest", TAG, "voice_bundle-1.0.1"]
    store.set_tag("latest", digest, oci.MANIFEST)
    assert store.resolve("latest") == digest
    with store.exclusive():
        pass


@pytest.mark.slow
def test_missing_content(registry: Registry) -> None:
    store = RegistryStore(registry.url)
    publish(store)
    assert store.resolve("no-such-tag") is None
    with pytest.raises(oci.StoreError) as caught:
        store.get_blob(oci.sha256(b"never stored"))
    assert caught.value.code == "REL003"
    assert "HTTP 404 (BLOB_UNKNOWN" in caught.value.cause
    with pytest.raises(oci.StoreError) as caught:
        store.set_tag("dangling", oci.sha256(b"no manifest"), oci.MANIFEST)
    assert caught.value.code == "REL003"
    assert store.tags() == [TAG]


@pytest.mark.slow
def test_refusals_before_sending(registry: Registry) -> None:
    store = RegistryStore(registry.url)
    with pytest.raises(oci.StoreError) as caught:
        store.put_blob(LAYER, oci.sha256(b"something else"))
    assert caught.value.code == "REL004"
    assert oci.sha256(LAYER) in caught.value.cause
    assert not store.has_blob(oci.sha256(LAYER))
    assert not store.has_blob(oci.sha256(b"something else"))
    digest = publish(store)
    for bad in ("-starts-with-dash", "a/b", "x" * 129, ""):
        with pytest.raises(oci.StoreError) as caught:
            store.set_tag(bad, digest, oci.MANIFEST)
        assert caught.value.code == "REL004"
        with pytest.raises(oci.StoreError):
            store.resolve(bad)
    with pytest.raises(oci.StoreError) as caught:
        store.get_blob("sha256:ABC")
    assert caught.value.code == "REL004"
    assert store.tags() == [TAG]


@pytest.mark.slow
def test_skopeo_sees_the_same(registry: Registry, tmp_path: Path) -> None:
    store = RegistryStore(registry.url)
    digest = publish(store)
    raw = skopeo("inspect", "--raw", registry.ref(TAG)).stdout.encode()
    assert raw == manifest()
    assert oci.sha256(raw) == digest
    layout = tmp_path / "copy"
    skopeo("copy", registry.ref(TAG), f"oci:{layout}:{TAG}")
    index = json.loads((layout / "index.json").read_text())
    assert [m["digest"] for m in index["manifests"]] == [digest]
    blobs = layout / "blobs" / "sha256"
    for wanted in (digest, oci.EMPTY_DIGEST, oci.sha256(LAYER)):
        data = (blobs / wanted.removeprefix("sha256:")).read_bytes()
        assert oci.sha256(data) == wanted
    assert (blobs / oci.sha256(LAYER).removeprefix("sha256:")).read_bytes() == LAYER


@pytest.mark.slow
def test_rspp_reads_what_skopeo_wrote(registry: Registry, tmp_path: Path) -> None:
    store = RegistryStore(registry.url)
    digest = publish(store)
    skopeo("copy", registry.ref(TAG), registry.ref("copied"))
    assert store.resolve("copied") == digest
    assert store.tags() == ["copied", TAG]


@pytest.mark.slow
def test_a_damaged_blob_is_refused(registry: Registry) -> None:
    store = RegistryStore(registry.url)
    publish(store)
    wanted = oci.sha256(LAYER)
    stored = registry.blob_file(wanted)
    damaged = bytearray(stored.read_bytes())
    damaged[2] ^= 0x01
    stored.write_bytes(bytes(damaged))
    with pytest.raises(oci.StoreError) as caught:
        store.get_blob(wanted)
    assert caught.value.code == "REL004"
    assert wanted in caught.value.cause
    assert oci.sha256(bytes(damaged)) in caught.value.cause


@pytest.mark.slow
def test_an_oversized_read_is_refused(registry: Registry) -> None:
    store = RegistryStore(registry.url)
    digest = publish(store)
    assert store.get_blob(oci.sha256(LAYER), limit=len(LAYER)) == LAYER
    with pytest.raises(oci.StoreError) as caught:
        store.get_blob(oci.sha256(LAYER), limit=len(LAYER) - 1)
    assert caught.value.code == "REL004"
    assert f"over the limit of {len(LAYER) - 1}" in caught.value.cause
    with pytest.raises(oci.StoreError) as caught:
        store.get_manifest(digest, limit=100)
    assert caught.value.code == "REL004"


def test_an_unreachable_registry_is_rel003_at_once() -> None:
    port = free_port()
    store = RegistryStore(f"oci://127.0.0.1:{port}/rspp/test")
    start = time.monotonic()
    with pytest.raises(oci.StoreError) as caught:
        store.resolve(TAG)
    assert time.monotonic() - start < 2
    assert caught.value.code == "REL003"
    assert caught.value.one_line() == (
        f"oci://127.0.0.1:{port}/rspp/test: cannot connect to http://127.0.0.1:{port} "
        "(is the registry running, and is the host and port right?)")
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


# --- oci:// URLs --------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "parts"), [
    ("oci://127.0.0.1:5000/rspp/test", ("127.0.0.1", 5000, "rspp/test")),
    ("oci://Registry.Example.com/org/bundles", ("registry.example.com", None, "org/bundles")),
    ("oci://[::1]:5000/a", ("::1", 5000, "a")),
    ("oci://localhost/a.b_c__d--e/f-0", ("localhost", None, "a.b_c__d--e/f-0")),
])
def test_parse_oci_accepts(url: str, parts: tuple[str, int | None, str]) -> None:
    assert parse_oci(url) == parts


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5000/rspp", "https://registry.example.com/rspp", "oci:/host/repo",
    "oci://host", "oci://host/", "oci://host/Upper", "oci://host/a//b", "oci://host/a/",
    "oci://host/-a", "oci://host/a..b", "oci://host/a___b", "oci://host/a:tag",
    "oci://user:secret@host/repo", "oci://user@host/repo", "oci://host/repo?x=1",
    "oci://host/repo?tok=secret", "oci://host/repo#secret",
    "oci://host/repo#frag", "oci://host/re\npo", "oci://host/repo\x00", "oci://ho st/repo",
    "oci://host:0/repo", "oci://host:65536/repo", "oci://host:abc/repo", "oci://[zz]/repo",
    "oci://hóst/repo", "oci://-host/repo", "oci://host_x/repo", "oci://:5000/repo",
])
def test_parse_oci_refuses(url: str) -> None:
    with pytest.raises(RegistryUrlError) as caught:
        parse_oci(url)
    assert caught.value.code == "REL003"
    assert "\n" not in caught.value.one_line()
    assert "secret" not in caught.value.one_line()


def test_only_loopback_speaks_plain_http() -> None:
    assert RegistryStore("oci://127.0.0.1:5000/a")._base.startswith("http://127.0.0.1:5000/")
    assert RegistryStore("oci://[::1]/a")._base.startswith("http://[::1]/")
    assert RegistryStore("oci://registry.example.com/a")._base.startswith("https://")
    assert RegistryStore("oci://127.0.0.2/a")._base.startswith("https://")


# --- a scripted loopback server -----------------------------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]


class Scripted:
    """A loopback HTTP server answering each path with a scripted handler; it records the
    requests it saw (method, path, Authorization header)."""

    def __init__(self, routes: dict[str, Handler], port: int = 0) -> None:
        self.seen: list[tuple[str, str, str | None]] = []
        scripted = self

        class Answer(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def answer(self) -> None:
                scripted.seen.append((self.command, self.path,
                                      self.headers.get("Authorization")))
                route = routes.get(self.path.split("?")[0])
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    route(self)

            do_GET = do_HEAD = do_PUT = do_POST = answer

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Answer)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Callable[[dict[str, Handler]], Scripted]]:
    servers: list[Scripted] = []

    def start(routes: dict[str, Handler]) -> Scripted:
        servers.append(Scripted(routes))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def send(status: int, body: bytes = b"", **headers: str) -> Handler:
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name.replace("_", "-"), value)
        if "Content_Length" not in headers:
            request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(body)
    return handler


def endless(request: BaseHTTPRequestHandler) -> None:
    """A body with no Content-Length that never ends within any limit."""
    request.send_response(200)
    request.end_headers()
    try:
        for _ in range(10_000):
            request.wfile.write(b"x" * 65536)
    except OSError:  # the client hung up, as it should
        return


BLOB = oci.sha256(LAYER)
BLOB_PATH = f"/v2/rspp/test/blobs/{BLOB}"


def test_a_body_without_length_is_capped_while_streaming(
        scripted: Callable[[dict[str, Handler]], Scripted]) -> None:
    server = scripted({BLOB_PATH: endless})
    store = RegistryStore(f"oci://127.0.0.1:{server.port}/rspp/test")
    with pytest.raises(oci.StoreError) as caught:
        store.get_blob(BLOB, limit=1024 * 1024)
    assert caught.value.code == "REL004"
    assert "over the limit of 1048576 bytes" in caught.value.cause


def test_manifests_never_follow_a_redirect_to_another_host(
        scripted: Callable[[dict[str, Handler]], Scripted]) -> None:
    body = manifest()
    digest = oci.sha256(body)
    elsewhere = scripted({f"/v2/rspp/test/manifests/{digest}": send(200, body)})
    server = scripted({f"/v2/rspp/test/manifests/{digest}": send(
        307, Location=f"http://localhost:{elsewhere.port}/v2/rspp/test/manifests/{digest}")})
    store = RegistryStore(f"oci://127.0.0.1:{server.port}/rspp/test")
    with pytest.raises(oci.StoreError) as caught:
        store.get_manifest(digest)
    assert caught.value.code == "REL003"
    assert "redirected to http://localhost" in caught.value.cause
    assert elsewhere.seen == []


def test_blobs_follow_a_redirect_and_are_still_checked(
        scripted: Callable[[dict[str, Handler]], Scripted],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSPP_REGISTRY_USERNAME", "alice")
    monkeypatch.setenv("RSPP_REGISTRY_PASSWORD", "s3cret")
    storage = scripted({"/good": send(200, LAYER), "/bad": send(200, LAYER + b" ")})
    moved = f"http://localhost:{storage.port}"
    server = scripted({BLOB_PATH: send(307, Location=f"{moved}/good"),
                       f"/v2/rspp/test/blobs/{oci.sha256(b'x')}": send(
                           307, Location=f"{moved}/bad"),
                       f"/v2/rspp/test/blobs/{oci.sha256(b'y')}": send(
                           307, Location="http://192.0.2.1/plain")})
    store = RegistryStore(f"oci://127.0.0.1:{server.port}/rspp/test")
    assert store.get_blob(BLOB) == LAYER
    with pytest.raises(oci.StoreError) as caught:
        store.get_blob(oci.sha256(b"x"))
    assert caught.value.code == "REL004"
    assert oci.sha256(LAYER + b" ") in caught.value.cause
    with pytest.raises(oci.StoreError) as caught:
        store.get_blob(oci.sha256(b"y"))
    assert caught.value.code == "REL003"
    assert "redirected to http://192.0.2.1" in caught.value.cause
    assert all(auth is None for _, _, auth in storage.seen)
    assert [path for _, path, _ in storage.seen] == ["/good", "/bad"]


def basic_only(user: str, password: str, body: bytes) -> Handler:
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def handler(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("Authorization") == expected:
            send(200, body, Docker_Content_Digest=oci.sha256(body))(request)
        else:
            send(401, b"", WWW_Authenticate='Basic realm="test"')(request)
    return handler


def test_credentials_come_from_the_environment(
        scripted: Callable[[dict[str, Handler]], Scripted],
        monkeypatch: pytest.MonkeyPatch) -> None:
    server = scripted({BLOB_PATH: basic_only("alice", "s3cret", LAYER)})
    url = f"oci://127.0.0.1:{server.port}/rspp/test"
    monkeypatch.delenv("RSPP_REGISTRY_USERNAME", raising=False)
    monkeypatch.delenv("RSPP_REGISTRY_PASSWORD", raising=False)
    with pytest.raises(oci.StoreError) as caught:
        RegistryStore(url).get_blob(BLOB)
    assert caught.value.code == "REL003"
    assert caught.value.one_line().endswith(
        "the registry asks for credentials (set RSPP_REGISTRY_USERNAME and "
        "RSPP_REGISTRY_PASSWORD)")
    monkeypatch.setenv("RSPP_REGISTRY_USERNAME", "alice")
    monkeypatch.setenv("RSPP_REGISTRY_PASSWORD", "wrong-pw")
    with pytest.raises(oci.StoreError) as caught:
        RegistryStore(url).get_blob(BLOB)
    assert caught.value.code == "REL003"
    assert "refused the credentials" in caught.value.cause
    assert "wrong-pw" not in caught.value.one_line()
    monkeypatch.setenv("RSPP_REGISTRY_PASSWORD", "s3cret")
    server.seen.clear()
    store = RegistryStore(url)
    assert store.get_blob(BLOB) == LAYER
    assert store.get_blob(BLOB) == LAYER
    sent = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    # The challenge is answered once; the next request carries the credentials at once.
    assert [auth for _, _, auth in server.seen] == [None, sent, sent]


def test_a_registry_answer_naming_other_content_is_refused(
        scripted: Callable[[dict[str, Handler]], Scripted]) -> None:
    body = manifest()
    other = "sha256:" + hashlib.sha256(b"other").hexdigest()
    server = scripted({f"/v2/rspp/test/manifests/{oci.sha256(body)}": send(
        201, Docker_Content_Digest=other)})
    store = RegistryStore(f"oci://127.0.0.1:{server.port}/rspp/test")
    with pytest.raises(oci.StoreError) as caught:
        store.put_manifest(body, oci.sha256(body), oci.MANIFEST)
    assert caught.value.code == "REL004"
    assert other in caught.value.cause


def test_bearer_tokens_go_through_orases_token_flow(
        scripted: Callable[[dict[str, Handler]], Scripted],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSPP_REGISTRY_USERNAME", "alice")
    monkeypatch.setenv("RSPP_REGISTRY_PASSWORD", "s3cret")
    basic = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    port = free_port()

    def token(request: BaseHTTPRequestHandler) -> None:
        granted = request.headers.get("Authorization") == basic
        send(200 if granted else 401, b'{"token": "t0k"}' if granted else b"")(request)

    def blob(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("Authorization") == "Bearer t0k":
            send(200, LAYER)(request)
        else:
            send(401, WWW_Authenticate=f'Bearer realm="http://127.0.0.1:{port}/token",'
                 'service="test",scope="repository:rspp/test:pull"')(request)

    server = Scripted({BLOB_PATH: blob, "/token": token}, port)
    try:
        store = RegistryStore(f"oci://127.0.0.1:{server.port}/rspp/test")
        assert store.get_blob(BLOB) == LAYER
        assert store.get_blob(BLOB) == LAYER
    finally:
        server.close()
    assert [(path.split("?")[0], auth) for _, path, auth in server.seen] == [
        (BLOB_PATH, None), ("/token", basic), (BLOB_PATH, "Bearer t0k"),
        (BLOB_PATH, "Bearer t0k")]
