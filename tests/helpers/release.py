"""Publishing in the tests: the example repository in git with an offline key pair and a
trust policy that trusts it, and what a store holds."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from rspp.commands.publish import PublishOptions, PublishOutcome, publish
from rspp.commands.verify import VerifyOptions, VerifyOutcome, keygen
from rspp.release.layout import LayoutStore
from tests.helpers.cli import TODAY
from tests.helpers.repos import example_repo

BUNDLES = ("livekit_voice_assistant_bundle@0.9.0", "livekit_voice_assistant_bundle@1.0.0",
           "simple_livekit_voice_bundle@1.0.0", "sip_telephony_bundle@1.0.0")
DAY = dt.date.fromisoformat(TODAY)
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Release:
    """A git repository of the examples, its key pair and its trust policy."""

    root: Path
    key: Path
    policy: Path
    keyid: str

    def publish(self, to: str | None = None, **extra: object) -> PublishOutcome:
        options = PublishOptions(self.root, to, "key", self.key, today=DAY, now=NOW)
        return publish(replace(options, **extra))  # type: ignore[arg-type]

    def verify(self, ref: str, source: str | None = None, **extra: object) -> VerifyOutcome:
        from rspp.commands.verify import verify_bundle

        options = VerifyOptions(self.root, ref, self.policy, source, now=NOW)
        return verify_bundle(replace(options, **extra))  # type: ignore[arg-type]

    def layout(self) -> LayoutStore:
        return LayoutStore(self.root)


def release_repo(target: Path) -> Release:
    """The examples in git (main at one commit) with ``.rspp/keys/rspp.key`` and a policy
    ``.rspp/trust.yaml`` trusting it (``.rspp/`` is outside git's view: ignored)."""
    root = example_repo(target)
    (root / ".git" / "info" / "exclude").write_text("/.rspp/\n", encoding="utf-8")
    made = keygen(root, root / ".rspp" / "keys" / "rspp.key", root / ".rspp" / "trust.yaml")
    return Release(root, made.private, root / ".rspp" / "trust.yaml", made.keyid)


def states(outcome: PublishOutcome) -> dict[str, str]:
    return {o.candidate.packed.ref: o.state for o in outcome.outcomes}


def codes(outcome: PublishOutcome | VerifyOutcome) -> list[str]:
    return [f.code for f in outcome.report.findings if f.is_error]


def index_json(store: Path) -> dict[str, object]:
    data = json.loads((store / "index.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data
