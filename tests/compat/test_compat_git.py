"""`rspp compat --against` and `rspp check --against` on real git repositories: the release
engineer's moments of issue 10 (bumps, waivers, transitive modes, renames, shallow clones)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import lock_and_commit, rspp
from tests.helpers.files import edit, read, write
from tests.helpers.git import clone, commit, git
from tests.helpers.repos import CONTRACT, new_version, version_line

pytestmark = pytest.mark.slow

SIP = "pipelines/specs/sip_telephony_assistant.yaml"
LIVEKIT = "pipelines/specs/livekit_voice_assistant.yaml"
WAIVERS = "compat/waivers.yaml"
TODAY = "2026-11-30"


def compat(capsys: pytest.CaptureFixture[str], root: Path, *args: str
           ) -> tuple[int, dict[str, Any]]:
    run = rspp(capsys, "compat", "--root", str(root), "--format", "json", "--today", TODAY,
               *args)
    assert run.err == "", run.err
    return run.code, json.loads(run.out)


def found(doc: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in doc["findings"] if f["code"] == code]


def remove_sentiment(root: Path, rel: str) -> None:
    """Delete the sentiment node and the edge that feeds it."""
    text = read(root, rel)
    start, end = text.index("    - id: sentiment\n"), text.index("    - id: otel\n")
    text = text[:start] + text[end:]
    write(root, rel, text.replace("    - from: norm.text\n      to: sentiment.text\n"
                                  "      lane: data\n", ""))


def test_compatible_change_with_a_minor_bump_passes(capsys: pytest.CaptureFixture[str],
                                                    example_git_repo: Path) -> None:
    root = example_git_repo
    new_version(root, SIP, "pipelines/specs/sip_telephony_assistant_1_1.yaml", "1.1.0")
    edit(root, "pipelines/specs/sip_telephony_assistant_1_1.yaml", "jitter_buffer_ms: 60",
         "jitter_buffer_ms: 80")
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 0, doc["findings"]
    [change] = found(doc, "CHG016")
    assert change["path"] == "pipelines/specs/sip_telephony_assistant_1_1.yaml"
    assert "jitter_buffer_ms 60 -> 80 (compatible under BACKWARD_TRANSITIVE" in change["message"]
    [version] = doc["compat"]["versions"]
    assert [(c["against"], c["required"], c["made"], c["ok"]) for c in version["comparisons"]] \
        == [("1.0.0", "minor", "minor", True)]
    lock_and_commit(capsys, root, "sip 1.1.0")
    run = rspp(capsys, "check", "--root", str(root), "--against", "main", "--today", TODAY)
    assert run.code == 0, run.out


def test_breaking_change_with_a_minor_bump_fails_at_the_version(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    root = example_git_repo
    new = "pipelines/specs/livekit_voice_assistant_1_1.yaml"
    new_version(root, LIVEKIT, new, "1.1.0")
    remove_sentiment(root, new)
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 1
    [error] = found(doc, "VER001")
    assert (error["path"], error["line"]) == (new, version_line(root, new))
    assert "is a minor bump, but its changes against 1.0.0 require a major bump" \
        in error["message"]
    causes = sorted(r["message"].split()[0] for r in error["related"])
    assert causes == ["CHG001", "CHG005"]
    # The removed node is shown where it was, in the previous version's file.
    [removed] = [r for r in error["related"] if r["message"].startswith("CHG001")]
    assert removed["path"] == LIVEKIT
    # A major bump is what the changes require.
    edit(root, new, 'version: "1.1.0"', 'version: "2.0.0"', first=True)
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 0, found(doc, "VER001")
    # The same gate in `rspp check`, on the minor bump, locked and committed.
    edit(root, new, 'version: "2.0.0"', 'version: "1.1.0"', first=True)
    lock_and_commit(capsys, root, "livekit 1.1.0")
    run = rspp(capsys, "check", "--root", str(root), "--against", "main", "--today", TODAY,
               "--format", "json")
    assert run.code == 1
    assert [f["code"] for f in json.loads(run.out)["findings"] if f["severity"] == "error"] \
        == ["VER001"]
    # Once published, replacing it by 2.0.0 is a deletion of a published version (VER002).
    edit(root, new, 'version: "1.1.0"', 'version: "2.0.0"', first=True)
    code, doc = compat(capsys, root, "--against", "main")
    assert (code, [f["code"] for f in found(doc, "VER002")]) == (1, ["VER002"])


def test_a_waiver_lets_it_pass_until_its_expiry(capsys: pytest.CaptureFixture[str],
                                                example_git_repo: Path) -> None:
    root = example_git_repo
    new = "pipelines/specs/livekit_voice_assistant_1_1.yaml"
    new_version(root, LIVEKIT, new, "1.1.0")
    remove_sentiment(root, new)
    edit(root, WAIVERS, "  waivers: []\n",
         "  waivers:\n"
         "    - rule: VER001\n"
         "      artifact: livekit_voice_assistant@1.1.0\n"
         "      owner: voice-platform@acme.example\n"
         "      reason: sentiment moves to the analytics pipeline; no consumer reads it\n"
         "      expires: \"2026-12-31\"\n")
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 0, doc["findings"]
    [waived] = found(doc, "VER001")
    assert waived["waiver"]["expires"] == "2026-12-31"
    run = rspp(capsys, "compat", "--root", str(root), "--against", "main", "--today",
               "2027-01-01", "--format", "json")
    late = json.loads(run.out)
    assert run.code == 1
    assert sorted(f["code"] for f in late["findings"] if f["severity"] == "error"
                  and not f.get("waiver")) == ["VER001", "WVR001"]
    github = rspp(capsys, "compat", "--root", str(root), "--against", "main", "--today", TODAY,
                  "--format", "github")
    assert github.code == 0
    assert any(line.startswith("::notice ") and "VER001" in line
               for line in github.out.splitlines())


def _buffer(capacity: int, high: int) -> str:
    return (f"        capacity: {capacity}\n        lowWatermark: 250\n"
            f"        highWatermark: {high}\n")


OLD_BUFFER = _buffer(3000, 2500)


def _transitive_history(capsys: pytest.CaptureFixture[str], root: Path,
                        mode: str = "FORWARD_TRANSITIVE") -> str:
    """sip 1.0.0 (capacity 3000, high 2500) and 1.1.0 (2600, 2000) on main, with a contract
    1.2.0 that gives specs ``mode``; the branch adds 1.2.0 (2200, 1000): compatible with
    1.1.0, but its capacity is below 1.0.0's high watermark."""
    git(root, "checkout", "-q", "main")
    contract = "compat/version_skew_policy_1_2.yaml"
    new_version(root, CONTRACT, contract, "2.0.0", old="1.1.0")
    edit(root, contract, "      PipelineSpec: BACKWARD_TRANSITIVE", f"      PipelineSpec: {mode}")
    v11 = "pipelines/specs/sip_telephony_assistant_1_1.yaml"
    new_version(root, SIP, v11, "1.1.0")
    edit(root, v11, OLD_BUFFER, _buffer(2600, 2000))
    lock_and_commit(capsys, root, "sip 1.1.0")
    git(root, "checkout", "-q", "-b", "next")
    v12 = "pipelines/specs/sip_telephony_assistant_1_2.yaml"
    new_version(root, SIP, v12, "1.2.0")
    edit(root, v12, OLD_BUFFER, _buffer(2200, 1000))
    return v12


@pytest.mark.parametrize("mode", ["FORWARD", "FORWARD_TRANSITIVE"])
def test_only_the_transitive_mode_catches_a_break_against_an_older_version(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path, mode: str) -> None:
    root = example_git_repo
    v12 = _transitive_history(capsys, root, mode)
    code, doc = compat(capsys, root, "--against", "main")
    errors = found(doc, "VER001")
    if mode == "FORWARD":
        assert code == 0 and errors == [], errors
        return
    assert code == 1
    [error] = errors
    assert error["path"] == v12
    assert "1.0.0 -> 1.2.0 is a minor bump, but its changes against 1.0.0 require a major" \
        in error["message"]
    assert "below the previous high watermark 2500" in error["related"][0]["message"]


def test_transitive_mode_reads_a_retired_version_from_git_history(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    """1.0.0 was retired and deleted on main; it is in the lock, so the transitive check
    still compares 1.2.0 with it, read from an older commit."""
    root = example_git_repo
    v12 = _transitive_history(capsys, root)
    git(root, "stash", "-u", "-q")
    git(root, "checkout", "-q", "main")
    _retire_sip_1_0(root)
    commit(root, message="retire sip 1.0.0")
    git(root, "checkout", "-q", "next")
    git(root, "rebase", "-q", "main")
    git(root, "stash", "pop", "-q")
    assert not (root / SIP).exists()
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 1, doc["findings"]
    [error] = found(doc, "VER001")
    assert error["path"] == v12 and "against 1.0.0" in error["message"]
    assert found(doc, "VER002") == [] and found(doc, "VER003") == []


def _retire_sip_1_0(root: Path) -> None:
    """Delete sip 1.0.0 with a retirement whose window has passed (in the contract in effect,
    2.0.0 of ``_transitive_history``), and point its bundle's users elsewhere: the bundle
    that pins it is deleted (retired) too."""
    for rel in (SIP, "pipelines/bundles/sip_telephony_bundle.yaml",
                "docs/pipelines/sip_telephony_bundle@1.0.0.md",
                "docs/pipelines/sip_telephony_bundle@1.0.0.resolved.json"):
        if (root / rel).exists():
            (root / rel).unlink()
    edit(root, "compat/version_skew_policy_1_2.yaml", "  deprecations:\n",
         "  deprecations:\n"
         "    - target: PipelineSpec/sip_telephony_assistant@1.0.0\n"
         "      since: \"2026-01-01\"\n      removeAfter: \"2026-06-30\"\n"
         "    - target: PipelineBundle/sip_telephony_bundle@1.0.0\n"
         "      since: \"2026-01-01\"\n      removeAfter: \"2026-06-30\"\n")


def test_deleting_a_published_version_needs_a_retirement(capsys: pytest.CaptureFixture[str],
                                                         example_git_repo: Path) -> None:
    root = example_git_repo
    (root / SIP).unlink()
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 1
    [deleted] = found(doc, "VER002")
    assert deleted["path"] == "pipelines/bundles/sip_telephony_bundle.yaml"
    assert "PipelineSpec/sip_telephony_assistant@1.0.0 was deleted" in deleted["message"]


def test_a_renamed_file_with_the_same_id_is_not_a_removal(capsys: pytest.CaptureFixture[str],
                                                          example_git_repo: Path) -> None:
    root = example_git_repo
    git(root, "mv", SIP, "pipelines/specs/sip.yaml")
    assert rspp(capsys, "build", "--root", str(root)).code == 0  # pages name their inputs
    commit(root, message="rename")
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 0, doc["findings"]
    assert doc["compat"]["versions"] == []
    assert found(doc, "VER002") == []
    run = rspp(capsys, "check", "--root", str(root), "--against", "main", "--today", TODAY)
    assert run.code == 0, run.out


def test_a_shallow_clone_fetches_what_it_needs(capsys: pytest.CaptureFixture[str],
                                               example_git_repo: Path, tmp_path: Path) -> None:
    """The base branch and, for a transitive mode, the history are fetched on demand."""
    origin = example_git_repo
    _transitive_history(capsys, origin)
    git(origin, "stash", "-u", "-q")
    git(origin, "checkout", "-q", "main")
    _retire_sip_1_0(origin)
    commit(origin, message="retire sip 1.0.0")
    shallow = clone(f"file://{origin}", tmp_path / "shallow", "--depth=1", "--branch=main",
                    "--single-branch")
    assert git(shallow, "rev-parse", "--is-shallow-repository") == "true"
    v12 = "pipelines/specs/sip_telephony_assistant_1_2.yaml"
    new_version(shallow, "pipelines/specs/sip_telephony_assistant_1_1.yaml", v12, "1.2.0",
                old="1.1.0")
    edit(shallow, v12, _buffer(2600, 2000), _buffer(2200, 1000))
    # Without fetching, the retired version cannot be read: not green.
    run = rspp(capsys, "compat", "--root", str(shallow), "--against", "main", "--today", TODAY,
               "--no-fetch", "--format", "json")
    no_fetch = json.loads(run.out)
    assert run.code == 1
    assert [f["code"] for f in no_fetch["findings"] if f["code"].startswith("VER")] \
        == ["VER003"]
    code, doc = compat(capsys, shallow, "--against", "origin/main")
    assert git(shallow, "rev-parse", "--is-shallow-repository") == "false"
    assert code == 1
    [error] = found(doc, "VER001")
    assert error["path"] == v12 and "against 1.0.0" in error["message"]


def test_a_change_cannot_relax_the_mode_it_is_judged_under(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    """The contract relaxed to NONE in the same pull request as a breaking change: the change
    is judged under the base's stricter mode, and the relaxation itself needs a major bump."""
    root = example_git_repo
    relaxed = "compat/version_skew_policy_1_2.yaml"
    new_version(root, CONTRACT, relaxed, "1.2.0", old="1.1.0")
    edit(root, relaxed, "      PipelineSpec: BACKWARD_TRANSITIVE", "      PipelineSpec: NONE")
    new = "pipelines/specs/livekit_voice_assistant_1_1.yaml"
    new_version(root, LIVEKIT, new, "1.1.0")
    remove_sentiment(root, new)
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 1
    errors = {(f["path"], f["code"]) for f in doc["findings"] if f["severity"] == "error"}
    assert errors == {(new, "VER001"), (relaxed, "VER001")}
    [spec] = [f for f in found(doc, "VER001") if f["path"] == new]
    assert "require a major bump under BACKWARD_TRANSITIVE" in spec["message"]
    [mode] = found(doc, "CHG019")
    assert "compatibility mode of PipelineSpec relaxed BACKWARD_TRANSITIVE -> NONE" \
        in mode["message"]
    # Once the relaxed contract is merged, it is the one in effect.
    (root / new).unlink()
    lock_and_commit(capsys, root, "contract 1.2.0, as a major bump would be")
    git(root, "branch", "-f", "main", "HEAD")
    new_version(root, LIVEKIT, new, "1.1.0")
    remove_sentiment(root, new)
    code, doc = compat(capsys, root, "--against", "main")
    assert code == 0, found(doc, "VER001")


@pytest.mark.parametrize(("version", "goes_back"), [("0.9.0", True), ("1.1.0", False)])
def test_a_rollout_version_never_goes_back(capsys: pytest.CaptureFixture[str],
                                           example_git_repo: Path, version: str,
                                           goes_back: bool) -> None:
    rollout = "rollouts/canary_10pct.yaml"
    edit(example_git_repo, rollout, 'version: "1.0.0"', f'version: "{version}"', first=True)
    run = rspp(capsys, "check", "--root", str(example_git_repo), "--against", "main",
               "--today", TODAY, "--format", "json")
    errors = [f for f in json.loads(run.out)["findings"] if f["severity"] == "error"]
    if not goes_back:
        assert (run.code, errors) == (0, [])
        return
    assert run.code == 1
    [error] = errors
    assert (error["code"], error["path"], error["line"]) == (
        "ROL009", rollout, version_line(example_git_repo, rollout))
    assert "goes back from 1.0.0 at main" in error["message"]
