"""The suite's own rule (tests/helpers/slow.py): a test that starts a process or is a hypothesis
property test without the ``slow`` mark fails, naming what it did; marked, it passes."""

from __future__ import annotations

import pytest

# The tests written for the rule start processes (in-process pytest runs them).
pytestmark = pytest.mark.slow

INNER_TESTS = '''
import subprocess
import sys

import pytest
from hypothesis import given, strategies as st


@pytest.fixture
def git_version():
    return subprocess.run(["git", "--version"], capture_output=True, check=True).stdout


def test_in_process():
    assert sum([1, 1]) == 2


def test_process_unmarked():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_process_in_a_fixture_unmarked(git_version):
    assert git_version


@pytest.mark.slow
def test_process_marked():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


@given(st.integers())
def test_property_unmarked(n):
    assert n == n


@pytest.mark.slow
@given(st.integers(max_value=3))
def test_property_marked(n):
    assert n == n
'''


def test_unmarked_processes_and_property_tests_fail(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("from tests.helpers.slow import (pytest_runtest_call,\n"
                          "    pytest_runtest_setup, pytest_runtest_teardown)\n")
    pytester.makeini("[pytest]\nmarkers =\n    slow: slow\n")
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", "-rfE")
    result.assert_outcomes(passed=3, failed=1, errors=2)
    result.stdout.fnmatch_lines_random([
        "*test_process_unmarked starts a process (* -c pass) but is not marked slow*",
        "*test_process_in_a_fixture_unmarked starts a process (git --version) but is not marked "
        "slow*",
        "*test_property_unmarked is a hypothesis property test but is not marked slow*",
    ])
