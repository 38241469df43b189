"""`rspp keygen` and the publish/verify command lines: files made, refusals, exit codes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers.cli import TODAY, rspp
from tests.helpers.release import BUNDLES, release_repo
from tests.helpers.repos import example_repo

pytestmark = pytest.mark.slow


def test_keygen_makes_a_pair_and_a_policy_and_never_overwrites(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = example_repo(tmp_path / "repo")
    args = ["keygen", "-o", str(root / ".rspp/k/a.key"), "--policy", str(root / ".rspp/t.yaml"),
            "--root", str(root)]
    run = rspp(capsys, *args)
    assert run.code == 0, run.err
    key, pub, policy = root / ".rspp/k/a.key", root / ".rspp/k/a.pub", root / ".rspp/t.yaml"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    keyid = run.out.split("key id:")[1].split()[0]
    assert f"keyid: {keyid}" in policy.read_text(encoding="utf-8")
    before = {p: p.read_bytes() for p in (key, pub, policy)}
    again = rspp(capsys, *args)
    assert again.code == 2 and "SIG002" in again.err
    assert {p: p.read_bytes() for p in (key, pub, policy)} == before
    kept = rspp(capsys, *args, "--keep-existing")
    assert kept.code == 0 and "kept the existing key pair" in kept.out and keyid in kept.out
    assert {p: p.read_bytes() for p in (key, pub, policy)} == before
    # --keep-existing does not paper over a half-made or mismatched pair
    pub.unlink()
    assert rspp(capsys, *args, "--keep-existing").code == 2
    assert not pub.exists()


def test_keygen_outside_the_repository_is_refused(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    root = example_repo(tmp_path / "repo")
    run = rspp(capsys, "keygen", "-o", str(tmp_path / "k.key"), "--root", str(root))
    assert run.code == 2 and "PATH001" in run.err
    assert not (tmp_path / "k.key").exists()


def test_publish_formats_and_exit_codes(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    release = release_repo(tmp_path / "repo")
    base = ["bundle", "publish", "--key", str(release.key), "--today", TODAY,
            "--root", str(release.root)]
    run = rspp(capsys, *base, "--format", "json")
    assert run.code == 0, run.out + run.err
    data = json.loads(run.out)
    assert [b["ref"] for b in data["bundles"]] == list(BUNDLES)
    assert {b["state"] for b in data["bundles"]} == {"published"}
    assert data["index"]["version"] == 1 and data["errors"] == 0
    md = rspp(capsys, *base, "--format", "markdown")
    assert md.code == 0
    assert md.out.startswith("### rspp bundle publish: `layout:.rspp/store`")
    assert "| `sip_telephony_bundle@1.0.0` | already published |" in md.out
    text = rspp(capsys, *base)
    assert text.out.splitlines()[-1].startswith("kept index version 1 (expires ")
    assert rspp(capsys, *base, "--format", "sarif").code == 2
    assert rspp(capsys, "bundle", "publish", "--sign", "key", "--root",
                str(release.root)).code == 2  # --key missing
    nokey = rspp(capsys, "bundle", "publish", "--key", str(release.root / ".rspp/none.key"),
                 "--root", str(release.root))
    assert nokey.code == 2 and "SIG001" in nokey.err


def test_verify_with_a_bad_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = release_repo(tmp_path / "repo")
    rspp(capsys, "bundle", "publish", "--key", str(release.key), "--today", TODAY,
         "--root", str(release.root))
    bad = release.root / ".rspp/bad.yaml"
    bad.write_text("apiVersion: rspp.dev/v1alpha1\nkind: TrustPolicy\nkeys: []\nextra: 1\n",
                   encoding="utf-8")
    run = rspp(capsys, "bundle", "verify", BUNDLES[0], "--policy", str(bad),
               "--root", str(release.root))
    assert run.code == 2 and "VFY008" in run.err and ":4:1" in run.err


def test_nothing_is_read_or_written_outside_the_repository(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    release = release_repo(tmp_path / "repo")
    root = str(release.root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "trust.yaml").write_bytes(release.policy.read_bytes())
    (outside / "k.key").write_bytes(release.key.read_bytes())
    (outside / "k.key").chmod(0o600)
    run = rspp(capsys, "bundle", "publish", "--key", str(outside / "k.key"), "--today", TODAY,
               "--root", root)
    assert run.code == 2 and "PATH001" in run.err and "signing key" in run.err
    assert not (release.root / ".rspp/store").exists()
    assert rspp(capsys, "bundle", "publish", "--key", str(release.key), "--today", TODAY,
                "--root", root).code == 0
    verify = ["bundle", "verify", BUNDLES[1], "--root", root]
    run = rspp(capsys, *verify, "--policy", str(outside / "trust.yaml"))
    assert run.code == 2 and "PATH001" in run.err and "trust policy" in run.err
    link = release.root / ".rspp/link.yaml"
    link.symlink_to(outside / "trust.yaml")  # inside by name, outside once followed
    run = rspp(capsys, *verify, "--policy", str(link))
    assert run.code == 2 and "PATH001" in run.err
    run = rspp(capsys, *verify, "--policy", str(release.policy), "--extract",
               str(outside / "x"))
    assert run.code == 2 and "PATH001" in run.err and not (outside / "x").exists()
    run = rspp(capsys, *verify, "--policy", str(release.policy), "--state",
               str(outside / "state.json"))
    assert run.code == 2 and "PATH001" in run.err and not (outside / "state.json").exists()
    rooted = release.root / ".rspp/rooted.yaml"
    rooted.write_text(release.policy.read_text(encoding="utf-8")
                      + "trustedRoot: ../../outside/root.json\n", encoding="utf-8")
    run = rspp(capsys, *verify, "--policy", str(rooted))
    assert run.code == 2 and "VFY008" in run.err and "outside the repository" in run.err
    assert rspp(capsys, *verify, "--policy", str(release.policy)).code == 0
