"""The record of fresh derived files (rspp.lifecycle.freshness): a derived file judged fresh
is judged fresh again without reading anything while its stamp and its inputs' stamps hold,
and judged from its files as soon as one of them changed; a bad or missing record only costs
reading."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from rspp.commands.build import BuildOptions, StatusOutcome, status
from rspp.lifecycle import derived, freshness
from rspp.lifecycle.freshness import Judged, Stamps, judged, still_fresh
from rspp.lifecycle.provenance import Node, State, assess
from rspp.validate import headers
from rspp.validate.cache import FileCache
from tests.helpers.repos import SIP_PAGE, SIP_SPEC, SIP_VIEW, copy_examples


def _states(outcome: StatusOutcome) -> dict[str, str]:
    return {e.path: str(e.state) for e in outcome.entries}


def _record(root: Path) -> dict[str, Judged]:
    return freshness.read_record(FileCache.open(root)).fresh


class _Counting:
    """``derived.assess`` counting the files it judges."""

    def __init__(self) -> None:
        self.judged: list[str] = []
        self.real = assess

    def __call__(self, root: Path, node: Node, *args: object) -> None:
        self.judged.append(node.path)
        self.real(root, node, *args)  # type: ignore[arg-type]


@pytest.fixture
def settled(tmp_path: Path) -> Path:
    """A copy of the examples (every derived file fresh) whose files have settled."""
    root = copy_examples(tmp_path / "repo")
    time.sleep(headers.SETTLED_NS / 1e9 + 0.2)
    return root


@pytest.mark.slow
def test_a_fresh_verdict_is_trusted_until_a_file_changes(
        settled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = status(BuildOptions(settled))
    assert not first.failed
    recorded = _record(settled)
    assert SIP_VIEW in recorded and SIP_PAGE in recorded
    assert SIP_SPEC in dict(recorded[SIP_VIEW].inputs)

    counting = _Counting()
    monkeypatch.setattr(derived, "assess", counting)
    again = status(BuildOptions(settled))
    assert _states(again) == _states(first)
    assert counting.judged == []  # nothing read: every stamp held

    # An input changes: its view is judged from the files (stale), and so is the page,
    # whose input (the view) did not change: still fresh.
    spec = settled / SIP_SPEC
    spec.write_text(spec.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    changed = status(BuildOptions(settled))
    assert _states(changed)[SIP_VIEW] == State.STALE
    assert _states(changed)[SIP_PAGE] == State.FRESH
    assert SIP_VIEW in counting.judged
    assert SIP_VIEW not in _record(settled)  # a stale verdict is not remembered
    assert changed.entries == status(BuildOptions(settled)).entries

    # A derived file edited by hand, with its size kept: the change time moved.
    page = settled / SIP_PAGE
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("# ", "#\t", 1), encoding="utf-8")
    assert len(page.read_text(encoding="utf-8")) == len(text)
    counting.judged.clear()
    edited = status(BuildOptions(settled))
    assert _states(edited)[SIP_PAGE] == State.STALE
    assert counting.judged.count(SIP_PAGE) == 1


@pytest.mark.slow
def test_a_corrupted_record_costs_reading_only(
        settled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = status(BuildOptions(settled))
    cache = FileCache.open(settled)
    assert cache is not None
    blob = cache._blob(freshness.RECORD)
    blob.write_bytes(blob.read_bytes()[:-7] + b"garbage")  # the HMAC no longer verifies
    counting = _Counting()
    monkeypatch.setattr(derived, "assess", counting)
    assert status(BuildOptions(settled)).entries == expected.entries
    assert SIP_VIEW in counting.judged
    assert SIP_VIEW in _record(settled)  # recorded again


def test_a_record_holds_only_for_the_same_generator_inputs_and_stamps(
        tmp_path: Path) -> None:
    (tmp_path / "view.json").write_text("{}", encoding="utf-8")
    (tmp_path / "spec.yaml").write_text("a: 1\n", encoding="utf-8")
    stamps = Stamps(tmp_path)
    # Files changed in the last SETTLED_NS have no stamp: no record is made of them.
    assert judged("rspp resolve", "sha256:f", ("spec.yaml",), stamps, "view.json") is None
    stamp = (1, 2, 3, 4, 5)
    record = Judged("rspp resolve", "sha256:f", stamp, (("spec.yaml", stamp),))
    stamps._taken.update({"view.json": stamp, "spec.yaml": stamp})
    assert still_fresh(record, "rspp resolve", "sha256:f", ("spec.yaml",), stamps, "view.json")
    assert not still_fresh(record, "rspp page", "sha256:f", ("spec.yaml",), stamps, "view.json")
    assert not still_fresh(record, "rspp resolve", "sha256:g", ("spec.yaml",), stamps,
                           "view.json")
    assert not still_fresh(record, "rspp resolve", "sha256:f", ("other.yaml",), stamps,
                           "view.json")
    assert not still_fresh(record, "rspp resolve", "sha256:f", ("spec.yaml", "b.yaml"),
                           stamps, "view.json")
    stamps._taken["spec.yaml"] = (1, 2, 3, 4, 6)
    assert not still_fresh(record, "rspp resolve", "sha256:f", ("spec.yaml",), stamps,
                           "view.json")
    assert not still_fresh(None, "rspp resolve", "sha256:f", ("spec.yaml",), stamps,
                           "view.json")


def test_without_the_cache_nothing_is_recorded(tmp_path: Path) -> None:
    root = copy_examples(tmp_path / "repo")
    from rspp.lifecycle.derived import graph
    from rspp.resolve.gate import validate_repository
    from rspp.validate.engine import ValidateOptions

    shutil.rmtree(root / ".rspp", ignore_errors=True)
    result, repo = validate_repository(ValidateOptions(root=root, cache=False))
    assert repo.cache is None
    graph(repo, result, set())
    assert not (root / ".rspp").exists()
