"""`rspp lock`: every published version with its digest, append-only, written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rspp.core.constants import MUTABLE_KINDS
from rspp.load.api import load_file
from rspp.validate.discover import discover
from tests.helpers.cli import rspp
from tests.helpers.files import edit, read, write
from tests.helpers.repos import (
    LOCK,
    artifact_count,
    lock_entries,
    mark_checkout,
    new_version,
    version_line,
)

FAST = "pipelines/profiles/fast.yaml"
FAST_KEY = "ExecutionProfile/fast/v1@1.0.0"
FAST_NEXT = "ExecutionProfile/fast/v1@1.1.0"


def _published(capsys: pytest.CaptureFixture[str], root: Path) -> dict[str, str]:
    """Kind/id@version -> `rspp digest` of every artifact except the mutable kinds."""
    keys, paths = [], []
    for path in discover(root):
        doc = load_file(path, root).document
        assert doc is not None, path
        if doc.data["kind"] not in MUTABLE_KINDS:
            meta = doc.data["metadata"]
            assert isinstance(meta, dict)
            keys.append(f"{doc.data['kind']}/{meta['id']}@{meta['version']}")
            paths.append(str(path))
    run = rspp(capsys, "digest", *paths)
    assert run.code == 0, run.out
    return dict(zip(keys, (line.split()[0] for line in run.out.splitlines()), strict=True))


def _json_findings(out: str) -> list[dict[str, Any]]:
    """The findings of the JSON report at the start of ``out`` (see the xfail test below:
    `rspp lock` prints its 'added' lines after the report)."""
    report, _ = json.JSONDecoder().raw_decode(out)
    findings: list[dict[str, Any]] = report["findings"]
    return findings


@pytest.fixture
def built(capsys: pytest.CaptureFixture[str], base_repo: Path) -> Path:
    """The rule base after `rspp build` (its bundles' pins carry digests)."""
    assert rspp(capsys, "build", "--root", str(base_repo)).code == 0
    return base_repo


@pytest.fixture
def locked(capsys: pytest.CaptureFixture[str], built: Path) -> Path:
    """The rule base after `rspp build`, then a first `rspp lock`."""
    assert rspp(capsys, "lock", "--root", str(built)).code == 0
    return built


def test_lock_records_every_published_version(capsys: pytest.CaptureFixture[str],
                                              built: Path) -> None:
    rule_base = built
    assert not (rule_base / LOCK).exists()
    run = rspp(capsys, "lock", "--root", str(rule_base))
    assert run.code == 0, run.out
    expected = _published(capsys, rule_base)
    # Every artifact but the rollout manifest (the only mutable kind) is a published version.
    assert len(expected) == artifact_count(rule_base) - 1
    assert "RolloutManifest/canary@1.0.0" not in expected
    assert lock_entries(rule_base) == expected
    assert run.out == "".join(f"added {key}\n" for key in sorted(expected))
    # Canonical JSON, keys sorted, one entry a line.
    text = read(rule_base, LOCK)
    assert json.loads(text) == {"lockVersion": 1, "artifacts": expected}
    assert text == json.dumps({"artifacts": dict(sorted(expected.items())), "lockVersion": 1},
                              indent=2, ensure_ascii=False) + "\n"


def test_the_example_lock_is_complete_and_matches(capsys: pytest.CaptureFixture[str],
                                                  examples: Path) -> None:
    before = read(examples, LOCK)
    run = rspp(capsys, "lock", "--check", "--root", str(examples))
    assert (run.code, run.out) == (0, "")
    assert lock_entries(examples) == _published(capsys, examples)
    assert read(examples, LOCK) == before


def test_second_run_adds_nothing_and_does_not_touch_the_file(
        capsys: pytest.CaptureFixture[str], locked: Path) -> None:
    before = (locked / LOCK).stat().st_mtime_ns, read(locked, LOCK)
    run = rspp(capsys, "lock", "--root", str(locked))
    assert (run.code, run.out, run.err) == (0, "", "")
    assert ((locked / LOCK).stat().st_mtime_ns, read(locked, LOCK)) == before


def test_a_new_version_is_added_and_old_entries_kept(capsys: pytest.CaptureFixture[str],
                                                     locked: Path) -> None:
    old = lock_entries(locked)
    new_version(locked, FAST, "pipelines/profiles/fast_1_1.yaml", "1.1.0")
    run = rspp(capsys, "lock", "--root", str(locked))
    assert (run.code, run.out) == (0, f"added {FAST_NEXT}\n")
    now = lock_entries(locked)
    assert {k: v for k, v in now.items() if k != FAST_NEXT} == old
    digest = rspp(capsys, "digest", str(locked / "pipelines/profiles/fast_1_1.yaml"))
    assert now[FAST_NEXT] == digest.out.split()[0]
    assert now[FAST_NEXT] != old[FAST_KEY]


def test_entries_of_deleted_artifacts_stay_in_the_lock(capsys: pytest.CaptureFixture[str],
                                                       locked: Path) -> None:
    before = read(locked, LOCK)
    (locked / FAST).unlink()
    run = rspp(capsys, "lock", "--root", str(locked))
    assert (run.code, run.out) == (0, "")
    assert read(locked, LOCK) == before and FAST_KEY in lock_entries(locked)


def test_changed_content_under_a_locked_version_is_refused(
        capsys: pytest.CaptureFixture[str], locked: Path) -> None:
    before = (locked / LOCK).read_bytes()
    old_digest = lock_entries(locked)[FAST_KEY]
    edit(locked, FAST, "turnLatencyMs: 600", "turnLatencyMs: 650")
    new_version(locked, FAST, "pipelines/profiles/fast_1_1.yaml", "1.1.0")  # would be added
    run = rspp(capsys, "lock", "--root", str(locked), "--format", "json")
    assert run.code == 1
    findings = _json_findings(run.out)
    assert [f["code"] for f in findings] == ["IMM003"]
    imm = findings[0]
    assert (imm["path"], imm["line"], imm["column"]) == (FAST, version_line(locked, FAST), 12)
    assert old_digest in imm["message"] and FAST_KEY in imm["message"]
    entry_line = 1 + read(locked, LOCK).split("\n").index(
        next(line for line in read(locked, LOCK).split("\n") if FAST_KEY in line))
    assert [(r["path"], r["line"]) for r in imm["related"]] == [(LOCK, entry_line)]
    assert (locked / LOCK).read_bytes() == before


def test_check_writes_nothing_and_fails_when_entries_would_be_added(
        capsys: pytest.CaptureFixture[str], locked: Path) -> None:
    before = (locked / LOCK).read_bytes()
    new_version(locked, FAST, "pipelines/profiles/fast_1_1.yaml", "1.1.0")
    run = rspp(capsys, "lock", "--check", "--root", str(locked))
    assert (run.code, run.out) == (1, f"would add {FAST_NEXT}\n")
    assert (locked / LOCK).read_bytes() == before


def test_check_without_a_lock_file_creates_none(capsys: pytest.CaptureFixture[str],
                                                built: Path) -> None:
    rule_base = built
    run = rspp(capsys, "lock", "--check", "--root", str(rule_base))
    assert run.code == 1 and run.out.count("would add ") == 10
    assert not (rule_base / LOCK).exists()


_DIGEST = "sha256:" + "ab" * 32
_BAD_LOCKS = {
    "bad digest": ('{\n  "lockVersion": 1,\n  "artifacts": {\n'
                   '    "Module/clean@1.0.0": "sha1:abc"\n  }\n}\n', (4, 27), "sha256:<64 hex>"),
    "bad key": ('{\n  "lockVersion": 1,\n  "artifacts": {\n'
                f'    "clean-1.0.0": "{_DIGEST}"\n  }}\n}}\n', (4, 20), "not Kind/id@version"),
    "version": ('{\n  "artifacts": {},\n  "lockVersion": 2\n}\n', (3, 18), "lockVersion must be 1"),
    "artifacts": ('{"lockVersion": 1,\n "artifacts": []}\n', (2, 15), "artifacts must map"),
    "unknown field": ('{"lockVersion": 1, "artifacts": {},\n "signed": true}\n', (1, 1),
                      "unknown fields: signed"),
    "upper-case hex": ('{"lockVersion": 1, "artifacts": {\n"Module/clean@1.0.0": '
                       f'"{_DIGEST.upper().replace("SHA256", "sha256")}"}}}}\n', (2, 23),
                       "sha256:<64 hex>"),
}


@pytest.mark.parametrize("case", sorted(_BAD_LOCKS))
def test_an_invalid_lock_is_lck002_at_its_line_and_column(
        capsys: pytest.CaptureFixture[str], base_repo: Path, case: str) -> None:
    text, (line, col), message = _BAD_LOCKS[case]
    write(base_repo, LOCK, text)
    run = rspp(capsys, "lock", "--root", str(base_repo), "--format", "json")
    assert run.code == 1
    findings = _json_findings(run.out)
    assert [(f["code"], f["path"], f["line"], f["column"]) for f in findings] == [
        ("LCK002", LOCK, line, col)]
    assert message in findings[0]["message"]
    assert read(base_repo, LOCK) == text
    text_run = rspp(capsys, "lock", "--root", str(base_repo))
    assert text_run.out.startswith(f"{LOCK}:{line}:{col} LCK002 error: ")


def test_a_lock_that_is_not_json_is_a_load_error(capsys: pytest.CaptureFixture[str],
                                                 base_repo: Path) -> None:
    write(base_repo, LOCK, '{"lockVersion": 1,\n "artifacts": {\n')
    run = rspp(capsys, "lock", "--root", str(base_repo))
    assert run.code == 1
    assert run.out.startswith(f"{LOCK}:3:1 LOAD001 error: JSON syntax error")


def test_lock_refuses_to_write_when_validation_fails(capsys: pytest.CaptureFixture[str],
                                                     locked: Path) -> None:
    before = (locked / LOCK).read_bytes()
    new_version(locked, FAST, "pipelines/profiles/fast_1_1.yaml", "1.1.0")
    new_version(locked, "pipelines/specs/agent.yaml", "pipelines/specs/agent_2.yaml", "2.0.0")
    edit(locked, "pipelines/specs/agent_2.yaml", "to: llm.turn}", "to: llm.tern}")
    run = rspp(capsys, "lock", "--root", str(locked), "--format", "json")
    assert run.code == 1
    found = {(f["code"], f["path"]) for f in _json_findings(run.out)}
    assert ("DAG003", "pipelines/specs/agent_2.yaml") in found
    assert (locked / LOCK).read_bytes() == before
    # Fixed, the same command writes both new versions.
    edit(locked, "pipelines/specs/agent_2.yaml", "to: llm.tern}", "to: llm.turn}")
    run = rspp(capsys, "lock", "--root", str(locked))
    assert (run.code, run.out) == (0, f"added {FAST_NEXT}\nadded PipelineSpec/agent@2.0.0\n")


def test_nothing_is_reported_as_added_when_the_lock_is_not_written(
        capsys: pytest.CaptureFixture[str], locked: Path) -> None:
    before = (locked / LOCK).read_bytes()
    new_version(locked, FAST, "pipelines/profiles/fast_1_1.yaml", "1.1.0")
    edit(locked, FAST, "turnLatencyMs: 600", "turnLatencyMs: 650")
    run = rspp(capsys, "lock", "--root", str(locked))
    assert run.code == 1
    assert (locked / LOCK).read_bytes() == before
    assert f"added {FAST_NEXT}" not in run.out



def test_lock_json_output_is_one_json_document(capsys: pytest.CaptureFixture[str],
                                               locked: Path) -> None:
    new_version(locked, FAST, "pipelines/profiles/fast_1_1.yaml", "1.1.0")
    run = rspp(capsys, "lock", "--root", str(locked), "--format", "json")
    assert run.code == 0
    assert FAST_NEXT in lock_entries(locked)
    assert json.loads(run.out)["summary"]["failed"] is False


def _padded(entries: dict[str, str], count: int) -> dict[str, str]:
    """``entries`` and ``count`` more of synthetic modules, as a lock of a large repository
    holds (about 100 bytes each)."""
    extra = {f"Module/scale/m{i:05d}@1.0.0": "sha256:" + f"{i:064x}" for i in range(count)}
    return {**entries, **extra}


def test_a_lock_larger_than_an_artifact_file_is_read_whole(tmp_path: Path) -> None:
    """The lock grows with the repository: at ~12,000 entries it is past the 1 MiB bound of
    an artifact file, and every entry is still read (not FILE004)."""
    from rspp.lifecycle.lock import LOCK_MAX_BYTES, parse_lock, read_lock, render_lock

    entries = _padded({}, 12_000)
    text = render_lock(entries)
    assert 1 << 20 < len(text.encode()) < LOCK_MAX_BYTES
    write(mark_checkout(tmp_path), LOCK, text)
    for lock, problems in (parse_lock(text.encode()), read_lock(tmp_path)):
        assert problems == []
        assert lock is not None and lock.entries == entries


def test_a_lock_over_its_bound_is_file004_not_a_smaller_lock(tmp_path: Path) -> None:
    from rspp.lifecycle.lock import LOCK_MAX_BYTES, read_lock

    write(mark_checkout(tmp_path), LOCK, '{"lockVersion": 1, "artifacts": {}}'
          + " " * LOCK_MAX_BYTES)
    lock, problems = read_lock(tmp_path)
    assert lock is None
    assert [(p.code, p.path) for p in problems] == [("FILE004", LOCK)]
