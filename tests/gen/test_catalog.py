"""The repository's node catalog (docs/pipelines/catalog.md, made by `rspp build`): its
extension types with ports, typed parameters, cancel, trust, isolation and limits, then the
built-in types; fresh exactly when it equals what rspp makes of the repository now."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rspp.gen.catalog import CATALOG_PAGE, repository_catalog
from rspp.model.artifact import Index
from rspp.model.catalog import BUILTIN
from rspp.resolve.gate import validate_repository
from rspp.rules.packs import NO_PACKS
from rspp.validate.engine import ValidateOptions
from tests.helpers import REPO_ROOT
from tests.helpers.cli import rspp, states, status
from tests.helpers.files import edit, read, write

MANIFEST = "pipelines/extensions/custom_sentiment_node_2.yaml"


def _catalog(root: Path) -> str | None:
    _, repo = validate_repository(ValidateOptions(root=root, cache=False))
    return repository_catalog(repo.index, repo.packs)


def _section(text: str, heading: str) -> str:
    """The text of the section under ``heading`` up to the next heading of any level."""
    start = text.index(heading + "\n")
    following = re.search(r"^#{2,3} ", text[start + len(heading):], re.M)
    end = start + len(heading) + following.start() if following else len(text)
    return text[start:end]


def test_the_committed_catalog_is_what_rspp_makes_of_this_repository() -> None:
    text = _catalog(REPO_ROOT)
    assert text is not None
    assert (REPO_ROOT / CATALOG_PAGE).read_text(encoding="utf-8") == text


def test_each_extension_version_is_listed_with_how_it_runs(examples: Path) -> None:
    text = _catalog(examples)
    assert text is not None
    headings = re.findall(r"^#{2,3} .*$", text, re.M)
    assert headings[:6] == ["## Extension types",
                            "### `custom.sentiment` (`custom_sentiment_node@1.0.0`)",
                            "### `custom.sentiment` (`custom_sentiment_node@2.0.0`)",
                            "### `external.llm_gateway` (`external_llm_gateway@1.0.0`)",
                            "## Built-in types", "### `audio.resample`"]
    typed = _section(text, "### `custom.sentiment` (`custom_sentiment_node@2.0.0`)")
    assert ("From extension manifest `custom_sentiment_node@2.0.0` ([pipelines\\/extensions"
            "\\/custom\\_sentiment\\_node\\_2\\.yaml](../../pipelines/extensions/"
            "custom_sentiment_node_2.yaml)); a node uses it with `extension: "
            "custom_sentiment_node@2.0.0`.") in typed
    assert "| `window_turns` | integer | turns | from 1 to 20 |  | `3` |" in typed
    assert "| `labels` | list of strings |  |  |  | `[\"negative\", \"neutral\", " \
           "\"positive\"]` |" in typed
    assert "| `text` | input | `text/transcript+json` | yes |" in typed
    assert "Default cancel: scope session, in flight: flush." in typed
    assert "Trust level restricted; isolation in_process_sandbox, network none, filesystem " \
           "read_only." in typed
    assert "Resource limits: 250 CPU millicores, 256 MiB of memory, 50 ms per message." in typed
    untyped = _section(text, "### `custom.sentiment` (`custom_sentiment_node@1.0.0`)")
    assert "| `window_turns` | any |  |  |  | `3` |" in untyped
    gateway = _section(text, "### `external.llm_gateway` (`external_llm_gateway@1.0.0`)")
    assert "Category: external_node; execution: external." in gateway
    assert "egress to `api.openai.com`, `llm-cache.voice.svc.cluster.local`" in gateway
    assert len(re.findall(r"^### `", text, re.M)) == 3 + len(BUILTIN)
    for link in re.findall(r"\]\((\.\./\.\./[^)]+)\)", text):
        assert (examples / "docs/pipelines" / link).resolve().is_file(), link


def test_the_built_in_sections_are_those_of_the_reference(examples: Path) -> None:
    text = _catalog(examples)
    reference = (REPO_ROOT / "docs/catalog.md").read_text(encoding="utf-8")
    assert text is not None
    for name in ("audio.resample", "llm.openai", "transport.livekit.input"):
        ours = _section(text, f"### `{name}`").removeprefix("#")
        assert ours == _section(reference, f"## `{name}`")


def test_a_repository_that_adds_no_node_type_has_no_catalog(examples: Path) -> None:
    assert repository_catalog(Index(), NO_PACKS) is None
    for manifest in (examples / "pipelines/extensions").glob("*.yaml"):
        manifest.unlink()
    _, repo = validate_repository(ValidateOptions(root=examples, cache=False))
    assert repository_catalog(repo.index, repo.packs) is None


def test_the_catalog_is_the_same_for_the_same_repository(examples: Path) -> None:
    assert _catalog(examples) == _catalog(examples)


def test_build_keeps_the_catalog_fresh(capsys: pytest.CaptureFixture[str],
                                       examples: Path) -> None:
    """An edited manifest makes the page stale and `rspp build` rewrites it; a manifest
    with errors blocks it; an edit by hand is stale too."""
    code, rows = status(capsys, examples)
    assert code == 0 and (("fresh", CATALOG_PAGE, "") in rows)
    edit(examples, MANIFEST, "      maximum: 20\n", "      maximum: 30\n")
    code, rows = status(capsys, examples)
    assert code == 1
    assert states(rows) == {CATALOG_PAGE: ("stale", "differs from what this rspp generates "
                                                    "(the extension manifests, the enabled "
                                                    "packs or the built-in catalog changed, "
                                                    "or it was edited by hand)")}
    run = rspp(capsys, "check", "--root", str(examples), "--today", "2026-11-30")
    assert run.code == 1 and f"DRV001 error: {CATALOG_PAGE} is stale" in run.out
    assert rspp(capsys, "build", "--root", str(examples)).out == f"built {CATALOG_PAGE}\n"
    assert "| `window_turns` | integer | turns | from 1 to 30 |" in read(examples, CATALOG_PAGE)
    edit(examples, MANIFEST, "      maximum: 30\n", "      maximum: many\n")
    code, rows = status(capsys, examples)
    assert states(rows)[CATALOG_PAGE] == ("blocked", f"an input has validation errors "
                                                     f"({MANIFEST})")
    edit(examples, MANIFEST, "      maximum: many\n", "      maximum: 30\n")
    write(examples, CATALOG_PAGE, read(examples, CATALOG_PAGE) + "edited\n")
    code, rows = status(capsys, examples)
    assert states(rows)[CATALOG_PAGE][0] == "stale"


@pytest.mark.parametrize(("old", "new"), [
    ("  labels:\n", "  labels: [unclosed\n"),  # no longer YAML
    ("metadata:\n", "metadata: &m\n"),  # an anchor: refused by the loader
    ("apiVersion: rspp.dev/v1beta1", "apiVersion: rspp.dev/v9"),  # an unknown version
])
def test_a_file_that_is_no_artifact_blocks_the_catalog(
        capsys: pytest.CaptureFixture[str], examples: Path, old: str, new: str) -> None:
    """A manifest the loader refuses is in no index: its types would silently drop out of
    the page, so nothing is built until it reads again."""
    before = read(examples, CATALOG_PAGE)
    edit(examples, MANIFEST, old, new, first=True)
    code, rows = status(capsys, examples)
    assert code == 1 and states(rows)[CATALOG_PAGE] == ("blocked", f"{MANIFEST} could not be read as an "
                                                     "artifact")
    run = rspp(capsys, "build", "--root", str(examples))
    assert run.code == 1 and read(examples, CATALOG_PAGE) == before


def test_manifest_values_cannot_write_markdown(examples: Path) -> None:
    """A description, a default and a file name are data: no HTML, no table cell, no
    broken link."""
    hostile = "pipelines/extensions/weird (x).yaml"
    text = read(examples, MANIFEST).replace("id: custom_sentiment_node", "id: weird_node")
    text = text.replace("custom.sentiment", "custom.weird").replace(
        "No\n    network access:", "No\n    <script>alert(1)</script> network access:").replace(
        "default: [negative, neutral, positive]", 'default: ["a|b", "`x`"]')
    write(examples, hostile, text)
    page = _catalog(examples)
    assert page is not None
    section = _section(page, "### `custom.weird` (`weird_node@2.0.0`)")
    assert "<script>" not in section and "\\<script\\>" in section
    assert "| `labels` | list of strings |  |  |  | ``[\"a\\|b\", \"`x`\"]`` |" in section
    assert "(../../pipelines/extensions/weird%20%28x%29.yaml)" in section


def test_versions_of_one_type_are_listed_by_semver_precedence(examples: Path) -> None:
    text = read(examples, MANIFEST).replace('version: "2.0.0"', 'version: "10.0.0"')
    write(examples, "pipelines/extensions/custom_sentiment_node_10.yaml", text)
    page = _catalog(examples)
    assert page is not None
    headings = [h for h in re.findall(r"^### .*$", page, re.M) if "custom.sentiment" in h]
    assert headings == ["### `custom.sentiment` (`custom_sentiment_node@1.0.0`)",
                        "### `custom.sentiment` (`custom_sentiment_node@2.0.0`)",
                        "### `custom.sentiment` (`custom_sentiment_node@10.0.0`)"]
