"""Files named on the command line go through the read policy: `rspp digest`,
`rspp plan --routing` and `rspp validate` targets.

A file rspp refuses to read is a FILE finding at ``path:1:1`` with exit 1 (the finding a
repository run reports for the same file); a name that cannot mean a file of the repository
(outside it, missing, not an artifact file) is one line ``rspp: error: PATHnnn ...`` with
exit 2. Never a traceback, never "internal error", never the outside file's content.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT
from tests.helpers.cli import needs_setpriv, rspp_process
from tests.helpers.repos import mark_checkout

# Every test here runs the console script.
pytestmark = pytest.mark.slow

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}  ")
PROFILE = "pipelines/profiles/base.yaml"
BUNDLE = "livekit_voice_assistant_bundle@1.0.0"
ROUTING = REPO_ROOT / "docs" / "examples" / "routing_snapshot.yaml"


@pytest.fixture
def example_checkout(examples: Path) -> Path:
    """The example artifacts (they include bundles to plan), found from inside."""
    return mark_checkout(examples)


def _finding(run_out: str, code: str) -> str:
    lines = [line for line in run_out.splitlines() if f" {code} " in line]
    assert len(lines) == 1, run_out
    return lines[0]


def _no_crash(run: object) -> None:
    text = getattr(run, "out", "") + getattr(run, "err", "")
    assert "internal error" not in text and "Traceback" not in text, text
    assert "BadParameter" not in text, text


# ------------------------------------------------------------------------------ rspp digest

def test_digest_refuses_a_link_out_of_the_repository(base_checkout: Path, outside: Path) -> None:
    link = base_checkout / "pipelines" / "profiles" / "linked.yaml"
    link.symlink_to(outside / "base.yaml")
    run = rspp_process("digest", link, cwd=base_checkout)
    _no_crash(run)
    assert run.code == 1
    assert run.out == (f"{link}:1:1 FILE002 symbolic link points outside the repository: "
                       f"pipelines/profiles/linked.yaml -> {outside / 'base.yaml'}\n")


def test_digest_refuses_a_folder_link_out_of_the_repository(base_checkout: Path,
                                                            outside: Path) -> None:
    (base_checkout / "pipelines" / "ext").symlink_to(outside, target_is_directory=True)
    run = rspp_process("digest", "pipelines/ext/base.yaml", cwd=base_checkout)
    _no_crash(run)
    assert run.code == 1
    assert run.out.startswith("pipelines/ext/base.yaml:1:1 FILE002 symbolic link points "
                              "outside the repository: pipelines/ext -> ")


def test_digest_follows_a_link_that_stays_inside(base_checkout: Path) -> None:
    (base_checkout / "alias.yaml").symlink_to(PROFILE)
    run = rspp_process("digest", "alias.yaml", PROFILE, cwd=base_checkout)
    assert run.code == 0, run.out + run.err
    alias, real = run.out.splitlines()
    assert DIGEST.match(alias) and alias.split()[0] == real.split()[0]


def test_digest_of_a_link_loop_is_a_finding(base_checkout: Path) -> None:
    (base_checkout / "loop.yaml").symlink_to("loop.yaml")
    run = rspp_process("digest", "loop.yaml", PROFILE, cwd=base_checkout)
    _no_crash(run)
    assert run.code == 1
    assert _finding(run.out, "FILE001").startswith("loop.yaml:1:1 FILE001 ")
    assert "link loop" in run.out
    assert DIGEST.match(run.out.splitlines()[1])  # the other file is still digested


def test_digest_of_a_fifo_does_not_block(base_checkout: Path) -> None:
    os.mkfifo(base_checkout / "pipe.yaml")
    run = rspp_process("digest", "pipe.yaml", cwd=base_checkout)
    _no_crash(run)
    assert (run.code, run.out) == (1, "pipe.yaml:1:1 FILE003 not a regular file: a FIFO\n")


def test_digest_of_dev_zero(tmp_path: Path) -> None:
    run = rspp_process("digest", "/dev/zero", cwd=tmp_path)
    _no_crash(run)
    assert (run.code, run.out) == (
        1, "/dev/zero:1:1 FILE003 not a regular file: a character device\n")


def test_digest_of_a_link_to_dev_zero(base_checkout: Path) -> None:
    (base_checkout / "zero.yaml").symlink_to("/dev/zero")
    run = rspp_process("digest", "zero.yaml", cwd=base_checkout)
    _no_crash(run)
    assert run.code == 1
    assert run.out == ("zero.yaml:1:1 FILE002 symbolic link points outside the repository: "
                       "zero.yaml -> /dev/zero\n")


def test_digest_of_a_folder(base_checkout: Path) -> None:
    run = rspp_process("digest", "pipelines", cwd=base_checkout)
    _no_crash(run)
    assert (run.code, run.out) == (1, "pipelines:1:1 FILE003 not a regular file: a folder\n")


@needs_setpriv
def test_digest_of_an_unreadable_file(base_checkout: Path) -> None:
    (base_checkout / PROFILE).chmod(0)
    run = rspp_process("digest", PROFILE, cwd=base_checkout, unprivileged=True)
    _no_crash(run)
    assert run.code == 1
    assert run.out == f"{PROFILE}:1:1 FILE001 cannot read file: Permission denied\n"


def test_digest_of_a_missing_file_is_a_usage_error(base_checkout: Path) -> None:
    run = rspp_process("digest", "nope.yaml", cwd=base_checkout)
    assert (run.code, run.out) == (2, "")
    assert run.err == "rspp: error: PATH002 nope.yaml: no such file or folder\n"


# ------------------------------------------------------------------------ rspp plan --routing

def _plan(examples: Path, routing: Path | str) -> object:
    return rspp_process("plan", "--root", examples, "--bundle", BUNDLE, "--session", "s",
                        "--turn", "0", "--lease-epoch", "0", "--routing", routing, cwd=examples)


def test_plan_reads_a_routing_snapshot_inside_the_repository(example_checkout: Path) -> None:
    (example_checkout / "routing.yaml").write_bytes(ROUTING.read_bytes())
    run = _plan(example_checkout, "routing.yaml")
    assert run.code == 0, run.out + run.err  # type: ignore[attr-defined]
    assert '"kind": "ResolvedTurnPlan"' in run.out  # type: ignore[attr-defined]


def test_plan_refuses_a_routing_link_out_of_the_repository(example_checkout: Path,
                                                           outside: Path) -> None:
    (outside / "routing.yaml").write_bytes(ROUTING.read_bytes())
    (example_checkout / "routing.yaml").symlink_to(outside / "routing.yaml")
    run = _plan(example_checkout, example_checkout / "routing.yaml")
    _no_crash(run)
    assert run.code == 1  # type: ignore[attr-defined]
    assert run.out.startswith(  # type: ignore[attr-defined]
        "routing.yaml:1:1 FILE002 error: symbolic link points outside the repository: "
        f"routing.yaml -> {outside / 'routing.yaml'}\n")
    assert "ResolvedTurnPlan" not in run.out  # type: ignore[attr-defined]


@pytest.mark.parametrize(("make", "code", "message"), [
    ("fifo", "FILE003", "not a regular file: a FIFO"),
    ("loop", "FILE001", "too many levels of symbolic links (a link loop)"),
    ("folder", "FILE003", "not a regular file: a folder"),
])
def test_plan_refuses_what_is_not_a_routing_file(example_checkout: Path, make: str, code: str,
                                                 message: str) -> None:
    path = example_checkout / "routing.yaml"
    if make == "fifo":
        os.mkfifo(path)
    elif make == "loop":
        path.symlink_to("routing.yaml")
    else:
        path.mkdir()
    run = _plan(example_checkout, path)
    _no_crash(run)
    assert run.code == 1  # type: ignore[attr-defined]
    line = run.out.splitlines()[0]  # type: ignore[attr-defined]
    assert line.startswith(f"routing.yaml:1:1 {code} error: ") and line.endswith(message)


def test_plan_refuses_dev_zero(example_checkout: Path) -> None:
    run = _plan(example_checkout, "/dev/zero")
    _no_crash(run)
    assert run.code == 1  # type: ignore[attr-defined]
    assert run.out.startswith(  # type: ignore[attr-defined]
        "/dev/zero:1:1 FILE003 error: not a regular file: a character device\n")


@needs_setpriv
def test_plan_refuses_an_unreadable_routing_file(example_checkout: Path) -> None:
    path = example_checkout / "routing.yaml"
    path.write_bytes(ROUTING.read_bytes())
    path.chmod(0)
    run = rspp_process("plan", "--root", example_checkout, "--bundle", BUNDLE, "--session", "s",
                       "--turn", "0", "--lease-epoch", "0", "--routing", path,
                       cwd=example_checkout, unprivileged=True)
    _no_crash(run)
    assert run.code == 1
    assert run.out.startswith("routing.yaml:1:1 FILE001 error: cannot read file: Permission "
                              "denied\n")


def test_plan_with_a_missing_routing_file_is_a_usage_error(example_checkout: Path) -> None:
    run = _plan(example_checkout, "nope.yaml")
    assert run.code == 2  # type: ignore[attr-defined]
    assert run.err == "rspp: error: PATH002 nope.yaml: no such file or folder\n"  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- rspp validate FILE...

def test_validate_refuses_a_named_folder_link_out(base_checkout: Path, outside: Path) -> None:
    (base_checkout / "pipelines" / "ext").symlink_to(outside, target_is_directory=True)
    run = rspp_process("validate", "pipelines/ext", cwd=base_checkout)
    _no_crash(run)
    assert run.code == 1
    assert _finding(run.out, "FILE002").startswith(
        "pipelines/ext:1:1 FILE002 error: symbolic link points outside the repository: "
        "pipelines/ext -> ")


def test_validate_refuses_a_named_file_through_a_folder_link_out(base_checkout: Path,
                                                                 outside: Path) -> None:
    (base_checkout / "pipelines" / "ext").symlink_to(outside, target_is_directory=True)
    run = rspp_process("validate", "pipelines/ext/base.yaml", cwd=base_checkout)
    _no_crash(run)
    assert run.code == 1
    assert _finding(run.out, "FILE002").startswith("pipelines/ext/base.yaml:1:1 FILE002 ")
    assert run.out.endswith("1 file checked: 1 error, 0 warnings\n")


@pytest.mark.parametrize(("make", "code"), [("fifo", "FILE003"), ("loop", "FILE001"),
                                            ("zero", "FILE002")])
def test_validate_refuses_special_named_files(base_checkout: Path, make: str, code: str) -> None:
    path = base_checkout / "pipelines" / "odd.yaml"
    if make == "fifo":
        os.mkfifo(path)
    elif make == "loop":
        path.symlink_to("odd.yaml")
    else:
        path.symlink_to("/dev/zero")
    run = rspp_process("validate", "pipelines/odd.yaml", cwd=base_checkout)
    _no_crash(run)
    assert run.code == 1
    assert _finding(run.out, code).startswith(f"pipelines/odd.yaml:1:1 {code} error: ")


@needs_setpriv
def test_validate_reports_an_unreadable_named_file(base_checkout: Path) -> None:
    (base_checkout / PROFILE).chmod(0)
    run = rspp_process("validate", PROFILE, cwd=base_checkout, unprivileged=True)
    _no_crash(run)
    assert run.code == 1
    assert _finding(run.out, "FILE001") == (f"{PROFILE}:1:1 FILE001 error: cannot read file: "
                                            "Permission denied")


@pytest.mark.parametrize(("args", "message"), [
    (["/etc/passwd"], "PATH001 /etc/passwd: outside the repository"),
    (["pipelines/nope.yaml"], "PATH002 pipelines/nope.yaml: no such file or folder"),
    (["pipelines/README.md"], "PATH003 pipelines/README.md: not an artifact file"),
])
def test_validate_names_that_cannot_be_artifacts_are_usage_errors(
        base_checkout: Path, args: list[str], message: str) -> None:
    (base_checkout / "pipelines" / "README.md").write_text("# notes\n", encoding="utf-8")
    run = rspp_process("validate", *args, cwd=base_checkout)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith(f"rspp: error: {message}") and run.err.count("\n") == 1


# ------------------------------------------------------------- rspp explain-value VIEW.json

def test_explain_value_refuses_a_saved_view_linked_out(tmp_path: Path, outside: Path) -> None:
    view = outside / "view.json"
    view.write_text('{"apiVersion": "rspp.dev/v1alpha1", "kind": "ResolvedSpec", "spec": {}}\n',
                    encoding="utf-8")
    folder = tmp_path / "views"
    folder.mkdir()
    (folder / "view.json").symlink_to(view)
    run = rspp_process("explain-value", "view.json", "/spec", cwd=folder)
    _no_crash(run)
    assert (run.code, run.out) == (2, "")
    assert run.err == ("rspp: error: view.json:1:1 FILE002 symbolic link points outside the "
                       f"repository: view.json -> {view}\n")
