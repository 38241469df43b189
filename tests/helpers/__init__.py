"""What the tests share, in one place; fixtures live in tests/conftest.py.

- ``tests.helpers``: where things are (the repository, the rule base, golden files, data).
- ``tests.helpers.files``: read, write and edit files; snapshots of folders.
- ``tests.helpers.repos``: repositories to test on (the examples, the rule base, fixture
  cases laid over it, the benchmark generator) and what the lifecycle tests read from them.
- ``tests.helpers.git``: real git repositories, built without the user's configuration.
- ``tests.helpers.cli``: the command line, in-process and as a real process.
- ``tests.helpers.resolve``: resolve a repository, look values up in a resolved view.
- ``tests.helpers.fmt``: checks of fmt's output written without fmt's code.
- ``tests.helpers.sarif``: the SARIF 2.1.0 schema as a validator.
- ``tests.helpers.waivers``: waiver lists (compat/waivers.yaml) and the gate codes to waive.
- ``tests.helpers.pool``: proof that a process pool's workers did the work.
- ``tests.helpers.slow``: the hooks that hold the ``slow`` marker's rule.
- ``tests.helpers.mermaid``: Mermaid's own parser and renderer (tests/js) on rspp's pictures.
- ``tests.helpers.review``: realistic pull requests on the examples, for ``rspp diff``.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTS = REPO_ROOT / "tests"
# The small repository every rule case is laid over, and the cases (one folder per code).
RULE_BASE = TESTS / "rules" / "base"
RULE_CASES = TESTS / "rules" / "cases"
# Exact-text golden files (refreshed with RSPP_UPDATE_GOLDEN=1) and third-party data.
GOLDEN = TESTS / "golden"
DATA = TESTS / "data"
SCHEMA_FIXTURES = TESTS / "schema_fixtures"
