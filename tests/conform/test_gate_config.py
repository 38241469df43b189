"""``[gates] allow-commands`` of the consumer configuration: read from rspp.toml or
[tool.rspp] of pyproject.toml, nothing allowed without it, every mistake a located finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from rspp.load.config import load_config


def _config(tmp_path: Path, name: str, text: str) -> tuple[tuple[str, ...] | None, list[str]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    loaded = load_config(tmp_path)
    found = [f"{f.location()} {f.code} {f.message}" for f in loaded.findings]
    return (loaded.config.allow_commands if loaded.config else None), found


def test_nothing_is_allowed_by_default(tmp_path: Path) -> None:
    assert _config(tmp_path, "rspp.toml", '[severity]\nDAG005 = "error"\n') == ((), [])


def test_allow_commands_in_rspp_toml(tmp_path: Path) -> None:
    assert _config(tmp_path, "rspp.toml", '[gates]\nallow-commands = ["pytest", "cargo"]\n') \
        == (("cargo", "pytest"), [])


def test_allow_commands_in_pyproject(tmp_path: Path) -> None:
    text = '[project]\nname = "x"\n\n[tool.rspp.gates]\nallow-commands = ["make"]\n'
    assert _config(tmp_path, "pyproject.toml", text) == (("make",), [])


@pytest.mark.parametrize(("text", "expected"), [
    ('[gates]\nallow-commands = ["./run.sh"]\n',
     "rspp.toml:2:19 CFG003 './run.sh' in gates.allow-commands is not a bare executable name "
     "(no path: it is looked up on PATH)"),
    ('[gates]\nallow-commands = "pytest"\n',
     "rspp.toml:2:1 CFG003 gates.allow-commands must be a list of executable names, not a "
     "string"),
    ('[gates]\nallow-command = ["pytest"]\n',
     "rspp.toml:2:1 CFG002 unknown key gates.allow-command; did you mean 'allow-commands'?"),
    ('gates = ["pytest"]\n', "rspp.toml:1:1 CFG003 gates must be a table, not a list"),
])
def test_mistakes_are_located_and_refuse_the_config(tmp_path: Path, text: str,
                                                    expected: str) -> None:
    allowed, found = _config(tmp_path, "rspp.toml", text)
    assert allowed is None
    assert found == [expected]
