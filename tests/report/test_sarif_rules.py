"""SARIF rule descriptors: help for every rule, helpUri only as an absolute URL."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from rspp.gen.docs import rules_markdown
from rspp.report.formats import rules_url, sarif
from rspp.resolve.gate import validate
from rspp.rules.registry import by_code
from rspp.validate.engine import ValidateOptions
from tests.helpers.repos import copy_rule_base
from tests.helpers.sarif import sarif_validator


def _rules(tmp_path: Path, docs: str | None = None) -> list[dict[str, Any]]:
    repo = copy_rule_base(tmp_path / "repo")
    spec = repo / "pipelines/specs/agent.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("to: llm.turn}", "to: llm.tern}"),
                    encoding="utf-8")
    doc = json.loads(sarif(validate(ValidateOptions(root=repo, jobs=1)), docs=docs))
    sarif_validator().validate(doc)
    rules: list[dict[str, Any]] = doc["runs"][0]["tool"]["driver"]["rules"]
    assert rules
    return rules


def test_help_uri_points_at_the_rule_reference_entry(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "https://docs.example.test/rspp/0.1/rules.md")
    for rule in rules:
        assert rule["helpUri"] == f"https://docs.example.test/rspp/0.1/rules.md#{rule['id'].lower()}"


def test_without_a_published_reference_rules_carry_help_only(tmp_path: Path) -> None:
    configured = rules_url()
    for rule in _rules(tmp_path):
        code = rule["id"]
        assert rule.get("helpUri") == (f"{configured}#{code.lower()}" if configured else None)
        assert rule["help"]["text"].startswith(by_code()[code].summary)
        assert f"`rspp explain {code}`" in rule["help"]["markdown"]


def test_rule_reference_anchors_are_lowercase_codes() -> None:
    """docs/rules.md links each code to ``#code``, the anchor of its ``### CODE`` heading."""
    text = rules_markdown()
    for code in by_code():
        assert re.search(rf"^### {re.escape(code)}$", text, re.M), code
        assert f"[{code}](#{code.lower()})" in text
