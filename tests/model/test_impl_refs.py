"""``impl`` names a package (purl) or an OCI image pinned by digest; paths and URLs a runtime
would open or fetch as given are refused at the schema stage (SCH001)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rspp.model import ids
from rspp.resolve.gate import validate
from rspp.validate.engine import ValidateOptions

SCORER = "pipelines/extensions/scorer.yaml"
BUNDLE = "pipelines/bundles/agent.json"
IMPL_LINE = "    impl: pkg:pypi/acme-scorer@1.0.0\n"

REFUSED = [
    "../../usr/bin/python3",
    "/usr/bin/python3",
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "https://example.com/scorer.whl",
    "pkg:pypi/acme-scorer",  # no version
    "pkg:pypi/../../etc/passwd@1.0.0",
    "pkg:pypi/%2E%2E/acme@1.0.0",
    "pkg:pypi/acme@1.0.0#../../x",
    "pkg:pypi/acme@1.0.0?download_url=http://169.254.169.254/x",
    "pkg:pypi/acme@1.0.0?repository_url=../../etc",
    "pkg://pypi/acme@1.0.0",
    "registry.example/acme/scorer:1.0.0",  # a tag alone is not a pin
    "acme/scorer@sha256:" + "a" * 64,  # no registry
    "registry.example/acme/scorer@sha256:abc",
]
ACCEPTED = [
    "pkg:pypi/acme-scorer@1.0.0",
    "pkg:npm/%40acme/scorer@1.0.0",
    "pkg:maven/org.acme/scorer@1.0.0?type=jar",
    "pkg:oci/scorer@sha256%3A" + "a" * 64 + "?repository_url=registry.example/acme",
    "pkg:golang/github.com/acme/scorer@v1.0.0#cmd/scorer",
    "registry.example/acme/scorer@sha256:" + "a" * 64,
    "registry.example:5000/acme/scorer:1.0.0@sha256:" + "b" * 64,
    "localhost:5000/scorer@sha256:" + "c" * 64,
]


def _set_impl(repo: Path, value: str) -> None:
    path = repo / SCORER
    text = path.read_text(encoding="utf-8")
    assert IMPL_LINE in text
    path.write_text(text.replace(IMPL_LINE, f"    impl: '{value}'\n"), encoding="utf-8")


@pytest.mark.parametrize("value", REFUSED)
def test_unsafe_impl_is_refused_where_it_is_written(base_repo: Path, value: str) -> None:
    _set_impl(base_repo, value)
    result = validate(ValidateOptions(root=base_repo, targets=(base_repo / SCORER,)))
    found = [(f.location(), f.code) for f in result.findings]
    assert found == [(f"{SCORER}:18:11", "SCH001")]
    assert "is not a package URL pkg:type/namespace/name@version (purl) or an OCI image " \
        "reference pinned by digest" in result.findings[0].message


@pytest.mark.parametrize("value", ACCEPTED)
def test_package_urls_and_pinned_images_are_accepted(base_repo: Path, value: str) -> None:
    _set_impl(base_repo, value)
    result = validate(ValidateOptions(root=base_repo, targets=(base_repo / SCORER,)))
    assert [f.code for f in result.findings if f.path == SCORER] == []


def test_a_bundle_node_package_impl_is_checked_too(base_repo: Path) -> None:
    path = base_repo / BUNDLE
    text = path.read_text(encoding="utf-8")
    first = re.search(r'"impl": "[^"]*"', text)
    assert first is not None
    path.write_text(text.replace(first.group(), '"impl": "file:///etc/passwd"', 1),
                    encoding="utf-8")
    result = validate(ValidateOptions(root=base_repo, targets=(path,)))
    assert [f.code for f in result.findings if f.path == BUNDLE] == ["SCH001"]
    assert "/nodePackages/" in result.findings[0].message


def test_the_pattern_is_anchored_for_both_forms() -> None:
    pattern = re.compile(ids.IMPL_PATTERN)
    assert pattern.fullmatch("pkg:pypi/a@1") and not pattern.fullmatch("xpkg:pypi/a@1")
    assert not pattern.fullmatch("registry.example/a@sha256:" + "a" * 64 + "/../x")
