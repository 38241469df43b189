"""The console script: exit codes, one-line errors, formats, explain, rules list."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rspp import __version__
from rspp.cli.main import main
from rspp.rules.registry import all_rules
from tests.helpers.repos import artifact_count

RSPP = str(Path(sys.executable).parent / "rspp")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RSPP, *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          stdin=subprocess.DEVNULL)


def _break_spec(repo: Path) -> Path:
    spec = repo / "pipelines/specs/agent.yaml"
    spec.write_text(spec.read_text().replace("to: llm.turn}", "to: llm.tern}"))
    return spec


@pytest.mark.slow
def test_clean_repository_exits_zero(base_repo: Path) -> None:
    proc = run("validate", "--root", str(base_repo))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == f"{artifact_count(base_repo)} files checked: no findings\n"


@pytest.mark.slow
def test_finding_exits_one_with_location_and_excerpt(base_repo: Path) -> None:
    _break_spec(base_repo)
    proc = run("validate", "--root", str(base_repo))
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "pipelines/specs/agent.yaml:27:11 DAG006 error: required input llm.turn " \
                       "is not connected"
    at = lines.index("pipelines/specs/agent.yaml:43:29 DAG003 error: 'llm' (llm.openai) has "
                     "no input port 'tern' (inputs: cancel, transcript, turn); did you mean "
                     "'turn'?")
    assert lines[at + 1] == "  43 |     - {from: turn.turn, to: llm.tern}"
    assert lines[at + 2] == "     |                             ^^^^^^^^"
    assert lines[-1] == "11 files checked: 2 errors, 0 warnings"


@pytest.mark.slow
def test_validate_named_file_from_inside_the_repo(base_repo: Path) -> None:
    _break_spec(base_repo)
    (base_repo / ".git").mkdir()
    proc = run("validate", "pipelines/specs/agent.yaml", cwd=base_repo)
    assert proc.returncode == 1
    assert proc.stdout.endswith("1 file checked: 2 errors, 0 warnings\n")
    clean = run("validate", "pipelines/profiles/base.yaml", cwd=base_repo)
    assert clean.returncode == 0, clean.stdout


@pytest.mark.slow
def test_partial_run_reports_references_its_files_break(base_repo: Path) -> None:
    spec = base_repo / "pipelines/specs/agent.yaml"
    spec.write_text(spec.read_text().replace('version: "1.0.0"', 'version: "1.1.0"', 1))
    proc = run("validate", "--root", str(base_repo), str(spec))
    assert proc.returncode == 1
    assert "pipelines/bundles/agent.json:" in proc.stdout
    assert "REF001 error: PipelineSpec agent@1.0.0 is not defined (known versions: 1.1.0)" \
        in proc.stdout


@pytest.mark.slow
def test_warnings_fail_only_with_strict(base_repo: Path) -> None:
    gates = base_repo / "pipelines/tests/gates.yaml"
    gates.rename(base_repo / "pipelines/specs/gates.yaml")
    assert run("validate", "--root", str(base_repo)).returncode == 0
    strict = run("validate", "--strict", "--root", str(base_repo))
    assert strict.returncode == 1
    assert "ENV003 warning" in strict.stdout


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_machine_formats(base_repo: Path, fmt: str) -> None:
    _break_spec(base_repo)
    proc = run("validate", "--format", fmt, "--root", str(base_repo))
    assert proc.returncode == 1
    if fmt == "github":
        assert proc.stdout.startswith("::error file=pipelines/specs/agent.yaml,line=27,col=11,")
    else:
        doc = json.loads(proc.stdout)
        assert doc


@pytest.mark.slow
def test_usage_errors_exit_two_with_one_line(base_repo: Path, tmp_path: Path) -> None:
    proc = run("validate", "--format", "xml", "--root", str(base_repo))
    assert proc.returncode == 2
    assert proc.stderr == "rspp: error: unknown format 'xml' (use one of text, json, github, " \
                          "sarif)\n"
    missing = run("validate", "--root", str(base_repo), str(base_repo / "nope.yaml"))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
    outside = run("validate", "--root", str(base_repo), str(tmp_path))
    assert outside.returncode == 2 and "outside the repository" in outside.stderr
    unknown = run("frobnicate")
    assert unknown.returncode == 2
    assert "Traceback" not in unknown.stderr


def test_explain_and_rules_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "dag004"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("DAG004 (graph, error): The graph has a cycle.\n")
    assert main(["explain", "XYZ999"]) == 2
    assert "no rule 'XYZ999'" in capsys.readouterr().err
    assert main(["rules", "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["code"] for r in listed] == [r.code for r in all_rules()]
    assert main(["rules", "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(all_rules())


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import rspp.conform.trace as trace

    assert main(["--version"]) == 0
    build = "pure Python" if trace.__file__.endswith(".py") else "compiled (mypyc)"
    assert capsys.readouterr().out == f"rspp {__version__}\ntrace checker: {build}\n"


def test_generate_commands_write_then_check(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    # rspp's own source repository (the only one where these files are generated), empty.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "rspp"\n', encoding="utf-8")
    (tmp_path / "tools" / "rspp").mkdir(parents=True)
    (tmp_path / "tools" / "rspp" / "__init__.py").write_text("", encoding="utf-8")
    root = str(tmp_path)
    assert main(["check-generated", "--root", root]) == 1
    assert "schemas/PipelineSpec.schema.json: out of date" in capsys.readouterr().out
    assert main(["schemas", "--write", "--root", root]) == 0
    assert main(["docs", "--write", "--root", root]) == 0
    assert "wrote docs/rules.md" in capsys.readouterr().out
    assert main(["schemas", "--check", "--root", root]) == 0
    assert main(["docs", "--root", root]) == 0
    assert main(["check-generated", "--root", root]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "generated files are fresh"
    (tmp_path / "docs" / "rules.md").write_text("edited by hand\n")
    assert main(["docs", "--root", root]) == 1
    assert "docs/rules.md: out of date" in capsys.readouterr().out


def test_validate_in_process_formats(base_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--root", str(base_repo), "--format", "json", "-j", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["failed"] is False
    folder = base_repo / "pipelines" / "specs"
    assert main(["validate", "--root", str(base_repo), str(folder)]) == 0
    assert capsys.readouterr().out == "1 file checked: no findings\n"
