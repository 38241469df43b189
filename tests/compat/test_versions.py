"""SemVer bumps (SemVer 2.0.0: precedence, 0.y.z, pre-releases, build metadata) and the
verdict of a change under each compatibility mode."""

from __future__ import annotations

import pytest
import semver

from rspp.compat.versions import MODES, Bump, Verdict, bump_made, verdict


def made(old: str, new: str) -> Bump:
    return bump_made(semver.Version.parse(old), semver.Version.parse(new))


@pytest.mark.parametrize(("old", "new", "bump"), [
    ("1.0.0", "2.0.0", Bump.MAJOR),
    ("1.4.2", "2.0.0", Bump.MAJOR),
    ("1.0.0", "1.1.0", Bump.MINOR),
    ("1.0.9", "1.1.0", Bump.MINOR),
    ("1.0.0", "1.0.1", Bump.PATCH),
    # not above: the same version, a lower one, or only other build metadata (section 10)
    ("1.2.3", "1.2.3", Bump.NONE),
    ("1.1.0", "1.0.0", Bump.NONE),
    ("1.0.0+build.1", "1.0.0+build.2", Bump.NONE),
    # 0.y.z: the minor number plays the major's role, the patch number the minor's
    ("0.1.0", "0.2.0", Bump.MAJOR),
    ("0.1.3", "0.2.0", Bump.MAJOR),
    ("0.1.0", "0.1.1", Bump.MINOR),
    ("0.9.0", "1.0.0", Bump.MAJOR),
    # pre-releases: within one normal version any step counts as major ...
    ("1.0.0-rc.1", "1.0.0", Bump.MAJOR),
    ("1.0.0-alpha", "1.0.0-beta", Bump.MAJOR),
    ("0.3.0-rc.1", "0.3.0", Bump.MAJOR),
    # ... and across normal versions the normal versions decide
    ("1.0.0", "1.1.0-rc.1", Bump.MINOR),
    ("1.0.0-rc.1", "1.0.1", Bump.PATCH),
    ("1.0.0-rc.2", "2.0.0-rc.1", Bump.MAJOR),
    ("1.0.0", "1.0.0-rc.1", Bump.NONE),  # a pre-release precedes its release (section 11)
])
def test_bump_made(old: str, new: str, bump: Bump) -> None:
    assert made(old, new) is bump


def test_bumps_are_ordered_and_named() -> None:
    assert Bump.NONE < Bump.PATCH < Bump.MINOR < Bump.MAJOR
    assert [b.word for b in Bump] == ["none", "patch", "minor", "major"]
    assert [v.requires for v in Verdict] == [Bump.MAJOR, Bump.MINOR, Bump.PATCH]


# (mode, breaks backward, breaks forward) -> verdict; cosmetic only when nothing breaks
@pytest.mark.parametrize(("mode", "backward", "forward", "expected"), [
    ("BACKWARD", True, False, Verdict.BREAKING),
    ("BACKWARD", False, True, Verdict.COMPATIBLE),
    ("BACKWARD_TRANSITIVE", True, False, Verdict.BREAKING),
    ("FORWARD", True, False, Verdict.COMPATIBLE),
    ("FORWARD", False, True, Verdict.BREAKING),
    ("FORWARD_TRANSITIVE", False, True, Verdict.BREAKING),
    ("FULL", True, False, Verdict.BREAKING),
    ("FULL", False, True, Verdict.BREAKING),
    ("FULL_TRANSITIVE", False, True, Verdict.BREAKING),
    ("FULL", False, False, Verdict.COMPATIBLE),
    ("NONE", True, True, Verdict.COMPATIBLE),
])
def test_verdict_per_mode(mode: str, backward: bool, forward: bool, expected: Verdict) -> None:
    assert verdict(MODES[mode], backward=backward, forward=forward, cosmetic=False) is expected


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_cosmetic_change_is_cosmetic_under_every_mode(mode: str) -> None:
    assert verdict(MODES[mode], backward=False, forward=False, cosmetic=True) is Verdict.COSMETIC


def test_the_seven_modes() -> None:
    assert sorted(MODES) == ["BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
                             "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE"]
    assert {n for n, m in MODES.items() if m.transitive} == {
        "BACKWARD_TRANSITIVE", "FORWARD_TRANSITIVE", "FULL_TRANSITIVE"}
    assert [n for n, m in MODES.items() if not m.checks] == ["NONE"]
    for name, mode in MODES.items():
        assert mode.name == name
        assert mode.backward == name.startswith(("BACKWARD", "FULL"))
        assert mode.forward == name.startswith(("FORWARD", "FULL"))
