"""Mermaid's own parser and renderer, for tests of the Mermaid text rspp draws (ADR 0009).

The Node packages live in ``tests/js`` (``package.json`` with exact versions and its lock
file); ``.ci/run`` installs them with ``npm ci`` and Debian's ``chromium`` for rendering.
- :func:`parse_errors` and :func:`shapes` run ``tests/js/parse.mjs`` (mermaid under jsdom, no
  browser): one Node process for many charts, about 2-3 s to start.
- :func:`render` runs mermaid-cli (``mmdc``) with Debian's chromium: about 3 s per picture.
- :func:`require_mermaid` skips a test when the tools are missing, but fails it under CI (the
  ``CI`` environment variable set), so a broken install never turns into silent skips.
Every function starts a process: a test calling one is ``@pytest.mark.slow``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, cast

import pytest

from tests.helpers import TESTS

JS: Final = TESTS / "js"
PARSE: Final = JS / "parse.mjs"
MMDC: Final = JS / "node_modules" / ".bin" / "mmdc"
PUPPETEER_CONFIG: Final = JS / "puppeteer-config.json"
CHROMIUM: Final = Path("/usr/bin/chromium")  # Debian's package; puppeteer-config.json names it
_TIMEOUT: Final = 300  # seconds; a loaded 2-core machine has taken 80 s for six checks


@dataclass(frozen=True, slots=True)
class ShapeNode:
    """A node as the parser read it: its id, the text a reader sees (the label read as HTML),
    the HTML elements inside the label (``("br", "small")``) and its classes."""

    id: str
    text: str
    tags: tuple[str, ...]
    classes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShapeEdge:
    """An edge as the parser read it: node ids, stroke (``normal``, ``thick``, ``dotted``),
    the text of its label and the declarations a ``linkStyle`` gave it (``stroke:#1a7f37``)."""

    start: str
    end: str
    stroke: str
    text: str
    style: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ShapeSubgraph:
    """A subgraph as the parser read it: its id, the text of its title, its node ids."""

    id: str
    title: str
    nodes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Shape:
    """What Mermaid understood of one flowchart (``type`` is ``flowchart-v2``)."""

    type: str
    nodes: tuple[ShapeNode, ...]
    edges: tuple[ShapeEdge, ...]
    subgraphs: tuple[ShapeSubgraph, ...]


def _missing() -> str:
    """Why Mermaid cannot run here ("" when it can)."""
    if shutil.which("node") is None:
        return "node is not installed (Debian packages nodejs and npm)"
    if not (JS / "node_modules" / "mermaid").is_dir() or not MMDC.exists():
        return "tests/js/node_modules is missing: (cd tests/js && npm ci --ignore-scripts)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian package chromium)"
    return ""


def available() -> bool:
    """Whether node, the packages of ``tests/js`` and Debian's chromium are all installed."""
    return not _missing()


def require_mermaid() -> None:
    """Skip the calling test when Mermaid cannot run here; fail it when ``CI`` is set
    (``.ci/run`` installs everything, so a missing part there is a broken bootstrap)."""
    why = _missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"Mermaid cannot run: {why} (.ci/run installs it)")
        pytest.skip(f"Mermaid cannot run: {why}")


def _parse(charts: Sequence[str], *flags: str) -> list[object]:
    done = subprocess.run(["node", str(PARSE), *flags], input=json.dumps(list(charts)),
                          capture_output=True, text=True, encoding="utf-8", cwd=JS,
                          timeout=_TIMEOUT, check=False)
    assert done.returncode == 0, f"parse.mjs failed ({done.returncode}): {done.stderr}"
    results = json.loads(done.stdout)
    assert isinstance(results, list) and len(results) == len(charts), done.stdout[:2000]
    return cast(list[object], results)


def parse_errors(charts: Sequence[str]) -> list[str | None]:
    """For each chart in order, None when Mermaid's parser accepts it, else its error message
    (several lines for a syntax error: ``Parse error on line N:`` and what it expected).
    One Node process for all charts. Raises AssertionError when parse.mjs itself fails."""
    out: list[str | None] = []
    for result in _parse(charts):
        assert result is None or isinstance(result, str), result
        out.append(result)
    return out


def shapes(charts: Sequence[str]) -> list[Shape]:
    """What the parser understood of each chart (one Node process for all). Raises
    AssertionError naming the chart's index and the parser's message when one fails."""
    out = []
    for index, result in enumerate(_parse(charts, "--shape")):
        assert isinstance(result, dict), f"chart {index} does not parse: {result}"
        got = cast(dict[str, list[dict[str, object]]], result)
        out.append(Shape(
            str(result["type"]),
            tuple(ShapeNode(str(n["id"]), str(n["text"]), tuple(cast(list[str], n["tags"])),
                            tuple(cast(list[str], n["classes"]))) for n in got["nodes"]),
            tuple(ShapeEdge(str(e["start"]), str(e["end"]), str(e["stroke"]), str(e["text"]),
                            tuple(cast(list[str], e["style"]))) for e in got["edges"]),
            tuple(ShapeSubgraph(str(s["id"]), str(s["title"]),
                                tuple(cast(list[str], s["nodes"]))) for s in got["subgraphs"])))
    return out


def render(chart: str, out: Path, width: int = 1600) -> None:
    """Draw ``chart`` into ``out`` with mermaid-cli and Debian's chromium: SVG or PNG by the
    suffix (``.svg``, ``.png``), on a page ``width`` CSS pixels wide (a wider flowchart is
    scaled down to it in a PNG). The chart's text is written beside it (``out`` with suffix
    ``.mmd``). Raises ValueError for another suffix, AssertionError when mmdc fails (it also
    fails on a chart the parser rejects)."""
    if out.suffix not in (".svg", ".png"):
        raise ValueError(f"render writes .svg or .png, not {out.name!r}")
    source = out.with_suffix(".mmd")
    source.write_text(chart, encoding="utf-8")
    # No browser download, ever: the browser is Debian's, named by the puppeteer config.
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    done = subprocess.run([str(MMDC), "-q", "-p", str(PUPPETEER_CONFIG), "-i", str(source),
                           "-o", str(out), "-w", str(width)], capture_output=True, text=True, env=env, cwd=JS,
                          timeout=_TIMEOUT, check=False)
    assert done.returncode == 0 and out.is_file(), \
        f"mmdc failed ({done.returncode}): {done.stderr}{done.stdout}"
