"""The pull-request workflow: every workflow lint-clean and schema-valid (and both checkers really
rejecting a broken one), the right base on a push, the review-diff step run for real, and the
order, conditions and permissions of the gate and comment jobs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO_ROOT
from tests.helpers.cli import check_json, rspp
from tests.helpers.files import edit
from tests.helpers.git import commit, git
from tests.helpers.repos import CONTRACT, example_repo, lock_entries, write_lock

BIN = Path(sys.executable).parent
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pr-gate.yaml"
ZEROS = "0" * 40


def _doc() -> dict[str, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _steps(job: str = "gate") -> dict[str, dict[str, Any]]:
    return {step.get("id") or step.get("name", ""): step for step in _doc()["jobs"][job]["steps"]}


def _base_ref(repo: Path, tmp_path: Path, **event: str) -> str:
    """Run the workflow's own "Base of the change" script for ``event``; the ref it chose."""
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env = {**os.environ, **event, "GITHUB_OUTPUT": str(output)}
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", _steps()["base"]["run"]], cwd=repo,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("ref="), lines
    return lines[0].removeprefix("ref=")


@pytest.mark.slow
def test_actionlint_fails_on_a_deprecated_runtime(tmp_path: Path) -> None:
    """The lint really runs: the node20 checkout this workflow used to pin is refused."""
    old = tmp_path / "old.yaml"
    old.write_text(WORKFLOW.read_text(encoding="utf-8").replace("actions/checkout@v5",
                                                                 "actions/checkout@v4"),
                   encoding="utf-8")
    proc = subprocess.run([str(BIN / "actionlint"), "-no-color", str(old)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1 and "node20" in proc.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The example artifacts in git: `main` (tagged v1) and `feature` checked out on it."""
    return example_repo(tmp_path / "repo")


@pytest.mark.slow
def test_push_to_main_is_checked_against_the_commit_before_the_push(
        capsys: pytest.CaptureFixture[str], repo: Path, tmp_path: Path) -> None:
    """An in-place edit of a published version, with its lock entry rewritten, fails on push."""
    before = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, CONTRACT, "description: Platform-wide", "description: Company-wide")
    entries = lock_entries(repo)
    key = "CompatibilityContract/version_skew_policy@1.1.0"
    entries[key] = rspp(capsys, "digest", str(repo / CONTRACT)).out.split()[0]
    write_lock(repo, entries)
    commit(repo, message="rewrite a published version and its lock entry")

    base = _base_ref(repo, tmp_path, EVENT="push", PUSH_BEFORE=before, PR_BASE="")
    assert base == before
    code, findings = check_json(capsys, repo, "--against", base)
    assert code == 1 and "IMM001" in {f["code"] for f in findings}


@pytest.mark.slow
def test_base_of_a_pull_request_and_of_a_first_push(repo: Path, tmp_path: Path) -> None:
    assert _base_ref(repo, tmp_path, EVENT="pull_request", PR_BASE="main",
                     PUSH_BEFORE="") == "origin/main"
    first = git(repo, "rev-parse", "HEAD").strip()
    edit(repo, CONTRACT, "description: Platform-wide", "description: Company-wide")
    commit(repo, message="second commit")
    # A new branch's first push has no "before": its parent commit is the base.
    assert _base_ref(repo, tmp_path, EVENT="push", PUSH_BEFORE=ZEROS, PR_BASE="") == first


def test_sarif_upload_is_skipped_for_forks() -> None:
    """A fork's token cannot upload SARIF; the step must not run (and fail the gate) there."""
    condition = _steps()["Upload SARIF"]["if"]
    assert "head.repo.full_name == github.repository" in condition


# --- every workflow, both checkers ---------------------------------------------------------

WORKFLOW_FILES = sorted(p for p in WORKFLOW.parent.iterdir() if p.is_file())
BROKEN_JOB = "comment"


def _actionlint(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "actionlint"), "-no-color", *map(str, paths)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def _workflow_schema(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", *map(str, paths)],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_the_workflow_folder_holds_only_workflows() -> None:
    """Every file is checked below; a stray file would be a workflow GitHub never runs."""
    assert {p.name for p in WORKFLOW_FILES} >= {"pr-gate.yaml", "publish.yaml"}
    assert all(p.suffix in {".yaml", ".yml"} for p in WORKFLOW_FILES), WORKFLOW_FILES


@pytest.mark.slow
@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.name)
def test_workflow_passes_actionlint_and_the_workflow_schema(path: Path) -> None:
    lint = _actionlint(path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    schema = _workflow_schema(path)
    assert schema.returncode == 0, schema.stdout + schema.stderr


@pytest.mark.slow
def test_both_checkers_reject_a_job_without_a_runner(tmp_path: Path) -> None:
    """The checks really run: the comment job without ``runs-on`` is refused by each."""
    text = WORKFLOW.read_text(encoding="utf-8")
    head, job, tail = text.partition(f"\n  {BROKEN_JOB}:\n")
    assert job, "the comment job moved"
    broken = tmp_path / "broken.yaml"
    broken.write_text(head + job + tail.replace("    runs-on: ubuntu-latest\n", "", 1),
                      encoding="utf-8")
    lint = _actionlint(broken)
    assert lint.returncode == 1
    assert f'"runs-on" section is missing in job "{BROKEN_JOB}"' in lint.stdout
    schema = _workflow_schema(broken)
    assert schema.returncode == 1
    assert f"$.jobs.{BROKEN_JOB}: 'runs-on' is a required property" in schema.stdout


@pytest.mark.slow
def test_actionlint_rejects_an_unknown_step_output(tmp_path: Path) -> None:
    """A misspelt step id in a condition is caught (the schema cannot see it)."""
    broken = tmp_path / "typo.yaml"
    broken.write_text(WORKFLOW.read_text(encoding="utf-8").replace(
        "steps.diff.outputs.written == 'true'", "steps.dif.outputs.written == 'true'", 1),
        encoding="utf-8")
    lint = _actionlint(broken)
    assert lint.returncode == 1 and 'property "dif" is not defined' in lint.stdout, lint.stdout
    assert _workflow_schema(broken).returncode == 0


# --- the review diff step, run for real ---------------------------------------------------

FAKE_RSPP = """#!/bin/sh
# rspp diff's contract: Markdown on stdout starting with the marker; exit 0, 1 or 2.
if [ "$*" != "diff --against $EXPECT_BASE --format markdown" ]; then
  echo "unexpected arguments: $*" >&2
  exit 3
fi
printf '<!-- rspp-diff -->\\n## Review diff\\n'
exit "$FAKE_EXIT"
"""


def _run_step(tmp_path: Path, name: str, fake_rspp: str, exit_code: int,
              env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], Path, Path, Path]:
    """The step ``name``'s script as GitHub runs it (bash -e, pipefail) in an empty work
    folder, with ``rspp`` faked by ``fake_rspp`` (exiting ``exit_code``), a job summary
    holding "before" and an empty step output: (the process, the work folder, the summary
    file, the output file)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "rspp"
    fake.write_text(fake_rspp, encoding="utf-8")
    fake.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    summary.write_text("before\n", encoding="utf-8")
    output.write_text("", encoding="utf-8")
    full = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "FAKE_EXIT": str(exit_code), "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(output), **env}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           _steps()[name]["run"]], cwd=work, env=full, capture_output=True,
                          text=True, timeout=60)
    return proc, work, summary, output


def _run_diff_step(tmp_path: Path, exit_code: int) -> tuple[subprocess.CompletedProcess[str],
                                                              Path, Path, Path]:
    """The "diff" step's script as GitHub runs it, with ``rspp`` faked."""
    assert _steps()["diff"]["env"] == {"BASE": "${{ steps.base.outputs.ref }}"}
    proc, work, summary, output = _run_step(
        tmp_path, "diff", FAKE_RSPP, exit_code,
        {"BASE": "origin/main", "EXPECT_BASE": "origin/main"})
    return proc, work / "rspp-diff.md", summary, output


@pytest.mark.slow
@pytest.mark.parametrize("exit_code", [0, 1])
def test_diff_step_keeps_the_diff_and_writes_the_summary(tmp_path: Path, exit_code: int) -> None:
    """Exit 1 (the verdict has errors) is still a written diff: the check step fails the gate."""
    proc, diff, summary, output = _run_diff_step(tmp_path, exit_code)
    assert proc.returncode == 0, proc.stderr
    assert diff.read_text(encoding="utf-8") == "<!-- rspp-diff -->\n## Review diff\n"
    assert summary.read_text(encoding="utf-8") == "before\n<!-- rspp-diff -->\n## Review diff\n"
    assert output.read_text(encoding="utf-8") == "written=true\n"


@pytest.mark.slow
def test_diff_step_fails_when_nothing_could_be_compared(tmp_path: Path) -> None:
    """Exit 2: the step fails with it, keeps no half-written diff and signals no comment."""
    proc, diff, summary, output = _run_diff_step(tmp_path, 2)
    assert proc.returncode == 2
    assert not diff.exists()
    assert summary.read_text(encoding="utf-8") == "before\n"
    assert output.read_text(encoding="utf-8") == ""


@pytest.mark.slow
def test_diff_step_with_the_real_rspp(tmp_path: Path, example_git_repo: Path) -> None:
    """The step's script with this rspp on a real pull request: the comment file is the diff
    of the change (marker first), and so is the job summary."""
    import sys

    from tests.helpers.review import buffer_resize

    buffer_resize(example_git_repo)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    real = bin_dir / "rspp"
    real.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m rspp "$@"\n', encoding="utf-8")
    real.chmod(0o755)
    summary, output = tmp_path / "summary.md", tmp_path / "output"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "BASE": "main",
           "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(output)}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           _steps()["diff"]["run"]], cwd=example_git_repo, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    diff = (example_git_repo / "rspp-diff.md").read_text(encoding="utf-8")
    assert diff.startswith("<!-- rspp-diff -->\n## rspp diff: passes")
    assert "`room_in.audio -> resample.audio: capacity` `500` → `800`" in diff
    assert summary.read_text(encoding="utf-8") == diff
    assert output.read_text(encoding="utf-8") == "written=true\n"


# --- order, conditions, permissions -------------------------------------------------------

def test_gate_steps_in_order() -> None:
    names = list(_steps())
    order = ["base", "diff", "Keep the review diff for the comment job",
             "Check against the base (validation, lock, immutability, compatibility, freshness;"
             " annotations)", "Check (SARIF for code scanning)", "Upload SARIF",
             "Generated files are fresh", "Full gate"]
    assert [n for n in names if n in order] == order
    # Two summaries: the review diff (it carries the verdicts and bumps compat's would repeat)
    # and the conformance gates' table.
    runs = [s.get("run", "") for s in _steps().values()]
    assert [n for n, s in _steps().items() if "GITHUB_STEP_SUMMARY" in s.get("run", "")] == \
        ["diff", "gates"]
    assert not any(re.search(r"\brspp compat\b", run) for run in runs)


def test_the_check_still_gates_when_the_diff_fails() -> None:
    """The diff is for reading; ``rspp check --against`` decides. It runs after a failed diff
    step (not after a cancel), and without a base nothing runs."""
    steps = _steps()
    check = steps["Check against the base (validation, lock, immutability, compatibility, "
                  "freshness; annotations)"]
    assert check["run"] == 'rspp check --against "$BASE" --format github'
    for step in (check, steps["diff"]):
        assert step["if"] == "${{ !cancelled() && steps.base.outcome == 'success' }}"
    keep = steps["Keep the review diff for the comment job"]
    assert keep["uses"].startswith("actions/upload-artifact@")
    assert "steps.diff.outputs.written == 'true'" in keep["if"]
    assert "github.event_name == 'pull_request'" in keep["if"]


def test_permissions_are_the_least_per_job() -> None:
    """Only the comment job can write to the pull request, and it runs no code of the change."""
    doc = _doc()
    assert doc["permissions"] == {"contents": "read"}
    gate, comment = doc["jobs"]["gate"], doc["jobs"]["comment"]
    assert gate["permissions"] == {"contents": "read", "security-events": "write",
                                   "checks": "write"}
    assert comment["permissions"] == {"pull-requests": "write"}
    assert comment["needs"] == "gate"
    assert not any("run" in s or "actions/checkout" in s.get("uses", "")
                   for s in comment["steps"])


def test_the_comment_job_reads_the_gate_s_diff() -> None:
    doc = _doc()
    gate, comment = doc["jobs"]["gate"], doc["jobs"]["comment"]
    assert gate["outputs"] == {"diff": "${{ steps.diff.outputs.written }}"}
    assert "needs.gate.outputs.diff == 'true'" in comment["if"]
    keep = _steps()["Keep the review diff for the comment job"]
    download, post = comment["steps"]
    assert download["uses"].startswith("actions/download-artifact@")
    assert download["with"] == {"name": keep["with"]["name"]}
    assert post["uses"] == "actions/github-script@v8"
    assert post["env"] == {"DIFF_FILE": keep["with"]["path"]}
    assert post["if"] == f"hashFiles('{keep['with']['path']}') != ''"
    # One comment job per pull request at a time: two pushes cannot both create a comment.
    assert comment["concurrency"] == {
        "group": "rspp-diff-comment-${{ github.event.pull_request.number }}",
        "cancel-in-progress": False}


def test_no_expression_is_expanded_into_a_script() -> None:
    """Untrusted text (titles, branch names, the diff itself) reaches scripts through env and
    files only: no ``${{ }}`` in any ``run`` or github-script ``script``."""
    scripts = [s.get("run") or s.get("with", {}).get("script", "")
               for job in _doc()["jobs"].values() for s in job["steps"]]
    assert sum(bool(s) for s in scripts) >= 7
    assert not [s for s in scripts if "${{" in s]


def test_the_gate_leaves_no_token_to_the_code_it_runs() -> None:
    """The gate runs the change's own code: its checkout keeps the full history for the base
    but writes no credentials into .git/config."""
    checkout = next(s for s in _doc()["jobs"]["gate"]["steps"]
                    if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}


# --- the conformance gates --------------------------------------------------------------------

GATE_STEPS = ["gates", "Keep the gates' JUnit report", "Publish the gates' JUnit report as a check",
              "Conformance gates verdict"]
FAKE_GATES = """#!/bin/sh
# A stand-in for `rspp gates run`: writes the reports it is asked for, exits FAKE_EXIT.
[ "$1 $2 $3" = "gates run pipelines/tests/mvp_gates_manifest.yaml" ] || exit 3
if [ "$FAKE_EXIT" != 2 ]; then
  printf '<testsuite/>\\n' > gates-junit.xml
  printf '## rspp gates\\n' > gates.md
fi
exit "$FAKE_EXIT"
"""


def test_gate_steps_publish_then_decide() -> None:
    """The gates run after the full gate (even when it failed), the report is kept and published
    by a JUnit publisher pinned by commit, skipped for forks, and a last step fails the job."""
    names = list(_steps())
    assert names[-4:] == GATE_STEPS
    steps = _steps()
    assert steps["gates"]["if"] == "${{ !cancelled() }}"
    assert "rspp gates run pipelines/tests/mvp_gates_manifest.yaml" in steps["gates"]["run"]
    keep = steps["Keep the gates' JUnit report"]
    assert keep["uses"].startswith("actions/upload-artifact@")
    assert keep["with"]["path"] == "gates-junit.xml"
    publish = steps["Publish the gates' JUnit report as a check"]
    assert re.fullmatch(r"mikepenz/action-junit-report@[0-9a-f]{40}", publish["uses"])
    assert "head.repo.full_name == github.repository" in publish["if"]
    assert publish["with"]["report_paths"] == "gates-junit.xml"
    assert publish["with"]["fail_on_failure"] is False
    verdict = steps["Conformance gates verdict"]
    assert verdict["env"] == {"STATUS": "${{ steps.gates.outputs.status }}"}
    assert verdict["run"] == 'exit "$STATUS"'


@pytest.mark.slow
@pytest.mark.parametrize("exit_code", [0, 1, 2])
def test_gates_step_keeps_going_and_hands_the_status_on(tmp_path: Path, exit_code: int) -> None:
    """The step never fails by itself: it appends the summary (when written) and passes the
    exit status to the verdict step, which fails the job with it."""
    proc, _, summary, output = _run_step(tmp_path, "gates", FAKE_GATES, exit_code, {})
    assert proc.returncode == 0, proc.stderr
    assert output.read_text(encoding="utf-8") == f"status={exit_code}\n"
    written = "" if exit_code == 2 else "## rspp gates\n"
    assert summary.read_text(encoding="utf-8") == "before\n" + written
    verdict = subprocess.run(["bash", "-c", _steps()["Conformance gates verdict"]["run"]],
                             env={**os.environ, "STATUS": str(exit_code)}, timeout=60,
                             check=False)
    assert verdict.returncode == exit_code
