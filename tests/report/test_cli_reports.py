"""Reports from the real command: hostile file names, console encodings, monorepos.

Every test runs ``python -m rspp validate`` in a subprocess on a repository built from
tests/rules/base, and reads the bytes it writes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.git import init
from tests.helpers.repos import artifact_count, copy_rule_base
from tests.helpers.sarif import sarif_validator

pytestmark = pytest.mark.slow  # subprocesses

FORMATS = ("text", "json", "github", "sarif")
BOGUS = b"apiVersion: rspp.dev/v1alpha1\nkind: Bogus\nmetadata: {id: x, version: '1.0.0'}\n"
ANNOTATION = re.compile(r"::(error|warning|notice) file=[^,:]*,line=\d+,col=\d+[^:]*::")


def _rspp(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, bytes]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL", "LC_CTYPE", "LANG")}
    done = subprocess.run([sys.executable, "-m", "rspp", "validate", *args], cwd=cwd,
                          env={**base, **(env or {})}, capture_output=True, timeout=120,
                          check=False)
    assert not done.stderr, done.stderr.decode("utf-8", "backslashreplace")
    return done.returncode, done.stdout


def _repo(tmp_path: Path, name: str = "repo") -> Path:
    return copy_rule_base(tmp_path / name)


def _paths(fmt: str, out: str) -> list[str]:
    """Every file path a machine-format report names."""
    if fmt == "github":
        return [m.group(1) for m in re.finditer(r"^::\w+ file=([^,]*),", out, re.M)]
    doc: Any = json.loads(out)
    if fmt == "json":
        return [p for f in doc["findings"]
                for p in (f["path"], *(r["path"] for r in f["related"]))]
    return [loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]
            for loc in (*r["locations"], *r.get("relatedLocations", ()))]


def _messages(fmt: str, out: str) -> list[str]:
    doc: Any = json.loads(out)
    if fmt == "json":
        return [f["message"] for f in doc["findings"]]
    return [r["message"]["text"] for r in doc["runs"][0]["results"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_cp1252_console_gets_every_finding(tmp_path: Path, fmt: str) -> None:
    """A key the console cannot encode once crashed the report (exit 2, findings lost);
    a character outside the BMP must not turn into a ``\\U`` escape JSON does not have."""
    repo = _repo(tmp_path)
    profile = repo / "pipelines/profiles/base.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "spec:\n", "spec:\n  未知😀: 1\n", 1), encoding="utf-8")
    code, raw = _rspp(repo, "--root", ".", "--format", fmt, env={"PYTHONIOENCODING": "cp1252"})
    assert code == 1
    out = raw.decode("cp1252")
    if fmt in ("json", "sarif"):
        raw.decode("ascii")
        assert any("'未知😀'" in m for m in _messages(fmt, out))
    else:
        assert "'\\u672a\\u77e5\\U0001f600'" in out  # what the console cannot show, escaped
        assert out.endswith(f"{artifact_count(repo)} files checked: 1 error, 0 warnings\n")


@pytest.mark.parametrize("fmt", FORMATS)
def test_file_name_that_is_not_utf8(tmp_path: Path, fmt: str) -> None:
    """Byte 0xE9 in a file name once crashed a strict UTF-8 console and broke JSON."""
    repo = _repo(tmp_path)
    with open(os.fsencode(repo) + b"/pipelines/specs/caf\xe9.yaml", "wb") as handle:
        handle.write(BOGUS)
    code, raw = _rspp(repo, "--root", ".", "--format", fmt, env={"LC_ALL": "C.UTF-8"})
    assert code == 1
    out = raw.decode("utf-8")  # strict: the report is valid UTF-8
    expected = {
        "text": "pipelines/specs/caf\\xe9.yaml:",
        "github": "file=pipelines/specs/caf\\xe9.yaml,",
        "json": "pipelines/specs/caf\\xe9.yaml",
        "sarif": "pipelines/specs/caf%E9.yaml",
    }[fmt]
    if fmt in ("text", "github"):
        assert expected in out
    else:
        assert expected in _paths(fmt, out)
    if fmt == "sarif":
        sarif_validator().validate(json.loads(out))


HOSTILE = [
    "x\n::error file=README.md::pwned.yaml",
    "y\r::warning file=README.md::pwned.yaml",
    "z\u2028::notice file=README.md::pwned.yaml",
    "evil\u202egnp.\x1b[31mred\t\u200b.yaml",
    "a b#c?d%e.yaml",
]


def _hostile_repo(tmp_path: Path) -> Path:
    repo = _repo(tmp_path)
    for name in HOSTILE:
        (repo / "pipelines" / "specs" / name).write_bytes(BOGUS)
    return repo


def test_text_report_of_hostile_names(tmp_path: Path) -> None:
    repo = _hostile_repo(tmp_path)
    target = repo / "::error file=README.md::top.yaml"
    target.write_bytes(BOGUS)
    code, raw = _rspp(repo, "--root", ".", ".", str(target))
    assert code == 1
    out = raw.decode("utf-8")
    for line in out.splitlines():
        assert not line.lstrip().startswith(("::", "##[")), line
        assert line.isprintable(), repr(line)
    assert "./::error file=README.md::top.yaml:2:7 ENV001" in out
    assert "pipelines/specs/x\\n::error file=README.md::pwned.yaml:2:7 ENV001" in out
    assert "pipelines/specs/evil\\u202egnp.\\x1b[31mred\\t\\u200b.yaml:2:7" in out
    assert "pipelines/specs/a b#c?d%e.yaml:2:7" in out


def test_github_report_of_hostile_names(tmp_path: Path) -> None:
    repo = _hostile_repo(tmp_path)
    code, raw = _rspp(repo, "--root", ".", "--format", "github")
    assert code == 1
    out = raw.decode("utf-8")
    lines = out.splitlines()
    commands = [ln for ln in lines if ln.lstrip().startswith(("::", "##["))]
    assert len(commands) == len(lines) - 1  # one per finding, then the summary
    assert all(ANNOTATION.match(ln) for ln in commands), commands
    assert all(ln.isprintable() for ln in lines)
    files = _paths("github", out)
    assert "pipelines/specs/x%0A%3A%3Aerror file=README.md%3A%3Apwned.yaml" in files
    assert "pipelines/specs/y%0D%3A%3Awarning file=README.md%3A%3Apwned.yaml" in files
    assert "pipelines/specs/evil\\u202egnp.\\x1b[31mred\\t\\u200b.yaml" in files
    assert "pipelines/specs/a b#c?d%25e.yaml" in files
    assert not any(f.startswith("README.md") for f in files)


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_reports_of_hostile_names(tmp_path: Path, fmt: str) -> None:
    """JSON is printable ASCII (escapes carry the rest); paths are exact; SARIF validates."""
    repo = _hostile_repo(tmp_path)
    code, raw = _rspp(repo, "--root", ".", "--format", fmt)
    assert code == 1
    assert all(b == 0x0A or 0x20 <= b <= 0x7E for b in raw)
    paths = _paths(fmt, raw.decode("ascii"))
    if fmt == "json":
        assert {f"pipelines/specs/{n}" for n in HOSTILE} <= set(paths)
    else:
        sarif_validator().validate(json.loads(raw))
        assert "pipelines/specs/a%20b%23c%3Fd%25e.yaml" in paths
        assert "pipelines/specs/evil%E2%80%AEgnp.%1B%5B31mred%09%E2%80%8B.yaml" in paths


def _monorepo(tmp_path: Path) -> Path:
    top = init(tmp_path / "mono")
    voice = copy_rule_base(top / "voice")
    spec = voice / "pipelines/specs/agent.yaml"
    text = spec.read_text(encoding="utf-8").replace(
        "{from: llm.text, to: tts.text}",
        "{from: llm.text, to: tts.text}\n    - {from: clean.text, to: tts.text}")
    spec.write_text(text, encoding="utf-8")  # TYP001, related to pipelines/modules/clean.yaml
    return top


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_monorepo_paths_are_relative_to_the_work_tree(tmp_path: Path, fmt: str) -> None:
    top = _monorepo(tmp_path)
    code, raw = _rspp(top, "--root", "voice", "--format", fmt)
    assert code == 1
    out = raw.decode("utf-8")
    paths = _paths(fmt, out)
    assert "voice/pipelines/specs/agent.yaml" in paths
    if fmt != "github":
        assert "voice/pipelines/modules/clean.yaml" in paths  # the related location
    assert all(p.startswith("voice/pipelines/") for p in paths), paths
    assert all((top / p).is_file() for p in paths)
    if fmt == "json":
        assert json.loads(out)["paths"] == {"base": "work-tree", "root": "voice"}
    if fmt == "sarif":
        sarif_validator().validate(json.loads(out))


def test_monorepo_text_paths_stay_relative_to_the_root(tmp_path: Path) -> None:
    top = _monorepo(tmp_path)
    code, raw = _rspp(top / "voice", "--format", "text")
    assert code == 1
    out = raw.decode("utf-8")
    assert "\npipelines/specs/agent.yaml:" in "\n" + out
    assert "= see pipelines/modules/clean.yaml:" in out
