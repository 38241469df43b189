"""Consumer configuration (ADR 0010): rspp.toml or [tool.rspp] of pyproject.toml sets rule
severities and path excludes; every mistake is a located CFG finding and nothing is applied.

End to end through `rspp check` (the examples carry warnings DEP002 on a bundle and SKW008 on
a rollout, both judged by the compatibility gate) and `rspp validate` (the DAG005 rule case).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from rspp.core.catalogue import BY_CODE, ENTRIES
from rspp.load.config import glob_regex, load_config
from tests.helpers import REPO_ROOT
from tests.helpers.cli import TODAY, rspp
from tests.helpers.repos import build_case_repo
from tests.helpers.sarif import sarif_validator

DEP_BUNDLE = "pipelines/bundles/livekit_voice_assistant_bundle_0_9.yaml"
CANARY = "rollouts/canary_10pct.yaml"
DAG005_CASE = REPO_ROOT / "tests/rules/cases/DAG005/fed_only_by_standby"
DAG005_AT = "pipelines/specs/agent.yaml:33:11"


def _check(capsys: pytest.CaptureFixture[str], root: Path, fmt: str = "json"
           ) -> tuple[int, Any]:
    run = rspp(capsys, "check", "--root", str(root), "--format", fmt, "--today", TODAY)
    assert run.err == "", run.err
    return run.code, json.loads(run.out)


def _warnings(doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((f["code"], f["path"], f["severity"]) for f in doc["findings"]
                  if f["severity"] != "info")


def _write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text, encoding="utf-8")


# --- each key, end to end ---------------------------------------------------------------------

def test_without_configuration_the_examples_warn(capsys: pytest.CaptureFixture[str],
                                                 examples: Path) -> None:
    code, doc = _check(capsys, examples)
    assert code == 0 and "config" not in doc and "hidden" not in doc
    assert _warnings(doc) == [("DEP002", DEP_BUNDLE, "warning"), ("SKW008", CANARY, "warning")]


def test_severity_raises_a_code_and_the_exit_code_follows(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    _write(examples, "rspp.toml", '# the gate\n[severity]\nDEP002 = "error"\n')
    code, doc = _check(capsys, examples)
    assert code == 1 and doc["summary"]["errors"] == 1 and doc["config"] == "rspp.toml"
    assert _warnings(doc) == [("DEP002", DEP_BUNDLE, "error"), ("SKW008", CANARY, "warning")]
    dep = next(f for f in doc["findings"] if f["code"] == "DEP002")
    assert dep["configured"] == {"default": "warning", "path": "rspp.toml", "line": 3,
                                 "column": 1}
    assert "configured" not in next(f for f in doc["findings"] if f["code"] == "SKW008")


def test_severity_off_hides_a_code_but_lists_it(capsys: pytest.CaptureFixture[str],
                                                examples: Path) -> None:
    _write(examples, "rspp.toml", 'severity = { SKW008 = "off" }\n')
    code, doc = _check(capsys, examples)
    assert code == 0 and _warnings(doc) == [("DEP002", DEP_BUNDLE, "warning")]
    assert doc["summary"]["hidden"] == 1
    [hidden] = doc["hidden"]
    assert (hidden["code"], hidden["path"]) == ("SKW008", CANARY)
    assert hidden["hiddenBy"] == {"reason": "severity of SKW008 is 'off' in rspp.toml",
                                  "path": "rspp.toml", "line": 1, "column": 14}
    run = rspp(capsys, "check", "--root", str(examples), "--today", TODAY)
    assert run.code == 0 and run.out.rstrip().endswith("(1 hidden by rspp.toml)")


def test_exclude_drops_every_configurable_finding_under_a_path(
        capsys: pytest.CaptureFixture[str], examples: Path) -> None:
    _write(examples, "rspp.toml", 'exclude = [\n  "docs/**",\n  "rollouts/**",\n]\n')
    code, doc = _check(capsys, examples)
    assert code == 0 and _warnings(doc) == [("DEP002", DEP_BUNDLE, "warning")]
    assert [h["hiddenBy"]["reason"] for h in doc["hidden"]] == [
        "excluded by exclude 'rollouts/**' in rspp.toml"]
    assert (doc["hidden"][0]["hiddenBy"]["line"], doc["hidden"][0]["hiddenBy"]["column"]) \
        == (3, 3)


def test_exclude_codes_drops_one_code_under_a_path(capsys: pytest.CaptureFixture[str],
                                                   examples: Path) -> None:
    _write(examples, "rspp.toml",
           '[exclude_codes]\nDEP002 = ["pipelines/bundles/*_0_9.yaml"]\nSKW008 = ["docs/**"]\n')
    code, doc = _check(capsys, examples)
    assert code == 0 and _warnings(doc) == [("SKW008", CANARY, "warning")]
    assert doc["hidden"][0]["hiddenBy"]["reason"] == (
        "excluded by exclude_codes.DEP002 'pipelines/bundles/*_0_9.yaml' in rspp.toml")


def test_pyproject_tool_rspp_through_validate(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    repo = build_case_repo(DAG005_CASE, tmp_path / "repo")
    run = rspp(capsys, "validate", "--root", str(repo))
    assert run.code == 0 and f"{DAG005_AT} DAG005 warning:" in run.out
    _write(repo, "pyproject.toml", '[project]\nname = "x"\n\n[tool.rspp.severity]\n'
                                   'DAG005 = "error"\n\n[tool.other]\nkey = 1\n')
    run = rspp(capsys, "validate", "--root", str(repo))
    assert run.code == 1 and f"{DAG005_AT} DAG005 error:" in run.out
    for fmt, needle in (("github", "::error file="), ("sarif", '"level": "error"')):
        run = rspp(capsys, "validate", "--root", str(repo), "--format", fmt)
        assert run.code == 1 and needle in run.out, run.out


def test_sarif_says_where_a_level_came_from(capsys: pytest.CaptureFixture[str],
                                            examples: Path) -> None:
    _write(examples, "rspp.toml", '[severity]\nDEP002 = "error"\n'
                                  '[exclude_codes]\nSKW008 = ["rollouts/*.yaml"]\n')
    code, log = _check(capsys, examples, "sarif")
    assert code == 1
    errors = list(sarif_validator().iter_errors(log))
    assert errors == [], errors[:3]
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    assert results["DEP002"]["level"] == "error"
    assert results["DEP002"]["properties"]["defaultLevel"] == "warning"
    assert results["DEP002"]["properties"]["levelConfiguredAt"] == "rspp.toml:2:1"
    assert "suppressions" not in results["DEP002"]
    [suppression] = results["SKW008"]["suppressions"]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["location"]["physicalLocation"]["region"] == {"startLine": 4,
                                                                     "startColumn": 11}
    rules = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert {"DEP002", "SKW008"} <= rules


def test_a_config_with_a_mistake_is_not_applied(capsys: pytest.CaptureFixture[str],
                                                examples: Path) -> None:
    _write(examples, "rspp.toml", 'severity = { SKW008 = "off" }\nexcludes = ["rollouts/**"]\n')
    code, doc = _check(capsys, examples)
    assert code == 1 and "hidden" not in doc
    assert _warnings(doc) == [("CFG002", "rspp.toml", "error"), ("DEP002", DEP_BUNDLE, "warning"),
                              ("SKW008", CANARY, "warning")]


# --- what can never be lowered or excluded -------------------------------------------------

def test_exclude_never_hides_what_cannot_be_configured(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    repo = build_case_repo(DAG005_CASE, tmp_path / "repo")
    (repo / "pipelines/specs/broken.yaml").write_text("a: [\n", encoding="utf-8")
    _write(repo, "rspp.toml", 'exclude = ["pipelines/**"]\n')
    run = rspp(capsys, "validate", "--root", str(repo), "--format", "json")
    doc = json.loads(run.out)
    assert run.code == 1
    assert {f["code"] for f in doc["findings"]} == {"LOAD001"}  # the loader's, kept
    assert [h["code"] for h in doc["hidden"]] == ["DAG005"]


def test_only_rules_and_the_gate_are_configurable() -> None:
    configurable = {e.code for e in ENTRIES if e.configurable}
    assert "DAG005" in configurable and "DEP002" in configurable and "CHG001" in configurable
    for code in ("FILE002", "LOAD001", "SCH001", "ENV001", "LCK001", "IMM001", "DRV001",
                 "SIG001", "VFY001", "REL001", "IDX001", "PATH001", "WVR001", "VER003",
                 "CFG001", "RSV001", "VER001", "VER002", "BND005", "REF001", "DUP001"):
        assert code not in configurable, code
    assert all(BY_CODE[c].emitted_by in ("rules", "compat") for c in configurable)


# --- located mistakes, one code each: the firing input, then its quiet near miss ------------

FIRING = {
    "CFG001": ("rspp.toml", '[severity]\nDAG005 = "off"\nDAG005 = "info"\n',
               ["rspp.toml:3:16 CFG001"], "not valid TOML: Cannot overwrite a value"),
    "CFG002": ("rspp.toml", 'severity = {}\nexclud = ["a/**"]\n',
               ["rspp.toml:2:1 CFG002"], "unknown key 'exclud'; did you mean 'exclude'?"),
    "CFG003": ("rspp.toml", 'exclude = "legacy/**"\n[severity]\nDAG005 = "loud"\n'
                            'DAG004 = 1\n',
               ["rspp.toml:1:1 CFG003", "rspp.toml:3:10 CFG003", "rspp.toml:4:1 CFG003"],
               "severity of DAG005 is 'loud'; use one of 'error', 'warning', 'info', 'off'"),
    "CFG004": ("rspp.toml", 'severity = { DAG05 = "off", dag004 = "info" }\n',
               ["rspp.toml:1:14 CFG004", "rspp.toml:1:29 CFG004"],
               "unknown code 'DAG05'; did you mean 'DAG005'?"),
    "CFG005": ("rspp.toml", '[severity]\nSCH001 = "warning"\nWVR001 = "off"\n'
                            '[exclude_codes]\nLCK001 = ["rspp.lock"]\n',
               ["rspp.toml:2:1 CFG005", "rspp.toml:3:1 CFG005", "rspp.toml:5:1 CFG005"],
               "SCH001 (schema, reported by engine) cannot be lowered to 'warning'"),
    "CFG006": ("pyproject.toml", '[tool.rspp]\nexclude = ["/etc/**", "a/../b", "a/**b",'
                                 ' "x\\\\y", "legacy/", "", "[ab]/*"]\n',
               # a string written with escapes is not found: its key's place instead
               [f"pyproject.toml:2:{c} CFG006" for c in (1, 12, 23, 33, 50, 61, 65)],
               "glob 'a/**b' has '**' inside the segment '**b'; '**' must be a whole segment"),
    "CFG007": ("pyproject.toml", '[tool.black]\nline-length = 99\n\n[tool.rspp]\n',
               ["pyproject.toml:4:7 CFG007"],
               "rspp is configured twice: in rspp.toml and in [tool.rspp] of pyproject.toml"),
}
QUIET = {
    "CFG001": ("rspp.toml", '[severity]\nDAG005 = "off"\nDAG004 = "info"\n'),
    "CFG002": ("rspp.toml", 'severity = {}\nexclude = ["a/**"]\nexclude_codes = {}\n'),
    "CFG003": ("rspp.toml", 'exclude = ["legacy/**"]\n[severity]\nDAG005 = "error"\n'
                            'DAG004 = "info"\n'),
    "CFG004": ("rspp.toml", 'severity = { DAG005 = "off", DAG004 = "info" }\n'),
    "CFG005": ("rspp.toml", '[severity]\nSCH001 = "error"\nWVR002 = "error"\n'
                            '[exclude_codes]\nDEP002 = ["rspp.lock"]\n'),
    "CFG006": ("pyproject.toml", '[tool.rspp]\nexclude = ["**", "**/*.yaml", "a/**/b?.yaml",'
                                 ' "legacy/**", "a.b/c-d_e f"]\n'),
    "CFG007": ("pyproject.toml", '[tool.black]\nline-length = 99\n\n[tool.rspp-other]\n'),
}


def _located(root: Path) -> list[str]:
    loaded = load_config(root)
    return sorted(f"{f.location()} {f.code}" for f in loaded.findings)


@pytest.mark.parametrize("code", sorted(FIRING))
def test_mistake_is_located(code: str, tmp_path: Path) -> None:
    name, text, expected, message = FIRING[code]
    if code == "CFG007":
        _write(tmp_path, "rspp.toml", "")
    _write(tmp_path, name, text)
    assert _located(tmp_path) == expected
    loaded = load_config(tmp_path)
    assert loaded.config is None
    assert any(message in f.message for f in loaded.findings), [f.message for f in
                                                                 loaded.findings]


@pytest.mark.parametrize("code", sorted(QUIET))
def test_near_miss_is_quiet(code: str, tmp_path: Path) -> None:
    name, text = QUIET[code]
    if code == "CFG007":
        _write(tmp_path, "rspp.toml", "")
    _write(tmp_path, name, text)
    loaded = load_config(tmp_path)
    assert _located(tmp_path) == [] and loaded.config is not None


def test_every_config_code_has_a_firing_and_a_quiet_case() -> None:
    cfg = {e.code for e in ENTRIES if e.category == "config"}
    assert cfg == set(FIRING) == set(QUIET)
    assert all(BY_CODE[c].emitted_by == "loader" for c in cfg)  # no rule-case folders


def test_firing_through_the_command_line(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path) -> None:
    repo = build_case_repo(DAG005_CASE, tmp_path / "repo")
    _write(repo, "pyproject.toml", '[tool.rspp.severity]\nDAG005 = "eror"\n')
    run = rspp(capsys, "validate", "--root", str(repo))
    assert run.code == 1
    assert "pyproject.toml:2:10 CFG003 error: severity of DAG005 is 'eror'" in run.out
    assert f"{DAG005_AT} DAG005 warning:" in run.out  # not applied


def test_dotted_keys_are_located(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml",
           '[tool]\nrspp.severity.DAG05 = "off"\n[tool.rspp.exclude_codes]\nDAG06 = []\n')
    assert _located(tmp_path) == ["pyproject.toml:2:15 CFG004", "pyproject.toml:4:1 CFG004"]


# --- the file itself ---------------------------------------------------------------------------

def test_a_link_out_of_the_repository_is_refused(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    repo = build_case_repo(DAG005_CASE, tmp_path / "repo")
    (tmp_path / "elsewhere.toml").write_text('severity = { DAG005 = "off" }\n', "utf-8")
    os.symlink(tmp_path / "elsewhere.toml", repo / "rspp.toml")
    run = rspp(capsys, "validate", "--root", str(repo))
    assert run.code == 1 and "rspp.toml:1:1 FILE002 error:" in run.out
    assert f"{DAG005_AT} DAG005 warning:" in run.out  # not applied


def test_a_huge_file_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "rspp.toml", "# " + "x" * (1 << 20) + "\n")
    assert _located(tmp_path) == ["rspp.toml:1:1 FILE004"]


def test_no_file_no_table_no_config(tmp_path: Path) -> None:
    assert load_config(tmp_path).config is None
    _write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    assert load_config(tmp_path).config is None and _located(tmp_path) == []


@pytest.mark.parametrize(("pattern", "yes", "no"), [
    ("**", ["a", "a/b/c.yaml"], []),
    ("legacy/**", ["legacy/a.yaml", "legacy/x/y.yaml"], ["legacyx/a.yaml", "a/legacy/b"]),
    ("**/*.json", ["a.json", "docs/x/y.json"], ["a.yaml", "a.json/b"]),
    ("a/**/b", ["a/b", "a/x/y/b"], ["a/bb", "b"]),
    ("p/?.yaml", ["p/a.yaml"], ["p/ab.yaml", "p//.yaml"]),
    ("a.b", ["a.b"], ["axb"]),
])
def test_globs(pattern: str, yes: list[str], no: list[str]) -> None:
    regex = glob_regex(pattern)
    assert not isinstance(regex, str)
    assert [p for p in yes if not regex.fullmatch(p)] == []
    assert [p for p in no if regex.fullmatch(p)] == []


# --- a pull request cannot relax the configuration it is judged under ------------------------

@pytest.mark.slow
def test_a_change_cannot_lower_its_own_gate(capsys: pytest.CaptureFixture[str],
                                            example_git_repo: Path) -> None:
    """Against a base, each code's level is the stricter of the base's and the change's, and
    an exclude applies only when the base has it too: a pull request that adds `SKW008 = "off"`
    and an exclude still sees both warnings; once merged, the next change is judged with them."""
    from tests.helpers.git import commit

    root = example_git_repo
    _write(root, "rspp.toml", 'exclude = ["pipelines/bundles/**"]\n[severity]\n'
                              'SKW008 = "off"\nDEP002 = "error"\n')
    run = rspp(capsys, "check", "--root", str(root), "--format", "json", "--today", TODAY,
               "--against", "main")
    doc = json.loads(run.out)
    assert run.code == 1  # raising is the change's to make at once
    assert _warnings(doc) == [("DEP002", DEP_BUNDLE, "error"), ("SKW008", CANARY, "warning")]
    assert "hidden" not in doc and "no looser than at main" in doc["config"]
    commit(root, message="configure")
    run = rspp(capsys, "check", "--root", str(root), "--format", "json", "--today", TODAY,
               "--against", "HEAD")
    doc = json.loads(run.out)
    assert run.code == 0 and _warnings(doc) == []
    assert sorted(h["code"] for h in doc["hidden"]) == ["DEP002", "SKW008"]


@pytest.mark.parametrize("code", ["VER001", "BND005", "REF001"])
def test_release_guarantees_cannot_be_lowered(code: str, tmp_path: Path) -> None:
    """A bump too small, a pin whose digest no longer matches, a reference to nothing: what
    consumers of a release rely on is never a configuration's to lower (CFG005)."""
    (tmp_path / "rspp.toml").write_text(f'[severity]\n{code} = "off"\n', encoding="utf-8")
    loaded = load_config(tmp_path)
    assert loaded.config is None
    assert [(f.code, f.line, f.col) for f in loaded.findings] == [("CFG005", 2, 1)]
