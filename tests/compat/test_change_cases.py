"""Every change rule (CHG…) and VER001 has fixture cases that fire it, or keep it quiet, at
exact places.

A case is tests/compat/cases/<CODE>/<name>/: ``old/`` and ``new/`` are files laid over the
rule base (tests/rules/base), ``old/`` with the artifact at its earlier version (or files the
comparison reads, such as a spec that uses an extension's port), ``new/`` with the next version
of the same id in another file, so both versions stay in the tree. ``expected.txt`` lists every
finding of the gate's change rules and bumps, one ``path:line:col CODE`` a line, followed by
the change's verdict under the kind's mode for CHG codes (``breaking``, ``compatible``,
``cosmetic``). A ``fire*`` case lists its code; a ``quiet*`` case shows the nearest harmless
change: its code never breaking there (absent, or for CHG012 and CHG014 present as a compatible
change), and the version bump enough (no VER001).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from rspp.compat.engine import Evaluation, Options, evaluate
from rspp.core.catalogue import ENTRIES
from rspp.core.findings import Finding
from rspp.lifecycle.lock import read_lock
from rspp.resolve.gate import validate_repository
from rspp.validate.engine import ValidateOptions
from tests.helpers.repos import copy_rule_base

CASES_DIR = Path(__file__).parent / "cases"
CASES = sorted(p for p in CASES_DIR.glob("*/*") if p.is_dir())
TODAY = dt.date(2026, 11, 30)
VERDICT = re.compile(r"\((breaking|compatible|cosmetic) under [A-Z_]+; requires a ")
# The codes the cases cover: every change rule, and the bump check.
CHANGE_CODES = sorted(e.code for e in ENTRIES if e.code.startswith("CHG"))
CASE_CODES = (*CHANGE_CODES, "VER001")


def build(case: Path, target: Path) -> Path:
    """The rule base with the case's ``old/`` and then ``new/`` files laid over it."""
    copy_rule_base(target)
    for side in ("old", "new"):
        folder = case / side
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                dest = target / path.relative_to(folder)
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(path.read_bytes())
    return target


def gate(root: Path) -> Evaluation:
    """The gate over the working tree at ``root``, which must validate cleanly."""
    report, repo = validate_repository(ValidateOptions(root=root, jobs=1))
    assert [f"{f.location()} {f.code}" for f in report.findings] == []
    lock, problems = read_lock(root)
    assert problems == []
    return evaluate(repo, lock, Options(today=TODAY))


def line(found: Finding) -> str:
    """``path:line:col CODE`` and, for a change, its verdict."""
    if not found.code.startswith("CHG"):
        return f"{found.location()} {found.code}"
    verdict = VERDICT.search(found.message)
    assert verdict is not None, found.message
    return f"{found.location()} {found.code} {verdict.group(1)}"


def lines(result: Evaluation) -> list[str]:
    return sorted(line(f) for f in result.findings if f.code[:3] in ("CHG", "VER"))


def expected(case: Path) -> list[str]:
    text = (case / "expected.txt").read_text(encoding="utf-8")
    return sorted(s.strip() for s in text.splitlines() if s.strip() and not s.startswith("#"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_finds_exactly(case: Path, tmp_path: Path) -> None:
    code = case.parent.name
    want = expected(case)
    codes = [s.split()[1] for s in want]
    if case.name.startswith("fire"):
        assert code in codes, "a firing case lists its code"
    else:
        assert case.name.startswith("quiet"), "a case is named fire… or quiet…"
        assert f"{code} breaking" not in {" ".join(s.split()[1:]) for s in want}
        assert code not in codes or code in ("CHG012", "CHG014")
        assert "VER001" not in codes
    assert lines(gate(build(case, tmp_path / "repo"))) == want


def test_the_rule_base_compares_quietly(tmp_path: Path) -> None:
    """The base holds agent_bundle at 0.9.0 and 1.0.0 with the same content: no change."""
    result = gate(copy_rule_base(tmp_path / "repo"))
    assert [v.art.ref for v in result.versions] == ["agent_bundle@1.0.0"]
    assert lines(result) == []


# Codes that fire only on a pack's artifact kinds, which these cases (run without packs)
# cannot hold: their fire and quiet cases run with a real installed pack.
PACK_CASES = {"CHG022": "tests/rules/test_packs.py::"
                        "test_a_change_to_a_pack_artifact_is_judged_breaking"}


def test_every_change_rule_has_a_firing_and_a_quiet_case() -> None:
    names = {(p.parent.name, p.name.split("_", 1)[0]) for p in CASES}
    missing = [f"{code} {kind}" for code in CASE_CODES for kind in ("fire", "quiet")
               if (code, kind) not in names and code not in PACK_CASES]
    assert missing == []


def test_the_pack_cases_exist() -> None:
    from tests.helpers import REPO_ROOT

    for where in PACK_CASES.values():
        path, _, name = where.partition("::")
        assert f"def {name}(" in (REPO_ROOT / path).read_text(encoding="utf-8")


def test_the_cases_name_only_catalogue_codes() -> None:
    assert sorted({p.parent.name for p in CASES} - set(CASE_CODES)) == []


def test_a_profile_default_says_what_it_changes_in_each_bundle(tmp_path: Path) -> None:
    result = gate(build(CASES_DIR / "CHG012" / "fire_default_changes_a_bundle", tmp_path / "repo"))
    [message] = [f.message for f in result.findings if f.code == "CHG012"]
    assert message.endswith(
        "default vad.silero.min_silence_duration unset -> 0.4; changes agent_bundle@0.9.0 "
        "node vad 0.55 -> 0.4, agent_bundle@1.0.0 node vad 0.55 -> 0.4 (breaking under "
        "BACKWARD; requires a major bump)")


def test_a_default_no_bundle_resolves_differently_is_compatible(tmp_path: Path) -> None:
    result = gate(build(CASES_DIR / "CHG012" / "quiet_default_every_spec_overrides",
                        tmp_path / "repo"))
    [message] = [f.message for f in result.findings if f.code == "CHG012"]
    assert "no bundle pinning base/v1@1.0.0 resolves differently (compatible" in message
