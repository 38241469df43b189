"""The per-file cache of validation (ADR 0013): never a different answer than no cache.

A run with the cache reports byte for byte what a run without it reports: after any sequence
of edits, renames, deletions and reference changes, in one process and in worker processes;
with entries corrupted, from another rspp, replaced by links, committed to git, or written by
two runs at once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from rspp.core.findings import Finding
from rspp.report import REPORTERS
from rspp.resolve.gate import validate
from rspp.rules.base import Rule
from rspp.rules.registry import active_rules
from rspp.validate import cache as cache_module
from rspp.validate import engine
from rspp.validate.cache import CACHE_DIR, FileCache, fingerprint
from rspp.validate.engine import ValidateOptions
from tests.helpers import REPO_ROOT
from tests.helpers.git import commit, git, init
from tests.helpers.mutations import STEPS, apply_step, generated
from tests.helpers.repos import copy_examples

ENTRIES = f"{CACHE_DIR}/files"
# The example spec's reply-text edge moved to the control lane: LANE002.
EDGE = "      to: tts.text\n      lane: data\n"
BROKEN_EDGE = "      to: tts.text\n      lane: control\n"


def _report(root: Path, *, cache: bool, jobs: int = 1) -> str:
    """The JSON report, then the text one (with the source lines of each finding)."""
    result = validate(ValidateOptions(root=root, cache=cache, jobs=jobs))
    return REPORTERS["json"](result) + REPORTERS["text"](result)


def _entries(root: Path) -> list[Path]:
    return sorted((root / ENTRIES).rglob("*.json"))


def _agree(root: Path, jobs: int = 1) -> str:
    """The report with the cache (run twice: filling, then reading) equals the one without."""
    expected = _report(root, cache=False, jobs=jobs)
    assert _report(root, cache=True, jobs=jobs) == expected
    assert _report(root, cache=True, jobs=jobs) == expected
    return expected


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    root = copy_examples(tmp_path / "repo")
    shutil.rmtree(root / CACHE_DIR, ignore_errors=True)  # a developer's own, copied along
    return root


def test_a_warm_run_reads_every_file_from_the_cache(examples: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _agree(examples)
    files = json.JSONDecoder().raw_decode(expected)[0]["summary"]["files"]
    assert files > 10 and len(_entries(examples)) == files
    parsed: list[str] = []
    real = engine.load_bytes  # type: ignore[attr-defined]

    def counting(raw: bytes, rel: str, **kwargs: object) -> object:
        parsed.append(rel)
        return real(raw, rel, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "load_bytes", counting)
    assert _report(examples, cache=True) == expected
    assert parsed == []  # nothing parsed again
    assert _report(examples, cache=False) == expected
    assert len(parsed) == files
    assert (examples / CACHE_DIR / ".gitignore").read_text().endswith("*\n")


def test_a_changed_file_is_loaded_again(examples: Path) -> None:
    _agree(examples)
    spec = examples / "pipelines/specs/livekit_voice_assistant.yaml"
    text = spec.read_text(encoding="utf-8")
    assert EDGE in text
    spec.write_text(text.replace(EDGE, BROKEN_EDGE), encoding="utf-8")
    broken = _agree(examples)
    assert "LANE002" in broken
    spec.write_text(text, encoding="utf-8")
    assert "LANE002" not in _agree(examples)


# --- random sequences of changes ------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory, seed=11)


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_sequence_of_changes_gives_the_findings_of_no_cache(
        pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int,
        steps: list[tuple[str, int]]) -> None:
    if jobs > 1:  # load in worker processes even for this small repository
        monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 1)
    root = tmp_path / f"run-{os.getpid()}-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(pristine, root)
    _agree(root, jobs)
    for op, pick in steps:
        apply_step(root, pristine, op, pick)
        _agree(root, jobs)


# --- a cache that cannot be trusted ---------------------------------------------------------


def _broken(examples: Path) -> str:
    """Break one spec; the report without cache (it has LANE002)."""
    spec = examples / "pipelines/specs/livekit_voice_assistant.yaml"
    text = spec.read_text(encoding="utf-8")
    assert EDGE in text
    spec.write_text(text.replace(EDGE, BROKEN_EDGE), encoding="utf-8")
    expected = _report(examples, cache=False)
    assert "LANE002" in expected
    return expected


def _drop_records(root: Path) -> None:
    """Remove the records of headers and of the last whole run: the next run reads entries."""
    for record in (root / ENTRIES).rglob("*.blob"):
        record.unlink()


def _body(entry: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(entry.read_bytes().partition(b"\n")[2])
    return data


def _sign(root: Path, entry: Path, data: object) -> None:
    """Write ``data`` into ``entry`` with a MAC that verifies on this machine now."""
    cache = FileCache.open(root)
    assert cache is not None
    body = json.dumps(data).encode()
    entry.write_bytes(cache._mac(body) + b"\n" + body)


def _forge(root: Path, entry: Path) -> None:
    """Make ``entry`` say what the file would hold without the break of :func:`_broken` (the
    reply-text edge back on the data lane), validly signed here."""
    data = _body(entry)
    text = json.dumps(data)
    _sign(root, entry, json.loads(text.replace(
        '"to": "tts.text", "lane": "control"', '"to": "tts.text", "lane": "data"')))


def test_a_forged_entry_signed_here_is_what_the_cache_answers(examples: Path) -> None:
    """The control for the tests below: a forged entry with a MAC that verifies is read (so
    the cache is really consulted, and refusals below come from the checks they name)."""
    expected = _broken(examples)
    _report(examples, cache=True)
    for entry in _entries(examples):
        _forge(examples, entry)
    _drop_records(examples)  # else the last whole run's findings answer, without the entries
    assert "LANE002" not in _report(examples, cache=True)
    assert _report(examples, cache=False) == expected


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "not-an-object",
                                    "other-path", "wrong-types", "unsigned", "huge"])
def test_a_corrupted_entry_is_ignored_and_rewritten(examples: Path, damage: str) -> None:
    expected = _broken(examples)
    assert _report(examples, cache=True) == expected
    for entry in _entries(examples):
        text = entry.read_bytes()
        data = _body(entry)
        if damage == "truncated":
            entry.write_bytes(text[: len(text) // 2])
        elif damage == "garbage":
            entry.write_bytes(b"\x00\xff" * 40)
        elif damage == "empty":
            entry.write_bytes(b"")
        elif damage == "not-an-object":  # signed: only the shape check refuses it
            _sign(examples, entry, [1, 2])
        elif damage == "other-path":
            data["path"] = "pipelines/specs/other.yaml"
            _sign(examples, entry, data)
        elif damage == "wrong-types":
            data["findings"] = [["LANE002", data["path"], "1", 1, "m", "", None, None, [], ""]]
            _sign(examples, entry, data)
        elif damage == "unsigned":
            data["findings"] = []
            entry.write_bytes(text.partition(b"\n")[0] + b"\n" + json.dumps(data).encode())
        else:
            entry.write_bytes(b" " * (cache_module.MAX_ENTRY_BYTES + 10) + text)
    _drop_records(examples)  # so that the entries are read
    assert _report(examples, cache=True) == expected
    for entry in _entries(examples):  # rewritten whole
        assert _body(entry)["format"] == cache_module.FORMAT


def test_a_cache_of_another_rspp_is_not_read(examples: Path) -> None:
    expected = _broken(examples)
    _report(examples, cache=True)
    for entry in _entries(examples):
        _forge(examples, entry)
    mine = fingerprint()
    assert mine is not None
    ours = examples / ENTRIES / mine
    ours.rename(ours.with_name("0" * 16))  # as another version of rspp left it
    assert _report(examples, cache=True) == expected
    assert (examples / ENTRIES / ("0" * 16)).is_dir()  # left alone; `rspp cache clear` empties it


def _checkout(tmp_path: Path) -> Path:
    """A copy of rspp laid out as a source checkout: ``tools/rspp`` whose ``schemas`` is a
    link to the top-level ``schemas``; returns ``tools``."""
    package = Path(cache_module.__file__).parent.parent
    tools = tmp_path / "checkout" / "tools"
    shutil.copytree(package, tools / "rspp", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "schemas", tmp_path / "checkout" / "schemas")
    assert (tools / "rspp" / "schemas").is_symlink()
    return tools


def _fingerprint_of(tools: Path) -> str:
    probe = ("import sys; sys.path.insert(0, sys.argv[1]);"
             "from rspp.validate.cache import fingerprint; print(fingerprint())")
    return subprocess.run([sys.executable, "-c", probe, str(tools)], capture_output=True,
                          text=True, check=True).stdout.strip()


@pytest.mark.slow
@pytest.mark.parametrize("edit", ["source", "source, mtime restored", "schema behind the link"])
def test_the_fingerprint_follows_the_installed_package(tmp_path: Path, edit: str) -> None:
    """An edited checkout of rspp is another rspp: its fingerprint changes, also when only a
    schema behind the ``schemas`` link changes, and when the edit restores the mtime."""
    tools = _checkout(tmp_path)
    before = _fingerprint_of(tools)
    assert len(before) == 16 and _fingerprint_of(tools) == before
    target = (tools / "rspp/validate/schema.py" if edit.startswith("source")
              else tools.parent / "schemas/PipelineSpec.schema.json")
    info = target.stat()
    target.write_text(target.read_text().replace("e", "E", 1))  # the same size
    if "restored" in edit:
        os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
        assert (target.stat().st_size, target.stat().st_mtime_ns) == (info.st_size,
                                                                      info.st_mtime_ns)
    assert _fingerprint_of(tools) != before


@pytest.mark.slow
def test_files_vanishing_or_dangling_in_the_package_do_not_break_a_run(tmp_path: Path) -> None:
    """An editor's lock file (a dangling link) or a bytecode temporary file in the package."""
    tools = _checkout(tmp_path)
    (tools / "rspp/validate/.#engine.py").symlink_to("user@host.1234:1700000000")
    (tools / "rspp/validate/__pycache__").mkdir(exist_ok=True)
    (tools / "rspp/validate/__pycache__/engine.cpython-311.pyc.1234").write_bytes(b"")
    assert len(_fingerprint_of(tools)) == 16


@pytest.mark.slow
def test_a_schema_change_without_a_code_change_is_not_answered_from_the_cache(
        examples: Path, tmp_path: Path) -> None:
    """The schemas are regenerated (a required field added) while no source file changes:
    the cached outcome of the old schemas is not used."""
    tools = _checkout(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tools)}
    cmd = [sys.executable, "-m", "rspp", "validate", "--format", "json", "--root",
           str(examples)]

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cmd, *extra], capture_output=True, text=True, env=env,
                              check=False)

    assert run().returncode == 0 and run().returncode == 0  # warm
    schema = tools.parent / "schemas/PipelineSpec.schema.json"
    data = json.loads(schema.read_text())
    data["required"] = [*data["required"], "ownerTeam"]
    schema.write_text(json.dumps(data, indent=2) + "\n")
    cached, fresh = run(), run("--no-cache")
    assert (cached.returncode, cached.stdout) == (fresh.returncode, fresh.stdout)
    assert fresh.returncode == 1 and "ownerTeam" in fresh.stdout


def test_rspp_no_cache_in_the_environment_turns_it_off(examples: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RSPP_NO_CACHE", "1")
    assert FileCache.open(examples) is None
    _report(examples, cache=True)
    assert not (examples / CACHE_DIR).exists()
    monkeypatch.setenv("RSPP_NO_CACHE", "0")
    assert FileCache.open(examples) is not None


def test_the_key_is_readable_by_its_owner_only(examples: Path) -> None:
    assert FileCache.open(examples) is not None
    assert (examples / CACHE_DIR / "key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("where", ["cache-folder", "entries-folder", "entry"])
def test_links_in_the_cache_are_never_followed(examples: Path, tmp_path: Path,
                                               where: str) -> None:
    expected = _broken(examples)
    _report(examples, cache=True)
    outside = tmp_path / "outside"
    if where == "entry":
        outside.mkdir()
        for one in _entries(examples):
            _forge(examples, one)
            shutil.move(str(one), str(outside / one.name))
            one.symlink_to(outside / one.name)
    else:
        for entry in _entries(examples):
            _forge(examples, entry)
        folder = examples / (CACHE_DIR if where == "cache-folder" else ENTRIES)
        shutil.move(str(folder), str(outside))
        folder.symlink_to(outside, target_is_directory=True)
    before = sorted((p.as_posix(), p.read_bytes()) for p in outside.rglob("*") if p.is_file())
    assert _report(examples, cache=True) == expected
    after = sorted((p.as_posix(), p.read_bytes()) for p in outside.rglob("*") if p.is_file())
    assert after == before  # nothing read as trusted, nothing written outside


@pytest.mark.slow
@pytest.mark.parametrize("how", ["committed", "copied"])
def test_a_cache_that_arrives_with_the_files_is_not_trusted(examples: Path, tmp_path: Path,
                                                            how: str) -> None:
    """A pull request that commits a cache forged and signed on the author's machine, or a
    CI cache step that restores one, does not get its own findings back: the key file is
    created anew where it lands, and no entry verifies."""
    expected = _broken(examples)
    _report(examples, cache=True)
    for entry in _entries(examples):
        _forge(examples, entry)
    _drop_records(examples)
    assert "LANE002" not in _report(examples, cache=True)  # signed here: trusted here
    elsewhere = tmp_path / "elsewhere"
    if how == "committed":
        init(examples)
        git(examples, "add", "-f", ".")
        commit(examples, message="a forged cache")
        git(tmp_path, "clone", "-q", str(examples), str(elsewhere))
        assert (elsewhere / CACHE_DIR / "key").is_file()
    else:
        shutil.copytree(examples, elsewhere)
    assert "LANE002" in expected
    assert _report(elsewhere, cache=True) == _report(elsewhere, cache=False)
    assert "LANE002" in _report(elsewhere, cache=True)


@pytest.mark.slow
def test_two_runs_at_once_agree_and_leave_whole_entries(examples: Path) -> None:
    report = _broken(examples)
    expected = report[: json.JSONDecoder().raw_decode(report)[1]]  # the JSON report
    cmd = [sys.executable, "-m", "rspp", "validate", "--format", "json", "--root", str(examples)]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "tools")}
    for _ in range(3):
        runs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env) for _ in range(3)]
        outs = [run.communicate()[0].decode() for run in runs]
        assert all(out.rstrip("\n") == expected for out in outs)
        for entry in _entries(examples):
            assert _body(entry)["format"] == cache_module.FORMAT
        shutil.rmtree(examples / CACHE_DIR)


def test_no_cache_neither_reads_nor_writes(examples: Path) -> None:
    _report(examples, cache=False)
    assert not (examples / CACHE_DIR).exists()


def test_cache_clear_removes_entries_and_only_unlinks_a_link(examples: Path,
                                                             tmp_path: Path) -> None:
    from rspp.commands.cache import clear_cache

    _report(examples, cache=True)
    count = len(_entries(examples))
    assert count > 0
    assert clear_cache(examples).removed == count
    assert _entries(examples) == []
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.json").write_text("{}")
    shutil.rmtree(examples / CACHE_DIR)
    (examples / CACHE_DIR).symlink_to(outside, target_is_directory=True)
    assert clear_cache(examples).removed == 0
    assert not (examples / CACHE_DIR).exists() and (outside / "keep.json").exists()


@pytest.mark.parametrize("odd", ["a folder in a shard", "a file for the entries folder",
                                 "a file for the cache folder"])
def test_cache_clear_copes_with_what_it_finds(examples: Path, odd: str) -> None:
    from rspp.commands.cache import clear_cache

    _report(examples, cache=True)
    count = len(_entries(examples))
    if odd == "a folder in a shard":
        (_entries(examples)[0].parent / "stray" / "deeper").mkdir(parents=True)
        assert clear_cache(examples).removed == count
        assert not (examples / ENTRIES).exists()
    else:
        shutil.rmtree(examples / (ENTRIES if "entries" in odd else CACHE_DIR))
        (examples / (ENTRIES if "entries" in odd else CACHE_DIR)).write_text("not a folder")
        assert clear_cache(examples).removed == 0
        assert not (examples / (ENTRIES if "entries" in odd else CACHE_DIR)).exists()
    assert _report(examples, cache=True) == _report(examples, cache=False)


def test_a_record_is_read_back_only_as_written_here(examples: Path, tmp_path: Path) -> None:
    store = FileCache.open(examples)
    assert store is not None
    assert store.get_blob("headers") is None
    store.put_blob("headers", b'{"a": 1}')
    assert store.get_blob("headers") == b'{"a": 1}'
    assert store.get_blob("headers", max_bytes=4) is None
    (record,) = (examples / ENTRIES).rglob("headers.blob")
    mac, _, body = record.read_bytes().partition(b"\n")
    record.write_bytes(mac + b"\n" + body.replace(b"1", b"2"))
    assert store.get_blob("headers") is None  # tampered
    outside = tmp_path / "outside.blob"
    outside.write_bytes(mac + b"\n" + body)
    record.unlink()
    record.symlink_to(outside)
    assert store.get_blob("headers") is None  # a link is never followed
    with pytest.raises(ValueError, match="not a blob name"):
        store.put_blob("../escape", b"")


# --- the record of the last whole run (validate.memo) ---------------------------------------


def test_a_warm_whole_run_takes_the_rules_findings_from_the_record(
        examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _broken(examples)
    assert "LANE002" in expected and "^" in expected  # a finding with its source line
    assert _report(examples, cache=True) == expected  # runs the rules, writes the record
    ran: list[str] = []
    real = engine.run_rules

    def spying(repo: engine.Repository, targets: set[str] | None, *,
               every_artifact: bool = False,
               select: Callable[[Rule], bool] | None = None,
               progress: engine.Progress | None = None) -> tuple[list[Finding], set[str]]:
        ran.extend(r.code for r in active_rules()
                   if r.check is not None and (select is None or select(r)))
        return real(repo, targets, every_artifact=every_artifact, select=select,
                    progress=progress)

    monkeypatch.setattr(engine, "run_rules", spying)
    assert _report(examples, cache=True) == expected
    assert ran and set(ran) <= {"RPL002", "RPL003"}  # only the checks that read other files
    ran.clear()
    spec = examples / "pipelines/specs/livekit_voice_assistant.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(BROKEN_EDGE, EDGE),
                    encoding="utf-8")
    fixed = _report(examples, cache=True)
    assert "LANE002" not in fixed and "LANE002" in ran  # a change: the rules ran again
    assert fixed == _report(examples, cache=False)


def test_a_removed_fixture_is_reported_although_no_artifact_changed(examples: Path) -> None:
    assert "RPL003" not in _agree(examples)
    (examples / "pipelines/replay/fixtures/lease_handover.jsonl").unlink()
    report = _agree(examples)
    assert "RPL003" in report and "lease_handover.jsonl" in report


def test_only_checks_bound_to_read_files_see_the_repository_root() -> None:
    from rspp.rules.registry import active_rules

    assert {r.code for r in active_rules() if r.reads_files} == {"RPL002", "RPL003"}


def test_a_damaged_record_of_the_last_run_is_ignored(examples: Path) -> None:
    expected = _broken(examples)
    _report(examples, cache=True)
    (record,) = (examples / ENTRIES).rglob("validation.blob")
    mac, _, body = record.read_bytes().partition(b"\n")
    record.write_bytes(mac + b"\n" + body.replace(b"LANE002", b"LANE001"))
    assert _report(examples, cache=True) == expected
