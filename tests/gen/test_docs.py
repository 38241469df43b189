"""Documentation tells the truth: generated files are fresh, READMEs cite real rule codes."""

from __future__ import annotations

import re

from rspp.core.constants import ARTIFACT_DIRS
from rspp.gen.docs import generated_files
from rspp.rules.registry import by_code
from tests.helpers import REPO_ROOT
from tests.helpers.repos import artifact_count

CODE = re.compile(r"\b[A-Z]{3,4}[0-9]{3}\b")


def test_generated_docs_are_fresh() -> None:
    for rel, text in generated_files().items():
        assert (REPO_ROOT / rel).read_text(encoding="utf-8") == text, f"{rel} is stale"


def test_every_artifact_folder_has_a_readme() -> None:
    folders = [REPO_ROOT / d for d in ARTIFACT_DIRS]
    folders += [p for p in (REPO_ROOT / "pipelines").iterdir() if p.is_dir()]
    missing = [str(f.relative_to(REPO_ROOT)) for f in folders if not (f / "README.md").is_file()]
    assert missing == []
    for sub in ("specs", "profiles", "modules", "policies", "bundles", "extensions", "replay",
                "examples", "tests"):
        assert (REPO_ROOT / "pipelines" / sub / "README.md").is_file()


def test_readmes_cite_only_registered_codes() -> None:
    readmes = [REPO_ROOT / "README.md"]
    for d in ARTIFACT_DIRS:
        readmes += sorted((REPO_ROOT / d).rglob("README.md"))
    unknown = {
        (str(p.relative_to(REPO_ROOT)), code)
        for p in readmes for code in CODE.findall(p.read_text(encoding="utf-8"))
        if code not in by_code()
    }
    assert unknown == set()


def test_rule_reference_documents_every_rule() -> None:
    text = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for code, rule in by_code().items():
        assert f"### {code}\n" in text
        assert rule.doc in text
        assert len(rule.summary) < 100 and "\n" not in rule.summary


def test_repository_examples_are_clean() -> None:
    """The living examples keep every rule quiet (errors and warnings alike)."""
    from rspp.resolve.gate import validate
    from rspp.validate.engine import ValidateOptions

    result = validate(ValidateOptions(root=REPO_ROOT, strict=True))
    assert [f"{f.location()} {f.code} {f.message}" for f in result.findings] == []
    assert len(result.files) == artifact_count(REPO_ROOT)
