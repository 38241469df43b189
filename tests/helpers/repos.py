"""Repositories to test on, built in a temporary folder, and what the lifecycle tests read back.

A repository is a copy of this repository's example artifacts (with the lock and the derived
pages), of the small rule base, or of the rule base with a fixture case laid over it; made a
real git repository (``tests.helpers.git``) where a test needs history.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

from tests.helpers import REPO_ROOT, RULE_BASE
from tests.helpers.files import read, write
from tests.helpers.git import commit, git, init

# What a repository of artifacts holds: the managed folders, the lock, the derived pages.
ARTIFACT_DIRS = ("pipelines", "compat", "rollouts")
EXAMPLE_PARTS = (*ARTIFACT_DIRS, "rspp.lock", "docs/pipelines")
DIGEST_LINE = re.compile(r"^sha256:[0-9a-f]{64}  (?P<path>\S.*)$")

# Paths inside the example repository the tests edit.
PROFILE = "pipelines/profiles/simple_v1.yaml"
LOW_LATENCY = "pipelines/profiles/low_latency_v1.yaml"
CONTRACT = "compat/version_skew_policy.yaml"
SIP_BUNDLE = "pipelines/bundles/sip_telephony_bundle.yaml"
SIP_SPEC = "pipelines/specs/sip_telephony_assistant.yaml"
SIP_VIEW = "docs/pipelines/sip_telephony_bundle@1.0.0.resolved.json"
SIP_PAGE = "docs/pipelines/sip_telephony_bundle@1.0.0.md"
LOCK = "rspp.lock"


# --- repositories on disk --------------------------------------------------------------------

def copy_artifacts(target: Path) -> Path:
    """This repository's managed folders (its artifacts only), copied to ``target``."""
    for name in ARTIFACT_DIRS:
        shutil.copytree(REPO_ROOT / name, target / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return target


def copy_examples(target: Path) -> Path:
    """This repository's artifacts, lock and derived pages, copied to ``target``."""
    target.mkdir(parents=True)
    for part in EXAMPLE_PARTS:
        source, dest = REPO_ROOT / part, target / part
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    _refresh_derived(target)
    return target


def _refresh_derived(root: Path) -> None:
    """Rebuild the copied derived files when the running rspp's generator code differs from
    the code that made them (rspp's own sources changed since docs/pipelines was built), so
    the tests start from fresh files. The committed files themselves are held fresh by
    tests/commands/test_check.py (this repository passes its own gate)."""
    from rspp.commands.build import BuildOptions, build
    from rspp.lifecycle.provenance import GENERATORS, generator_fingerprint, read_provenance

    for path in sorted((root / "docs" / "pipelines").iterdir()):
        record, _ = read_provenance(path.read_bytes(), path.name)
        generator = record.get("generator") if record else None
        if generator in GENERATORS and record is not None and \
                record.get("generatorFingerprint") != generator_fingerprint(str(generator)):
            assert not build(BuildOptions(root)).failed
            return


def copy_rule_base(target: Path) -> Path:
    """The small rule base (no lock, no derived pages, bundles whose pins carry no digest)."""
    return Path(shutil.copytree(RULE_BASE, target))


def build_case_repo(case: Path, target: Path) -> Path:
    """The rule base with a fixture case's files laid over it.

    A case folder mirrors the repository layout; ``expected.txt`` lists the findings and
    ``delete.txt`` (optional) lists base files to remove.
    """
    copy_rule_base(target)
    for path in sorted(case.rglob("*")):
        rel = path.relative_to(case)
        if path.is_dir() or rel.as_posix() in ("expected.txt", "delete.txt"):
            continue
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    deletions = case / "delete.txt"
    if deletions.is_file():
        for line in deletions.read_text(encoding="utf-8").split():
            (target / line).unlink()
    return target


def mark_checkout(root: Path) -> Path:
    """Give ``root`` an (empty) ``.git`` folder, so rspp finds the repository from inside it
    without git ever running."""
    (root / ".git").mkdir()
    return root


def example_repo(target: Path) -> Path:
    """The example artifacts in a git repository: main at one commit, tagged ``v1`` (an
    annotated tag), with the branch ``feature`` checked out on top of it."""
    init(copy_examples(target))
    commit(target, message="base")
    git(target, "tag", "-a", "v1", "-m", "release 1")
    git(target, "checkout", "-q", "-b", "feature")
    return target


def consumer_repo(tmp_path: Path) -> Path:
    """A repository that uses rspp: the rule base, git, a project of another name."""
    root = init(copy_rule_base(tmp_path / "consumer"))
    (root / "pyproject.toml").write_text('[project]\nname = "acme-voice-pipelines"\n'
                                         'version = "1.0.0"\n', encoding="utf-8")
    return root


def own_repo(tmp_path: Path) -> Path:
    """rspp's own repository in small: its project name and its package's source folder."""
    root = init(copy_rule_base(tmp_path / "rspp"))
    (root / "pyproject.toml").write_text('[project]\nname = "rspp"\nversion = "0.1.0"\n',
                                         encoding="utf-8")
    (root / "tools" / "rspp").mkdir(parents=True)
    (root / "tools" / "rspp" / "__init__.py").write_text("", encoding="utf-8")
    return root


def copy_package(target: Path) -> Path:
    """The running rspp package's sources copied to ``target``/rspp: links resolved (the
    schemas are real files), no byte-code."""
    import rspp

    return Path(shutil.copytree(Path(rspp.__file__).parent, target / "rspp", symlinks=False,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc")))


def load_generator() -> ModuleType:
    """benchmarks/generate.py as a module (it is a script, not part of the package)."""
    return load_benchmark("generate")


def load_benchmark(stem: str) -> ModuleType:
    """``benchmarks/<stem>.py`` as a module (the scripts are not part of the package)."""
    name = f"rspp_benchmarks_{stem}"
    if name in sys.modules:
        return sys.modules[name]
    path = REPO_ROOT / "benchmarks" / f"{stem}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# --- artifacts and the lock ------------------------------------------------------------------

ARTIFACT_SUFFIXES = (".yaml", ".yml", ".json")


def artifact_files(root: Path) -> list[Path]:
    """Every artifact file under ``root``'s managed folders, found by walking the file system
    (not with rspp's discovery): what a test counts on instead of a number written down."""
    return sorted(path for name in ARTIFACT_DIRS if (root / name).is_dir()
                  for path in (root / name).rglob("*")
                  if path.is_file() and path.suffix.lower() in ARTIFACT_SUFFIXES)


def artifact_count(root: Path) -> int:
    return len(artifact_files(root))


def new_version(root: Path, source: str, dest: str, version: str,
                old: str = "1.0.0") -> None:
    """Copy an artifact file as another version of the same id (metadata comes first)."""
    text = read(root, source)
    quoted = re.compile(rf"""(["']?version["']?:\s*["']){re.escape(old)}(["'])""")
    assert quoted.search(text), f"no version {old} in {source}"
    write(root, dest, quoted.sub(rf"\g<1>{version}\g<2>", text, count=1))


def version_line(root: Path, rel: str) -> int:
    """The 1-based line of ``metadata.version`` (the first ``version:`` key of the file)."""
    for number, line in enumerate(read(root, rel).splitlines(), 1):
        if re.match(r"""\s*["']?version["']?\s*:""", line):
            return number
    raise AssertionError(f"no version line in {rel}")


def lock_entries(root: Path) -> dict[str, str]:
    entries: dict[str, str] = json.loads(read(root, LOCK))["artifacts"]
    return entries


def write_lock(root: Path, entries: dict[str, str]) -> None:
    write(root, LOCK, json.dumps({"lockVersion": 1, "artifacts": entries}, indent=2) + "\n")


def unpinned(text: str) -> str:
    """A bundle's text with the digests of its pins (``#sha256:<hex>``) taken out."""
    return re.sub(r"#sha256:[0-9a-f]{64}", "", text)
