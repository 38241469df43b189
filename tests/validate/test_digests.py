"""Canonical digests remembered between runs (rspp.validate.digests): a second `rspp check`
hashes nothing it hashed before, and a changed file, a changed record or another rspp's
record never stands in for the file's own digest."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from rspp.commands.check import CheckOptions, check
from rspp.model import digest as digest_module
from rspp.report import REPORTERS
from rspp.validate import digests
from rspp.validate.cache import CACHE_DIR, FileCache
from tests.helpers.repos import copy_examples

TODAY = dt.date(2026, 11, 30)
# a locked spec, and a change to its content (not to a comment)
SPEC = "pipelines/specs/livekit_voice_assistant.yaml"


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    root = copy_examples(tmp_path / "repo")
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)
    return root


def _report(root: Path, *, cache: bool = True) -> str:
    return REPORTERS["json"](check(CheckOptions(root=root, today=TODAY, cache=cache)))


def _hashed(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every document the run hashes."""
    seen: list[object] = []
    real = digest_module.data_digest

    def spy(data: object) -> str:
        seen.append(data)
        return real(data)

    monkeypatch.setattr(digest_module, "data_digest", spy)
    return seen


def _record(root: Path) -> dict[str, str]:
    cache = FileCache.open(root)
    assert cache is not None
    body = cache.get_blob(digests.RECORD)
    assert body is not None
    record: dict[str, str] = json.loads(body)["digests"]
    return record


def test_a_second_check_hashes_nothing_and_reports_the_same(
        examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hashed = _hashed(monkeypatch)
    first = _report(examples)
    assert hashed, "the first run hashes the published versions"
    assert len(_record(examples)) >= len(hashed) // 2
    hashed.clear()
    assert _report(examples) == first
    assert hashed == []
    assert _report(examples, cache=False) == first


def test_a_changed_locked_file_gets_its_own_digest_imm003(examples: Path) -> None:
    _report(examples)  # records the digests of the locked contents
    path = examples / SPEC
    text = path.read_text(encoding="utf-8")
    assert "temperature: 0.8" in text
    path.write_text(text.replace("temperature: 0.8", "temperature: 0.6", 1), encoding="utf-8")
    with_cache = _report(examples)
    assert '"IMM003"' in with_cache
    assert with_cache == _report(examples, cache=False)


@pytest.mark.parametrize("damage", ["garbage", "wrong digest, signed", "other format"])
def test_a_bad_record_is_not_trusted(examples: Path, damage: str) -> None:
    expected = _report(examples, cache=False)
    _report(examples)
    cache = FileCache.open(examples)
    assert cache is not None
    record = _record(examples)
    if damage == "garbage":
        body = b"{not json"
    elif damage == "wrong digest, signed":
        body = json.dumps({"format": digests.FORMAT, "digests": dict.fromkeys(
            record, "sha256:" + "0" * 64)}).encode()
    else:
        body = json.dumps({"format": 99, "digests": record}).encode()
    if damage == "wrong digest, signed":
        # A record signed with this machine's key is what the cache answers (like every
        # entry: the key is the trust); a wrong digest is then IMM003 on every version,
        # which the gate shows. Here: the gate does not pass on it silently.
        cache.put_blob(digests.RECORD, body)
        assert '"IMM003"' in _report(examples)
        return
    for blob in (examples / CACHE_DIR).rglob(f"{digests.RECORD}.blob"):
        blob.write_bytes(b"0" * 64 + b"\n" + body)  # a MAC that does not verify
    assert _report(examples) == expected
