"""`rspp bundle publish --to oci://...` and `rspp bundle verify --from oci://...` end to end
against a real registry on 127.0.0.1: publishing once, an independent client reading the
same bytes, the same manifests as in the layout, damage on the registry's disk, the signed
index refusing a rollback and an expiry, a registry that is down, and credentials that never
show."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import traceback
from pathlib import Path
from typing import Any

import pytest

from rspp.core.constants import LOCK_FILE
from rspp.release import oci
from rspp.release.index import STATE_FILE
from rspp.release.registry import PASSWORD_ENV, USERNAME_ENV, RegistryStore
from tests.helpers.cli import TODAY, Run, one_error, rspp, rspp_process
from tests.helpers.git import commit
from tests.helpers.release import BUNDLES, Release, codes, release_repo
from tests.release.conftest import Registry, free_port, skopeo

pytestmark = pytest.mark.slow

SIP = "sip_telephony_bundle@1.0.0"
SIP_NEXT = "sip_telephony_bundle@1.0.1"
SIP_SPEC = "PipelineSpec/sip_telephony_assistant@1.0.0"  # a layer only the sip bundles hold
USERNAME = "rspp-test-user-3c1f"
PASSWORD = "rspp-test-password-9d27e4"


@pytest.fixture
def release(tmp_path: Path) -> Release:
    return release_repo(tmp_path / "repo")


def publish(capsys: pytest.CaptureFixture[str], release: Release, to: str | None,
            *extra: str) -> tuple[Run, dict[str, Any]]:
    """``rspp bundle publish --format json`` in-process: the run and its JSON summary."""
    where = ("--to", to) if to is not None else ()
    run = rspp(capsys, "bundle", "publish", *where, "--key", str(release.key), "--format",
               "json", "--today", TODAY, "--root", str(release.root), *extra)
    assert run.code == 0, (run.out, run.err)
    summary: dict[str, Any] = json.loads(run.out)
    return run, summary


def states(summary: dict[str, Any]) -> dict[str, str]:
    return {b["ref"]: b["state"] for b in summary["bundles"]}


def digests(summary: dict[str, Any]) -> dict[str, str]:
    return {b["ref"]: b["digest"] for b in summary["bundles"]}


def verify(capsys: pytest.CaptureFixture[str], release: Release, ref: str, source: str,
           *extra: str) -> Run:
    return rspp(capsys, "bundle", "verify", ref, "--from", source, "--policy",
                str(release.policy), "--root", str(release.root), *extra)


def trusted(release: Release) -> dict[str, int]:
    """The trusted-index state the CLI keeps ({} before the first publish or verification)."""
    path = release.root / STATE_FILE
    if not path.exists():
        return {}
    data: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))["indexes"]
    return data


def manifest(store: RegistryStore, digest: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(store.get_manifest(digest))
    return data


def test_publish_once_then_verify_each(release: Release, registry: Registry,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    store = RegistryStore(registry.url)
    assert store.tags() == []
    _, first = publish(capsys, release, registry.url)
    assert first["store"] == registry.url and first["errors"] == 0
    assert states(first) == dict.fromkeys(BUNDLES, "published")
    assert first["index"]["version"] == 1 and first["index"]["written"]
    index = store.resolve(oci.INDEX_TAG)
    assert index == first["index"]["digest"]
    tags = store.tags()
    assert {r.replace("@", "-") for r in BUNDLES} | {oci.INDEX_TAG} <= set(tags)
    for ref, digest in digests(first).items():
        assert store.resolve(ref.replace("@", "-")) == digest

    run, again = publish(capsys, release, registry.url)
    assert states(again) == dict.fromkeys(BUNDLES, "already published")
    assert digests(again) == digests(first)
    assert again["index"] == {**first["index"], "written": False}
    assert store.tags() == tags  # no new tag: no new signature, no new index
    assert store.resolve(oci.INDEX_TAG) == index

    for ref in BUNDLES:
        run = verify(capsys, release, ref, registry.url)
        assert run.code == 0, (run.out, run.err)
        assert run.out.startswith(f"verified {ref} in {registry.url}: manifest "
                                  f"{digests(first)[ref]}, signed by key {release.keyid}, "
                                  "index version 1"), run.out
    assert trusted(release) == {registry.url: 1}


def test_an_independent_client_reads_the_same_bytes(release: Release, registry: Registry,
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    _, summary = publish(capsys, release, registry.url)
    published = digests(summary)
    for ref, digest in published.items():
        raw = skopeo("inspect", "--raw", registry.ref(ref.replace("@", "-"))).stdout
        assert "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest() == digest

    copy = tmp_path / "copy"
    skopeo("copy", "-q", registry.ref(SIP.replace("@", "-")), f"oci:{copy}:sip")
    blobs = copy / "blobs" / "sha256"
    data = manifest(RegistryStore(registry.url), published[SIP])
    wanted = [data["config"], *data["layers"]]
    assert len(data["layers"]) >= 3
    for descriptor in wanted:
        copied = blobs / descriptor["digest"].removeprefix("sha256:")
        assert copied.is_file(), descriptor
        body = copied.read_bytes()
        assert oci.sha256(body) == descriptor["digest"] and len(body) == descriptor["size"]
    # skopeo's own index names the manifest rspp published, byte for byte
    entry = json.loads((copy / "index.json").read_text(encoding="utf-8"))["manifests"][0]
    assert entry["digest"] == published[SIP]
    assert oci.sha256((blobs / published[SIP].removeprefix("sha256:")).read_bytes()) \
        == published[SIP]

    # the same commit published to the layout: the same manifests
    _, local = publish(capsys, release, None)
    assert local["store"] == "layout:.rspp/store"
    assert states(local) == dict.fromkeys(BUNDLES, "published")
    assert digests(local) == published


def test_a_damaged_layer_on_the_registry_is_refused(release: Release, registry: Registry,
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    _, summary = publish(capsys, release, registry.url)
    store = RegistryStore(registry.url)
    layers = manifest(store, digests(summary)[SIP])["layers"]
    spec = next(layer for layer in layers if layer["annotations"][oci.TITLE] == SIP_SPEC)
    lock = json.loads((release.root / LOCK_FILE).read_text(encoding="utf-8"))["artifacts"]
    assert spec["digest"] == lock[SIP_SPEC]  # a pinned, locked artifact
    stored = registry.blob_file(spec["digest"])
    body = bytearray(stored.read_bytes())
    body[len(body) // 2] ^= 0x01  # same size, one bit
    stored.write_bytes(bytes(body))

    out = release.root / "extracted"
    run = verify(capsys, release, SIP, registry.url, "--extract", str(out))
    before = trusted(release)  # what the publisher wrote: the version it signed
    assert run.code == 1, (run.out, run.err)
    assert "VFY004" in run.out and SIP_SPEC in run.out and run.err == ""
    assert not out.exists()  # nothing extracted
    assert trusted(release) == before  # and nothing more remembered
    # the bundles that do not hold the damaged layer still verify
    other = "simple_livekit_voice_bundle@1.0.0"
    assert verify(capsys, release, other, registry.url).code == 0


def new_version(release: Release, capsys: pytest.CaptureFixture[str]) -> None:
    """sip_telephony_bundle 1.0.1 (the same content as 1.0.0) built, locked and committed."""
    old = release.root / "pipelines/bundles/sip_telephony_bundle.yaml"
    text = old.read_text(encoding="utf-8")
    assert text.count('version: "1.0.0"') == 1
    (old.parent / "sip_telephony_bundle_1_0_1.yaml").write_text(
        text.replace('version: "1.0.0"', 'version: "1.0.1"'), encoding="utf-8")
    assert rspp(capsys, "build", "--root", str(release.root)).code == 0
    assert rspp(capsys, "lock", "--root", str(release.root)).code == 0
    commit(release.root, message="sip_telephony_bundle 1.0.1")


def test_the_index_refuses_a_rollback_and_an_expiry(release: Release, registry: Registry,
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]
                                                    ) -> None:
    store = RegistryStore(registry.url)
    _, first = publish(capsys, release, registry.url)
    old = first["index"]["digest"]
    assert verify(capsys, release, SIP, registry.url).code == 0
    assert trusted(release) == {registry.url: 1}

    new_version(release, capsys)
    _, second = publish(capsys, release, registry.url)
    assert states(second) == {**dict.fromkeys(BUNDLES, "already published"),
                              SIP_NEXT: "published"}
    assert second["index"]["version"] == 2 and second["index"]["written"]
    new = second["index"]["digest"]
    assert new != old and store.resolve(oci.INDEX_TAG) == new
    run = verify(capsys, release, SIP_NEXT, registry.url)
    assert run.code == 0 and "index version 2" in run.out, run.out
    assert trusted(release) == {registry.url: 2}

    # an index past its expiry: the store may be frozen
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
    expired = release.verify(SIP_NEXT, registry.url, now=later)
    assert codes(expired) == ["IDX002"] and expired.verified is None
    assert trusted(release) == {registry.url: 2}

    # an attacker puts the old (validly signed) index back under its tag
    store.set_tag(oci.INDEX_TAG, old, oci.MANIFEST)
    assert store.resolve(oci.INDEX_TAG) == old
    out = release.root / "extracted"
    for ref in (SIP, SIP_NEXT):
        run = verify(capsys, release, ref, registry.url, "--extract", str(out))
        assert run.code == 1, (run.out, run.err)
        assert "IDX001" in run.out and "version 1, older than version 2" in run.out, run.out
        assert not out.exists()
    assert trusted(release) == {registry.url: 2}
    # a consumer without that memory is the one a rollback fools: the state is the defence
    first_use = release.verify(SIP, registry.url, state=release.root / ".rspp" / "other.json")
    assert codes(first_use) == [] and first_use.verified is not None
    assert first_use.verified.index_version == 1


def test_a_registry_that_is_down(release: Release) -> None:
    # a real process (credentials in its environment): its exit code and all it writes
    url = f"oci://127.0.0.1:{free_port()}/rspp/test"
    env = {**os.environ, USERNAME_ENV: USERNAME, PASSWORD_ENV: PASSWORD}
    run = rspp_process("bundle", "publish", "--to", url, "--key", release.key, "--today",
                       TODAY, "--root", release.root, env=env)
    one_error(run, "REL003", f"{url}: cannot connect to http://127.0.0.1:",
              "is the registry running")
    assert run.out == "" and PASSWORD not in run.err and USERNAME not in run.err
    assert not (release.root / ".rspp" / "store").exists()  # nothing went elsewhere


def test_credentials_never_show(release: Release, registry: Registry,
                                monkeypatch: pytest.MonkeyPatch,
                                capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(USERNAME_ENV, USERNAME)
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    runs = [rspp(capfd, "bundle", "publish", "--to", registry.url, "--key", str(release.key),
                 "--today", TODAY, "--root", str(release.root), "--format", fmt)
            for fmt in ("text", "markdown")]
    assert [r.code for r in runs] == [0, 0], runs
    assert "published" in runs[0].out and "already published" in runs[1].out
    runs.append(verify(capfd, release, SIP, registry.url))
    assert runs[-1].code == 0, runs[-1]
    down = f"oci://127.0.0.1:{free_port()}/rspp/test"
    runs.append(verify(capfd, release, SIP, down))
    assert runs[-1].code == 2 and "REL003" in runs[-1].err, runs[-1]
    for run in runs:
        assert PASSWORD not in run.out + run.err
    # --debug lets the error through with its traceback: the password is not in it either
    with pytest.raises(oci.StoreError) as raised:
        rspp(capfd, "--debug", "bundle", "publish", "--to", down, "--key", str(release.key),
             "--today", TODAY, "--root", str(release.root))
    assert raised.value.code == "REL003"
    shown = "".join(traceback.format_exception(raised.value))
    assert "cannot connect" in shown and PASSWORD not in shown and USERNAME not in shown
