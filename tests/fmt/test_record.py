"""The record of canonical content (ADR 0015): a warm run does not format again, answers
exactly as a run without it, and no record (tampered, foreign, malformed) lets a
non-canonical file pass."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rspp.cli.main import main
from rspp.fmt import FmtOptions, FmtResult, Status, record, render, run
from rspp.load.api import Limits
from rspp.load.document import Syntax
from rspp.validate.cache import CACHE_DIR, FileCache, fingerprint
from tests.helpers import REPO_ROOT
from tests.helpers.repos import copy_artifacts

SPEC = "pipelines/specs/sip_telephony_assistant.yaml"
BUNDLE = "pipelines/bundles/livekit_voice_assistant_bundle.json"


def _check(root: Path, cache: bool = True, targets: tuple[Path, ...] = ()) -> FmtResult:
    return run(FmtOptions(root=root, check=True, cache=cache, jobs=1, targets=targets))


def _blob(root: Path) -> Path:
    return root / CACHE_DIR / "files" / str(fingerprint()) / f"{record.NAME}.blob"


def _recorded(root: Path) -> tuple[str, ...]:
    store = FileCache.open(root)
    assert store is not None
    return record.read(store)


def _key(root: Path, rel: str) -> str:
    syntax: Syntax = "json" if rel.endswith(".json") else "yaml"
    return record.content_key(rel, syntax, Limits(), (root / rel).read_bytes())


def _unquote_version(root: Path) -> None:
    """Make SPEC non-canonical: its version loses its quotes (the same data)."""
    path = root / SPEC
    text = path.read_text(encoding="utf-8")
    unquoted = re.sub(r'version: "([0-9.]+)"', r"version: \1", text, count=1)
    assert unquoted != text
    path.write_text(unquoted, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_artifacts(tmp_path / "repo")


def test_a_warm_run_formats_nothing_and_answers_the_same(repo: Path) -> None:
    cold = _check(repo)
    assert cold.formatted == len(cold.files) and cold.from_record == 0
    assert set(_recorded(repo)) == {_key(repo, o.path) for o in cold.files}
    warm = _check(repo)
    assert warm.formatted == 0 and warm.from_record == len(cold.files)
    assert warm.files == cold.files and render(warm) == render(cold)


def test_a_non_canonical_file_is_never_recorded_nor_skipped(repo: Path) -> None:
    _check(repo)
    _unquote_version(repo)
    first = _check(repo)
    outcome = {o.path: o.status for o in first.files}
    assert outcome[SPEC] is Status.WOULD_REFORMAT and first.formatted == 1
    assert _key(repo, SPEC) not in _recorded(repo)
    again = _check(repo)
    assert {o.path: o.status for o in again.files}[SPEC] is Status.WOULD_REFORMAT
    assert again.formatted == 1 and again.failed


def test_a_refused_file_is_not_recorded(repo: Path) -> None:
    (repo / SPEC).write_text("a: [1\n", encoding="utf-8")
    result = _check(repo)
    assert {o.path: o.status for o in result.files}[SPEC] is Status.FAILED
    assert _key(repo, SPEC) not in _recorded(repo)
    assert _check(repo).formatted == 1


def _forge(root: Path, keys: list[str]) -> None:
    """Replace the record's body by one naming ``keys``, keeping the old MAC."""
    blob = _blob(root)
    mac, _, _ = blob.read_bytes().partition(b"\n")
    blob.write_bytes(mac + b"\n" + record.encode(keys))


def test_a_tampered_record_is_ignored(repo: Path) -> None:
    _check(repo)
    _unquote_version(repo)
    _forge(repo, [*_recorded(repo), _key(repo, SPEC)])
    result = _check(repo)
    assert result.from_record == 0 and result.formatted == len(result.files)
    assert {o.path: o.status for o in result.files}[SPEC] is Status.WOULD_REFORMAT
    assert _key(repo, SPEC) not in _recorded(repo)  # rewritten, authentic again


def test_a_foreign_record_is_ignored(repo: Path, tmp_path: Path) -> None:
    """A record copied from another repository (or machine): its MAC is not this cache's."""
    other = copy_artifacts(tmp_path / "other")
    _unquote_version(other)
    store = FileCache.open(other)
    assert store is not None
    store.put_blob(record.NAME, record.encode(
        [_key(other, SPEC), *(_key(other, o.path) for o in _check(other, cache=False).files)]))
    _unquote_version(repo)
    _blob(repo).parent.mkdir(parents=True, exist_ok=True)
    FileCache.open(repo)  # the repository's own key
    shutil.copyfile(_blob(other), _blob(repo))
    result = _check(repo)
    assert result.from_record == 0
    assert {o.path: o.status for o in result.files}[SPEC] is Status.WOULD_REFORMAT


def test_an_authentic_record_of_another_shape_is_empty(repo: Path) -> None:
    """Authentic but not a record of this format (another format of the same name): read
    as no record at all, so every file is formatted."""
    store = FileCache.open(repo)
    assert store is not None
    _unquote_version(repo)
    store.put_blob(record.NAME, b"rspp fmt canonical 2\n" + _key(repo, SPEC).encode() + b"\n")
    result = _check(repo)
    assert result.from_record == 0
    assert {o.path: o.status for o in result.files}[SPEC] is Status.WOULD_REFORMAT


KEY = "ab" * 32


@pytest.mark.parametrize("body", [
    b"", b"rspp fmt canonical 1", b"rspp fmt canonical 1\n" + KEY.encode(),
    b"rspp fmt canonical 0\n" + KEY.encode() + b"\n",
    b"rspp fmt canonical 1\n" + KEY.upper().encode() + b"\n",
    b"rspp fmt canonical 1\n" + KEY.encode() + b" \n",
    b"rspp fmt canonical 1\n" + KEY[:-1].encode() + b"\n",
    b"rspp fmt canonical 1\n" + (KEY + "\n").encode() * 2,
    b"rspp fmt canonical 1\n\n",
    b"rspp fmt canonical 1\r\n" + KEY.encode() + b"\n",
])
def test_decoding_is_strict(body: bytes) -> None:
    assert record.decode(body) == ()


def test_decoding_round_trips() -> None:
    keys = (KEY, "cd" * 32)
    assert record.decode(record.encode(keys)) == keys
    assert record.decode(record.encode(())) == ()


def test_the_record_is_bounded() -> None:
    seen = [f"{n:064x}" for n in range(5)]
    prior = [f"{n:064x}" for n in range(3, 10)]
    assert record.merged(seen, prior, keep_prior=False) == tuple(seen)
    assert record.merged(reversed(seen), prior, keep_prior=True) == tuple(
        f"{n:064x}" for n in range(10))
    many = [f"{n:064x}" for n in range(record.MAX_KEYS + 10)]
    assert len(record.merged(seen, many, keep_prior=True)) == record.MAX_KEYS
    assert record.merged(seen, many, keep_prior=True)[:5] == tuple(seen)


def test_a_whole_run_keeps_only_its_own_keys_and_a_partial_run_keeps_the_others(
        repo: Path) -> None:
    _check(repo)
    whole = set(_recorded(repo))
    _check(repo, targets=(repo / SPEC,))
    assert set(_recorded(repo)) == whole  # the other files' keys stay
    old = _key(repo, SPEC)
    _unquote_version(repo)
    _check(repo, targets=(repo / SPEC,))
    assert set(_recorded(repo)) == whole  # a partial run: the old content's key stays
    _check(repo)
    assert set(_recorded(repo)) == whole - {old}  # a whole run: only what it saw canonical


def test_the_key_depends_on_path_syntax_limits_and_bytes() -> None:
    base = record.content_key("a.yaml", "yaml", Limits(), b"a: 1\n")
    assert len(base) == 64 and base == record.content_key("a.yaml", "yaml", Limits(), b"a: 1\n")
    assert len({base, record.content_key("b.yaml", "yaml", Limits(), b"a: 1\n"),
                record.content_key("a.yaml", "json", Limits(), b"a: 1\n"),
                record.content_key("a.yaml", "yaml", Limits(max_depth=7), b"a: 1\n"),
                record.content_key("a.yaml", "yaml", Limits(), b"a: 2\n")}) == 5


def test_no_cache_and_the_environment_turn_it_off(repo: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert _check(repo, cache=False).formatted > 0
    assert not _blob(repo).exists()
    monkeypatch.setenv("RSPP_NO_CACHE", "1")
    assert _check(repo).formatted > 0
    assert not _blob(repo).exists()
    monkeypatch.delenv("RSPP_NO_CACHE")
    _check(repo)
    assert _check(repo, cache=False).from_record == 0  # recorded, but not read


def test_the_command_line_has_no_cache(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fmt", "--check", "--no-cache", "--root", str(repo)]) == 0
    assert not _blob(repo).exists()
    assert main(["fmt", "--check", "--root", str(repo)]) == 0
    assert _blob(repo).exists()
    _unquote_version(repo)
    capsys.readouterr()
    assert main(["fmt", "--check", "--root", str(repo)]) == 1
    cached = capsys.readouterr().out
    assert main(["fmt", "--check", "--no-cache", "--root", str(repo)]) == 1
    assert capsys.readouterr().out == cached and f"{SPEC}: would reformat" in cached


def test_writing_records_only_what_was_found_canonical(repo: Path) -> None:
    _unquote_version(repo)
    written = run(FmtOptions(root=repo, jobs=1))
    assert {o.path: o.status for o in written.files}[SPEC] is Status.REFORMATTED
    assert _key(repo, SPEC) not in _recorded(repo)  # the written text: judged next time
    again = _check(repo)
    assert again.formatted == 1 and not again.failed
    assert _key(repo, SPEC) in _recorded(repo)


@pytest.mark.slow
def test_workers_answer_as_this_process(tmp_path: Path) -> None:
    """Formatting in worker processes (when there are enough files) changes nothing."""
    repo = _small_repo(tmp_path)
    for n in range(40):
        shutil.copyfile(repo / FILES[-1], repo / f"rollouts/copy_{n}.yaml")
    (repo / "rollouts/copy_7.yaml").write_text("b: 1\na: [1\n", encoding="utf-8")
    (repo / "rollouts/copy_9.yaml").write_text("b: 1\na:  2\n", encoding="utf-8")
    alone = run(FmtOptions(root=repo, check=True, cache=False, jobs=1))
    pooled = run(FmtOptions(root=repo, check=True, cache=False, jobs=2))
    assert pooled.files == alone.files


# ------------------------------------------------------------------ random edits


def _edit(root: Path, kind: str, rel: str, n: int) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    if kind == "reindent":  # not canonical: one line moved right
        path.write_text(text.replace("\n  ", "\n   " if rel.endswith(".json") else "\n    ", 1),
                        encoding="utf-8")
    elif kind == "value":  # another value: the first string, or a last comment line
        changed = text.replace(': "', f': "v{n}', 1)
        if not rel.endswith(".json"):
            changed += f"# note {n}\n"
        path.write_text(changed, encoding="utf-8")
    elif kind == "restore":  # canonical again
        shutil.copyfile(REPO_ROOT / rel, path)
    else:  # "break": the loader refuses it
        path.write_text(text + "\n\t- [\n", encoding="utf-8")


# a few small files of each syntax (a whole run over them per step stays short)
FILES = ["compat/waivers.yaml", BUNDLE, "pipelines/modules/transcription_normalize.yaml",
         "pipelines/profiles/low_latency_v1.yaml", "rollouts/canary_10pct.yaml"]


def _small_repo(target: Path) -> Path:
    for rel in FILES:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / rel, target / rel)
    return target


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["reindent", "value", "restore", "break"]),
                          st.sampled_from(FILES)), min_size=1, max_size=6))
def test_a_cached_run_answers_as_a_run_without_cache(edits: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = _small_repo(Path(folder))
        _check(root)  # a record of the original files
        for n, (kind, rel) in enumerate(edits):
            _edit(root, kind, rel, n)
            plain = _check(root, cache=False)
            cached = _check(root)
            assert cached.files == plain.files and render(cached) == render(plain)
            assert cached.failed == plain.failed
            recorded = set(_recorded(root))
            for outcome in plain.files:  # never a file with a finding or a change
                if outcome.status is not Status.UNCHANGED:
                    assert _key(root, outcome.path) not in recorded
            assert _check(root).formatted == len(
                [o for o in plain.files if o.status is not Status.UNCHANGED])
