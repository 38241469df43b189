"""The floors of tools/rspp (ADR 0006) are enforced: the import-linter contracts in
pyproject.toml pass on the package, fail on an import that points up a floor or across
capabilities, and the library never prints or exits."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rspp.rules.graph import strongly_connected

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "tools" / "rspp"
FLOORS = ("core", "load", "model", "report", "rules", "validate", "resolve", "gen", "lifecycle",
          "fmt", "conform", "commands", "cli")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with this repository's contracts over the package copy in ``tree``."""
    return subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()",
         "--no-cache"],
        cwd=tree, env={"PYTHONPATH": str(tree / "tools"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    shutil.copytree(PACKAGE, tmp_path / "tools" / "rspp", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


@pytest.mark.slow
def test_the_package_keeps_every_contract(tree: Path) -> None:
    run = _lint(tree)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "BROKEN" not in run.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("module", "line", "contract"), [
    # core reaching up to the command line
    ("core/findings.py", "import rspp.cli.main", "Floors"),
    # validation importing resolution (validate is handed resolve's checks instead)
    ("validate/discover.py", "import rspp.resolve.api", "Floors"),
    # one capability importing a sibling capability
    ("fmt/refusal.py", "import rspp.lifecycle.lock", "Floors"),
    # a report importing the rules above it
    ("report/escape.py", "import rspp.rules.registry", "Floors"),
    # the library talking to the console
    ("commands/check.py", "import typer", "Only the CLI talks to the console"),
])
def test_an_import_that_breaks_a_floor_fails_the_gate(tree: Path, module: str, line: str,
                                                       contract: str) -> None:
    _append(tree / "tools" / "rspp" / module, line)
    run = _lint(tree)
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{contract}" in run.stdout
    assert "BROKEN" in run.stdout


def test_every_floor_says_what_it_owns_and_may_import() -> None:
    for floor in FLOORS:
        init = PACKAGE / floor / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{floor}/__init__.py has no opening docstring"
        assert "\n" not in doc.strip(), f"{floor}: the opening docstring is one line"
        assert "import" in doc.lower(), f"{floor}: the docstring says what the floor may import"


def _library_modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if p.relative_to(PACKAGE).parts[0] not in ("cli", "__main__.py")]


_CONSOLE = ("sys.exit", "sys.stdout", "sys.stderr", "sys.stdin", "os._exit")


def _console_uses(source: str) -> list[str]:
    """``line name`` for every print/exit/input call, standard-stream use or SystemExit."""
    found = []
    for node in ast.walk(ast.parse(source)):
        name = ""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id if node.func.id in ("print", "exit", "quit", "input") else ""
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            dotted = f"{node.value.id}.{node.attr}"
            name = dotted if dotted in _CONSOLE else ""
        elif isinstance(node, ast.Name) and node.id == "SystemExit":
            name = "SystemExit"
        if name:
            found.append(f"{getattr(node, 'lineno', 0)} {name}")
    return found


def test_the_library_never_prints_or_exits() -> None:
    found = [f"{path.relative_to(REPO)}:{use}" for path in _library_modules()
             for use in _console_uses(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("source", [
    "print('x')", "import sys\nsys.stdout.write('x')", "import sys\nsys.exit(1)",
    "raise SystemExit(2)", "import os\nos._exit(1)",
])
def test_the_console_scan_sees_each_way_to_print_or_exit(source: str) -> None:
    assert _console_uses(source)


_MUTABLE_CALLS = ("dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque",
                  "bytearray")


def _mutable_globals(source: str) -> list[str]:
    """``line name`` for each module-level name bound to a mutable container (a dict, list or
    set display or comprehension, or a call that makes one)."""
    found = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        mutable = isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp
                             | ast.SetComp)
        if isinstance(value, ast.Call):
            func = value.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            mutable = name in _MUTABLE_CALLS
        for target in targets:
            if mutable and isinstance(target, ast.Name) and target.id != "__all__":
                found.append(f"{node.lineno} {target.id}")
    return found


def test_no_module_level_mutable_state() -> None:
    """Module-level names hold immutable values (tuples, frozensets, MappingProxyType); what a
    run accumulates lives in an object whose lifetime is that run (ADR 0006)."""
    found = [f"{path.relative_to(REPO)}: {use.split()[1]}" for path in sorted(PACKAGE.rglob("*.py"))
             for use in _mutable_globals(path.read_text(encoding="utf-8"))]
    # The one exception: what a forked worker process receives from its parent, written only
    # inside the worker (core/pool.py says why).
    assert found == ["tools/rspp/core/pool.py: _IN_WORKER"]


@pytest.mark.parametrize("source", [
    "A = {}", "A: dict[str, int] = {'a': 1}", "A = [1]", "A = {1}", "A = dict(a=1)",
    "A = {k: 1 for k in 'ab'}", "import collections\nA = collections.OrderedDict()",
])
def test_the_mutable_state_scan_sees_each_container(source: str) -> None:
    assert _mutable_globals(source)


@pytest.mark.parametrize("source", [
    "A = ()", "A = frozenset({1})", "from types import MappingProxyType\n"
    "A = MappingProxyType({'a': 1})", "__all__ = ['x']", "A = 'text'",
])
def test_the_mutable_state_scan_passes_immutable_values(source: str) -> None:
    assert _mutable_globals(source) == []


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(modules: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the rspp modules it imports anywhere in its text (inside functions too,
    where a cycle hides until the function runs); ``from a import b`` counts as importing
    ``a.b`` when that is a module, else ``a``."""
    graph: dict[str, set[str]] = {}
    for name, source in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name in modules}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in modules else node.module)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles: strongly connected components of more than one module."""
    succ = {name: sorted(targets) for name, targets in sorted(graph.items())}
    return [sorted(comp) for comp in strongly_connected(succ) if len(comp) > 1]


def test_no_import_cycle_anywhere() -> None:
    modules = {_module_name(p): p.read_text(encoding="utf-8")
               for p in sorted(PACKAGE.rglob("*.py"))}
    assert _cycles(_imports(modules)) == []


def test_the_cycle_scan_sees_a_cycle_through_a_function_import() -> None:
    modules = {"rspp": "", "rspp.a": "from rspp.b import f\n",
               "rspp.b": "def f():\n    from rspp import a\n", "rspp.c": "import rspp.a\n"}
    assert _cycles(_imports(modules)) == [["rspp.a", "rspp.b"]]
