"""The pull-request comment: the github-script body of pr-gate.yaml run with node against a fake
REST client (one comment, updated in place, found across pages), and the conditions that keep
it off forks, pushes and runs without a diff, evaluated as GitHub evaluates them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github" / "workflows" / "pr-gate.yaml"
MARKER = "<!-- rspp-diff -->"
BOT = "github-actions[bot]"
DIFF = f"{MARKER}\n## Review diff\n\n| bundle | verdict |\n| --- | --- |\n| agent | minor |\n"


def _doc() -> dict[str, Any]:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _comment_job() -> dict[str, Any]:
    job = _doc()["jobs"]["comment"]
    assert isinstance(job, dict)
    return job


def _post_step() -> dict[str, Any]:
    (step,) = [s for s in _comment_job()["steps"] if s.get("id") == "comment"]
    assert isinstance(step, dict)
    return step


# --- GitHub expressions, the subset the conditions use --------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||[!(),])"
                    r"|(?P<name>[A-Za-z_][\w.\-]*))")
Value = str | bool | None


class _Expression:
    """Evaluates a condition: ``||``, ``&&``, ``==``/``!=`` (strings compared ignoring case),
    ``!``, parentheses, string literals, context names and function calls, with GitHub's
    precedence. A name the caller did not give raises ``KeyError`` (a typo fails the test).

    Source: docs.github.com, "Evaluate expressions in workflows and actions" (operators,
    literals, status check functions)."""

    def __init__(self, text: str, names: Mapping[str, Value],
                 functions: Mapping[str, Callable[..., Value]]) -> None:
        text = text.strip()
        if text.startswith("${{") and text.endswith("}}"):
            text = text[3:-2]
        self.tokens: list[tuple[str, str]] = []
        pos, text = 0, text.rstrip()
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            assert match and match.end() > pos, f"cannot read {text[pos:]!r}"
            kind = match.lastgroup
            assert kind is not None
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.names, self.functions, self.at = names, functions, 0

    def value(self) -> Value:
        result = self._or()
        assert self.at == len(self.tokens), f"unread: {self.tokens[self.at:]}"
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        self.at += 1
        return self.tokens[self.at - 1]

    def _or(self) -> Value:
        left = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            left = left or right
        return left

    def _and(self) -> Value:
        left = self._equality()
        while self._peek() == "&&":
            self._take()
            right = self._equality()
            left = left and right
        return left

    def _equality(self) -> Value:
        left = self._unary()
        while self._peek() in ("==", "!="):
            negate = self._take()[1] == "!="
            right = self._unary()
            same = (left.casefold() == right.casefold()
                    if isinstance(left, str) and isinstance(right, str) else left == right)
            left = same != negate
        return left

    def _unary(self) -> Value:
        if self._peek() == "!":
            self._take()
            return not self._unary()
        return self._primary()

    def _primary(self) -> Value:
        kind, text = self._take()
        if text == "(" and kind == "op":
            inner = self._or()
            assert self._take()[1] == ")"
            return inner
        if kind == "str":
            return text[1:-1].replace("''", "'")
        assert kind == "name", text
        if self._peek() == "(":
            self._take()
            args: list[Value] = []
            while self._peek() != ")":
                args.append(self._or())
                if self._peek() == ",":
                    self._take()
            self._take()
            return self.functions[text](*args)
        return self.names[text]


def _runs(condition: str, *, event: str = "pull_request", head: str | None = "acme/specs",
          diff: str = "true", cancelled: bool = False, diff_file: bool = True) -> bool:
    names: dict[str, Value] = {
        "github.event_name": event, "github.repository": "acme/specs",
        "github.event.pull_request.head.repo.full_name": head,
        "needs.gate.outputs.diff": diff, "steps.diff.outputs.written": diff}
    functions: dict[str, Callable[..., Value]] = {
        "cancelled": lambda: cancelled,
        "hashFiles": lambda _pattern: "4f1c..." if diff_file else ""}
    return bool(_Expression(condition, names, functions).value())


def test_the_expression_reader_follows_github_s_rules() -> None:
    """The evaluator used below, on conditions with known outcomes (precedence, case)."""
    def ev(text: str) -> bool:
        return _runs(text)
    assert ev("github.event_name == 'PULL_REQUEST'")
    assert ev("'a' == 'b' || 'c' == 'c' && 'd' == 'd'")
    assert not ev("('a' == 'b' || 'c' == 'c') && 'd' == 'e'")
    assert ev("!cancelled() && !(github.repository != 'acme/specs')")
    with pytest.raises(KeyError):
        ev("github.event.pull_request.head.repo.fullname == github.repository")


def test_comment_job_runs_only_on_a_same_repository_pull_request_with_a_diff() -> None:
    condition = _comment_job()["if"]
    assert _runs(condition)
    assert not _runs(condition, head="mallory/specs")  # a fork: its token is read-only
    assert not _runs(condition, event="push", head=None)
    assert not _runs(condition, diff="")  # nothing compared (rspp diff exit 2)
    assert not _runs(condition, cancelled=True)


def test_comment_step_runs_only_with_the_diff_file() -> None:
    condition = _post_step()["if"]
    assert _runs(condition)
    assert not _runs(condition, diff_file=False)


def test_sarif_upload_and_diff_artifact_skip_where_they_cannot_help() -> None:
    steps = {s.get("name"): s for s in _doc()["jobs"]["gate"]["steps"]}
    upload = steps["Upload SARIF"]["if"]
    assert _runs(upload) and _runs(upload, event="push", head=None)
    assert not _runs(upload, head="mallory/specs")
    assert not _runs(upload, diff_file=False)
    keep = steps["Keep the review diff for the comment job"]["if"]
    assert _runs(keep) and _runs(keep, head="mallory/specs")  # the summary is read anyway
    assert not _runs(keep, event="push", head=None)
    assert not _runs(keep, diff="")


# --- the github-script body, run with node ---------------------------------------------------

HARNESS = r"""'use strict';
// Runs a github-script body as actions/github-script does (the body of an async function of
// require, github, context and core) against a fake REST client that records every call.
const fs = require('fs');
const [scriptFile, scenarioFile] = process.argv.slice(2);
const scenario = JSON.parse(fs.readFileSync(scenarioFile, 'utf8'));
const calls = [];
const logs = [];
const denied = () => Object.assign(new Error('Resource not accessible by integration'),
                                   { status: 403 });
const issues = {
  async listComments(params) {
    calls.push(['listComments', params]);
    const perPage = params.per_page || 30;
    const page = params.page || 1;
    return { data: scenario.comments.slice((page - 1) * perPage, page * perPage) };
  },
  async updateComment(params) {
    calls.push(['updateComment', params]);
    if (scenario.readOnly) throw denied();
    return { data: { id: params.comment_id, html_url: `https://example.invalid/${params.comment_id}` } };
  },
  async createComment(params) {
    calls.push(['createComment', params]);
    if (scenario.readOnly) throw denied();
    return { data: { id: 9000, html_url: 'https://example.invalid/9000' } };
  },
};
const github = {
  rest: { issues },
  // As octokit's paginate: every page of a list endpoint, one request each, concatenated.
  async paginate(method, params) {
    const all = [];
    for (let page = 1; ; page += 1) {
      const { data } = await method({ ...params, page });
      all.push(...data);
      if (data.length < (params.per_page || 30)) return all;
    }
  },
};
const context = { eventName: 'pull_request', repo: { owner: 'acme', repo: 'specs' },
                  issue: { owner: 'acme', repo: 'specs', number: 7 } };
const core = {};
for (const level of ['debug', 'info', 'notice', 'warning', 'error', 'setFailed']) {
  core[level] = (message) => logs.push([level, String(message)]);
}
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const body = new AsyncFunction('require', 'github', 'context', 'core',
                               fs.readFileSync(scriptFile, 'utf8'));
body(require, github, context, core).then(
  (result) => process.stdout.write(JSON.stringify({ result, calls, logs })),
  (error) => { process.stderr.write(String((error && error.stack) || error)); process.exit(1); });
"""


def _comment(comment_id: int, login: str, body: str) -> dict[str, Any]:
    return {"id": comment_id, "user": {"login": login, "type": "User"}, "body": body,
            "html_url": f"https://example.invalid/{comment_id}"}


def _chatter(count: int, start: int = 1) -> list[dict[str, Any]]:
    return [_comment(start + i, "alice", f"looks fine {i}") for i in range(count)]


def _post(tmp_path: Path, comments: list[dict[str, Any]], diff: str | None = DIFF,
          read_only: bool = False) -> dict[str, Any]:
    """Run the step's script in ``tmp_path`` (the job's workspace) with its own env."""
    step = _post_step()
    script, harness = tmp_path / "script.js", tmp_path / "harness.js"
    script.write_text(step["with"]["script"], encoding="utf-8")
    harness.write_text(HARNESS, encoding="utf-8")
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"comments": comments, "readOnly": read_only}),
                        encoding="utf-8")
    if diff is not None:
        (tmp_path / step["env"]["DIFF_FILE"]).write_text(diff, encoding="utf-8")
    proc = subprocess.run(["node", str(harness), str(script), str(scenario)], cwd=tmp_path,
                          env={**os.environ, **step["env"]}, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    outcome = json.loads(proc.stdout)
    assert isinstance(outcome, dict)
    return outcome


def _writes(outcome: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, params) for name, params in outcome["calls"] if name != "listComments"]


@pytest.mark.slow
def test_updates_the_bot_s_comment_found_on_a_later_page(tmp_path: Path) -> None:
    """The earlier comment sits on page 2 of the list: found, updated, nothing created."""
    comments = [*_chatter(130), _comment(501, BOT, f"{MARKER}\nold diff"), *_chatter(5, 600)]
    outcome = _post(tmp_path, comments)
    assert outcome["result"] == "updated"
    pages = [params for name, params in outcome["calls"] if name == "listComments"]
    assert pages == [{"owner": "acme", "repo": "specs", "issue_number": 7, "per_page": 100,
                      "page": page} for page in (1, 2)]
    assert _writes(outcome) == [("updateComment", {"owner": "acme", "repo": "specs",
                                                   "comment_id": 501, "body": DIFF})]


@pytest.mark.slow
def test_creates_the_comment_when_there_is_none(tmp_path: Path) -> None:
    """The bot's other comments (no marker) are not ours to overwrite."""
    comments = [*_chatter(3), _comment(40, BOT, "Thanks for the contribution!")]
    outcome = _post(tmp_path, comments)
    assert outcome["result"] == "created"
    assert _writes(outcome) == [("createComment", {"owner": "acme", "repo": "specs",
                                                   "issue_number": 7, "body": DIFF})]


@pytest.mark.slow
def test_a_marker_written_by_someone_else_is_not_updated(tmp_path: Path) -> None:
    """Anyone can paste the marker; only the Actions bot's comment is the diff comment."""
    comments = [_comment(77, "mallory", f"{MARKER}\nall clear, merge it"), *_chatter(2, 80)]
    outcome = _post(tmp_path, comments)
    assert outcome["result"] == "created"
    assert [name for name, _ in _writes(outcome)] == ["createComment"]


@pytest.mark.slow
def test_a_missing_diff_posts_nothing(tmp_path: Path) -> None:
    outcome = _post(tmp_path, _chatter(2), diff=None)
    assert outcome["result"] == "skipped" and outcome["calls"] == []
    assert [level for level, _ in outcome["logs"]] == ["notice"]


@pytest.mark.slow
def test_a_read_only_token_warns_instead_of_failing(tmp_path: Path) -> None:
    outcome = _post(tmp_path, _chatter(2), read_only=True)
    assert outcome["result"] == "forbidden"
    assert [name for name, _ in _writes(outcome)] == ["createComment"]
    (warning,) = [message for level, message in outcome["logs"] if level == "warning"]
    assert "Resource not accessible by integration" in warning


@pytest.mark.slow
def test_the_body_carries_the_marker_and_keeps_under_the_limit(tmp_path: Path) -> None:
    """rspp diff guarantees both; the script still guards the API call."""
    outcome = _post(tmp_path, [], diff="x" * 70_000)
    ((name, params),) = _writes(outcome)
    body = params["body"]
    assert name == "createComment" and body.startswith(f"{MARKER}\nxxx")
    assert len(body) == 65_536 and body.endswith("_(truncated: the whole diff is in the job "
                                                 "summary)_\n")
