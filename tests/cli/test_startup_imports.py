"""What the pre-commit hooks' command lines import (ADR 0014): ``rspp validate FILE`` and
``rspp fmt FILE`` never import Typer, nor what only other commands need. Each case runs rspp
in a fresh process and reads ``sys.modules`` after the command; no timing is asserted here
(timings belong to benchmarks/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.repos import mark_checkout

pytestmark = pytest.mark.slow

SPEC = "pipelines/specs/agent.yaml"

# Run rspp's entry point with the arguments, then report its exit code and every module
# loaded (listed before anything else is imported to write them).
_PROBE = """
import os, sys
from rspp.cli.main import main
code = main(sys.argv[1:])
loaded = sorted(sys.modules)
import json
with open(os.environ["RSPP_PROBE_OUT"], "w", encoding="utf-8") as out:
    json.dump({"code": code, "modules": loaded}, out)
"""

# Never on either hook path: the command line library and the console, the packages of the
# other commands (pydantic models, review diffs, release signing and registries, worker
# processes), and the capabilities those commands use.
NEVER = ("typer", "click", "rich", "pydantic", "deepdiff", "sigstore", "cryptography", "oras",
         "multiprocessing", "argcomplete", "rspp.cli.common", "rspp.compat", "rspp.release",
         "rspp.lifecycle", "rspp.gen", "rspp.conform", "rspp.review", "rspp.model.kinds")
# Not on the validate path: the formatter and its round-trip YAML library, the typed views
# (types only), and the helpers of the machine report formats (the hook prints text).
NOT_IN_VALIDATE = ("ruamel", "rspp.fmt", "rspp.model.views", "rspp.report.rules",
                   "rspp.report.paths")
# Not on a validate run whose files all come from the cache: the schema files ...
CACHED_RUN_READS_NO_SCHEMA = ("rspp.model.schemafiles",)
# ... nor the parsers and the schema validator.
NOT_WHEN_CACHED = ("yaml", "jsonschema_rs")
# Random names and keys come from os.urandom: secrets (with base64) is not imported.
NOT_FOR_RANDOM_BYTES = ("secrets",)


def imported(repo: Path, tmp_path: Path, *args: str) -> set[str]:
    """The modules loaded by ``rspp ARGS`` run in ``repo``; the command must succeed."""
    out = tmp_path / "probe.json"
    proc = subprocess.run([sys.executable, "-c", _PROBE, *args], cwd=repo, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
                          env={**_environment(), "RSPP_PROBE_OUT": str(out)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = json.loads(out.read_text(encoding="utf-8"))
    assert found["code"] == 0, proc.stdout + proc.stderr
    return set(found["modules"])


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("RSPP_NO_CACHE", "_RSPP_COMPLETE")}


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` (packages count with their submodules) are in ``modules``."""
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


def test_validate_file_imports_neither_typer_nor_other_commands(base_checkout: Path,
                                                                 tmp_path: Path) -> None:
    cold = imported(base_checkout, tmp_path, "validate", SPEC)
    warm = imported(base_checkout, tmp_path, "validate", SPEC)
    for modules in (cold, warm):
        assert loaded(modules, NEVER + NOT_IN_VALIDATE) == []
    assert loaded(warm, CACHED_RUN_READS_NO_SCHEMA + NOT_FOR_RANDOM_BYTES) == []
    # what the run needs is there: the rules, the resolved-graph checks, the text report
    assert {"rspp.rules.registry", "rspp.resolve.gate", "rspp.report.formats"} <= warm


def test_validate_from_the_cache_imports_no_parser(base_checkout: Path,
                                                   tmp_path: Path) -> None:
    imported(base_checkout, tmp_path, "validate", SPEC)
    warm = imported(base_checkout, tmp_path, "validate", SPEC)
    assert loaded(warm, NOT_WHEN_CACHED) == []


def test_fmt_file_imports_neither_typer_nor_other_commands(base_checkout: Path,
                                                            tmp_path: Path) -> None:
    modules = imported(base_checkout, tmp_path, "fmt", "--check", SPEC)
    assert loaded(modules, NEVER) == []


def test_other_command_lines_go_through_typer(base_checkout: Path, tmp_path: Path) -> None:
    # the probe sees what it is meant to see: --help (never read by rspp.cli.fast) builds
    # the Typer app
    modules = imported(base_checkout, tmp_path, "validate", "--help")
    assert loaded(modules, ("typer",)) == ["typer"]


def test_check_in_a_consumer_repository_imports_no_pydantic(examples: Path,
                                                             tmp_path: Path) -> None:
    """The gate of a repository that uses rspp (rollouts, so the version skew checks run)
    builds none of the kinds' pydantic models: importing them costs about a second, and
    the skew checks need only the admission's default (``core.constants``). rspp's own
    repository imports them, to check the generated schemas."""
    mark_checkout(examples)
    assert (examples / "rollouts").is_dir()
    modules = imported(examples, tmp_path, "check", "--today", "2026-11-30")
    assert "rspp.compat.skew" in modules
    assert loaded(modules, ("pydantic", "rspp.model.kinds")) == []
