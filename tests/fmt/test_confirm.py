"""The formatter-free confirmation of canonical YAML (``rspp.fmt.confirm``, ADR 0017).

Its one obligation: a text it confirms is a text the round-trip formatter leaves exactly as
it is. These tests hold the two together on the repository's YAML, on generated repositories
(where it must also fire, or ``fmt --check`` is slow again), on texts written in random
styles and layouts, and on line-level mutations of canonical files.
"""

from __future__ import annotations

import functools
import json
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rspp.fmt import engine
from rspp.fmt.confirm import confirmed
from rspp.fmt.engine import FmtOptions, Status
from rspp.fmt.text import format_document
from rspp.load.api import load_bytes
from rspp.load.document import Document
from rspp.validate.discover import discover
from tests.helpers import REPO_ROOT
from tests.helpers.fmt import dedent
from tests.helpers.repos import load_generator


def _doc(text: str) -> Document | None:
    return load_bytes(text.encode("utf-8"), "x.yaml", syntax="yaml", located=False).document


def _formatter_keeps(doc: Document) -> bool:
    result = format_document(doc)
    return result.ok and result.text == doc.text


def _holds(text: str) -> bool:
    """Whether ``text`` is confirmed; fails the test if it is confirmed yet the formatter
    would change it or refuse it."""
    doc = _doc(text)
    if doc is None:
        return False
    if not confirmed(doc):
        return False
    again = _doc(text)
    assert again is not None and _formatter_keeps(again), text
    return True


CANONICAL = dedent('''
    # A header comment.
    #
    apiVersion: rspp.dev/v1alpha1
    kind: PipelineSpec
    metadata:
      id: team/agent
      version: "1.2.0"
      owners: ["a@example.com", 'b@example.com']
      labels:
        tier: realtime
    spec:
      nodes:
        # the first node
        - id: caller
          type: transport.websocket.input
          params:
            sample_rate: 16000
            threshold: 0.45
            enabled: false
          cancel: {scope: session}
        - id: llm
          type: llm.openai
          fallback: {targets: [llm_backup, {x: 1}], attemptTimeoutMs: 4000}
      edges: []
''')


def test_a_canonical_text_is_confirmed() -> None:
    assert _holds(CANONICAL)


@pytest.mark.parametrize("change", [
    ("kind: PipelineSpec\n", "kind: PipelineSpec\n\n"),  # a blank line
    ('  version: "1.2.0"\n', "  version: 1.2.0\n"),  # a SemVer written plain
    ('  version: "1.2.0"\n', "  version: '1.2.0'\n"),  # ... or single-quoted
    ("    tier: realtime\n", "    tier: on\n"),  # a YAML 1.1 boolean written plain
    ("    tier: realtime\n", "    tier: realtime  # a note\n"),  # a comment at a line's end
    ("    # the first node\n", "  # the first node\n"),  # a comment off its key's column
    ("  edges: []\n", "  edges: []\n# the end\n"),  # a comment after the last key
    ("apiVersion", "---\napiVersion"),  # a document start marker
    ("apiVersion: rspp.dev/v1alpha1\nkind: PipelineSpec\n",  # keys out of the schema's order
     "kind: PipelineSpec\napiVersion: rspp.dev/v1alpha1\n"),
    ("    tier: realtime\n", "    tier: >-\n      realtime\n"),  # a block scalar
    ("    tier: realtime\n", "    tier: \"real\\ttime\"\n"),  # an escape
    ("    tier: realtime\n", "    tier: réaltime\n"),  # not ASCII
    ("    tier: realtime\n", "    tier: realtime \n"),  # a trailing space
    ("    tier: realtime\n", "    tier:\n"),  # an empty value
    ("    tier: realtime\n", "    tier:\n      - - a\n"),  # a list in a list
    ("    tier: realtime\n", "    tier: {a: 1,\n      b: 2}\n"),  # a flow mapping on two lines
    ("      cancel: {scope: session}\n",  # flow keys out of the schema's order
     "      cancel: {inFlight: drop, scope: session}\n"),
    ("  edges: []\n", "  edges:\n  - a\n"),  # a list at its key's column
    ("    tier: realtime\n", f"    {'k' * 130}: realtime\n"),  # a key too long to be simple
])
def test_anything_outside_the_subset_is_left_to_the_formatter(change: tuple[str, str]) -> None:
    old, new = change
    assert old in CANONICAL
    text = CANONICAL.replace(old, new, 1)
    doc = _doc(text)
    if doc is None:
        pytest.skip("the strict loader refuses it")  # nothing to format
    keeps = _formatter_keeps(doc)
    assert not confirmed(doc), (text, keeps)


def test_crlf_tab_and_a_missing_final_line_break_are_not_confirmed() -> None:
    for text in (CANONICAL.replace("\n", "\r\n"), CANONICAL[:-1],
                 CANONICAL.replace("  edges: []", "  edges:\t[]")):
        doc = _doc(text)
        assert doc is None or not confirmed(doc)


def test_json_is_not_for_this_module() -> None:
    doc = load_bytes(b'{"a": 1}\n', "x.json", syntax="json").document
    assert doc is not None and not confirmed(doc)


@pytest.mark.parametrize("path", [p for p in discover(REPO_ROOT) if p.suffix == ".yaml"],
                         ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_the_repository_yaml_is_confirmed_only_when_the_formatter_agrees(path: Path) -> None:
    _holds(path.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_generated_repositories_are_confirmed_file_by_file(tmp_path: Path) -> None:
    """Every YAML file of a generated repository (comments, flow collections, quoted
    versions) is confirmed, and the formatter agrees: ``fmt --check`` there never needs it."""
    files = load_generator().generate(tmp_path / "repo", 6, seed=11)
    yaml_files = [p for p in files if p.suffix == ".yaml"]
    assert len(yaml_files) >= 10
    for path in yaml_files:
        assert _holds(path.read_text(encoding="utf-8")), path


@pytest.mark.slow
def test_fmt_check_of_a_canonical_repository_needs_no_formatter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    load_generator().generate(root, 3, seed=5)

    def no_formatter(doc: Document) -> Any:
        if doc.syntax == "yaml":
            raise AssertionError(f"{doc.path} went to the formatter")
        return format_document(doc)

    monkeypatch.setattr(engine, "format_document", no_formatter)
    result = engine.run(FmtOptions(root=root, check=True, cache=False, jobs=1))
    assert result.files and all(f.status is Status.UNCHANGED for f in result.files)


# --- texts in random styles and layouts --------------------------------------------------

_WORDS = ["plain", "two words", "1.0.0", "on", "yes", "", "a: b", "a #b", "it's", 'say "hi"',
          "-x", "@x", "x,y", "[x]", "0o17", "~", "null", "2026-01-01", "back\\slash",
          " lead", "trail ", "tab\there", "é", "a_b.c/d@e+f-g", "12", "1e3", "x" * 130]
_KEYS = ["a", "b", "id", "version", "on", "x y", "k-1", "1", "a:b", "'q'", "type", "params"]


def _data() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.sampled_from(_WORDS), st.integers(-5, 20000), st.booleans(),
                        st.none(), st.sampled_from([0.5, 3.0, 1e-7, -2.25]))
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)),
        max_leaves=12)


class _Writer:
    """Writes data as YAML in styles and layouts chosen by ``rng``: block or flow, plain,
    single- or double-quoted, indented canonically or not, with comment lines here and
    there at the next line's column or elsewhere."""

    def __init__(self, rng: random.Random, canonical: bool) -> None:
        self.rng = rng
        self.canonical = canonical
        self.lines: list[str] = []

    def scalar(self, value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return self.rng.choice(["null", "~", "null"])
        if isinstance(value, int | float):
            spellings = [repr(value)] if isinstance(value, int) else [repr(value),
                                                                      json.dumps(value)]
            return str(self.rng.choice(spellings))
        style = self.rng.choice(["plain", "plain", "double", "single"])
        if style == "single" and "\n" not in value:
            return "'" + str(value).replace("'", "''") + "'"
        if style == "plain" and value:
            return str(value)
        return json.dumps(value, ensure_ascii=self.rng.random() < 0.5)

    def flow(self, value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{self.scalar(k)}: {self.flow(v)}"
                                   for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(self.flow(v) for v in value) + "]"
        return self.scalar(value)

    def comment(self, column: int) -> None:
        if self.rng.random() < 0.2:
            if not self.canonical and self.rng.random() < 0.3:
                column = max(0, column + self.rng.choice([-2, -1, 1, 2]))
            self.lines.append(" " * column + self.rng.choice(["# note", "#", "# - x: 1"]))

    def block(self, value: Any, indent: int, first: str) -> None:
        """A block mapping (keys at ``indent``; first line starts with ``first``)."""
        step = 2 if self.canonical else self.rng.choice([2, 2, 3])
        lead = first
        for key, item in value.items():
            self.comment(indent)
            head = f"{lead}{self.scalar(key)}:"
            lead = " " * indent
            if isinstance(item, dict | list) and item and self.rng.random() < 0.6:
                self.lines.append(head)
                if isinstance(item, dict):
                    self.block(item, indent + step, " " * (indent + step))
                else:
                    self.sequence(item, indent + (step if self.rng.random() < 0.9 else 0))
            else:
                self.lines.append(f"{head} {self.flow(item)}")
            if not self.canonical and self.rng.random() < 0.05:
                self.lines[-1] += self.rng.choice(["  # eol", " ", ""])

    def sequence(self, value: list[Any], dash: int) -> None:
        for item in value:
            self.comment(dash)
            lead = " " * dash + "- "
            if isinstance(item, dict) and item and self.rng.random() < 0.7:
                self.block(item, dash + 2, lead)
            else:
                self.lines.append(lead + self.flow(item))


@pytest.mark.slow
@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.dictionaries(st.sampled_from(_KEYS), _data(), min_size=1, max_size=5),
       kind=st.sampled_from(["PipelineSpec", "ExecutionProfile", "NotAKind"]),
       seed=st.integers(0, 2**32 - 1), canonical=st.booleans())
def test_random_texts_are_confirmed_only_when_the_formatter_agrees(
        data: dict[str, Any], kind: str, seed: int, canonical: bool) -> None:
    envelope = {"apiVersion": "rspp.dev/v1alpha1", "kind": kind,
                "metadata": {"id": "t/x", "version": "1.0.0"}, "spec": data}
    writer = _Writer(random.Random(seed), canonical)
    writer.block(envelope, 0, "")
    text = "\n".join(writer.lines) + "\n"
    doc = _doc(text)
    assume(doc is not None)
    _holds(text)


def test_random_canonical_texts_are_often_confirmed() -> None:
    """The property above is not vacuous: texts written canonically are confirmed often."""
    rng = random.Random(3)
    confirmed_count = loaded = 0
    for _ in range(200):
        data = {rng.choice(_KEYS): rng.choice([*_WORDS[:2], 1, True, [1, "b"], {"type": "a"}])
                for _ in range(3)}
        writer = _Writer(rng, True)
        writer.block({"apiVersion": "rspp.dev/v1alpha1", "kind": "NotAKind", "spec": data},
                     0, "")
        text = "\n".join(writer.lines) + "\n"
        if _doc(text) is None:
            continue
        loaded += 1
        confirmed_count += _holds(text)
    assert loaded > 150 and confirmed_count > loaded // 4, (confirmed_count, loaded)


# --- mutations of canonical files ----------------------------------------------------------

def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    at = rng.randrange(len(lines) - 1)
    line = lines[at]
    choice = rng.randrange(9)
    if choice == 0:  # indent one line more or less
        lines[at] = " " * rng.choice([1, 2]) + line if rng.random() < 0.5 else line[1:]
    elif choice == 1 and at + 1 < len(lines) - 1:  # swap two lines
        lines[at], lines[at + 1] = lines[at + 1], line
    elif choice == 2:  # a comment line somewhere, at some column
        lines.insert(at, " " * rng.randrange(8) + "# inserted")
    elif choice == 3:  # a comment at a line's end
        lines[at] = line + "  # end"
    elif choice == 4:  # quotes changed
        lines[at] = line.replace('"', "'") if '"' in line else line.replace("'", '"')
    elif choice == 5:  # quotes taken off
        lines[at] = line.replace('"', "")
    elif choice == 6:  # a blank line
        lines.insert(at, "")
    elif choice == 7:  # spaces in a flow collection changed
        lines[at] = line.replace(", ", ",", 1) if ", " in line else line.replace(": ", ":  ", 1)
    else:  # a line dropped
        del lines[at]
    return "\n".join(lines)


@pytest.mark.slow
@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), count=st.integers(1, 3))
def test_mutated_canonical_files_are_confirmed_only_when_the_formatter_agrees(
        seed: int, count: int) -> None:
    rng = random.Random(seed)
    text = rng.choice(_generated_texts())
    for _ in range(count):
        text = _mutate(text, rng)
    _holds(text)


@functools.cache
def _generated_texts() -> tuple[str, ...]:
    with tempfile.TemporaryDirectory() as folder:
        files = load_generator().generate(Path(folder) / "repo", 3, seed=2)
        return tuple(p.read_text(encoding="utf-8") for p in files if p.suffix == ".yaml")
