"""The sink makes every finding, with the severity the catalogue gives its code."""

from __future__ import annotations

import pytest

from rspp.core.findings import Related, Severity
from rspp.core.sink import FindingSink, finding


def test_the_catalogue_gives_the_severity() -> None:
    warning = finding("DAG005", "a.yaml", 3, 5, "unreachable", pointer="/spec/nodes/1")
    assert warning.severity is Severity.WARNING and not warning.is_error
    error = finding("DAG004", "a.yaml", 3, 5, "cycle", end_line=3, end_col=9,
                    related=[Related("b.yaml", 1, 1, "other")])
    assert error.severity is Severity.ERROR and error.is_error
    assert (error.end_line, error.end_col) == (3, 9)
    assert error.related == (Related("b.yaml", 1, 1, "other"),)


def test_an_uncatalogued_code_is_a_bug() -> None:
    with pytest.raises(KeyError):
        finding("XYZ999", "a.yaml", 1, 1, "no such code")


def test_the_sink_keeps_each_finding_once_and_sorts_on_request() -> None:
    sink = FindingSink()
    later = sink.emit("DAG005", "b.yaml", 1, 1, "unreachable")
    sink.emit("LOAD001", "a.yaml", 2, 1, "syntax")
    again = sink.emit("DAG005", "b.yaml", 1, 1, "unreachable")
    assert again == later
    sink.add(finding("LOAD001", "a.yaml", 1, 1, "syntax"))
    assert len(sink) == 3
    assert [f.location() for f in sink] == ["b.yaml:1:1", "a.yaml:2:1", "a.yaml:1:1"]
    assert [f.location() for f in sink.sorted()] == ["a.yaml:1:1", "a.yaml:2:1", "b.yaml:1:1"]
    assert sink.failed


def test_warnings_alone_do_not_fail() -> None:
    sink = FindingSink()
    assert not sink.failed
    sink.emit("DAG005", "b.yaml", 1, 1, "unreachable")
    assert not sink.failed
