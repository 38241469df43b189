"""The publish workflow: what a reviewer relies on (triggers, least permissions, the gate before
publishing, keyless signing, verification after it, no untrusted text in scripts), its scripts
run for real, and the trust policy that names the workflow's identity."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from rspp.release.registry import RegistryUrlError, parse_oci
from rspp.release.trust import load_policy
from tests.helpers import REPO_ROOT
from tests.helpers.release import BUNDLES, drop_signatures, manifest_of, release_repo

BIN = Path(sys.executable).parent
WORKFLOWS = REPO_ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "publish.yaml"
POLICY = REPO_ROOT / "release" / "trust-policy.yaml"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def _doc(path: Path = WORKFLOW) -> dict[Any, Any]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def _job() -> dict[str, Any]:
    job = _doc()["jobs"]["publish"]
    assert isinstance(job, dict)
    return job


def _steps() -> list[dict[str, Any]]:
    steps = _job()["steps"]
    assert isinstance(steps, list)
    return steps


def _step(step_id: str) -> dict[str, Any]:
    (step,) = [s for s in _steps() if s.get("id") == step_id]
    return step


def _runs(path: Path) -> list[str]:
    return [s["run"] for job in _doc(path)["jobs"].values() for s in job["steps"] if "run" in s]


def _run_script(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``script`` as GitHub runs a step's ``run`` (``bash -e``), with ``env`` added."""
    return subprocess.run(["bash", "--noprofile", "--norc", "-e", "-c", script], cwd=cwd,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL, check=False)


@pytest.mark.slow
def test_schema_and_actionlint_pass() -> None:
    proc = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema",
                           "vendor.github-workflows", str(WORKFLOW)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([str(BIN / "actionlint"), "-no-color", str(WORKFLOW)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_triggers() -> None:
    # YAML 1.1 reads the bare key `on` as true
    on = _doc()[True]
    assert on["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in on
    (schedule,) = on["schedule"]
    assert len(schedule["cron"].split()) == 5


def test_permissions_are_the_least() -> None:
    assert _doc()["permissions"] == {"contents": "read"}
    assert _job()["permissions"] == {"contents": "read", "id-token": "write",
                                     "packages": "write"}


def test_publishes_never_overlap() -> None:
    concurrency = _doc()["concurrency"]
    assert concurrency["cancel-in-progress"] is False
    assert concurrency["group"]


def test_checkout_keeps_history_and_no_credentials() -> None:
    (checkout,) = [s for s in _steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert all(re.fullmatch(r"[\w-]+/[\w-]+@v\d+", s["uses"]) for s in _steps() if "uses" in s)


def test_gate_then_publish_signed_then_verify() -> None:
    runs = [s.get("run", "") for s in _steps()]

    def first(pattern: str) -> int:
        return next(i for i, run in enumerate(runs) if re.search(pattern, run, re.MULTILINE))

    install, check = first(r"^python -m pip install \.$"), first(r"^rspp check$")
    publish, verify = first(r"^\s*rspp bundle publish "), first(r"^\s*rspp bundle verify ")
    assert install < check < publish < verify
    assert "--sign sigstore" in runs[publish] and '--to "$RSPP_STORE"' in runs[publish]
    assert "--policy release/trust-policy.yaml" in runs[publish]
    assert "--policy release/trust-policy.yaml --online" in runs[verify]
    assert '--from "$RSPP_STORE"' in runs[verify]
    # a step after a failed one does not run: no `if:` may make verify run without publish
    assert all("if" not in s for s in _steps())
    env = _step("publish")["env"]
    assert env["RSPP_REGISTRY_USERNAME"] == "${{ github.actor }}"
    assert env["RSPP_REGISTRY_PASSWORD"] == "${{ secrets.GITHUB_TOKEN }}"


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yaml")), ids=lambda p: p.name)
def test_no_untrusted_text_in_scripts(path: Path) -> None:
    """Event payloads and branch names reach scripts through env only (script injection)."""
    for run in _runs(path):
        assert not re.search(r"\$\{\{[^}]*(github\.event\.|github\.head_ref)", run), run
    if path == WORKFLOW:
        assert all("${{" not in run for run in _runs(path))


def test_trust_policy_names_the_repository_the_workflow_publishes_from() -> None:
    policy = load_policy(POLICY)
    assert policy.keys == ()
    (identity,) = policy.identities
    assert identity.issuer == GITHUB_ISSUER and identity.workflow_repository is None
    condition = _job()["if"]
    repositories = re.findall(r"github\.repository == '([^']*)'", condition)
    # the certificate identity GitHub gives this workflow file on main, nothing wider
    assert [identity.identity] == [f"https://github.com/{r}/.github/workflows/publish.yaml"
                                   "@refs/heads/main" for r in repositories]
    assert "github.ref == 'refs/heads/main'" in condition


@pytest.mark.slow
def test_store_is_lowercase(tmp_path: Path) -> None:
    """A GitHub owner may have capitals, an OCI repository may not: the step lowers them."""
    github_env = tmp_path / "github_env"
    github_env.write_text("", encoding="utf-8")
    proc = _run_script(_step("store")["run"], tmp_path, OWNER="Acme-Voice",
                       GITHUB_ENV=str(github_env))
    assert proc.returncode == 0, proc.stderr
    assert github_env.read_text(encoding="utf-8") == \
        "RSPP_STORE=oci://ghcr.io/acme-voice/rspp/bundles\n"
    assert parse_oci("oci://ghcr.io/acme-voice/rspp/bundles") == \
        ("ghcr.io", None, "acme-voice/rspp/bundles")
    with pytest.raises(RegistryUrlError) as raised:
        parse_oci("oci://ghcr.io/Acme-Voice/rspp/bundles")
    assert raised.value.code == "REL003"


@pytest.mark.slow
@pytest.mark.parametrize(("event", "refresh"), [("push", False), ("workflow_dispatch", False),
                                               ("schedule", True)])
def test_publish_arguments(tmp_path: Path, event: str, refresh: bool) -> None:
    """The weekly run, and only it, re-signs the index; every run signs keyless and writes
    the job summary. (A recording stand-in for rspp: sigstore needs GitHub's OIDC token.)"""
    stub = tmp_path / "bin" / "rspp"
    stub.parent.mkdir()
    stub.write_text('#!/bin/sh\nprintf \'%s\\n\' "$@" > "$ARGS"\necho "| summary |"\n',
                    encoding="utf-8")
    stub.chmod(0o755)
    summary = tmp_path / "summary.md"
    summary.write_text("before\n", encoding="utf-8")
    args = tmp_path / "args"
    proc = _run_script(_step("publish")["run"], tmp_path, EVENT=event, ARGS=str(args),
                       PATH=f"{stub.parent}{os.pathsep}{os.environ['PATH']}",
                       RSPP_STORE="oci://ghcr.io/acme/rspp/bundles",
                       GITHUB_STEP_SUMMARY=str(summary))
    assert proc.returncode == 0, proc.stderr
    expected = ["bundle", "publish", "--to", "oci://ghcr.io/acme/rspp/bundles", "--sign",
                "sigstore", "--policy", "release/trust-policy.yaml",
                *(["--refresh-index"] if refresh else []), "--format", "markdown"]
    assert args.read_text(encoding="utf-8").splitlines() == expected
    assert summary.read_text(encoding="utf-8") == "before\n| summary |\n"


def _verify_step(root: Path, summary: Path) -> subprocess.CompletedProcess[str]:
    """The verify step's script in ``root`` against its layout store, this checkout's rspp."""
    return _run_script(_step("verify")["run"], root, RSPP_STORE="layout:.rspp/store",
                       GITHUB_STEP_SUMMARY=str(summary),
                       PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
                       PYTHONPATH=str(REPO_ROOT / "tools"))


@pytest.mark.slow
def test_verify_step_verifies_every_locked_bundle(tmp_path: Path) -> None:
    """The step, run on a store published with an offline key (the policy trusting it put
    where the workflow reads it), verifies every bundle version and says so in the summary."""
    import datetime as dt

    release = release_repo(tmp_path / "repo")
    assert release.publish(now=dt.datetime.now(dt.UTC)).report.errors == 0
    (release.root / "release").mkdir()
    shutil.copyfile(release.policy, release.root / "release" / "trust-policy.yaml")
    summary = tmp_path / "summary.md"
    proc = _verify_step(release.root, summary)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### rspp bundle verify: `layout:.rspp/store`\n\n~~~text\n")
    assert text.endswith("~~~\n")
    for ref in BUNDLES:
        assert f"verified {ref} in " in text

    # one bundle's signature gone: the step fails, names it, and still verifies the others
    digest, _ = manifest_of(release.layout(), BUNDLES[1])
    drop_signatures(release.layout(), digest)
    summary.write_text("", encoding="utf-8")
    proc = _verify_step(release.root, summary)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    text = summary.read_text(encoding="utf-8")
    assert "VFY001" in text and f"verified {BUNDLES[1]} " not in text
    assert [ref for ref in BUNDLES if f"verified {ref} in " in text] == \
        [ref for ref in BUNDLES if ref != BUNDLES[1]]
