"""`rspp check` without a base: validation, the lock and derived files in one gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.cli import check_json, codes, only, rspp
from tests.helpers.files import edit, read, write
from tests.helpers.repos import LOCK, PROFILE, SIP_BUNDLE, SIP_PAGE, SIP_VIEW, new_version, unpinned


def test_this_repository_passes_its_own_gate(capsys: pytest.CaptureFixture[str]) -> None:
    assert check_json(capsys, REPO_ROOT) == (0, [])


def test_the_copied_examples_pass(capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    assert check_json(capsys, examples) == (0, [])


def test_stale_and_missing_derived_files(capsys: pytest.CaptureFixture[str],
                                         examples: Path) -> None:
    edit(examples, SIP_VIEW, '"mode": "low_latency"', '"mode": "standard"')
    page = "docs/pipelines/simple_livekit_voice_bundle@1.0.0.md"
    (examples / page).unlink()
    code, findings = check_json(capsys, examples)
    assert code == 1
    assert sorted((f["path"], f["line"], f["column"], f["code"]) for f in findings) == [
        (page, 1, 1, "DRV002"), (SIP_PAGE, 1, 1, "DRV001"), (SIP_VIEW, 1, 1, "DRV001")]
    view = next(f for f in findings if f["path"] == SIP_VIEW)
    assert view["message"] == (f"{SIP_VIEW} is stale: edited by hand (its fingerprint does not "
                               "match) (run `rspp build`, then `rspp lock`, and commit the "
                               "changes)")
    assert only(findings, "DRV002")["message"] == (f"{page} is missing: not generated yet (run "
                                                   "`rspp build`, then `rspp lock`, and commit "
                                                   "the changes)")
    assert rspp(capsys, "build", "--root", str(examples)).code == 0
    assert check_json(capsys, examples) == (0, [])


def test_an_unreadable_derived_file_is_drv003(capsys: pytest.CaptureFixture[str],
                                              examples: Path) -> None:
    edit(examples, SIP_VIEW, '"_rspp": {', '"_rspp_": {')
    code, findings = check_json(capsys, examples)
    assert code == 1
    assert sorted((f["code"], f["path"]) for f in findings) == [
        ("DRV001", SIP_PAGE), ("DRV003", SIP_VIEW)]


def test_an_unlocked_new_version_is_lck001(capsys: pytest.CaptureFixture[str],
                                           examples: Path) -> None:
    new_version(examples, PROFILE, "pipelines/profiles/simple_v1_1.yaml", "1.1.0")
    code, findings = check_json(capsys, examples)
    assert (code, codes(findings)) == (1, ["LCK001"])
    lck = findings[0]
    assert (lck["path"], lck["line"], lck["column"]) == (LOCK, 1, 1)
    assert lck["message"] == ("ExecutionProfile/simple/v1@1.1.0 is not in rspp.lock: run "
                              "`rspp build`, then `rspp lock`, and commit the changes")
    assert rspp(capsys, "lock", "--root", str(examples)).code == 0
    assert check_json(capsys, examples) == (0, [])


def test_an_unlocked_bundle_with_unpinned_refs_needs_build_and_lock(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    text = read(examples, SIP_BUNDLE).replace('version: "1.0.0"', 'version: "1.1.0"', 1)
    new = "pipelines/bundles/sip_telephony_bundle_1_1.yaml"
    write(examples, new, unpinned(text))
    code, findings = check_json(capsys, examples)
    assert code == 1
    assert sorted((f["code"], f["path"]) for f in findings) == [
        ("DRV001", new),
        ("DRV002", "docs/pipelines/sip_telephony_bundle@1.1.0.md"),
        ("DRV002", "docs/pipelines/sip_telephony_bundle@1.1.0.resolved.json"),
        ("LCK003", new)]
    assert f"pins of {new} is stale: pins without digest" in only(findings, "DRV001")["message"]
    assert only(findings, "LCK003")["message"].endswith(
        "carry no digest yet: run `rspp build`, then `rspp lock` (the build writes the "
        "digests)")
    assert rspp(capsys, "build", "--root", str(examples)).code == 0
    assert rspp(capsys, "lock", "--root", str(examples)).code == 0
    assert check_json(capsys, examples) == (0, [])

