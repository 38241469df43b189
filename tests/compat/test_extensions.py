"""Extension node types on the examples: what specs rely on, stand-ins included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import TODAY, rspp
from tests.helpers.files import edit
from tests.helpers.repos import new_version

pytestmark = pytest.mark.slow  # compares every version of the examples

GATEWAY = "pipelines/extensions/external_llm_gateway.yaml"
NEW = "pipelines/extensions/external_llm_gateway_1_1.yaml"


def _findings(capsys: pytest.CaptureFixture[str], root: Path) -> list[dict[str, Any]]:
    run = rspp(capsys, "compat", "--root", str(root), "--today", TODAY, "--format", "json")
    return [f for f in json.loads(run.out)["findings"] if f["path"] == NEW]


def test_a_stand_in_relies_on_its_primarys_ports(capsys: pytest.CaptureFixture[str],
                                                 examples: Path) -> None:
    """The sip spec's llm_gateway is a fallback for llm: it has no edges of its own, yet
    narrowing its transcript input breaks it (FBK002 once a spec upgrades)."""
    new_version(examples, GATEWAY, NEW, "1.1.0")
    edit(examples, NEW, "        type: text/transcript+json\n",
         "        type: text/transcript+json;lang=en\n")
    found = _findings(capsys, examples)
    [narrowed] = [f for f in found if f["code"] == "CHG003"]
    assert "input port transcript narrowed text/transcript+json -> " \
           "text/transcript+json;lang=en (breaking" in narrowed["message"]
    assert "VER001" in {f["code"] for f in found}


def test_a_required_input_added_to_a_used_type(capsys: pytest.CaptureFixture[str],
                                               examples: Path) -> None:
    new_version(examples, GATEWAY, NEW, "1.1.0")
    edit(examples, NEW, "    outputs:\n", "      context:\n        type: text/plain\n"
                                         "    outputs:\n")
    found = _findings(capsys, examples)
    assert any(f["code"] == "CHG003" and "input port context added as required" in f["message"]
               for f in found)
    assert "VER001" in {f["code"] for f in found}
