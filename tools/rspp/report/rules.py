"""Every rendering of the codes themselves: the rule reference (docs/rules.md), ``rspp rules
list`` as text and JSON, ``rspp explain CODE`` and the SARIF rule descriptors.

They read catalogue entries (:mod:`rspp.core.catalogue`); the listings that say which kinds a
check applies to take the registry's rules, which carry the entry and the kinds
(:class:`Described` is what they read).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from itertools import groupby
from types import MappingProxyType
from typing import Any, Final, Protocol

from rspp.core.catalogue import Entry
from rspp.core.findings import Severity

SARIF_LEVEL: Final = MappingProxyType({
    Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note",
})
"""SARIF ``level`` of each severity."""


class Described(Protocol):
    """A code's catalogue entry and the artifact kinds its check reads (none when the code is
    reported by another stage than the rules)."""

    @property
    def code(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def summary(self) -> str: ...
    @property
    def doc(self) -> str: ...
    @property
    def emitted_by(self) -> str: ...
    @property
    def replaced_by(self) -> str | None: ...
    @property
    def kinds(self) -> tuple[str, ...]: ...


def _retired(rule: Described) -> str:
    return f"Retired; replaced by {rule.replaced_by}." if rule.replaced_by else ""


def reference_markdown(rules: Sequence[Described], header: str) -> str:
    """The rule reference: ``header``, a table of every code, then one section per category
    with one ``### CODE`` entry per code (anchor ``#code``)."""
    out = [header]
    out.append("| code | category | severity | summary |")
    out.append("| --- | --- | --- | --- |")
    out += [f"| [{r.code}](#{r.code.lower()}) | {r.category} | {r.severity.value} | {r.summary} |"
            for r in rules]
    for category, group in groupby(sorted(rules, key=lambda r: (r.category, r.code)),
                                   key=lambda r: r.category):
        out.append(f"\n## {category}\n")
        for r in group:
            out.append(f"### {r.code}\n")
            out.append(f"**{r.summary}** Severity: {r.severity.value}. Reported by: "
                       f"{r.emitted_by}"
                       + (f"; applies to {', '.join(r.kinds)}." if r.kinds else "."))
            if r.replaced_by:
                out.append(f"\n{_retired(r)}")
            out.append(f"\n{r.doc}\n")
    return "\n".join(out).rstrip() + "\n"


def listing_text(rules: Sequence[Described]) -> str:
    """One line per code: code, severity, category, summary."""
    return "".join(f"{r.code:<8} {r.severity.value:<8} {r.category:<10} {r.summary}\n"
                   for r in rules)


def listing_json(rules: Sequence[Described]) -> str:
    """Every code as data: one JSON object per code, in a list."""
    data = [{"code": r.code, "category": r.category, "severity": r.severity.value,
             "summary": r.summary, "doc": r.doc, "kinds": list(r.kinds),
             "emittedBy": r.emitted_by, "replacedBy": r.replaced_by} for r in rules]
    return json.dumps(data, indent=2) + "\n"


def explain_text(rule: Described) -> str:
    """One code's entry for a terminal: a heading line, then the doc wrapped at 88 columns."""
    body = textwrap.fill(rule.doc, width=88)
    kinds = f"\nApplies to: {', '.join(rule.kinds)}" if rule.kinds else ""
    retired = f"\n{_retired(rule)}" if rule.replaced_by else ""
    return (f"{rule.code} ({rule.category}, {rule.severity.value}): {rule.summary}"
            f"{kinds}{retired}\n\n{body}\n")


def sarif_descriptor(entry: Entry, docs: str | None) -> dict[str, Any]:
    """The SARIF ``reportingDescriptor`` of a code; ``helpUri`` only when ``docs``, the
    absolute URL of the rule reference, is known."""
    code = entry.code
    descriptor: dict[str, Any] = {
        "id": code,
        "name": code,
        "shortDescription": {"text": entry.summary},
        "fullDescription": {"text": entry.doc},
        "help": {
            "text": f"{entry.summary}\n\n{entry.doc}\n\nrspp explain {code} prints this entry.",
            "markdown": f"**{code}**: {entry.summary}\n\n{entry.doc}\n\n"
                        f"`rspp explain {code}` prints this entry.",
        },
        "defaultConfiguration": {"level": SARIF_LEVEL[entry.severity]},
        "properties": {"category": entry.category},
    }
    if docs is not None:  # docs/rules.md has one "### CODE" heading (anchor #code) per rule
        descriptor["helpUri"] = f"{docs}#{code.lower()}"
    return descriptor
