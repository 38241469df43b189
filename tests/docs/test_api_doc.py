"""docs/api.md's example runs as written: a runtime validating the examples, resolving a
bundle, registering an adapter beside the manifests' and freezing a turn plan."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

from tests.helpers.repos import copy_examples

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_the_embedding_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1
    monkeypatch.chdir(copy_examples(tmp_path / "repo"))
    module = types.ModuleType("api_example")  # its dataclass looks its module up
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(blocks[0], str(DOC), "exec"), module.__dict__)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", capsys.readouterr().out)
