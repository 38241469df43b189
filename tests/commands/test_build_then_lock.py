"""Build before lock: a bundle is locked only with digests in its pins, and `rspp check` fails
on every state `rspp status` does not call fresh, saying what to run in which order."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.commands.check import DERIVED_CODES
from rspp.lifecycle import provenance as derive
from rspp.rules.registry import by_code
from tests.helpers.cli import check_json, codes, only, rspp, states, status
from tests.helpers.files import read, write
from tests.helpers.git import commit
from tests.helpers.repos import LOCK, SIP_BUNDLE, lock_entries, unpinned, write_lock

NEW = "pipelines/bundles/sip_telephony_bundle_1_1.yaml"
NEW_KEY = "PipelineBundle/sip_telephony_bundle@1.1.0"
VIEW = "docs/pipelines/sip_telephony_bundle@1.1.0.resolved.json"
PAGE = "docs/pipelines/sip_telephony_bundle@1.1.0.md"
ORDER = "run `rspp build`, then `rspp lock`"


def _new_unpinned_bundle(root: Path) -> None:
    text = read(root, SIP_BUNDLE).replace('version: "1.0.0"', 'version: "1.1.0"', 1)
    write(root, NEW, unpinned(text))


def test_every_state_but_fresh_is_a_finding_of_the_gate() -> None:
    assert set(DERIVED_CODES) == set(derive.State) - {derive.State.FRESH}
    assert set(DERIVED_CODES.values()) <= set(by_code())


@pytest.mark.slow
def test_lock_before_build_is_refused_then_build_and_lock_pass(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    _new_unpinned_bundle(example_git_repo)
    commit(example_git_repo, message="a new bundle, not built yet")
    before = read(example_git_repo, LOCK)
    # `rspp lock` first: refused, nothing written, the remedy names the order.
    run = rspp(capsys, "lock", "--root", str(example_git_repo))
    assert run.code == 1
    assert run.out.startswith(f"{NEW}:")
    assert f"LCK003 error: {NEW_KEY} cannot be locked: its pins" in run.out
    assert f"no digest yet: {ORDER} (the build writes the digests)" in run.out
    assert "added" not in run.out and read(example_git_repo, LOCK) == before
    # status and check agree that it is not done.
    code, rows = status(capsys, example_git_repo)
    assert code == 1
    assert states(rows)[f"{NEW}#pins"][0] == "stale"
    code, findings = check_json(capsys, example_git_repo, "--against", "main")
    assert code == 1
    assert sorted((f["code"], f["path"]) for f in findings) == [
        ("DRV001", NEW), ("DRV002", PAGE), ("DRV002", VIEW), ("LCK003", NEW)]
    # Both findings on the bundle point at its pins.
    assert {(f["line"], f["column"]) for f in findings if f["path"] == NEW} == {
        (only(findings, "LCK003")["line"], only(findings, "LCK003")["column"])}
    assert all(ORDER in f["message"] for f in findings)
    # In that order, both pass and the gate is green.
    assert rspp(capsys, "build", "--root", str(example_git_repo)).code == 0
    run = rspp(capsys, "lock", "--root", str(example_git_repo))
    assert (run.code, run.out) == (0, f"added {NEW_KEY}\n")
    commit(example_git_repo, message="built and locked")
    assert status(capsys, example_git_repo)[0] == 0
    assert check_json(capsys, example_git_repo, "--against", "main") == (0, [])


@pytest.mark.slow
def test_a_bundle_locked_before_it_was_built_fails_the_gate(
        capsys: pytest.CaptureFixture[str], example_git_repo: Path) -> None:
    """The state an rspp that locked before building left behind: the lock has the bundle
    without pin digests, and `rspp build` then wrote its view and page."""
    _new_unpinned_bundle(example_git_repo)
    digest = rspp(capsys, "digest", str(example_git_repo / NEW)).out.split()[0]
    write_lock(example_git_repo, {**lock_entries(example_git_repo), NEW_KEY: digest})
    assert rspp(capsys, "build", "--root", str(example_git_repo)).code == 1  # the pins stay blocked
    commit(example_git_repo, message="locked before built")
    code, rows = status(capsys, example_git_repo)
    assert code == 1
    assert states(rows) == {f"{NEW}#pins": (
        "blocked", "pins sip_telephony_assistant@1.0.0, low_latency/v1@1.0.0 have no digest, "
                   "but the bundle is locked (published)")}
    for args in ((), ("--against", "main")):
        code, findings = check_json(capsys, example_git_repo, *args)
        assert (code, codes(findings)) == (1, ["DRV004"])
        drv = only(findings, "DRV004")
        assert (drv["path"], drv["pointer"]) == (NEW, "/spec/pins")
        line = read(example_git_repo, NEW).split("\n")[drv["line"] - 1]
        assert line.strip().startswith("- kind:")
        assert drv["message"].startswith(f"pins of {NEW} is blocked: pins ")
        assert ("remove it from rspp.lock, then run `rspp build`, then `rspp lock`"
                in drv["message"])


def test_an_input_with_errors_blocks_its_files_and_the_gate_says_so(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    spec = "pipelines/specs/sip_telephony_assistant.yaml"
    write(examples, spec, read(examples, spec).replace("lane: data", "lane: dato", 1))
    code, findings = check_json(capsys, examples)
    assert code == 1
    blocked = [f for f in findings if f["code"] == "DRV004"]
    assert sorted(f["path"] for f in blocked) == [
        "docs/pipelines/sip_telephony_bundle@1.0.0.md",
        "docs/pipelines/sip_telephony_bundle@1.0.0.resolved.json"]
    assert all(f["message"].endswith(f"(fix the findings of its inputs, then {ORDER}, and "
                                     "commit the changes)") for f in blocked)
