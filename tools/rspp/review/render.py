"""Renderings of a review (``rspp diff``): Markdown for a pull-request comment and a job
summary at once, plain text for a terminal, and a JSON document. Returns strings; never prints.

Markdown: every value from an artifact is a code span (``rspp.core.markdown``), so nothing an
author writes renders as markup; each pipeline is a ``<details>`` block (the first ones open)
holding its grouped changes and its Mermaid picture, which GitHub renders. The whole stays
under ``MARKDOWN_LIMIT`` characters (GitHub refuses comments above 65,536): sections are
added in order (breaking first) while they fit, whole, and the rest is named in a closing note;
a cut never splits a section or a Mermaid fence. The first line is ``MARKER``, by which the
PR workflow finds the comment to update.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any, Final

from rspp.compat.changes import show
from rspp.core.jsontypes import JsonValue as Json
from rspp.core.markdown import code, row, visible
from rspp.core.markdown import text as md_text
from rspp.gen.graph import to_mermaid
from rspp.review.diff import GROUPS, Item, PipelineDiff, Review, Version

MARKER: Final = "<!-- rspp-diff -->"
# GitHub's comment limit is 65,536 characters; keep room for the workflow's own lines.
MARKDOWN_LIMIT: Final = 65_000
# Pipelines shown open (the rest collapsed), and rows of the versions table shown in full.
OPEN_SECTIONS: Final = 3
VERSION_ROWS: Final = 200
# Changes listed per pipeline (the rest are counted; the JSON has them all).
SECTION_ITEMS: Final = 100
_SIGN: Final = MappingProxyType({"added": "+", "removed": "-", "changed": "~", "moved": ">"})
_HEADINGS: Final = MappingProxyType({"node": "Nodes", "port": "Ports", "edge": "Edges", "lane": "Lanes",
                    "buffer": "Buffers", "budget": "Budgets", "policy rule": "Policy rules",
                    "defaulting source": "Defaulting sources",
                                     "pipeline": "Pipeline"})


def _whole(item: Item, value: Json) -> str:
    """A whole node or edge as one short value: a node's type, an edge's lane; anything
    else as compact JSON."""
    obj = value if isinstance(value, dict) else {}
    if item.group == "node" and not item.field and isinstance(obj.get("type"), str):
        return str(obj["type"])
    if item.group == "edge" and not item.field and isinstance(obj.get("lane"), str):
        return f"{obj['lane']} lane"
    return show(value)


def _change(item: Item) -> str:
    """One change as words: ``vad.min_silence_duration 0.55 -> 0.4``."""
    if item.action == "added":
        return f"{item.name} added: {_whole(item, item.new)}"
    if item.action == "removed":
        return f"{item.name} removed (was {_whole(item, item.old)})"
    if item.action == "moved":
        return f"{item.name} = {show(item.new)} now comes from another source"
    return f"{item.name} {show(item.old)} -> {show(item.new)}"


def _judgement(item: Item) -> str:
    if item.verdict == "unjudged":
        return "not judged by a rule"
    rule = f"{item.code}, " if item.code else ""
    bump = f"requires a {item.requires} bump" if item.requires != "none" else "no bump"
    return f"{item.verdict} ({rule}{bump})"


def _version_line(v: Version) -> str:
    if v.note:
        return f"{v.kind} {v.id} {v.version}: {v.note} - FAILS"
    if not v.old:
        return f"{v.kind} {v.id} {v.version}: first version ({v.mode})"
    status = "ok" if v.ok else "FAILS: bump too small"
    return (f"{v.kind} {v.id} {v.old} -> {v.version} ({v.mode}): {v.changes} change(s), "
            f"{v.breaking} breaking; requires {v.required}, made {v.made} - {status}")


def _requires(p: PipelineDiff) -> str:
    """The bump a pipeline's changes require: of its new version, or of the new version that
    would re-pin it."""
    return f"re-pinning requires a {p.requires} bump" if p.repin else f"requires {p.requires}"


def _title(p: PipelineDiff) -> str:
    return f"{p.old} -> {p.new}" if p.old else f"{p.new} (new)"


def _headline(review: Review) -> str:
    failing = [v for v in review.versions if not v.ok]
    causes = [f"{len(failing)} version(s) need a larger bump"] if failing else []
    causes += [f"{len(review.problems)} error(s)"] if review.problems else []
    causes += [f"{len(review.unresolved)} pipeline(s) not resolved"] if review.unresolved \
        else []
    hidden = (f" ({review.hidden} finding(s) hidden by the repository's configuration)"
              if review.hidden else "")
    changes = "no new artifact version" if review.verdict == "unchanged" \
        else f"{review.verdict} changes"
    if causes:
        return f"fails: {', '.join(causes)}; {changes}{hidden}"
    if review.verdict == "unchanged":
        return f"passes: no artifact version differs{hidden}"
    return f"passes: {changes}, every version bumped as they require{hidden}"


# Errors listed in full before the changes (the rest are counted).
PROBLEM_LINES: Final = 20


def _problems(review: Review) -> list[str]:
    shown = list(review.problems[:PROBLEM_LINES])
    if len(review.problems) > PROBLEM_LINES:
        shown.append(f"... and {len(review.problems) - PROBLEM_LINES} more "
                     "(rspp check lists them all)")
    return shown


# ------------------------------------------------------------------------------- text
def text(review: Review) -> str:
    """The review for a terminal: versions, then each pipeline's changes by group."""
    out = [f"rspp diff against {review.label}: {_headline(review)}"]
    if review.problems:
        out += ["", "Errors:", *(f"  {line}" for line in _problems(review))]
    if review.versions:
        out += ["", "Versions:", *(f"  {_version_line(v)}" for v in review.versions)]
    for p in review.pipelines:
        out += ["", f"Pipeline {_title(p)} [{p.reason}] - {p.verdict}, "
                    f"{_requires(p)} ({p.mode})"]
        out += [f"  pins: {pin}" for pin in p.pins]
        for group in GROUPS:
            items = [i for i in p.items if i.group == group]
            if items:
                out.append(f"  {_HEADINGS[group]}:")
                for i in items:
                    origin = f" ({i.origin})" if i.origin else ""
                    out.append(f"    {_SIGN[i.action]} {_change(i)}{origin} - {_judgement(i)}")
    if review.unresolved:
        out += ["", "Not resolved (see the errors): " + ", ".join(review.unresolved)]
    if not review.versions and not review.pipelines:
        out += ["", "No artifact version differs from the base."]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------- JSON
def _item_json(i: Item) -> dict[str, Any]:
    return {"group": i.group, "subject": i.subject, "field": i.field, "action": i.action,
            "old": i.old, "new": i.new, "oldSource": i.old_source, "newSource": i.new_source,
            "rule": i.code, "verdict": i.verdict, "requires": i.requires}


def json_document(review: Review) -> str:
    """The review as JSON (keys sorted; ``pipelines[].mermaid`` is the picture)."""
    doc = {
        "against": review.label,
        "verdict": review.verdict,
        "ok": not review.failed,
        "errors": list(review.problems),
        "hidden": review.hidden,
        "unresolved": list(review.unresolved),
        "versions": [{"kind": v.kind, "id": v.id, "version": v.version, "path": v.path,
                      "previous": v.old or None, "mode": v.mode, "requires": v.required,
                      "made": v.made, "ok": v.ok, "changes": v.changes,
                      "breaking": v.breaking, "note": v.note or None}
                     for v in review.versions],
        "pipelines": [{"kind": p.kind, "old": p.old or None, "new": p.new, "reason": p.reason,
                       "mode": p.mode, "verdict": p.verdict, "requires": p.requires,
                       "repin": p.repin,
                       "pins": list(p.pins), "nodes": p.nodes, "notDrawn": p.omitted,
                       "changes": [_item_json(i) for i in p.items],
                       "mermaid": to_mermaid(p.graph)} for p in review.pipelines],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


# ------------------------------------------------------------------------------- Markdown
def _versions_table(versions: Sequence[Version]) -> list[str]:
    out = [row("artifact", "version", "mode", "changes", "requires", "made", ""),
           row(*["---"] * 7)]
    for v in versions[:VERSION_ROWS]:
        out.append(row(f"{v.kind} {code(v.id, cell=True)}",
                       f"{code(v.old, cell=True)} → {code(v.version, cell=True)}" if v.old
                       else f"{code(v.version, cell=True)} ({v.note or 'first'})",
                       v.mode, f"{v.changes} ({v.breaking} breaking)" if v.old else "",
                       v.required, v.made if v.old else "",
                       "✅" if v.ok else "❌ bump too small" if v.old else "❌"))
    if len(versions) > VERSION_ROWS:
        out.append(f"\n_{len(versions) - VERSION_ROWS} more version(s) not listed._")
    return out


def _md_item(i: Item) -> str:
    origin = f" ({md_text(i.origin)})" if i.origin else ""
    if i.action == "added":
        what = f"{code(i.name)} added: {code(_whole(i, i.new))}"
    elif i.action == "removed":
        what = f"{code(i.name)} removed (was {code(_whole(i, i.old))})"
    elif i.action == "moved":
        what = f"{code(i.name)} = {code(show(i.new))}, value unchanged"
    else:
        what = f"{code(i.name)} {code(show(i.old))} → {code(show(i.new))}"
    verdict = f"**{i.verdict}**" if i.verdict in ("breaking", "unjudged") else i.verdict
    rule = f"{i.code}, " if i.code else ""
    bump = f"requires {i.requires}" if i.requires != "none" else "no bump"
    # No sign in front: "- +" and "- -" would start nested lists (CommonMark section 5.2).
    return f"- {what}{origin} — {verdict} ({rule}{bump})"


def _html_code(value: str) -> str:
    """``value`` inside raw HTML (a ``<summary>`` line is an HTML block, where Markdown does
    not apply: CommonMark 0.31.2 section 4.6): escaped, on one line, in ``<code>``."""
    return f"<code>{html.escape(visible(value), quote=True)}</code>"


def _section(p: PipelineDiff, open_: bool, picture: bool = True) -> str:
    title = (f"{_html_code(p.old)} → {_html_code(p.new)}" if p.old
             else f"{_html_code(p.new)} (new)")
    verdict = f"<b>{p.verdict}</b>" if p.verdict == "breaking" else p.verdict
    out = [f"<details{' open' if open_ else ''}><summary>{title}: {len(p.items)} change(s), "
           f"{verdict}, {_requires(p)} ({p.mode})</summary>", "",
           f"_{md_text(p.reason)}_" + "".join(f" · {md_text(pin)}" for pin in p.pins), ""]
    shown = 0
    for group in GROUPS:
        items = [i for i in p.items if i.group == group]
        if items and shown < SECTION_ITEMS:
            out += [f"**{_HEADINGS[group]}**", "",
                    *(_md_item(i) for i in items[:SECTION_ITEMS - shown]), ""]
            shown += len(items[:SECTION_ITEMS - shown])
    if shown < len(p.items):
        out += [f"_{len(p.items) - shown} more change(s) not listed: `rspp diff --format json` "
                "has them all._", ""]
    if not picture:
        out += ["_Picture left out: too large for one comment (`rspp graph` draws it)._", "",
                "</details>", ""]
        return "\n".join(out)
    drawn = len(p.graph.nodes)
    note = (f"{drawn} of {p.nodes} nodes drawn: the changed ones and their neighbours"
            if p.omitted else f"{p.nodes} nodes")
    out += [f"Picture ({note}; added green, removed red, changed amber; stand-ins dashed):",
            "", "```mermaid", to_mermaid(p.graph).rstrip("\n"), "```", "", "</details>", ""]
    return "\n".join(out)


def markdown(review: Review, *, limit: int = MARKDOWN_LIMIT) -> str:
    """The review as Markdown (see the module doc), at most ``limit`` characters."""
    head = [MARKER, f"## rspp diff: {_headline(review)}", "",  # our words only
            f"Compared with {code(review.label)}: {len(review.versions)} new artifact "
            f"version(s), {len(review.pipelines)} pipeline(s) whose resolved view changes.",
            ""]
    if review.problems:
        head += ["**Errors**", "", *(f"- {code(line)}" for line in _problems(review)), ""]
    if review.versions:
        head += [*_versions_table(review.versions), ""]
    if review.unresolved:
        head += ["Not resolved (see the errors): "
                 + ", ".join(code(ref) for ref in review.unresolved), ""]
    if not review.versions and not review.pipelines:
        head += ["No artifact version differs from the base.", ""]
    out = "\n".join(head)
    if len(out) > limit:  # only a huge versions table: keep the verdict lines
        out = "\n".join(head[:5])
    left: list[PipelineDiff] = []
    for n, p in enumerate(review.pipelines):
        room = limit - len(out) - _NOTE_ROOM
        section = _section(p, n < OPEN_SECTIONS)
        if len(section) >= room:
            section = _section(p, n < OPEN_SECTIONS, picture=False)
        if not left and len(section) < room:
            out += "\n" + section
        else:
            left.append(p)
    if left:
        out += _left_out(left)
    return out


def _left_out(left: Sequence[PipelineDiff]) -> str:
    """The closing note naming the pipelines left out, at most ``_NOTE_ROOM`` characters
    (whole names only)."""
    head = f"\n_{len(left)} pipeline(s) left out to stay under GitHub's comment size limit: "
    tail = ". Run `rspp diff` locally for all of it._\n"
    names: list[str] = []
    for p in left:
        name = code(_title(p)[:200])
        if len(head) + len(tail) + sum(len(n) + 2 for n in names) + len(name) + 40 > _NOTE_ROOM:
            break
        names.append(name)
    more = f" and {len(left) - len(names)} more" if len(left) > len(names) else ""
    return head + ", ".join(names) + more + tail


_NOTE_ROOM: Final = 2_500
