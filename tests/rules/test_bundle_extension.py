"""BND004 on an extension's version: a bundle whose node package names another version of the
extension than the spec's nodes do is refused (a new-user review found this passing as a
cosmetic change, while the new manifest version widened the gateway's egress)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import rspp
from tests.helpers.files import edit
from tests.helpers.repos import new_version

EXTENSION = "pipelines/extensions/external_llm_gateway.yaml"
BUNDLE = "pipelines/bundles/sip_telephony_bundle.yaml"


def _validate(capsys: pytest.CaptureFixture[str], root: Path) -> list[tuple[str, str]]:
    run = rspp(capsys, "validate", "--root", str(root), "--format", "json")
    return [(f["code"], f"{f['path']}:{f['line']}") for f in json.loads(run.out)["findings"]
            if f["severity"] == "error"]


def test_a_package_pinned_to_another_extension_version_fires(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    new_version(examples, EXTENSION, EXTENSION.replace(".yaml", "_1_1.yaml"), "1.1.0")
    edit(examples, BUNDLE, "extension: external_llm_gateway@1.0.0",
         "extension: external_llm_gateway@1.1.0")
    line = next(n for n, text in enumerate(
        (examples / BUNDLE).read_text(encoding="utf-8").splitlines(), 1)
        if "external_llm_gateway@1.1.0" in text)
    found = _validate(capsys, examples)
    assert ("BND004", f"{BUNDLE}:{line}") in found
    run = rspp(capsys, "validate", "--root", str(examples))
    assert "differs from the one sip_telephony_assistant@1.0.0's external.llm_gateway " \
           "nodes name (external_llm_gateway@1.0.0)" in run.out


def test_the_same_version_on_both_sides_is_quiet(capsys: pytest.CaptureFixture[str],
                                                 examples: Path) -> None:
    new_version(examples, EXTENSION, EXTENSION.replace(".yaml", "_1_1.yaml"), "1.1.0")
    assert [c for c, _ in _validate(capsys, examples)] == []
