"""Version skew: bundles' runtime windows, rollouts' rollback targets and event ABIs against the
contract in effect (``spec.versionSkew.runtime`` and ``spec.eventAbi``).

A bundle's runtime window is ``compatibility.minRuntime .. maxRuntime`` (inclusive; no
``maxRuntime`` is an open end). A *runtime line* is a ``major.minor`` release line (``1.4``);
a line is in a window when some version of it is (``1.4`` is in ``1.3.0 .. 1.4.0``). The
lines of a window within one major are every minor between its ends; the lines of a window
that crosses a major or has no end are the lines the contract names (``eventAbi.runtimeReads``)
that fall in it, and the lines of its ends.

What is checked (SKW001..SKW009 here, SKW010..SKW013 for runtime adapters in
:mod:`rspp.compat.adapters`; see docs/rules.md):

- a bundle's window spans no more minors than ``runtime.maxMinorBehind + maxMinorAhead`` and
  no more majors than ``runtime.maxMajorBehind``; an open-ended window is too wide whenever
  a runtime skew policy exists (SKW001); ``minRuntime`` is not above ``maxRuntime`` (SKW002,
  with or without a contract);
- a bundle's event ABI is in ``eventAbi.supported`` (SKW003) and every runtime line of its
  window reads it (``eventAbi.runtimeReads``, SKW004); a runtime adapter's
  ``contracts.eventAbi`` is supported (SKW005);
- a rollout admits no more minors of skew than ``runtime.maxMinorBehind`` (SKW006);
- a rollout's rollback target shares runtimes with the rolled-out bundle (SKW007), covers
  every line of its window (SKW008, a warning naming the lines that cannot roll back), and
  has an event ABI that a runtime line of the shared range reads (SKW009). These compare two
  bundles and apply with or without a contract.

Only schema-valid artifacts are read. A rollout whose bundle or rollback bundle is missing is
REF001's; nothing is reported here for it. Without a contract (or without a ``runtime`` skew
policy) the checks against the policy are quiet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import semver

from rspp.compat.contract import Contract, located, parse_version, related_at, same_version
from rspp.core.constants import RUNTIME_SKEW_MINOR_DEFAULT
from rspp.core.findings import Finding, Related
from rspp.load.spans import escape_token
from rspp.model.access import compatibility, extension_body, rollout_body
from rspp.model.artifact import Artifact, Index
from rspp.model.ids import parse_ref

Line = tuple[int, int]
"""A runtime release line, (major, minor)."""

_LINE = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
RUNTIME = "/spec/versionSkew/runtime"
READS = "/spec/eventAbi/runtimeReads"
# What a rollout admits when it does not say (the model's default; the models themselves,
# pydantic's, are not imported for it: they cost about a second of start-up)
DEFAULT_SKEW_MINOR: int = RUNTIME_SKEW_MINOR_DEFAULT


def parse_line(text: str) -> Line | None:
    """A runtime line ``"1.4"`` as (1, 4), or None."""
    found = _LINE.match(text)
    return (int(found.group(1)), int(found.group(2))) if found else None


def show(line: Line) -> str:
    return f"{line[0]}.{line[1]}"


@dataclass(frozen=True, slots=True)
class Window:
    """A bundle's runtime window and event ABI (``hi`` None: open-ended)."""

    bundle: Artifact
    lo: semver.Version
    hi: semver.Version | None
    abi: str

    def holds(self, line: Line) -> bool:
        return (self.lo.major, self.lo.minor) <= line and \
            (self.hi is None or line <= (self.hi.major, self.hi.minor))

    def lines(self, known: Iterable[Line]) -> list[Line]:
        """The runtime lines of the window (see the module doc)."""
        lo, hi = self.lo, self.hi
        if hi is not None and hi.major == lo.major:
            return [(lo.major, minor) for minor in range(lo.minor, hi.minor + 1)]
        ends = {(lo.major, lo.minor)} | ({(hi.major, hi.minor)} if hi is not None else set())
        return sorted(ends | {line for line in known if self.holds(line)})

    def overlap(self, other: Window) -> Window | None:
        """The versions both windows hold (None: none), as a window of ``self``'s bundle."""
        lo = max(self.lo, other.lo)
        his = [h for h in (self.hi, other.hi) if h is not None]
        hi = min(his) if his else None
        return None if hi is not None and hi < lo else Window(self.bundle, lo, hi, self.abi)


def window(bundle: Artifact) -> Window | None:
    """The bundle's window; None when it is unreadable or inverted (SKW002)."""
    compat = compatibility(bundle)
    lo = parse_version(compat["minRuntime"])
    hi = parse_version(compat["maxRuntime"]) if "maxRuntime" in compat else None
    if lo is None or ("maxRuntime" in compat and hi is None) or (hi is not None and hi < lo):
        return None
    return Window(bundle, lo, hi, compat["eventAbi"])


def check_skew(index: Index, contract: Contract) -> list[Finding]:
    """Every skew finding of the repository (SKW001..SKW013; the runtime adapters' by
    :mod:`rspp.compat.adapters`), sorted; see the module doc."""
    check = _Skew(index, contract)
    found: list[Finding] = []
    for bundle in _valid(index, "PipelineBundle"):
        found += check.bundle(bundle)
    for ext in _valid(index, "ExtensionManifest"):
        found += check.adapter(ext)
    for rollout in _valid(index, "RolloutManifest"):
        found += check.rollout(rollout)
    from rspp.compat.adapters import check_adapters  # it reads this module's helpers

    found += check_adapters(index, contract)
    return sorted(set(found), key=Finding.sort_key)


def _valid(index: Index, kind: str) -> Iterator[Artifact]:
    return (a for a in index.of_kind(kind) if a.schema_valid)


class _Skew:
    """The checks, with the contract's policy and runtime lines read once."""

    def __init__(self, index: Index, contract: Contract) -> None:
        self.index = index
        self.art = contract.artifact
        self.policy = contract.skew("runtime")
        body = contract.body
        self.abi = body["eventAbi"] if body is not None else None
        # runtime line -> (the key as written, the ABI versions it reads)
        self.reads: dict[Line, tuple[str, list[str]]] = {}
        reads = self.abi.get("runtimeReads", {}) if self.abi is not None else {}
        for key, versions in reads.items():
            line = parse_line(key)
            if line is not None:
                self.reads[line] = (key, versions)

    # ---------------------------------------------------------------- helpers
    def related(self, pointer: str, message: str) -> Related:
        assert self.art is not None
        return related_at(self.art, pointer, message)

    def policy_related(self, *fields: str) -> list[Related]:
        """Related locations at the runtime policy's ``fields`` (the policy when absent)."""
        assert self.policy is not None
        return [self.related(f"{RUNTIME}/{name}" if name in self.policy else RUNTIME,
                             f"runtime.{name} of the skew policy")
                for name in fields]

    def supported(self, abi: str) -> bool:
        assert self.abi is not None
        return any(same_version(abi, v) for v in self.abi["supported"])

    def unread(self, lines: Sequence[Line], abi: str) -> list[Line]:
        """The lines of ``lines`` whose runtimeReads entry lacks ``abi``."""
        return [line for line in lines if line in self.reads
                and not any(same_version(abi, v) for v in self.reads[line][1])]

    def bundle_of(self, ref_text: str) -> Artifact | None:
        ref = parse_ref(ref_text)
        found = self.index.get("PipelineBundle", ref.id, ref.version) if ref else None
        return found if found is not None and found.schema_valid else None

    # ---------------------------------------------------------------- bundles
    def bundle(self, art: Artifact) -> list[Finding]:
        compat = compatibility(art)
        lo = parse_version(compat["minRuntime"])
        hi = parse_version(compat["maxRuntime"]) if "maxRuntime" in compat else None
        if lo is not None and hi is not None and hi < lo:
            return [located(
                "SKW002", art, "/spec/compatibility/minRuntime",
                f"minRuntime {compat['minRuntime']} is above maxRuntime {compat['maxRuntime']}: "
                "no runtime can run this bundle; swap or correct the bounds",
                [related_at(art, "/spec/compatibility/maxRuntime", "maxRuntime")])]
        win = window(art)
        found = [*self.width(art, win)] if win is not None else []
        if self.abi is None:
            return found
        abi = compat["eventAbi"]
        if not self.supported(abi):
            found.append(located(
                "SKW003", art, "/spec/compatibility/eventAbi",
                f"event ABI {abi} is not supported by the contract "
                f"({', '.join(self.abi['supported'])}); use a supported event ABI",
                [self.related("/spec/eventAbi/supported", "eventAbi.supported")]))
        elif win is not None:
            unread = self.unread(win.lines(self.reads), abi)
            if unread:
                names = ", ".join(show(line) for line in unread)
                found.append(located(
                    "SKW004", art, "/spec/compatibility/eventAbi",
                    f"runtime line(s) {names} of the window do not read event ABI {abi}; "
                    "narrow the runtime window or use an event ABI every line reads",
                    [self.related(f"{READS}/{escape_token(self.reads[line][0])}",
                                  f"eventAbi.runtimeReads of line {show(line)}")
                     for line in unread]))
        return found

    def width(self, art: Artifact, win: Window) -> Iterator[Finding]:
        """SKW001: the window is wider than the runtime skew policy allows."""
        policy = self.policy
        if policy is None:
            return
        behind, ahead = policy["maxMinorBehind"], policy.get("maxMinorAhead", 0)
        majors = policy.get("maxMajorBehind", 0)
        minors = behind + ahead
        if win.hi is None:
            yield located(
                "SKW001", art, "/spec/compatibility/maxRuntime",
                f"the runtime window from {win.lo} has no maxRuntime, so it is open-ended; the "
                f"runtime skew policy allows at most {minors} minor(s) (maxMinorBehind "
                f"{behind} + maxMinorAhead {ahead}): set maxRuntime",
                self.policy_related("maxMinorBehind", "maxMinorAhead"))
        elif win.hi.major - win.lo.major > majors:
            yield located(
                "SKW001", art, "/spec/compatibility/maxRuntime",
                f"the runtime window {win.lo} .. {win.hi} spans {win.hi.major - win.lo.major} "
                f"major version(s); the runtime skew policy allows {majors} (maxMajorBehind): "
                "narrow the window",
                self.policy_related("maxMajorBehind"))
        elif win.hi.major == win.lo.major and win.hi.minor - win.lo.minor > minors:
            yield located(
                "SKW001", art, "/spec/compatibility/maxRuntime",
                f"the runtime window {win.lo} .. {win.hi} spans "
                f"{win.hi.minor - win.lo.minor} minor versions; the runtime skew policy allows "
                f"{minors} (maxMinorBehind {behind} + maxMinorAhead {ahead}): narrow the window",
                self.policy_related("maxMinorBehind", "maxMinorAhead"))

    # ---------------------------------------------------------------- extensions
    def adapter(self, art: Artifact) -> list[Finding]:
        body = extension_body(art)
        contracts = body.get("contracts")
        if body["type"] != "runtime_adapter" or contracts is None or self.abi is None \
                or self.supported(contracts["eventAbi"]):
            return []
        return [located(
            "SKW005", art, "/spec/contracts/eventAbi",
            f"runtime adapter {art.ref} speaks event ABI {contracts['eventAbi']}, which the "
            f"contract does not support ({', '.join(self.abi['supported'])}); use a supported "
            "event ABI",
            [self.related("/spec/eventAbi/supported", "eventAbi.supported")])]

    # ---------------------------------------------------------------- rollouts
    def rollout(self, art: Artifact) -> list[Finding]:
        body = rollout_body(art)
        found = self.admission(art)
        rollback = body.get("rollback")
        bundle = self.bundle_of(body["bundle"])
        target = self.bundle_of(rollback["bundle"]) if rollback is not None else None
        if bundle is None or target is None:
            return found
        ours, theirs = window(bundle), window(target)
        if ours is None or theirs is None:
            return found
        return found + self.rollback(art, ours, theirs)

    def admission(self, art: Artifact) -> list[Finding]:
        """SKW006: the rollout admits more minors of skew than runtimes may trail."""
        if self.policy is None:
            return []
        admission = rollout_body(art).get("admission", {})
        skew = admission.get("maxRuntimeSkewMinor", DEFAULT_SKEW_MINOR)
        behind = self.policy["maxMinorBehind"]
        if skew <= behind:
            return []
        said = "maxRuntimeSkewMinor" in admission
        return [located(
            "SKW006", art, "/spec/admission/maxRuntimeSkewMinor",
            f"admission allows {skew} minor version(s) of runtime skew"
            f"{'' if said else ' (the default)'}; the runtime skew policy allows "
            f"{behind} (maxMinorBehind): lower maxRuntimeSkewMinor to at most {behind}",
            self.policy_related("maxMinorBehind"))]

    def rollback(self, art: Artifact, ours: Window, theirs: Window) -> list[Finding]:
        bundle, target = ours.bundle, theirs.bundle
        both = ours.overlap(theirs)
        windows = [related_at(bundle, "/spec/compatibility", f"runtime window of {bundle.ref}"),
                   related_at(target, "/spec/compatibility", f"runtime window of {target.ref}")]
        if both is None:
            return [located(
                "SKW007", art, "/spec/rollback/bundle",
                f"rollback target {target.ref} runs on {_show_window(theirs)}, {bundle.ref} on "
                f"{_show_window(ours)}: no runtime can roll back; choose a target whose window "
                "overlaps the bundle's",
                windows)]
        found: list[Finding] = []
        missing = [show(line) for line in ours.lines(self.reads) if not theirs.holds(line)]
        if ours.hi is None and theirs.hi is not None:
            missing.append(f"every line after {show((theirs.hi.major, theirs.hi.minor))}")
        if missing:
            found.append(located(
                "SKW008", art, "/spec/rollback/bundle",
                f"runtime line(s) {', '.join(missing)} of {bundle.ref} cannot roll back to "
                f"{target.ref} ({_show_window(theirs)}); widen the target's window or choose "
                "another target",
                windows))
        if self.abi is not None:
            lines = [line for line in both.lines(self.reads) if line in self.reads]
            if lines and len(self.unread(lines, theirs.abi)) == len(lines):
                names = ", ".join(show(line) for line in lines)
                found.append(located(
                    "SKW009", art, "/spec/rollback/bundle",
                    f"rollback target {target.ref} uses event ABI {theirs.abi}, which no runtime "
                    f"line both bundles run on reads ({names}); choose a target whose event ABI "
                    "those lines read",
                    [related_at(target, "/spec/compatibility/eventAbi",
                                f"event ABI of {target.ref}"),
                     *(self.related(f"{READS}/{escape_token(self.reads[line][0])}",
                                    f"eventAbi.runtimeReads of line {show(line)}")
                       for line in lines)]))
        return found


def _show_window(win: Window) -> str:
    return f"{win.lo} .. {win.hi}" if win.hi is not None else f"{win.lo} and later"
