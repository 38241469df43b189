"""Derived files: `rspp status` (fresh, stale and why, missing, invalid, blocked) and
`rspp build` (only what is stale, dependencies first, a second build does nothing)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from rspp.lifecycle import provenance as derive
from tests.helpers.cli import rspp, states, status
from tests.helpers.files import edit, mtimes, read, write
from tests.helpers.repos import SIP_BUNDLE, SIP_PAGE, SIP_SPEC, SIP_VIEW, unpinned

BUNDLES = {  # bundle file -> the name of its derived files
    "pipelines/bundles/livekit_voice_assistant_bundle_0_9.yaml":
        "livekit_voice_assistant_bundle@0.9.0",
    "pipelines/bundles/livekit_voice_assistant_bundle.json":
        "livekit_voice_assistant_bundle@1.0.0",
    "pipelines/examples/simple_livekit_voice/bundle.yaml": "simple_livekit_voice_bundle@1.0.0",
    SIP_BUNDLE: "sip_telephony_bundle@1.0.0",
}
VIEWS = [f"docs/pipelines/{name}.resolved.json" for name in BUNDLES.values()]
PAGES = [f"docs/pipelines/{name}.md" for name in BUNDLES.values()]
SIP_NEXT = "pipelines/bundles/sip_telephony_bundle_1_1.yaml"


def _build(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, list[str]]:
    run = rspp(capsys, "build", "--root", str(root))
    assert run.err == "", run.err
    return run.code, run.out.splitlines()


def _assert_second_build_does_nothing(capsys: pytest.CaptureFixture[str], root: Path) -> None:
    before = mtimes(root, "docs", "pipelines")
    assert _build(capsys, root) == (0, ["nothing to build: every derived file is fresh"])
    assert mtimes(root, "docs", "pipelines") == before
    code, rows = status(capsys, root)
    assert (code, states(rows)) == (0, {})


def test_every_derived_file_is_listed_and_fresh(capsys: pytest.CaptureFixture[str],
                                                examples: Path) -> None:
    code, rows = status(capsys, examples)
    assert code == 0
    expected = ["docs/pipelines/catalog.md"]  # the extension types: no dependency, first
    for bundle, name in sorted(BUNDLES.items(), key=lambda item: item[1]):
        expected += [f"{bundle}#pins", f"docs/pipelines/{name}.resolved.json",
                     f"docs/pipelines/{name}.md"]
    assert [path for _, path, _ in rows] == expected
    assert {state for state, _, _ in rows} == {"fresh"}
    _assert_second_build_does_nothing(capsys, examples)


def test_an_edited_input_makes_its_view_stale_and_the_page_follows_on_build(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    view_before = read(examples, SIP_VIEW)
    # A longer comment: the same meaning, every value still on its line and column.
    edit(examples, SIP_SPEC, "# sip_telephony_assistant 1.0.0:", "# sip_telephony_assistant "
         "1.0.0 (reviewed):")
    code, rows = status(capsys, examples)
    # The page's input is the view file, which has not changed yet: the page is fresh.
    assert (code, states(rows)) == (1, {SIP_VIEW: ("stale", f"input {SIP_SPEC} changed")})
    untouched = {k: v for k, v in mtimes(examples, "docs").items()
                 if k not in (SIP_VIEW, SIP_PAGE)}
    assert _build(capsys, examples) == (0, [f"built {SIP_VIEW}", f"built {SIP_PAGE}"])
    # Only the record of the input changed: the view's own content is the same.
    new = read(examples, SIP_VIEW)
    assert new != view_before
    assert json.loads(new)["spec"] == json.loads(view_before)["spec"]
    assert json.loads(new)["_rspp"]["fingerprint"] == json.loads(view_before)["_rspp"][
        "fingerprint"]
    assert {k: v for k, v in mtimes(examples, "docs").items() if k in untouched} == untouched
    _assert_second_build_does_nothing(capsys, examples)


def test_a_view_edited_by_hand(capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    original = read(examples, SIP_VIEW)
    edit(examples, SIP_VIEW, '"mode": "low_latency"', '"mode": "standard"')
    code, rows = status(capsys, examples)
    assert (code, states(rows)) == (1, {
        SIP_VIEW: ("stale", "edited by hand (its fingerprint does not match)"),
        SIP_PAGE: ("stale", f"input {SIP_VIEW} changed")})
    assert _build(capsys, examples) == (0, [f"built {SIP_VIEW}", f"built {SIP_PAGE}"])
    assert read(examples, SIP_VIEW) == original
    _assert_second_build_does_nothing(capsys, examples)


def test_a_page_edited_by_hand_and_a_deleted_page(capsys: pytest.CaptureFixture[str],
                                                  examples: Path) -> None:
    pages = {page: read(examples, page) for page in PAGES}
    edit(examples, PAGES[0], "## Nodes", "## The nodes")
    (examples / PAGES[1]).unlink()
    code, rows = status(capsys, examples)
    assert (code, states(rows)) == (1, {
        PAGES[0]: ("stale", "edited by hand (its fingerprint does not match)"),
        PAGES[1]: ("missing", "not generated yet")})
    views = mtimes(examples, "docs")
    assert _build(capsys, examples) == (0, [f"built {PAGES[0]}", f"built {PAGES[1]}"])
    assert {page: read(examples, page) for page in PAGES} == pages
    assert {v: views[v] for v in VIEWS} == {v: mtimes(examples, "docs")[v] for v in VIEWS}
    _assert_second_build_does_nothing(capsys, examples)


_CORRUPTIONS = {
    "view: _rspp renamed": (SIP_VIEW, '"_rspp": {', '"_rspp_": {'),
    "view: inputs not a map": (SIP_VIEW, '"inputs": {', '"inputs": 5, "x": {'),
    "view: not JSON": (SIP_VIEW, '"generator": "rspp resolve",', '"generator": rspp resolve,'),
    "page: no front matter end": (SIP_PAGE, "\n---\n", "\n--\n"),
    "page: front matter not JSON": (SIP_PAGE, 'rspp-generator: "rspp page"',
                                    "rspp-generator: rspp page"),
    # nested past the JSON parser's recursion: a refusal, not a traceback
    "view: nested too deep": (SIP_VIEW, '"generator": "rspp resolve",',
                              '"generator": ' + "[" * 100_000 + "]" * 100_000 + ","),
    "page: front matter nested too deep": (SIP_PAGE, 'rspp-generator: "rspp page"',
                                           "rspp-generator: " + "[" * 100_000 + "]" * 100_000),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(_CORRUPTIONS))
def test_a_corrupt_provenance_block_is_invalid(capsys: pytest.CaptureFixture[str],
                                               examples: Path, case: str) -> None:
    path, old, new = _CORRUPTIONS[case]
    original = read(examples, path)
    edit(examples, path, old, new, first=True)
    code, rows = status(capsys, examples)
    assert code == 1
    invalid = states(rows)[path]
    assert invalid == ("invalid", "no readable provenance (_rspp / front matter)")
    built = _build(capsys, examples)
    assert built[0] == 0 and f"built {path}" in built[1]
    assert read(examples, path) == original
    _assert_second_build_does_nothing(capsys, examples)


def _record_other_generator(root: Path, rel: str) -> None:
    """Make ``rel`` look built by another rspp: only its recorded generator fingerprint
    changes (the file's own fingerprint does not cover its provenance)."""
    text = read(root, rel)
    now = derive.generator_fingerprint("rspp page" if rel.endswith(".md") else "rspp resolve")
    assert text.count(now) == 1
    write(root, rel, text.replace(now, "sha256:" + "0" * 64))


def test_files_made_by_another_generator_are_stale(capsys: pytest.CaptureFixture[str],
                                                   examples: Path) -> None:
    changed = "generator changed (the rspp code that makes this file differs from the code " \
              "that made it)"
    for view in VIEWS:
        _record_other_generator(examples, view)
    code, rows = status(capsys, examples)
    assert (code, states(rows)) == (1, {
        **dict.fromkeys(VIEWS, ("stale", changed)),
        **{page: ("stale", f"input {view} changed") for view, page in zip(VIEWS, PAGES,
                                                                          strict=True)}})
    code, lines = _build(capsys, examples)
    assert code == 0
    # Each view before its page (the page is made from the view).
    assert lines == [f"built {f}" for view, page in zip(VIEWS, PAGES, strict=True)
                     for f in (view, page)]
    assert {json.loads(read(examples, v))["_rspp"]["generatorFingerprint"] for v in VIEWS} == {
        derive.generator_fingerprint("rspp resolve")}
    _assert_second_build_does_nothing(capsys, examples)
    _record_other_generator(examples, PAGES[0])
    code, rows = status(capsys, examples)
    assert (code, states(rows)) == (1, {PAGES[0]: ("stale", changed)})


def test_an_input_with_errors_blocks_its_files(capsys: pytest.CaptureFixture[str],
                                               examples: Path) -> None:
    edit(examples, SIP_SPEC, "lane: data", "lane: dato", first=True)
    before = mtimes(examples, "docs")
    code, rows = status(capsys, examples)
    blocked = ("blocked", "an input has validation errors")
    assert (code, states(rows)) == (1, {SIP_VIEW: blocked, SIP_PAGE: blocked})
    code, lines = _build(capsys, examples)
    assert code == 1
    assert lines[:2] == [f"blocked {SIP_VIEW}: an input has validation errors",
                         f"blocked {SIP_PAGE}: an input has validation errors"]
    assert not any(line.startswith("built ") for line in lines)
    assert mtimes(examples, "docs") == before


def test_build_does_not_call_blocked_files_fresh(capsys: pytest.CaptureFixture[str],
                                                  examples: Path) -> None:
    edit(examples, SIP_SPEC, "lane: data", "lane: dato", first=True)
    code, lines = _build(capsys, examples)
    assert code == 1
    assert "nothing to build: every derived file is fresh" not in lines


def test_build_from_scratch_in_dependency_order(capsys: pytest.CaptureFixture[str],
                                                base_repo: Path) -> None:
    bundles = {p: read(base_repo, p) for p in ("pipelines/bundles/agent.json",
                                               "pipelines/bundles/agent_old.json")}
    code, rows = status(capsys, base_repo)
    assert code == 1
    assert states(rows) == {
        "pipelines/bundles/agent_old.json#pins":
            ("stale", "pins without digest: agent@1.0.0, base/v1@1.0.0"),
        "docs/pipelines/agent_bundle@0.9.0.resolved.json": ("missing", "not generated yet"),
        "docs/pipelines/agent_bundle@0.9.0.md": ("missing", "not generated yet"),
        "pipelines/bundles/agent.json#pins":
            ("stale", "pins without digest: agent@1.0.0, base/v1@1.0.0"),
        "docs/pipelines/agent_bundle@1.0.0.resolved.json": ("missing", "not generated yet"),
        "docs/pipelines/agent_bundle@1.0.0.md": ("missing", "not generated yet"),
        "docs/pipelines/catalog.md": ("missing", "not generated yet")}
    code, lines = _build(capsys, base_repo)
    assert (code, lines) == (0, [
        "built pipelines/bundles/agent_old.json#pins",
        "built pipelines/bundles/agent.json#pins",
        "built docs/pipelines/agent_bundle@0.9.0.resolved.json",
        "built docs/pipelines/agent_bundle@0.9.0.md",
        "built docs/pipelines/agent_bundle@1.0.0.resolved.json",
        "built docs/pipelines/agent_bundle@1.0.0.md",
        "built docs/pipelines/catalog.md"])  # after the files of the bundles
    digests = dict(line.split("  ")[::-1] for line in rspp(
        capsys, "digest", *(str(base_repo / p) for p in (
            "pipelines/specs/agent.yaml", "pipelines/profiles/base.yaml"))).out.splitlines())
    spec_digest = digests[str(base_repo / "pipelines/specs/agent.yaml")]
    profile_digest = digests[str(base_repo / "pipelines/profiles/base.yaml")]
    for path, text in bundles.items():
        # Only the two pin lines changed, each by the digest appended to the ref.
        assert read(base_repo, path) == text.replace(
            '"ref": "agent@1.0.0"', f'"ref": "agent@1.0.0#{spec_digest}"').replace(
            '"ref": "base/v1@1.0.0"', f'"ref": "base/v1@1.0.0#{profile_digest}"')
    page = read(base_repo, "docs/pipelines/agent_bundle@1.0.0.md")
    assert page.startswith("---\nrspp-fingerprint: \"sha256:")
    assert f"`agent@1.0.0#{spec_digest}`" in page
    _assert_second_build_does_nothing(capsys, base_repo)


def test_pins_of_an_unlocked_bundle_get_digests_in_place(capsys: pytest.CaptureFixture[str],
                                                         examples: Path) -> None:
    original = read(examples, SIP_BUNDLE)
    expected = original.replace('version: "1.0.0"', 'version: "1.1.0"', 1)
    write(examples, SIP_NEXT, unpinned(expected))
    assert "# Pairing the spec with low_latency/v1" in read(examples, SIP_NEXT)
    code, rows = status(capsys, examples)
    assert (code, states(rows)) == (1, {
        f"{SIP_NEXT}#pins": ("stale", "pins without digest: sip_telephony_assistant@1.0.0, "
                                      "low_latency/v1@1.0.0"),
        "docs/pipelines/sip_telephony_bundle@1.1.0.resolved.json":
            ("missing", "not generated yet"),
        "docs/pipelines/sip_telephony_bundle@1.1.0.md": ("missing", "not generated yet")})
    code, lines = _build(capsys, examples)
    assert (code, lines) == (0, [f"built {SIP_NEXT}#pins",
                                 "built docs/pipelines/sip_telephony_bundle@1.1.0.resolved.json",
                                 "built docs/pipelines/sip_telephony_bundle@1.1.0.md"])
    # Comments, layout, quoting: byte for byte the text, with the digests written in.
    assert read(examples, SIP_NEXT) == expected
    _assert_second_build_does_nothing(capsys, examples)


def test_pins_of_a_locked_bundle_are_never_rewritten(capsys: pytest.CaptureFixture[str],
                                                     examples: Path) -> None:
    write(examples, SIP_BUNDLE, unpinned(read(examples, SIP_BUNDLE)))
    before = read(examples, SIP_BUNDLE)
    code, rows = status(capsys, examples)
    reason = ("pins sip_telephony_assistant@1.0.0, low_latency/v1@1.0.0 have no digest, but "
              "the bundle is locked (published)")
    assert code == 1
    assert states(rows)[f"{SIP_BUNDLE}#pins"] == ("blocked", reason)
    code, lines = _build(capsys, examples)
    assert code == 1
    assert f"blocked {SIP_BUNDLE}#pins: {reason}" in lines
    assert not any(line.startswith(f"built {SIP_BUNDLE}") for line in lines)
    assert read(examples, SIP_BUNDLE) == before


def test_an_input_changed_with_the_same_size_and_mtime(capsys: pytest.CaptureFixture[str],
                                                       examples: Path) -> None:
    assert states(status(capsys, examples)[1]) == {}
    spec = examples / SIP_SPEC
    stat = spec.stat()
    edit(examples, SIP_SPEC, "# ", "#~", first=True)  # a comment: same size, same meaning
    os.utime(spec, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert states(status(capsys, examples)[1]) == {
        SIP_VIEW: ("stale", f"input {SIP_SPEC} changed")}
