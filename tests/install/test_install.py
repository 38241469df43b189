"""A new user's install: the wheel without extras, and a consumer repository's pre-commit run.

These tests install rspp the way pre-commit and ``pip install .`` do: into a fresh virtual
environment with no system site-packages and no extras, so an import that only the ``[dev]``
extras bring in fails here. Nothing is fetched: every distribution comes from a local wheel
folder named by ``RSPP_WHEELHOUSE`` (``.ci/run`` fills it before the tests run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.repos import copy_rule_base, load_benchmark

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
BROKEN_EDGE = "{from: llm.text, to: tts.text, lane: control}"


@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    """The local wheel folder: required in CI, skipped with a reason on a developer machine."""
    folder = os.environ.get("RSPP_WHEELHOUSE")
    if not folder:
        if os.environ.get("CI"):
            pytest.fail("RSPP_WHEELHOUSE is not set: .ci/run fills it before the tests")
        pytest.skip("set RSPP_WHEELHOUSE to a folder of wheels (see .ci/run) to run install tests")
    path = Path(folder)
    assert any(path.glob("*.whl")), f"{path} holds no wheels"
    return path


def _offline_env(home: Path, wheelhouse: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(wheelhouse), PIP_DISABLE_PIP_VERSION_CHECK="1",
               PRE_COMMIT_HOME=str(home / "pre-commit"), HOME=str(home),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t", GIT_CONFIG_NOSYSTEM="1")
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


def _source_repo(tmp: Path, env: dict[str, str]) -> tuple[Path, str]:
    """A git repository holding this checkout's files as one commit, and that commit."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO_ROOT, capture_output=True, check=True).stdout
    target = tmp / "rspp-src"
    for name in sorted({n for n in listed.decode().split("\0") if n}):
        source = REPO_ROOT / name
        if source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(source), target / name)
        elif source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "rspp"]):
        assert _run(["git", *args], target, env).returncode == 0
    rev = _run(["git", "rev-parse", "HEAD"], target, env).stdout.strip()
    return target, rev


def _install(tmp: Path, source: Path, env: dict[str, str]) -> tuple[Path, str]:
    """Build ``source``'s wheel the way pip does for a consumer (isolated, offline) and install
    it without extras into the fresh venv ``tmp/venv``; returns the venv and the build log."""
    dist = tmp / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(dist),
                  str(source)], tmp, env)
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = next(dist.glob("rspp-*.whl"))
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(tmp / "venv")
    pip = _run([str(tmp / "venv/bin/python"), "-m", "pip", "install", str(wheel)], tmp, env)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return tmp / "venv", wheel.name + "\n" + built.stdout + built.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> tuple[Path, Path]:
    """A fresh venv with the rspp wheel installed without extras; the source repository.

    In CI the trace checker must compile (``RSPP_COMPILE=1``, setup.py); elsewhere the build
    decides as a user's would."""
    tmp = tmp_path_factory.mktemp("install")
    env = _offline_env(tmp, wheelhouse)
    if os.environ.get("CI"):
        env["RSPP_COMPILE"] = "1"
    source, _ = _source_repo(tmp, env)
    return _install(tmp, source, env)[0], source


def _trace_module(venv_dir: Path, cwd: Path, env: dict[str, str]) -> str:
    done = _run([str(venv_dir / "bin/python"), "-c",
                 "import rspp.conform.trace as t; print(t.__file__)"], cwd, env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _replay_check(python: list[str], source: Path, env: dict[str, str]) -> str:
    """``rspp replay check --format json`` over every trace of the tests and the examples
    (cases, regressions, fixtures good and bad, a generated one); the JSON report."""
    traces = sorted(str(p.relative_to(source)) for folder in ("tests/replay", "pipelines/replay")
                    for p in (source / folder).rglob("*.jsonl*"))
    assert len(traces) > 40
    done = _run([*python, "-m", "rspp", "replay", "check", "--format", "json",
                 "--bundle", "livekit_voice_assistant_bundle@1.0.0", *traces], source, env)
    assert done.returncode == 1, done.stdout + done.stderr  # the bad traces' findings
    return done.stdout


def test_wheel_without_extras_runs(installed: tuple[Path, Path], tmp_path: Path) -> None:
    venv_dir, source = installed
    env = _offline_env(tmp_path, Path(os.environ["RSPP_WHEELHOUSE"]))
    rspp = str(venv_dir / "bin" / "rspp")
    # Nothing from the dev extras is there: the install is what a consumer gets.
    probe = _run([str(venv_dir / "bin/python"), "-c", "import pytest"], tmp_path, env)
    assert probe.returncode != 0

    version = _run([rspp, "--version"], tmp_path, env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("rspp ")

    clean = _run([rspp, "validate"], source, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "no findings" in clean.stdout

    for args in (["foo"], ["validate", "--bogus"], []):
        usage = _run([rspp, *args], source, env)
        assert usage.returncode == 2, (args, usage.stdout, usage.stderr)
        assert "rspp: internal error" not in usage.stdout + usage.stderr
        assert "Usage: rspp" in usage.stdout + usage.stderr


def test_consumer_precommit_blocks_a_broken_artifact(installed: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    """A consumer repository uses this repository's hooks with `repo:` and `rev:`."""
    _, _ = installed
    env = _offline_env(tmp_path, Path(os.environ["RSPP_WHEELHOUSE"]))
    source, rev = _source_repo(tmp_path, env)
    consumer = copy_rule_base(tmp_path / "consumer")
    (consumer / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {source}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: rspp-validate\n"
        "      - id: rspp-fmt\n"
        "      - id: rspp-generated\n",
        encoding="utf-8",
    )
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        assert _run(["git", *args], consumer, env).returncode == 0
    pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"]

    clean = _run(pre_commit, consumer, env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "rspp validate" in clean.stdout and "Passed" in clean.stdout

    spec = consumer / "pipelines/specs/agent.yaml"
    original = spec.read_text(encoding="utf-8")
    assert "{from: llm.text, to: tts.text}" in original
    spec.write_text(original.replace("{from: llm.text, to: tts.text}", BROKEN_EDGE),
                    encoding="utf-8")
    broken = _run(pre_commit, consumer, env)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "pipelines/specs/agent.yaml:44:44 LANE002 error" in broken.stdout
    assert "Traceback" not in broken.stdout + broken.stderr


def test_wheel_compiles_the_trace_checker_with_the_same_results(
        installed: tuple[Path, Path], tmp_path: Path) -> None:
    """Where a C compiler exists (always in CI) the wheel's trace checker is native (mypyc,
    ADR 0012), and it reports byte for byte what the pure-Python modules report."""
    venv_dir, source = installed
    env = _offline_env(tmp_path, Path(os.environ["RSPP_WHEELHOUSE"]))
    module = _trace_module(venv_dir, tmp_path, env)
    if os.environ.get("CI") or shutil.which("cc"):
        assert not module.endswith(".py"), module
        version = _run([str(venv_dir / "bin/rspp"), "--version"], tmp_path, env)
        assert version.stdout.endswith("\ntrace checker: compiled (mypyc)\n"), version.stdout
    generated = source / "tests/replay/generated-20000.jsonl"
    load_benchmark("tracegen").generate(generated, 20_000, 400, seed=3)
    try:
        native = _replay_check([str(venv_dir / "bin/python")], source, env)
        pure = _replay_check([sys.executable], source,
                             {**env, "PYTHONPATH": str(REPO_ROOT / "tools")})
    finally:
        generated.unlink()
    assert json.loads(native)["trace"] == json.loads(pure)["trace"]
    assert native == pure


def test_without_a_compiler_the_wheel_is_pure_python(wheelhouse: Path, tmp_path: Path) -> None:
    """No working C compiler (``CC=false``): the build warns, ships a ``py3-none-any`` wheel
    of the same modules, and the checker runs."""
    env = {**_offline_env(tmp_path, wheelhouse), "CC": "false", "RSPP_COMPILE": "auto"}
    source, _ = _source_repo(tmp_path, env)
    venv_dir, log = _install(tmp_path, source, env)
    assert log.startswith("rspp-0.1.0-py3-none-any.whl"), log[:200]
    assert "building pure Python (the trace checker runs slower): no working C compiler" in log
    assert _trace_module(venv_dir, tmp_path, env).endswith("/rspp/conform/trace.py")
    version = _run([str(venv_dir / "bin/rspp"), "--version"], tmp_path, env)
    assert version.stdout.endswith("\ntrace checker: pure Python\n"), version.stdout
    done = _run([str(venv_dir / "bin/rspp"), "replay", "check",
                 "pipelines/replay/fixtures/barge_in_turn.jsonl"], source, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no findings" in done.stdout
