"""Pictures of a pipeline: one neutral graph, drawn as Mermaid or Graphviz DOT (ADR 0009).

A graph is built from a resolved view (``ResolvedSpec``: module nodes already expanded, named
``alias/node``) or from a spec as written (an import drawn as one node for the module). Nodes
are drawn in node-id order under generated ids (``n0``, ``n1``...), so no user text is ever
an identifier of the diagram; labels are escaped for each language. The same data gives the
same text.

Drawing conventions (both languages):
- lanes as edge styles: data solid, control thick (Mermaid ``==>``, DOT ``penwidth=2``),
  telemetry dotted;
- a module's nodes as a subgraph (Mermaid ``subgraph``, DOT ``cluster_``);
- fallback and degrade stand-ins with a dashed border, linked from their primary by a dashed
  edge labelled ``fallback`` or ``degrade``;
- review marks (``added``, ``removed``, ``changed``) as classes: green, red, amber.

Sources: Mermaid flowchart syntax (https://mermaid.js.org/syntax/flowchart.html), DOT language
(https://graphviz.org/doc/info/lang.html).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Final, Literal

Mark = Literal["", "added", "removed", "changed"]
Role = Literal["primary", "fallback", "degrade", "module"]

LANES: Final = ("data", "control", "telemetry")
_MERMAID_ARROW: Final = MappingProxyType({"data": "-->", "control": "==>",
                                          "telemetry": "-.->"})
# Light fills with dark text, so a mark reads the same under a dark theme.
_MARK_STYLE: Final = (
    ("added", "fill:#dafbe1,stroke:#1a7f37,stroke-width:2px,color:#1f2328"),
    ("removed", "fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:4 3,"
                "color:#1f2328"),
    ("changed", "fill:#fff8c5,stroke:#9a6700,stroke-width:2px,color:#1f2328"),
)
# A module's box clear with a grey border, under a light or dark theme: Mermaid's default
# pale yellow fill looks like the "changed" amber.
_MODULE_STYLE: Final = "fill:transparent,stroke:#8c959f"
_DOT_LANE: Final = MappingProxyType({"control": ("penwidth=2",),
                                     "telemetry": ("style=dotted",)})
_DOT_MARK: Final = MappingProxyType({"added": ("#dafbe1", "#1a7f37"),
                                     "removed": ("#ffebe9", "#cf222e"),
                                     "changed": ("#fff8c5", "#9a6700")})


@dataclass(frozen=True, slots=True)
class Node:
    """A node: its id in the pipeline, its type (or ``module id@version`` for an import),
    its role, the module alias it came from ("" at the top level), its review mark."""

    id: str
    type: str
    role: Role = "primary"
    module: str = ""
    mark: Mark = ""


@dataclass(frozen=True, slots=True)
class Edge:
    """An edge between two nodes (ids), with the ports it joins, its lane and mark;
    ``relation`` is ``fallback``/``degrade`` for a primary-to-stand-in link ("" otherwise)."""

    source: str
    target: str
    source_port: str = ""
    target_port: str = ""
    lane: str = "data"
    relation: str = ""
    mark: Mark = ""


@dataclass(frozen=True, slots=True)
class Graph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...] = field(default=())


def _obj(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> Sequence[object]:
    return value if isinstance(value, list) else []


def _stand_ins(nodes: Sequence[Mapping[str, object]]) -> tuple[dict[str, Role], list[Edge]]:
    roles: dict[str, Role] = {}
    links: list[Edge] = []
    for node in nodes:
        ident = str(node.get("id", ""))
        for target in _list(_obj(node.get("fallback")).get("targets")):
            roles[str(target)] = "fallback"
            links.append(Edge(ident, str(target), relation="fallback"))
        degrade = _obj(node.get("degrade")).get("target")
        if isinstance(degrade, str):
            roles[degrade] = "degrade"
            links.append(Edge(ident, degrade, relation="degrade"))
    return roles, links


def _endpoint(text: object) -> tuple[str, str]:
    node, _, port = str(text).rpartition(".")
    return (node, port) if node else (str(text), "")


def from_view(view: Mapping[str, object], title: str = "") -> Graph:
    """The graph of a resolved view (``{"kind": "ResolvedSpec", "spec": {...}}``)."""
    spec = _obj(view.get("spec"))
    nodes = [_obj(n) for n in _list(spec.get("nodes"))]
    roles, links = _stand_ins(nodes)
    drawn = tuple(sorted(
        (Node(str(n.get("id", "")), str(n.get("type", "")),
              roles.get(str(n.get("id", "")), "primary"),
              str(n.get("id", "")).rpartition("/")[0]) for n in nodes),
        key=lambda n: n.id))
    edges = _edges(spec)
    meta = _obj(view.get("metadata"))
    bundle = str(spec.get("bundle", "")).partition("#")[0]  # a bundle's view names it
    return Graph(title or bundle or f"{meta.get('id', '')}@{meta.get('version', '')}", drawn,
                 tuple(sorted([*edges, *links], key=_edge_key)))


def from_spec(spec_doc: Mapping[str, object], title: str = "") -> Graph:
    """The graph of a spec (or module) as written: an import is one node standing for the
    module (``alias``, type ``module id@version``); an edge into ``alias.port`` ends there."""
    spec = _obj(spec_doc.get("spec"))
    nodes = [_obj(n) for n in _list(spec.get("nodes"))]
    roles, links = _stand_ins(nodes)
    drawn = [Node(str(n.get("id", "")), str(n.get("type", "")),
                  roles.get(str(n.get("id", "")), "primary")) for n in nodes]
    for imp in map(_obj, _list(spec.get("imports"))):
        drawn.append(Node(str(imp.get("as", "")), f"module {imp.get('module', '')}", "module"))
    edges = _edges(spec)
    meta = _obj(spec_doc.get("metadata"))
    return Graph(title or f"{meta.get('id', '')}@{meta.get('version', '')}",
                 tuple(sorted(drawn, key=lambda n: n.id)),
                 tuple(sorted([*edges, *links], key=_edge_key)))


def _edges(spec: Mapping[str, object]) -> list[Edge]:
    out = []
    for edge in map(_obj, _list(spec.get("edges"))):
        (source, source_port), (target, target_port) = (_endpoint(edge.get("from")),
                                                        _endpoint(edge.get("to")))
        out.append(Edge(source, target, source_port, target_port,
                        str(edge.get("lane", "data"))))
    return out


def _edge_key(edge: Edge) -> tuple[str, ...]:
    return (edge.source, edge.target, edge.relation, edge.source_port, edge.target_port,
            edge.lane)


# ------------------------------------------------------------------------------ Mermaid


def _mermaid_text(text: str) -> str:
    """``text`` for a quoted Mermaid label: quotes, angle brackets, ``#``, ``&``, backticks,
    brackets and ``:`` as entity codes (a line holding ``style…:…#…;`` loses its last ``;``
    in Mermaid 11), control characters dropped."""
    out = []
    for char in text:
        if char in '"<>#&`|{}[]():':
            out.append(f"#{ord(char)};")
        elif char.isprintable():
            out.append(char)
    return "".join(out)


def _yaml_text(text: str) -> str:
    """``text`` inside a YAML double-quoted string (the title in Mermaid's front matter, shown
    as plain text, so no entity codes): backslash and quote escaped, control characters
    dropped (YAML 1.2, section 7.3.1)."""
    return "".join("\\" + c if c in '"\\' else c for c in text if c.isprintable())


def to_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid ``flowchart LR`` (ends with a newline)."""
    ids = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    if graph.title:
        lines[0:0] = ["---", f'title: "{_yaml_text(graph.title)}"', "---"]

    def box(node: Node) -> str:
        name = node.id.rpartition("/")[2] if node.module else node.id
        label = f'"{_mermaid_text(name)}<br/><small>{_mermaid_text(node.type)}</small>"'
        shape = f"[[{label}]]" if node.role == "module" else f"[{label}]"
        return f"{ids[node.id]}{shape}"

    modules = sorted({n.module for n in graph.nodes if n.module})
    for i, module in enumerate(modules):
        lines.append(f'  subgraph m{i}["{_mermaid_text(module)}"]')
        lines.extend(f"    {box(n)}" for n in graph.nodes if n.module == module)
        lines.append("  end")
    lines.extend(f"  {box(n)}" for n in graph.nodes if not n.module)
    styles: list[str] = []
    for index, edge in enumerate(e for e in graph.edges
                                 if e.source in ids and e.target in ids):
        if edge.relation:
            lines.append(f"  {ids[edge.source]} -. {edge.relation} .-> {ids[edge.target]}")
        else:
            arrow = _MERMAID_ARROW.get(edge.lane, "-->")
            ports = f"{edge.source_port} → {edge.target_port}".strip(" →")
            label = f'|"{_mermaid_text(ports)}"|' if ports else ""
            lines.append(f"  {ids[edge.source]} {arrow}{label} {ids[edge.target]}")
        if edge.mark:
            styles.append(f"  linkStyle {index} stroke:{_DOT_MARK[edge.mark][1]},"
                          "stroke-width:3px")
    lines.extend(styles)
    lines.append("  classDef standin stroke-dasharray:5 4")
    lines.extend(f"  classDef {name} {style}" for name, style in _MARK_STYLE)
    if modules:
        lines.append(f"  classDef module {_MODULE_STYLE}")
        lines.append(f"  class {','.join(f'm{i}' for i in range(len(modules)))} module")
    standins = [ids[n.id] for n in graph.nodes if n.role in ("fallback", "degrade")]
    if standins:
        lines.append(f"  class {','.join(standins)} standin")
    for name, _ in _MARK_STYLE:
        marked = [ids[n.id] for n in graph.nodes if n.mark == name]
        if marked:
            lines.append(f"  class {','.join(marked)} {name}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ DOT


def _dot_text(text: str) -> str:
    """``text`` inside a DOT double-quoted string: backslash and quote escaped, control
    characters dropped."""
    return "".join("\\" + c if c in '"\\' else c for c in text if c.isprintable())


def to_dot(graph: Graph) -> str:
    """The graph as a Graphviz ``digraph`` (ends with a newline)."""
    ids = {node.id: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = [f'digraph "{_dot_text(graph.title)}" {{', "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
             'fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];']

    def box(node: Node) -> str:
        name = node.id.rpartition("/")[2] if node.module else node.id
        attrs = [f'label="{_dot_text(name)}\\n{_dot_text(node.type)}"']
        if node.role in ("fallback", "degrade"):
            attrs.append('style="rounded,filled,dashed"')
        if node.role == "module":
            attrs.append("shape=box3d")
        if node.mark:
            fill, stroke = _DOT_MARK[node.mark]
            attrs.append(f'fillcolor="{fill}", color="{stroke}", penwidth=2')
        return f"{ids[node.id]} [{', '.join(attrs)}];"

    modules = sorted({n.module for n in graph.nodes if n.module})
    for i, module in enumerate(modules):
        lines.append(f'  subgraph cluster_{i} {{ label="{_dot_text(module)}"; style=dashed;')
        lines.extend(f"    {box(n)}" for n in graph.nodes if n.module == module)
        lines.append("  }")
    lines.extend(f"  {box(n)}" for n in graph.nodes if not n.module)
    for edge in graph.edges:
        if edge.source not in ids or edge.target not in ids:
            continue
        if edge.relation:
            attrs = [f'label="{edge.relation}"', "style=dashed", "arrowhead=empty"]
        else:
            ports = f"{edge.source_port} → {edge.target_port}".strip(" →")
            attrs = [f'label="{_dot_text(ports)}"'] if ports else []
            attrs += _DOT_LANE.get(edge.lane, ())
        if edge.mark:
            attrs.append(f'color="{_DOT_MARK[edge.mark][1]}"')
        lines.append(f"  {ids[edge.source]} -> {ids[edge.target]} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def page_section(view: Mapping[str, object]) -> str:
    """The picture section of a bundle's page (``docs/pipelines/*.md``): a heading and the
    Mermaid block of its resolved view, which GitHub renders. Labels never hold a backtick
    (:func:`_mermaid_text`), so no value can close the fence."""
    return ("\n## Picture\n\nData lanes solid, control thick, telemetry dotted; fallback and "
            "degrade stand-ins dashed; modules as boxes around their nodes.\n\n```mermaid\n"
            + to_mermaid(replace(from_view(view), title="")) + "```\n")
