"""Compatibility modes, verdicts and SemVer bumps.

Modes are Confluent Schema Registry's seven (BACKWARD, BACKWARD_TRANSITIVE, FORWARD,
FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE); what they mean for each artifact kind is in
docs/compat.md and ADR 0007. Bumps follow SemVer 2.0.0: precedence by section 11, build
metadata ignored (section 10); ``0.y.z`` is initial development (section 4), where, as Cargo
reads it, the minor number plays the major's role and the patch number the minor's.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import semver


class Bump(enum.IntEnum):
    """A SemVer increment, ordered: NONE < PATCH < MINOR < MAJOR."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def word(self) -> str:
        return self.name.lower()


class Verdict(enum.Enum):
    """What one change means under the artifact's mode, and the bump it requires."""

    BREAKING = "breaking"
    COMPATIBLE = "compatible"
    COSMETIC = "cosmetic"

    @property
    def requires(self) -> Bump:
        return {"breaking": Bump.MAJOR, "compatible": Bump.MINOR, "cosmetic": Bump.PATCH}[
            self.value]


@dataclass(frozen=True, slots=True)
class Mode:
    """A compatibility mode: which directions it checks and against which versions."""

    name: str
    backward: bool
    forward: bool
    transitive: bool

    @property
    def checks(self) -> bool:
        return self.backward or self.forward


MODES: Final[Mapping[str, Mode]] = MappingProxyType({
    "BACKWARD": Mode("BACKWARD", True, False, False),
    "BACKWARD_TRANSITIVE": Mode("BACKWARD_TRANSITIVE", True, False, True),
    "FORWARD": Mode("FORWARD", False, True, False),
    "FORWARD_TRANSITIVE": Mode("FORWARD_TRANSITIVE", False, True, True),
    "FULL": Mode("FULL", True, True, False),
    "FULL_TRANSITIVE": Mode("FULL_TRANSITIVE", True, True, True),
    "NONE": Mode("NONE", False, False, False),
})


def stricter(a: Mode, b: Mode) -> Mode:
    """The mode that checks everything ``a`` or ``b`` checks (the directions of both, and
    transitive when either is)."""
    backward, forward = a.backward or b.backward, a.forward or b.forward
    transitive = (a.transitive or b.transitive) and (backward or forward)
    return next(m for m in MODES.values()
                if (m.backward, m.forward, m.transitive) == (backward, forward, transitive))


def relaxes(old: Mode, new: Mode) -> bool:
    """Whether ``new`` stops checking something ``old`` checks."""
    return stricter(old, new) != new


def verdict(mode: Mode, *, backward: bool, forward: bool, cosmetic: bool) -> Verdict:
    """BREAKING when the change breaks a direction ``mode`` checks, COSMETIC when it leaves
    the resolved meaning alone, COMPATIBLE otherwise."""
    if (backward and mode.backward) or (forward and mode.forward):
        return Verdict.BREAKING
    return Verdict.COSMETIC if cosmetic else Verdict.COMPATIBLE


def bump_made(old: semver.Version, new: semver.Version) -> Bump:
    """The increment from ``old`` to ``new``; NONE when ``new`` is not above ``old``.

    From or to a pre-release (SemVer section 9: unstable) any increase counts as MAJOR
    unless the normal versions differ by a smaller step. For ``0.y.z`` a change of ``y`` is
    MAJOR and of ``z`` MINOR."""
    if new <= old:
        return Bump.NONE
    if new.major != old.major:
        return Bump.MAJOR
    if new.major == 0:
        if new.minor != old.minor:
            return Bump.MAJOR
        return Bump.MINOR if new.patch != old.patch else Bump.MAJOR
    if new.minor != old.minor:
        return Bump.MINOR
    if new.patch != old.patch:
        return Bump.PATCH
    # Same normal version: a pre-release of it, or the release after its pre-releases.
    return Bump.MAJOR
