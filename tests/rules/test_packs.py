"""Packs (ADR 0024): real distributions (tests/packs) installed with pip into a folder of their
own, put on the import path of an rspp process. A pack is active only when the configuration
enables it; a clashing, broken, missing or out-of-range pack is a located finding; nothing is
ever imported from the repository being checked."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rspp.load.config import parse_config
from rspp.rules.base import Hit
from rspp.rules.packs import Pack, PackKind, PackRule, compile_kind_schema, pack_problem
from tests.helpers import REPO_ROOT
from tests.helpers.files import write
from tests.helpers.repos import copy_examples

PACKS = REPO_ROOT / "tests/packs"
SPEC = "pipelines/specs/sip_telephony_assistant_2.yaml"
FOREIGN = "    - telephony@elsewhere.example"

# Runs the CLI, then names the pack modules the process imported (python -m puts the current
# folder first on the import path: so does this, to show the repository cannot use that).
_SCRIPT = """
import json, os, sys
sys.path.insert(0, os.getcwd())
from rspp.cli.main import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("IMPORTED " + json.dumps(sorted(m for m in sys.modules if m.endswith("_rspp_pack"))))
sys.exit(code)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five test packs, built and installed by pip (offline, no dependencies) into a
    folder that is no part of any repository."""
    tmp = tmp_path_factory.mktemp("packs")
    sources = tmp / "src"
    shutil.copytree(PACKS, sources)  # the build writes beside its sources: not in the repo
    target = tmp / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target),
         *(str(sources / name) for name in ("acme", "clash", "broken", "twin", "shadow"))],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return target


def _rspp(repo: Path, site: Path, *args: str) -> tuple[int, str, list[str]]:
    """(exit code, output, pack modules imported) of ``rspp ARGS`` run in ``repo``."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), str(REPO_ROOT / "tools"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _SCRIPT, *args], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    out, _, imported = done.stdout.rpartition("IMPORTED ")
    assert imported, done.stdout + done.stderr
    return done.returncode, out + done.stderr, json.loads(imported)


def _repo(tmp_path: Path, packs: str | None) -> Path:
    """The examples with a new (unpublished) version of a spec, one of whose owners is not
    at acme.example; with ``packs``, an rspp.toml that holds that ``[packs]`` table."""
    repo = copy_examples(tmp_path / "repo")
    text = (repo / "pipelines/specs/sip_telephony_assistant.yaml").read_text(encoding="utf-8")
    write(repo, SPEC, text.replace('  version: "1.0.0"', '  version: "2.0.0"').replace(
        "    - telephony@acme.example", FOREIGN))
    if packs is not None:
        write(repo, "rspp.toml", f"[packs]\n{packs}")
    return repo


def _line(repo: Path, rel: str, text: str) -> int:
    return (repo / rel).read_text(encoding="utf-8").splitlines().index(text) + 1


@pytest.mark.slow
def test_an_enabled_pack_reports_in_every_format(tmp_path: Path, site: Path) -> None:
    repo = _repo(tmp_path, 'acme-rspp-pack = ">=1.2,<2"\n')
    code, out, imported = _rspp(repo, site, "validate")
    line = _line(repo, SPEC, FOREIGN)
    assert code == 1 and imported == ["acme_rspp_pack"]
    assert (f"{SPEC}:{line}:7 ACME001 error: owner 'telephony@elsewhere.example' is not an "
            "address at acme.example") in out
    code, out, _ = _rspp(repo, site, "validate", "--format", "sarif")
    log = json.loads(out)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    acme = [r for r in rules if r["id"] == "ACME001"]
    assert acme and acme[0]["shortDescription"]["text"] == \
        "Every owner of a PipelineSpec is an address at acme.example."
    assert "helpUri" not in acme[0]  # not a code of rspp's own rule reference
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["ACME001"]
    code, out, _ = _rspp(repo, site, "validate", "--format", "json")
    assert [f["code"] for f in json.loads(out)["findings"]] == ["ACME001"]


@pytest.mark.slow
def test_packs_list_shows_version_digest_and_rules(tmp_path: Path, site: Path) -> None:
    repo = _repo(tmp_path, 'acme-rspp-pack = "*"\n')
    record = next(site.glob("acme_rspp_pack-*.dist-info")) / "RECORD"
    digest = "sha256:" + hashlib.sha256(record.read_bytes()).hexdigest()
    code, out, _ = _rspp(repo, site, "packs", "list")
    assert code == 0
    assert out.splitlines() == [
        f"acme-rspp-pack 1.2.0 {digest}",
        "  ACME001 error: Every owner of a PipelineSpec is an address at acme.example.",
        "  ACME002 error: An Acme module names a known team.",
        "  ACME003 error: A LatencyBudget names a pipeline of the repository.",
        "  node type acme.redact",
        "  gate type acme.soak: Soak logs hold at most max_errors ERROR lines.",
        "  artifact kind LatencyBudget (acme.example/v1): Time to first audio a pipeline "
        "must meet."]
    code, out, _ = _rspp(repo, site, "build")
    catalog = (repo / "docs/pipelines/catalog.md").read_text(encoding="utf-8")
    assert "## Pack types\n\n### `acme.redact`\n\nCategory: text; execution: in_process.\n\n" \
           "From pack `acme-rspp-pack` 1.2.0 (`rspp packs list`); a node uses it by type " \
           "alone." in catalog
    assert "| `mode` | string |  |  | `\"mask\"`, `\"drop\"` | `\"mask\"` |" in catalog
    code, out, _ = _rspp(repo, site, "explain", "acme001")
    assert (code, out.splitlines()[0]) == (0, "ACME001 (pack, error): Every owner of a "
                                              "PipelineSpec is an address at acme.example.")
    assert "Acme routes pipeline alerts by owner address" in out
    code, out, _ = _rspp(repo, site, "packs", "list", "--format", "json")
    listed = json.loads(out)["packs"]
    assert [(p["name"], p["version"], p["digest"], p["prefix"], p["nodeTypes"],
             [g["type"] for g in p["gateTypes"]], p["artifactKinds"]) for p in listed] == [
        ("acme-rspp-pack", "1.2.0", digest, "ACME", ["acme.redact"], ["acme.soak"],
         [{"apiVersion": "acme.example/v1", "kind": "LatencyBudget",
           "summary": "Time to first audio a pipeline must meet."}])]


@pytest.mark.slow
def test_an_installed_pack_not_enabled_is_never_imported(tmp_path: Path, site: Path) -> None:
    repo = _repo(tmp_path, None)
    code, out, imported = _rspp(repo, site, "validate")
    assert code == 0 and "ACME001" not in out and imported == []
    code, out, imported = _rspp(repo, site, "packs", "list")
    assert (code, out.strip(), imported) == (0, "no packs enabled", [])


@pytest.mark.slow
def test_enabling_a_pack_is_not_answered_from_the_cache(tmp_path: Path, site: Path) -> None:
    """The record of the last whole run (ADR 0013) is keyed by the packs too."""
    repo = _repo(tmp_path, None)
    assert _rspp(repo, site, "validate")[0] == 0
    assert _rspp(repo, site, "validate")[0] == 0  # answered from the record
    write(repo, "rspp.toml", '[packs]\nacme-rspp-pack = "*"\n')
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 1 and "ACME001" in out


@pytest.mark.slow
def test_clashing_broken_missing_and_out_of_range_packs(tmp_path: Path, site: Path) -> None:
    repo = _repo(tmp_path, 'acme-rspp-pack = ">=2"\nbroken-rspp-pack = "*"\n'
                           'clash-rspp-pack = "*"\nnot-installed-pack = "~=1.0"\n')
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 1
    found = [line for line in out.splitlines() if " PCK00" in line]
    assert found == [
        "rspp.toml:2:1 PCK002 error: pack acme-rspp-pack 1.2.0 is installed; the "
        "configuration asks for >=2",
        "rspp.toml:3:1 PCK004 error: pack broken-rspp-pack failed to load: ImportError: this "
        "pack needs acme-internal-sdk, which is not installed",
        "rspp.toml:4:1 PCK005 error: pack clash-rspp-pack uses the code prefix REF, which "
        "rspp's own rules already uses",
        "rspp.toml:5:1 PCK001 error: pack not-installed-pack is enabled but not installed in "
        "this environment",
    ]
    assert "ACME001" not in out and "REF900" not in out
    code, out, _ = _rspp(repo, site, "packs", "list")
    assert code == 1 and out.endswith("no pack loaded (see the findings above)\n")
    code, out, _ = _rspp(repo, site, "packs", "list", "--format", "json")
    listed = json.loads(out)  # one JSON document, the refusals inside it
    assert code == 1 and listed["packs"] == []
    assert [(f["code"], f["line"]) for f in listed["findings"]] == [
        ("PCK002", 2), ("PCK004", 3), ("PCK005", 4), ("PCK001", 5)]


MODULE = "pipelines/modules/acme_clean.yaml"
_MODULE_TEXT = """\
apiVersion: rspp.dev/v1alpha1
kind: Module
metadata:
  id: acme_clean
  version: "1.0.0"
  labels: {team: voice}
spec:
  interface:
    inputs: {text: {type: text/transcript+json}}
    outputs: {text: text/transcript+json}
  bind:
    inputs: {text: [redact.text]}
    outputs: {text: normalize.text}
  nodes:
    - id: redact
      type: acme.redact
      params: {mode: MODE}
      cancel: {scope: turn}
    - id: normalize
      type: text.normalize
      cancel: {scope: turn}
  edges:
    - {from: redact.text, to: normalize.text}
"""


@pytest.mark.slow
def test_a_pack_node_type_is_checked_like_a_built_in_one(tmp_path: Path, site: Path) -> None:
    """acme.redact exists only where the pack is enabled; its ports wire, and its declared
    parameter refuses a value outside its enum (PRM002)."""
    repo = _repo(tmp_path, 'acme-rspp-pack = "==1.2.0"\n')
    write(repo, MODULE, _MODULE_TEXT.replace("MODE", "drop"))
    code, out, _ = _rspp(repo, site, "validate", MODULE)
    assert code == 0, out
    write(repo, MODULE, _MODULE_TEXT.replace("MODE", "erase"))
    code, out, _ = _rspp(repo, site, "validate", MODULE)
    assert code == 1
    assert (f"{MODULE}:17:22 PRM002 error: acme.redact parameter 'mode' is 'erase'; expected "
            "one of 'mask', 'drop'") in out
    write(repo, MODULE, _MODULE_TEXT.replace("MODE", "drop").replace("team: voice", "team: web"))
    code, out, _ = _rspp(repo, site, "validate", MODULE)
    assert code == 1 and f"{MODULE}:6:18 ACME002 error: team 'web' is not an Acme team" in out
    write(repo, MODULE, _MODULE_TEXT.replace("MODE", "drop").replace("  labels: {team: voice}\n",
                                                                     ""))
    code, out, _ = _rspp(repo, site, "validate", MODULE)
    assert code == 1 and "Traceback" not in out
    assert (f"{MODULE}:1:1 ACME002 error: rule ACME002 of pack acme-rspp-pack failed on this "
            "artifact (KeyError: 'labels')") in out
    write(repo, "rspp.toml", '[packs]\nacme-rspp-pack = "*"\ntwin-rspp-pack = "*"\n')
    code, out, _ = _rspp(repo, site, "validate", MODULE)
    assert code == 1 and ("rspp.toml:3:1 PCK005 error: pack twin-rspp-pack declares node "
                          "type acme.redact, which pack acme-rspp-pack already has") in out
    (repo / "rspp.toml").unlink()
    write(repo, MODULE, _MODULE_TEXT.replace("MODE", "drop"))
    code, out, imported = _rspp(repo, site, "validate", MODULE)
    assert code == 1 and imported == []
    assert f"{MODULE}:16:13 REF002 error: unknown node type 'acme.redact'" in out


BUDGET = "pipelines/policies/telephony_budget.yaml"
_BUDGET_TEXT = """\
# Acme's latency budget for the SIP assistant.
apiVersion: acme.example/v1
kind: LatencyBudget
metadata:
  id: telephony_budget
  version: "1.0.0"
  owners: [telephony@acme.example]
spec:
  pipeline: sip_telephony_assistant
  firstAudioMs: 800
"""


def _budget(repo: Path, old: str = "", new: str = "") -> None:
    write(repo, BUDGET, _BUDGET_TEXT.replace(old, new) if old else _BUDGET_TEXT)


@pytest.mark.slow
def test_a_pack_artifact_kind_is_validated_and_checked(tmp_path: Path, site: Path) -> None:
    """A LatencyBudget (acme's kind) is an artifact where acme is enabled: validated against
    the pack's schema and rspp's envelope with located findings, read by the pack's rule,
    locked and immutable like rspp's kinds, left alone by rspp migrate; an unknown kind
    where it is not."""
    repo = _repo(tmp_path, 'acme-rspp-pack = "*"\n')
    (repo / SPEC).unlink()  # only the budget is new
    _budget(repo)
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 0 and "no findings" in out, out
    cases = [(("firstAudioMs: 800", "firstAudioMs: 99"),
              f"{BUDGET}:10:17 SCH001 error: /spec/firstAudioMs: 99 is less than the minimum "
              "of 100"),
             (("firstAudioMs: 800", "firstAudioMs: 800.0"),
              f"{BUDGET}:10:17 SCH003 error: /spec/firstAudioMs must be an integer, but 800.0 "
              "is a float literal"),
             (("  owners:", "  team: voice\n  owners:"),
              f"{BUDGET}:7:3 SCH001 error: unknown key 'team' at /metadata"),
             (('version: "1.0.0"', "version: 1.0"),
              f"{BUDGET}:6:12 SCH001 error: /metadata/version must be a string"),
             (("pipeline: sip_telephony_assistant", "pipeline: nowhere"),
              f"{BUDGET}:9:13 ACME003 error: no PipelineSpec 'nowhere' in the repository"),
             (("acme.example/v1", "acme.example/v2"),
              f"{BUDGET}:2:13 ENV002 error: unsupported apiVersion \"acme.example/v2\"; pack "
              "acme-rspp-pack reads acme.example/v1 for LatencyBudget")]
    for (old, new), expected in cases:
        _budget(repo, old, new)
        code, out, _ = _rspp(repo, site, "validate")
        assert code == 1 and expected in out, (new, out)
    _budget(repo, "kind: LatencyBudget\n", "")  # with packs enabled, still said as it is
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 1 and "ENV001 error: missing key 'kind'" in out, out
    _budget(repo)
    write(repo, "pipelines/policies/budget_copy.yaml", _BUDGET_TEXT.replace("800", "700"))
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 1 and (f"{BUDGET}:6:12 DUP001 error: LatencyBudget telephony_budget@1.0.0 "
                          "is already defined in pipelines/policies/budget_copy.yaml:6") in out
    (repo / "pipelines/policies/budget_copy.yaml").unlink()
    code, out, _ = _rspp(repo, site, "check", "--today", "2026-11-30")
    assert code == 1 and "LCK001 error: LatencyBudget/telephony_budget@1.0.0 is not in " \
                         "rspp.lock" in out
    assert _rspp(repo, site, "lock")[0] == 0
    assert "LatencyBudget/telephony_budget@1.0.0" in (repo / "rspp.lock").read_text()
    _budget(repo, "firstAudioMs: 800", "firstAudioMs: 900")
    code, out, _ = _rspp(repo, site, "check", "--today", "2026-11-30")
    assert code == 1 and f"{BUDGET}:6:12 IMM003 error: LatencyBudget/telephony_budget@1.0.0 " \
                         "is locked as sha256:" in out
    code, out, _ = _rspp(repo, site, "migrate", "--check", BUDGET)
    assert code == 0 and "0 files would be migrated, 1 unchanged" in out, out
    code, out, _ = _rspp(repo, site, "schemas", "--export", ".schemas")
    assert code == 0 and "with the schemas of the packs' artifact kinds: LatencyBudget" in out
    exported = json.loads((repo / ".schemas/LatencyBudget.schema.json").read_text())
    assert exported["$defs"]["budget"]["properties"]["firstAudioMs"]["maximum"] == 5000
    (repo / "rspp.toml").unlink()
    code, out, _ = _rspp(repo, site, "check", "--today", "2026-11-30")
    assert code == 1 and ("VER002 error: LatencyBudget/telephony_budget@1.0.0 is locked, but "
                          "no enabled pack declares the artifact kind LatencyBudget") in out
    code, out, imported = _rspp(repo, site, "validate", BUDGET)
    assert code == 1 and imported == []
    assert (f"{BUDGET}:3:7 ENV001 error: unknown kind \"LatencyBudget\"; expected one of "
            "PipelineSpec,") in out


@pytest.mark.slow
def test_a_change_to_a_pack_artifact_is_judged_breaking(tmp_path: Path, site: Path) -> None:
    """rspp does not know what a pack's kind means: a changed value is CHG022, breaking both
    ways (a major version); an owner changed is cosmetic. (CHG022's fire and quiet cases:
    the fixture cases of tests/compat/cases run without packs.)"""
    repo = _repo(tmp_path, 'acme-rspp-pack = "*"\n')
    (repo / SPEC).unlink()
    _budget(repo)
    write(repo, "pipelines/policies/telephony_budget_1_1.yaml", _BUDGET_TEXT.replace(
        'version: "1.0.0"', 'version: "1.1.0"').replace("firstAudioMs: 800",
                                                       "firstAudioMs: 900"))
    code, out, _ = _rspp(repo, site, "compat", "--today", "2026-11-30")
    assert code == 1, out
    assert ("pipelines/policies/telephony_budget_1_1.yaml:10:17 CHG022 info: LatencyBudget "
            "telephony_budget 1.0.0 -> 1.1.0: firstAudioMs 800 -> 900 (breaking under "
            "BACKWARD; requires a major bump)") in out
    assert ("pipelines/policies/telephony_budget_1_1.yaml:6:12 VER001 error: LatencyBudget "
            "telephony_budget 1.0.0 -> 1.1.0 is a minor bump, but its changes against 1.0.0 "
            "require a major bump") in out
    write(repo, "pipelines/policies/telephony_budget_1_1.yaml", _BUDGET_TEXT.replace(
        'version: "1.0.0"', 'version: "1.0.1"').replace("telephony@acme.example",
                                                       "voice@acme.example"))
    code, out, _ = _rspp(repo, site, "compat", "--today", "2026-11-30")
    assert code == 0 and "CHG022" not in out and "VER001" not in out, out
    assert "CHG000" in out


@pytest.mark.slow
def test_a_pack_artifact_is_never_taken_from_the_cache_without_its_pack(
        tmp_path: Path, site: Path) -> None:
    """A clean file of a pack's kind is checked again on every run: once the pack is no
    longer enabled it is an unknown kind, however often it was clean before."""
    repo = _repo(tmp_path, 'acme-rspp-pack = "*"\n')
    (repo / SPEC).unlink()
    _budget(repo)
    for _ in range(2):  # the second run has the headers and the record of the first
        code, out, _ = _rspp(repo, site, "validate")
        assert code == 0, out
    write(repo, "rspp.toml", "[packs]\n")
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 1 and f"{BUDGET}:3:7 ENV001 error: unknown kind" in out


@pytest.mark.slow
def test_a_pack_may_not_take_an_artifact_kind(tmp_path: Path, site: Path) -> None:
    """shadow-rspp-pack declares LatencyBudget (acme's) and PipelineSpec (rspp's)."""
    repo = _repo(tmp_path, 'acme-rspp-pack = "*"\nshadow-rspp-pack = "*"\n')
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 1 and ("rspp.toml:3:1 PCK005 error: pack shadow-rspp-pack declares the "
                          "artifact kind LatencyBudget, which pack acme-rspp-pack already "
                          "has") in out
    write(repo, "rspp.toml", '[packs]\nshadow-rspp-pack = "*"\n')
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 1 and ("rspp.toml:2:1 PCK005 error: pack shadow-rspp-pack declares the "
                          "artifact kind PipelineSpec, which rspp's own artifact kinds already "
                          "has") in out
    assert "SCH001" not in out  # rspp's specs are still checked by rspp's schema alone


GATE = """\
    - id: acme_soak
      type: acme.soak
      required: true
      paths: [logs/soak.log]
      thresholds: {max_errors: LIMIT}
"""


@pytest.mark.slow
def test_a_pack_gate_type_runs_in_rspp_gates_run(tmp_path: Path, site: Path) -> None:
    """acme.soak, a gate type of the pack, judges its paths with its thresholds; without the
    pack it is GAT009 and the gates do not run."""
    repo = _repo(tmp_path, 'acme-rspp-pack = "*"\n')
    write(repo, "logs/soak.log", "INFO ok\nERROR a\nERROR b\n")
    manifest = "pipelines/tests/mvp_gates_manifest.yaml"
    text = (repo / manifest).read_text(encoding="utf-8")
    write(repo, manifest, text + GATE.replace("LIMIT", "1"))
    code, out, _ = _rspp(repo, site, "gates", "run", manifest)
    assert code == 1
    assert "| acme_soak | acme.soak | yes | **FAIL** | - |" in out
    assert "- 2 ERROR lines, at most 1 allowed\n- logs/soak.log:2\n- logs/soak.log:3" in out
    write(repo, manifest, text + GATE.replace("LIMIT", "2").replace("required: true",
                                                                    "required: false"))
    code, out, _ = _rspp(repo, site, "gates", "run", manifest)
    assert "| acme_soak | acme.soak | no | pass | - |" in out
    (repo / "rspp.toml").unlink()
    code, out, imported = _rspp(repo, site, "gates", "run", manifest)
    assert code == 2 and imported == []
    assert "GAT009 error: no enabled pack provides gate type 'acme.soak'" in out


@pytest.mark.slow
def test_a_pack_code_is_configured_like_rspps_own(tmp_path: Path, site: Path) -> None:
    """[severity] and [exclude_codes] take an enabled pack's codes; a code no enabled pack
    defines is CFG004, and then the configuration is not applied."""
    enabled = '[packs]\nacme-rspp-pack = "*"\n'
    repo = _repo(tmp_path, None)
    write(repo, "rspp.toml", enabled + '[severity]\nACME001 = "warning"\n')
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 0 and f"{SPEC}:{_line(repo, SPEC, FOREIGN)}:7 ACME001 warning:" in out
    write(repo, "rspp.toml", enabled + '[exclude_codes]\nACME001 = ["pipelines/specs/**"]\n')
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 0 and "ACME001" not in out
    write(repo, "rspp.toml", enabled + '[severity]\nACME009 = "off"\n')
    code, out, _ = _rspp(repo, site, "validate")
    assert code == 1
    assert ("rspp.toml:4:1 CFG004 error: unknown code 'ACME009': neither rspp nor an enabled "
            "pack defines it (pack codes: ACME001, ACME002, ACME003)") in out
    write(repo, "rspp.toml", '[severity]\nACME001 = "off"\n')
    code, out, imported = _rspp(repo, site, "validate")
    assert code == 1 and imported == []
    assert ("rspp.toml:2:1 CFG004 error: unknown code 'ACME001': neither rspp nor an enabled "
            "pack defines it; `rspp packs list` shows the enabled packs") in out


def _planted(repo: Path, module: str) -> None:
    """A module at the repository root that leaves a marker when it is imported."""
    write(repo, f"{module}.py", "from pathlib import Path\n"
                                "Path('PWNED').write_text('ran')\n"
                                "from acme_rspp_pack import PACK  # noqa\n")


@pytest.mark.slow
def test_a_distribution_planted_in_the_repository_is_refused(tmp_path: Path,
                                                             site: Path) -> None:
    """A pull request adds a dist-info folder and its module at the top of the repository
    (which python -m puts first on the import path) and enables it: refused, never run."""
    repo = _repo(tmp_path, 'evil-pack = "*"\n')
    info = repo / "evil_pack-1.0.dist-info"
    write(repo, "evil_pack-1.0.dist-info/METADATA",
          "Metadata-Version: 2.1\nName: evil-pack\nVersion: 1.0\n")
    write(repo, "evil_pack-1.0.dist-info/entry_points.txt", "[rspp.packs]\nevil = evil:PACK\n")
    assert info.is_dir()
    _planted(repo, "evil")
    code, out, imported = _rspp(repo, site, "validate")
    assert code == 1 and imported == []
    assert ("rspp.toml:2:1 PCK003 error: pack evil-pack is refused: its metadata is in the "
            "repository (.); rspp never runs code from the repository it checks") in out
    assert not (repo / "PWNED").exists()


@pytest.mark.slow
def test_a_module_shadowing_an_installed_pack_is_refused(tmp_path: Path, site: Path) -> None:
    """The configuration names a real installed pack, but a file in the repository would be
    imported in place of its module: refused before anything is imported."""
    repo = _repo(tmp_path, 'acme-rspp-pack = "*"\n')
    _planted(repo, "acme_rspp_pack")
    code, out, imported = _rspp(repo, site, "validate")
    assert code == 1 and imported == []
    assert ("PCK003 error: pack acme-rspp-pack is refused: its module acme_rspp_pack would be "
            "imported from the repository (acme_rspp_pack.py)") in out
    assert not (repo / "PWNED").exists()


@pytest.mark.parametrize(("text", "message"), [
    ("packs = 3\n", "rspp.toml:1:1 CFG003 packs must be a table of pack names and version "
                    "ranges, not an integer"),
    ('[packs]\n"bad name!" = "*"\n', "rspp.toml:2:1 CFG003 'bad name!' in packs is not a "
                                     "distribution name"),
    ("[packs]\nacme = 1\n", "rspp.toml:2:1 CFG003 packs.acme must be a version range such as "
                            "\">=1.0,<2\", not an integer"),
    ('[packs]\nacme = "=>1"\n', "rspp.toml:2:1 CFG003 packs.acme = '=>1' is not a PEP 440 "
                                "version range: Invalid specifier: '=>1'"),
    ('[packs]\nacme = "1.2.0"\n', "rspp.toml:2:1 CFG003 packs.acme = '1.2.0' is not a PEP 440 "
                                  "version range: Invalid specifier: '1.2.0'; for exactly that "
                                  "version write ==1.2.0"),
])
def test_the_packs_table_is_checked(text: str, message: str) -> None:
    loaded = parse_config({"rspp.toml": text})
    assert loaded.config is None
    assert [f"{f.location()} {f.code} {f.message}" for f in loaded.findings] == [message]


def test_a_packs_table_is_read_in_name_order() -> None:
    loaded = parse_config({"rspp.toml": '[packs]\nzeta-pack = ">=1"\nacme = "*"\n'})
    assert loaded.config is not None
    assert [(p.name, p.specifier, p.where.line) for p in loaded.config.packs] == [
        ("acme", "", 3), ("zeta-pack", ">=1", 2)]


def test_a_pack_code_is_left_for_the_packs_to_define() -> None:
    loaded = parse_config({"rspp.toml": '[severity]\nACME001 = "warning"\nREF999 = "off"\n'})
    assert [f"{f.location()} {f.code} {f.message}" for f in loaded.findings] == [
        "rspp.toml:3:1 CFG004 unknown code 'REF999'; `rspp rules list` shows every code"]
    loaded = parse_config({"rspp.toml": '[severity]\nACME001 = "warning"\n'})
    assert loaded.config is not None
    assert [(c, w.line) for c, w in loaded.config.pack_codes.items()] == [("ACME001", 2)]


_OBJECT = {"type": "object"}


@pytest.mark.parametrize(("kind", "problem"), [
    (PackKind("acme.example/v1", "latencyBudget", _OBJECT),
     "declares the artifact kind 'latencyBudget'; a kind is PascalCase"),
    (PackKind("rspp.dev/v1", "LatencyBudget", _OBJECT),
     "declares the apiVersion 'rspp.dev/v1' for LatencyBudget; it is <group>/<version>"),
    (PackKind("acme/v1", "LatencyBudget", _OBJECT),
     "declares the apiVersion 'acme/v1' for LatencyBudget"),
    (PackKind("acme.example/1.0", "LatencyBudget", _OBJECT),
     "declares the apiVersion 'acme.example/1.0' for LatencyBudget"),
])
def test_a_malformed_artifact_kind_refuses_the_pack(kind: PackKind, problem: str) -> None:
    found = pack_problem(Pack(prefix="ACME", kinds=(kind,)))
    assert found is not None and found.startswith(problem)


def test_a_well_formed_artifact_kind_is_accepted() -> None:
    kinds = (PackKind("acme.example/v1beta2", "LatencyBudget", _OBJECT),
             PackKind("ops.acme.example/v2", "SoakPlan", _OBJECT))
    assert pack_problem(Pack(prefix="ACME", kinds=kinds)) is None
    assert pack_problem(Pack(prefix="ACME", kinds=kinds + kinds[:1])) == \
        "declares the artifact kind LatencyBudget twice"
    assert not isinstance(compile_kind_schema(kinds[0]), str)


def test_a_rule_must_read_a_kind_that_exists() -> None:
    """A rule whose kinds name no kind of rspp's nor the pack's would never run."""
    def never(art: object, ctx: object) -> Iterator[Hit]:
        yield from ()

    rule = PackRule("ACME009", "Budgets are tight.", "Why.", ("LatencyBudgt",), never)
    found = pack_problem(Pack(prefix="ACME", rules=(rule,)))
    assert found == ("rule ACME009 reads the kind 'LatencyBudgt', which is neither rspp's nor "
                     "one the pack declares: the rule would never run")
    kind = PackKind("acme.example/v1", "LatencyBudget", _OBJECT)
    for kinds in (("LatencyBudget",), ("PipelineSpec", "LatencyBudget")):
        ok = PackRule("ACME009", "Budgets are tight.", "Why.", kinds, never)
        assert pack_problem(Pack(prefix="ACME", rules=(ok,), kinds=(kind,))) is None


@pytest.mark.parametrize(("schema", "problem"), [
    ({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"},
     "declares $schema 'http://json-schema.org/draft-07/schema#'; a pack's schema is JSON "
     "Schema 2020-12"),
    ({"type": "objekt"}, "is not a valid JSON Schema 2020-12"),
    ({"$ref": "https://schemas.acme.example/budget.json"}, "is not a valid JSON Schema 2020-12"),
    ({"type": "object", "minProperties": float("nan")}, "is not JSON"),
    ({"type": "object", "default": object()}, "is not JSON"),
    (["not", "a", "mapping"], "is not a mapping"),
])
def test_an_artifact_kind_schema_that_cannot_be_compiled(schema: object,
                                                          problem: str) -> None:
    """A remote $ref is refused, never fetched (tests talk to no one)."""
    compiled = compile_kind_schema(PackKind("acme.example/v1", "LatencyBudget", schema))  # type: ignore[arg-type]
    assert isinstance(compiled, str) and compiled.startswith(problem), compiled
