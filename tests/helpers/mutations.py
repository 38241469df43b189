"""Random changes to a generated repository, for the property tests that compare two ways of
validating it (the cache against none, a partial run against every rule over everything)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import strategies as st

from tests.helpers.repos import load_generator

STEPS = st.lists(st.tuples(st.sampled_from(["edit", "break-ref", "rename", "delete", "garbage",
                                            "restore", "bump-version"]),
                           st.integers(min_value=0, max_value=10_000)),
                 min_size=1, max_size=6)
"""Sequences of (change, which file) steps for :func:`apply_step`."""


def generated(factory: pytest.TempPathFactory, seed: int, specs: int = 5) -> Path:
    """A generated repository of ``specs`` specs (benchmarks/generate.py), never edited: the
    tests copy it."""
    root = factory.mktemp("generated") / "repo"
    load_generator().generate(root, specs=specs, seed=seed)
    return root


def artifact_paths(root: Path) -> list[Path]:
    """The artifact files under ``root/pipelines``, sorted."""
    return sorted(p for p in (root / "pipelines").rglob("*") if p.suffix in (".yaml", ".json"))


def apply_step(root: Path, pristine: Path, op: str, pick: int) -> None:
    """Apply one change to the file ``pick`` (modulo the number of files) of ``root``:
    a renamed key, a reference to a missing version, a rename, a deletion, a cut file, a
    version bump, or everything restored from ``pristine``."""
    files = artifact_paths(root)
    target = files[pick % len(files)]
    text = target.read_text(encoding="utf-8")
    if op == "edit":
        target.write_text(text.replace("cancel:", "kancel:", 1) + "\n", encoding="utf-8")
    elif op == "break-ref":
        target.write_text(text.replace("@1.0.0", "@9.9.9", 1), encoding="utf-8")
    elif op == "rename":
        target.rename(target.with_name("moved-" + target.name))
    elif op == "delete":
        target.unlink()
    elif op == "garbage":
        target.write_text(text[: len(text) // 2] + "\n  - [: {\n", encoding="utf-8")
    elif op == "bump-version":
        target.write_text(text.replace("1.0.0", "1.0.1", 1), encoding="utf-8")
    else:  # restore everything
        shutil.rmtree(root / "pipelines")
        shutil.copytree(pristine / "pipelines", root / "pipelines")
