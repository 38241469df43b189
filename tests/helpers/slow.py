"""The discipline of the ``slow`` marker, as pytest hooks (tests/conftest.py installs them).

A test that starts a process (rspp's console script, git, pre-commit, check-jsonschema, a
wheel build; also through rspp's own git calls) or is a hypothesis property test must be
marked ``slow``, so the fast lane (``pytest -m "not slow"``) stays fast: such a test fails
here, naming the process or the property test.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


@contextmanager
def _no_process_unless_slow(item: pytest.Item) -> Iterator[None]:
    """Fail ``item`` if it starts a process without being marked slow."""
    if item.get_closest_marker("slow") is not None:
        yield
        return
    started: list[str] = []
    original = subprocess.Popen.__init__

    def watched(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        started.append(" ".join(map(str, args)) if isinstance(args, list | tuple) else str(args))
        original(self, args, *rest, **kwargs)

    # Every way to start a process (subprocess.run, check_output, rspp's git calls) builds a
    # Popen. setattr: mypy refuses an assignment to a method.
    setattr(subprocess.Popen, "__init__", watched)  # noqa: B010
    try:
        yield
    finally:
        setattr(subprocess.Popen, "__init__", original)  # noqa: B010
    if started:
        command = " ".join(started[0].split())
        command = command if len(command) <= 80 else command[:77] + "..."
        pytest.fail(f"{item.nodeid} starts a process ({command}) but is not marked slow",
                    pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False) and \
            item.get_closest_marker("slow") is None:
        pytest.fail(f"{item.nodeid} is a hypothesis property test but is not marked slow",
                    pytrace=False)
    with _no_process_unless_slow(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _no_process_unless_slow(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    with _no_process_unless_slow(item):
        return (yield)
