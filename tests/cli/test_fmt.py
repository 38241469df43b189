"""`rspp fmt` on real files: reports, exit codes, --check, atomic writes, hostile input."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rspp.cli.main import main
from tests.helpers.repos import artifact_count

PROFILE = "pipelines/profiles/base.yaml"
SPEC = "pipelines/specs/agent.yaml"


def _unformat(repo: Path) -> tuple[Path, Path]:
    """Two files that fmt changes: an unquoted version, and keys out of order."""
    spec = repo / SPEC
    spec.write_text(spec.read_text(encoding="utf-8").replace('version: "1.0.0"', "version: 1.0.0",
                                                             1), encoding="utf-8")
    profile = repo / PROFILE
    text = profile.read_text(encoding="utf-8")
    assert text.startswith("apiVersion: rspp.dev/v1alpha1\nkind: ExecutionProfile\n")
    profile.write_text(text.replace("apiVersion: rspp.dev/v1alpha1\nkind: ExecutionProfile\n",
                                    "kind: ExecutionProfile  # the kind\napiVersion: "
                                    "rspp.dev/v1alpha1\n", 1), encoding="utf-8")
    return spec, profile


def _snapshot(repo: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of ``repo`` but rspp's work area (``.rspp/``: its cache records what fmt
    found canonical), with its modification time."""
    return {p.relative_to(repo).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(repo.rglob("*"))
            if p.is_file() and ".rspp" not in p.relative_to(repo).parts}


def test_a_formatted_repository_is_left_alone(base_repo: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    before = _snapshot(base_repo)
    assert main(["fmt", "--root", str(base_repo)]) == 0
    files = artifact_count(base_repo)
    assert capsys.readouterr().out == f"0 files reformatted, {files} unchanged\n"
    assert main(["fmt", "--check", "--root", str(base_repo)]) == 0
    assert capsys.readouterr().out == f"0 files would be reformatted, {files} unchanged\n"
    assert _snapshot(base_repo) == before


def test_check_lists_the_files_and_writes_nothing(base_repo: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _unformat(base_repo)
    before = _snapshot(base_repo)
    assert main(["fmt", "--check", "--root", str(base_repo)]) == 1
    assert capsys.readouterr().out == (
        f"{PROFILE}: would reformat\n{SPEC}: would reformat\n"
        "2 files would be reformatted, 9 unchanged\n")
    assert _snapshot(base_repo) == before


def test_diff_shows_each_change(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _unformat(base_repo)
    assert main(["fmt", "--check", "--diff", "--root", str(base_repo), str(base_repo / SPEC)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{SPEC}: would reformat\n--- a/{SPEC}\n+++ b/{SPEC}\n@@ ")
    assert "\n-  version: 1.0.0\n+  version: \"1.0.0\"\n" in out
    assert out.endswith("1 file would be reformatted, 0 unchanged\n")


def test_formatting_rewrites_only_what_changes(base_repo: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    spec, profile = _unformat(base_repo)
    os.chmod(profile, 0o640)
    before = _snapshot(base_repo)
    assert main(["fmt", "--root", str(base_repo)]) == 0
    assert capsys.readouterr().out == (
        f"{PROFILE}: reformatted\n{SPEC}: reformatted\n2 files reformatted, 9 unchanged\n")
    after = _snapshot(base_repo)
    changed = {name for name in before if before[name] != after.get(name)}
    assert changed == {PROFILE, SPEC}
    assert set(after) == set(before), "a temporary file was left behind"
    assert 'version: "1.0.0"' in spec.read_text(encoding="utf-8")
    assert profile.read_text(encoding="utf-8").startswith(
        "apiVersion: rspp.dev/v1alpha1\nkind: ExecutionProfile  # the kind\n")
    assert stat.S_IMODE(profile.stat().st_mode) == 0o640
    assert main(["fmt", "--check", "--root", str(base_repo)]) == 0


def test_named_files_and_folders(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _unformat(base_repo)
    assert main(["fmt", "--check", "--root", str(base_repo),
                 str(base_repo / "pipelines/profiles")]) == 1
    assert capsys.readouterr().out == (
        f"{PROFILE}: would reformat\n1 file would be reformatted, 1 unchanged\n")


@pytest.mark.parametrize(("text", "code"), [
    ("apiVersion: rspp.dev/v1alpha1\nkind: &k ExecutionProfile\nx: *k\n", "LOAD003"),
    ("apiVersion: rspp.dev/v1alpha1\nkind: ExecutionProfile\nkind: Module\n", "LOAD002"),
    ("apiVersion: rspp.dev/v1alpha1\nkind: !!python/object:os.system [ls]\n", "LOAD005"),
    ("\ufeffa: 1\n".encode("utf-16").decode("latin-1"), "FILE005"),
])
def test_hostile_files_are_reported_and_never_touched(
    base_repo: Path, capsys: pytest.CaptureFixture[str], text: str, code: str,
) -> None:
    profile = base_repo / PROFILE
    profile.write_bytes(text.encode("latin-1") if code == "FILE005" else text.encode())
    before = _snapshot(base_repo)
    assert main(["fmt", "--root", str(base_repo)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{PROFILE}:") and f" {code} " in lines[0]
    assert lines[-1] == "0 files reformatted, 10 unchanged, 1 file not formatted"
    assert _snapshot(base_repo) == before


def test_a_link_out_of_the_repository_is_refused(base_repo: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: Other\nb: yes\n", encoding="utf-8")
    link = base_repo / "pipelines/specs/linked.yaml"
    link.symlink_to(outside)
    assert main(["fmt", "--root", str(base_repo)]) == 1
    out = capsys.readouterr().out
    assert f"pipelines/specs/linked.yaml:1:1 FILE002 symbolic link points outside the " \
           f"repository: pipelines/specs/linked.yaml -> {outside}\n" in out
    assert outside.read_text(encoding="utf-8") == "kind: Other\nb: yes\n"
    assert link.is_symlink()


def test_a_file_fmt_cannot_keep_faithfully_is_left_alone(
    base_repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    profile = base_repo / PROFILE
    text = profile.read_text(encoding="utf-8").replace(
        "kind: ExecutionProfile", "kind: ExecutionProfile\nx: [1,  # one\n  2]")
    profile.write_text(text, encoding="utf-8")
    assert main(["fmt", "--root", str(base_repo)]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{PROFILE}:3:9 FMT001 a comment inside a flow collection ([...] or {{...}}) cannot "
        "be kept; write the collection in block style; file left unchanged")
    assert profile.read_text(encoding="utf-8") == text


def test_a_failed_write_leaves_the_file_whole(base_repo: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec, _ = _unformat(base_repo)
    before = _snapshot(base_repo)

    def refuse(*args: object, **kwargs: object) -> None:  # os.replace, however it is called
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("rspp.fmt.engine.os.replace", refuse)
    assert main(["fmt", "--root", str(base_repo), str(spec)]) == 2
    assert "rspp: error: IO003 cannot write pipelines/specs/agent.yaml: Permission denied" \
        in capsys.readouterr().err
    assert _snapshot(base_repo) == before


@pytest.mark.parametrize("args", [
    ["fmt", "no/such/file.yaml"],
    ["fmt", "README.md"],
    ["fmt", "--root", "no/such/dir"],
    ["fmt", "--no-such-option"],
])
def test_usage_errors_exit_two(base_repo: Path, monkeypatch: pytest.MonkeyPatch,
                               args: list[str]) -> None:
    (base_repo / "README.md").write_text("# repo\n", encoding="utf-8")
    monkeypatch.chdir(base_repo)
    assert main(args) == 2


@pytest.mark.slow
def test_the_console_script_checks_from_inside_the_repository(base_repo: Path) -> None:
    (base_repo / ".git").mkdir()
    _unformat(base_repo)
    proc = subprocess.run([sys.executable, "-m", "rspp", "fmt", "--check"], cwd=base_repo,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout == (f"{PROFILE}: would reformat\n{SPEC}: would reformat\n"
                           "2 files would be reformatted, 9 unchanged\n")
    assert proc.stderr == ""


def test_a_link_inside_the_repository_is_written_at_its_target(
    base_repo: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    spec, _ = _unformat(base_repo)
    link = base_repo / "pipelines/specs/alias.yaml"
    link.symlink_to(spec)
    assert main(["fmt", "--root", str(base_repo), str(link)]) == 0
    assert capsys.readouterr().out == ("pipelines/specs/alias.yaml: reformatted\n"
                                       "1 file reformatted, 0 unchanged\n")
    assert link.is_symlink()
    assert 'version: "1.0.0"' in spec.read_text(encoding="utf-8")
