"""Waivers: accepted findings of the compatibility gate (``compat/waivers.yaml``).

A waiver (kind ``CompatibilityWaivers``, ``spec.waivers[]``) names one rule and one artifact
version (``id@version``, or ``Kind/id@version`` when ids clash across kinds), with an owner, a
reason, an expiry date and an optional link. It accepts every finding of that rule about that
version: a finding whose ``subject`` names the version (a finding placed elsewhere, such as in
rspp.lock about a deleted version), or, for a finding without a subject, the finding located
in the artifact's own file. Versions are compared by identity (build metadata ignored, SemVer
2.0.0 section 10). An accepted finding keeps its code, severity, place and message, carries
the waiver (:class:`rspp.core.findings.Waived`), is reported as a notice and fails nothing.

Only codes of the compatibility gate (catalogue ``emitted_by="compat"``) can be waived, and
not the waiver codes themselves; validation errors are fixed, not waived, and there are no
inline ignore comments. A waiver is valid through its expiry day. The waivers themselves are
checked: WVR001 expired, WVR002 accepted nothing, WVR003 names a code that does not exist or
cannot be waived, WVR004 a second waiver for the same rule and version, WVR005 its expiry is
not a calendar date. A waiver with any of these problems accepts nothing. WVR002 is reported
only for a waiver whose rule the running command checks (``emitted``), so a command that
checks part of the gate never calls another part's waivers unused; the other four do not
depend on the command.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rspp.compat.contract import located, parse_day, related_at
from rspp.core.catalogue import BY_CODE
from rspp.core.findings import Finding, Waived
from rspp.core.sink import waived
from rspp.model.access import waivers_body
from rspp.model.artifact import Artifact, Index, version_identity

if TYPE_CHECKING:
    from rspp.model.views import Waiver

WAIVER_KIND = "CompatibilityWaivers"
WAIVER_CATEGORY = "waiver"


@dataclass(frozen=True, slots=True)
class Target:
    """An artifact version as a waiver or a finding names it: kind (None when not said), id,
    version identity."""

    kind: str | None
    id: str
    version: str

    @classmethod
    def parse(cls, text: str) -> Target:
        """``id@version`` or ``Kind/id@version`` (ids start with a lower-case letter, kinds
        with an upper-case one)."""
        name, _, version = text.rpartition("@")
        kind: str | None = None
        if name[:1].isupper():
            kind, _, name = name.partition("/")
        return cls(kind, name, version_identity(version))

    @classmethod
    def of(cls, art: Artifact) -> Target:
        return cls(art.kind, art.id, version_identity(art.version))

    def names(self, other: Target) -> bool:
        """Whether the two name one version: same id and version, kinds not different."""
        return self.id == other.id and self.version == other.version and (
            self.kind is None or other.kind is None or self.kind == other.kind)


def waivable(code: str) -> bool:
    """Whether a waiver may accept findings of ``code``: a code of the compatibility gate,
    not a waiver code."""
    found = BY_CODE.get(code)
    return found is not None and found.emitted_by == "compat" \
        and found.category != WAIVER_CATEGORY


@dataclass(slots=True)
class _Entry:
    """One waiver of one CompatibilityWaivers artifact, at ``/spec/waivers/<index>``."""

    art: Artifact
    index: int
    waiver: Waiver
    target: Target
    waived: Waived
    used: bool = False

    @property
    def pointer(self) -> str:
        return f"/spec/waivers/{self.index}"

    @property
    def rule(self) -> str:
        return self.waiver["rule"]


def _entries(index: Index) -> list[_Entry]:
    """Every waiver of every schema-valid CompatibilityWaivers artifact, by path and order."""
    out = []
    arts = sorted((a for a in index.of_kind(WAIVER_KIND) if a.schema_valid),
                  key=lambda a: (a.path, a.id, a.version))
    for art in arts:
        for i, waiver in enumerate(waivers_body(art).get("waivers", [])):
            span = art.doc.span(f"/spec/waivers/{i}")
            made = Waived(waiver["owner"], waiver["reason"], waiver["expires"],
                          waiver.get("link"), art.path, span.line, span.col)
            out.append(_Entry(art, i, waiver, Target.parse(waiver["artifact"]), made))
    return out


def _problems(entries: Sequence[_Entry], today: dt.date,
              known: Callable[[Target], bool]) -> tuple[list[_Entry], list[Finding]]:
    """The waivers that may accept findings, and the WVR001/3/4/5/6 findings of the others."""
    live: list[_Entry] = []
    found: list[Finding] = []
    for e in entries:
        w = e.waiver
        if not known(e.target):
            found.append(located("WVR006", e.art, f"{e.pointer}/artifact",
                                 f"waiver for {e.rule} on {w['artifact']}: no such artifact "
                                 "version in the repository; check its id and version"))
            continue
        if not waivable(e.rule):
            why = ("is not a code rspp reports; check it (rspp rules list)"
                   if e.rule not in BY_CODE else "cannot be waived (only codes of the "
                   "compatibility gate can); fix the finding instead and delete the waiver")
            found.append(located("WVR003", e.art, f"{e.pointer}/rule",
                                 f"waiver for {e.rule} on {w['artifact']}: {e.rule} {why}"))
            continue
        try:
            expires = parse_day(w["expires"])
        except ValueError:
            found.append(located("WVR005", e.art, f"{e.pointer}/expires",
                                 f"waiver for {e.rule} on {w['artifact']}: expires "
                                 f"{w['expires']} is not a calendar date; write a real "
                                 "YYYY-MM-DD day"))
            continue
        if today > expires:
            found.append(located("WVR001", e.art, f"{e.pointer}/expires",
                                 f"waiver for {e.rule} on {w['artifact']} (owner "
                                 f"{w['owner']}) expired on {w['expires']}; fix the finding "
                                 "and delete the waiver, or have its owner renew it"))
            continue
        first = next((x for x in live if x.rule == e.rule and x.target.names(e.target)), None)
        if first is not None:
            found.append(located(
                "WVR004", e.art, e.pointer,
                f"a second waiver for {e.rule} on {w['artifact']}; merge it into the first",
                [related_at(first.art, first.pointer,
                            f"the first waiver for {e.rule} on {first.waiver['artifact']}")]))
            continue
        live.append(e)
    return live, found


def _subject(f: Finding, by_path: dict[str, Artifact]) -> Target | None:
    """The artifact version a finding is about: its subject, else its file's artifact."""
    if f.subject:
        return Target.parse(f.subject)
    art = by_path.get(f.path)
    return Target.of(art) if art is not None else None


def apply_waivers(findings: Sequence[Finding], index: Index, today: dt.date, *,
                  emitted: frozenset[str],
                  judged: Callable[[str, Target], bool] | None = None) -> list[Finding]:
    """``findings`` with the ones a live waiver accepts carrying it, then the waivers' own
    findings (WVR001-WVR005; see the module doc), in waiver order.

    ``index``: the repository, whose schema-valid CompatibilityWaivers artifacts hold the
    waivers; ``today``: the day expiry is judged on (a waiver is valid through its
    ``expires`` day); ``emitted``: the codes the running command checks (a waiver of another
    code is never unused); ``judged(rule, target)``, when given, says whether this run
    judged ``rule`` on that artifact version at all (a version's bump is judged only while it
    is new against the base: once merged, its waiver is neither used nor unused). A finding
    already waived is left as it is and its waiver counts as used, so applying the waivers
    twice changes nothing.
    """
    by_path = {a.path: a for a in index.artifacts}
    named = [Target.of(a) for a in index.artifacts]
    named += [Target.parse(f.subject) for f in findings if f.subject]

    def known(target: Target) -> bool:
        return any(target.names(other) for other in named)

    live, problems = _problems(_entries(index), today, known)
    out: list[Finding] = []
    for f in findings:
        if f.waiver is not None:
            for e in live:
                e.used |= e.waived == f.waiver and e.rule == f.code
        elif waivable(f.code):
            target = _subject(f, by_path)
            match = None if target is None else next(
                (e for e in live if e.rule == f.code and e.target.names(target)), None)
            if match is not None:
                match.used = True
                f = waived(f, match.waived)
        out.append(f)
    out.extend(problems)
    for e in live:
        if not e.used and e.rule in emitted and (judged is None or judged(e.rule, e.target)):
            out.append(located("WVR002", e.art, e.pointer,
                               f"waiver for {e.rule} on {e.waiver['artifact']} accepts no "
                               "finding; delete it"))
    return out
