"""`rspp rollout verify`: a rollout moves traffic only to a published bundle that verifies,
and falls back only to a published, verifying, older release of the same pipeline."""

from __future__ import annotations

import pytest

from rspp.commands.rollout import RolloutVerifyOptions, verify_rollout
from rspp.release import oci
from tests.helpers.cli import rspp
from tests.helpers.release import NOW, Release, drop_signatures, manifest_of

pytestmark = pytest.mark.slow
CANARY = "rollouts/canary_10pct.yaml"
CANARY_REF = "canary_10pct@1.0.0"


def bound(release: Release, *runtimes: str) -> list[tuple[str, str]]:
    report = verify_rollout(RolloutVerifyOptions(release.root, CANARY_REF, release.policy,
                                                 runtimes=runtimes, now=NOW))
    return [(f.code, f.message) for f in report.findings if f.is_error]


def test_the_example_canary_is_bound(release: Release,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert bound(release) == []
    assert bound(release, "1.4.0", "1.5.0") == []
    run = rspp(capsys, "rollout", "verify", CANARY_REF, "--policy", str(release.policy),
               "--root", str(release.root))
    assert run.code == 0, run.out + run.err
    assert run.out.endswith(f"{CANARY_REF}: its bundle and rollback target are published and "
                            "verify\n")


def test_an_unsigned_bundle_is_not_rolled_out(release: Release,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    digest, _ = manifest_of(release.layout(), "livekit_voice_assistant_bundle@1.0.0")
    drop_signatures(release.layout(), digest)
    (code, message), = bound(release)
    assert code == "ROL010" and "VFY001" in message
    run = rspp(capsys, "rollout", "verify", CANARY_REF, "--policy", str(release.policy),
               "--root", str(release.root))
    assert run.code == 1 and f"{CANARY}:19:11" in run.out and "ROL010" in run.out


def test_an_unpublished_rollback_target(release: Release) -> None:
    store = release.layout()
    other, _ = manifest_of(store, "sip_telephony_bundle@1.0.0")
    store.set_tag("livekit_voice_assistant_bundle-0.9.0", other, oci.MANIFEST)
    (code, message), = bound(release)
    assert code == "ROL011" and "IDX004" in message


def test_a_runtime_the_rollback_target_cannot_run(release: Release) -> None:
    found = bound(release, "1.6.0")
    assert [c for c, _ in found] == ["ROL011"]
    assert "VFY009" in found[0][1] and "1.6.0" in found[0][1]


def test_a_pin_other_than_what_was_published(release: Release) -> None:
    """Defence in depth: the rollout's #sha256 pin is compared with the published bundle
    too, not only with the repository's (ROL005)."""
    from rspp.release.binding import check_bound
    from rspp.release.trust import load_policy
    from rspp.resolve.gate import validate_repository
    from rspp.validate.engine import ValidateOptions

    path = release.root / CANARY
    text = path.read_text(encoding="utf-8")
    wrong = "sha256:" + "0" * 64
    path.write_text(text.replace("bundle: livekit_voice_assistant_bundle@1.0.0",
                                 f"bundle: livekit_voice_assistant_bundle@1.0.0#{wrong}"),
                    encoding="utf-8")
    _, repo = validate_repository(ValidateOptions(root=release.root))
    rollout = repo.index.get("RolloutManifest", "canary_10pct", "1.0.0")
    assert rollout is not None
    found = check_bound(rollout, release.layout(), load_policy(release.policy), None, now=NOW)
    assert [(f.code, f.pointer) for f in found] == [("ROL010", "/spec/bundle")]
    assert f"pinned as {wrong}" in found[0].message
