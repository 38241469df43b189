"""Violations of the version-skew policy and of dated deprecations, as data.

Each case is a list of changes to a copy of this repository's examples (the ``examples``
fixture) and every finding the check then reports, as ``path:line:col CODE`` lines (sorted).
The examples themselves give the warnings of ``SKEW_BASELINE`` (livekit 1.0.0 runs on 1.4 to
1.6, its rollback target 0.9.0 on 1.3 to 1.5: line 1.6 cannot roll back); a case's expected
lines include them while its change leaves them standing. ``validation`` is what validating
the changed repository reports (nothing, unless the case says otherwise), so every change is
an otherwise valid repository. The same cases can be run through any command that reports
the skew and deprecation codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.files import edit, write
from tests.helpers.repos import CONTRACT, SIP_BUNDLE, SIP_SPEC

LIVEKIT_BUNDLE = "pipelines/bundles/livekit_voice_assistant_bundle.json"
LIVEKIT_09 = "pipelines/bundles/livekit_voice_assistant_bundle_0_9.yaml"
ROLLOUT = "rollouts/canary_10pct.yaml"
LIVEKIT_SPEC = "pipelines/specs/livekit_voice_assistant.yaml"
ADAPTER = "pipelines/extensions/webrtc_adapter.yaml"

ROLLBACK_AT = f"{ROLLOUT}:40:13"
SKEW_BASELINE = (f"{ROLLBACK_AT} SKW008",)


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the one occurrence of ``old`` in ``path`` by ``new``."""

    path: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Write:
    """Write ``text`` to ``path`` (a new file)."""

    path: str
    text: str


Change = Edit | Write


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    changes: tuple[Change, ...]
    expected: tuple[str, ...]
    validation: tuple[str, ...] = ()
    today: dt.date | None = None
    """The day deprecations are judged on (deprecation cases only)."""


def apply(root: Path, changes: tuple[Change, ...]) -> None:
    for change in changes:
        if isinstance(change, Edit):
            edit(root, change.path, change.old, change.new)
        else:
            write(root, change.path, change.text)


def _sip_window(old: str, new: str) -> Edit:
    return Edit(SIP_BUNDLE, old, new)


ADAPTER_TEXT = """\
apiVersion: rspp.dev/v1alpha1
kind: ExtensionManifest
metadata:
  id: webrtc_adapter
  version: "1.0.0"
spec:
  type: runtime_adapter
  extensionApi: "1.0.0"
  contracts:
    transport: webrtc
    eventAbi: "2.0.0"
"""

SIP_ADAPTER = "pipelines/extensions/sip_adapter.yaml"
# A runtime adapter the sip bundle (event ABI 1.1.0; pcm16 at 8000 Hz, one channel; cancel
# into its transport output) runs on.
SIP_ADAPTER_TEXT = """\
apiVersion: rspp.dev/v1alpha1
kind: ExtensionManifest
metadata:
  id: sip_adapter
  version: "1.0.0"
spec:
  type: runtime_adapter
  extensionApi: "1.0.0"
  contracts:
    transport: sip
    eventAbi: "1.1.0"
    eventAbiReads: ["1.0.0", "1.1.0"]
    audio:
      formats: [pcm16]
      sampleRates: [8000, 16000]
      channels: [1]
    controlEvents: [cancel]
"""


def _sip_adapter(old: str = "", new: str = "") -> Write:
    assert old in SIP_ADAPTER_TEXT
    return Write(SIP_ADAPTER, SIP_ADAPTER_TEXT.replace(old, new, 1))


# Runtime lines 1.4 and 1.5 stop reading event ABI 1.0.0 (rollback target 0.9.0's).
_READS_WITHOUT_1_0 = Edit(CONTRACT,
                          '      "1.4": ["1.0.0", "1.1.0"]\n      "1.5": ["1.0.0", "1.1.0"]\n',
                          '      "1.4": ["1.1.0"]\n      "1.5": ["1.1.0"]\n')

SKEW_CASES: tuple[Case, ...] = (
    # a. the window spans more minors than maxMinorBehind + maxMinorAhead (2 + 0)
    Case("window wider than the policy",
         (_sip_window('maxRuntime: "1.6.0"', 'maxRuntime: "1.7.0"'),),
         (f"{SIP_BUNDLE}:95:17 SKW001", *SKEW_BASELINE)),
    # a. no maxRuntime: open-ended, always too wide under a runtime policy
    Case("open-ended window",
         (_sip_window('    maxRuntime: "1.6.0"\n', ""),),
         (f"{SIP_BUNDLE}:94:5 SKW001", *SKEW_BASELINE)),
    # a. the window crosses a major while maxMajorBehind is 0
    Case("window across a major",
         (_sip_window('maxRuntime: "1.6.0"', 'maxRuntime: "2.0.0"'),),
         (f"{SIP_BUNDLE}:95:17 SKW001", *SKEW_BASELINE)),
    # b. minRuntime above maxRuntime
    Case("minRuntime above maxRuntime",
         (_sip_window('minRuntime: "1.4.0"', 'minRuntime: "1.7.0"'),),
         (f"{SIP_BUNDLE}:94:17 SKW002", *SKEW_BASELINE)),
    # f. the bundle's event ABI is not in eventAbi.supported
    Case("bundle event ABI not supported",
         (_sip_window('eventAbi: "1.1.0"', 'eventAbi: "1.2.0"'),),
         (f"{SIP_BUNDLE}:96:15 SKW003", *SKEW_BASELINE)),
    # g. runtime line 1.3 of the window reads only event ABI 1.0.0
    Case("window line does not read the bundle's event ABI",
         (_sip_window('minRuntime: "1.4.0"\n    maxRuntime: "1.6.0"',
                      'minRuntime: "1.3.0"\n    maxRuntime: "1.5.0"'),),
         (f"{SIP_BUNDLE}:96:15 SKW004", *SKEW_BASELINE)),
    # h. a runtime adapter speaking an event ABI the contract does not support
    Case("runtime adapter event ABI not supported",
         (Write(ADAPTER, ADAPTER_TEXT),),
         (f"{ADAPTER}:11:15 SKW005", *SKEW_BASELINE)),
    # i. runtime adapter contracts against the contract and the bundles that run on them
    Case("runtime adapter that runs its bundles", (_sip_adapter(),), SKEW_BASELINE),
    Case("runtime adapter of another transport", (_sip_adapter("transport: sip",
                                                               "transport: webrtc"),),
         SKEW_BASELINE),
    Case("runtime adapter reads an event ABI the contract does not support",
         (_sip_adapter('["1.0.0", "1.1.0"]', '["1.1.0", "2.0.0"]'),),
         (f"{SIP_ADAPTER}:12:30 SKW010", *SKEW_BASELINE)),
    Case("runtime adapter does not read its bundle's event ABI",
         (_sip_adapter('["1.0.0", "1.1.0"]', '["1.0.0"]'),),
         (f"{SIP_ADAPTER}:12:20 SKW011", *SKEW_BASELINE)),
    Case("runtime adapter reads only what it emits",
         (_sip_adapter('    eventAbi: "1.1.0"\n    eventAbiReads: ["1.0.0", "1.1.0"]\n',
                       '    eventAbi: "1.0.0"\n'),),
         (f"{SIP_ADAPTER}:11:15 SKW011", *SKEW_BASELINE)),
    Case("runtime adapter does not carry its bundle's sample rate",
         (_sip_adapter("sampleRates: [8000, 16000]", "sampleRates: [16000]"),),
         (f"{SIP_ADAPTER}:15:20 SKW012", *SKEW_BASELINE)),
    Case("runtime adapter does not deliver cancel",
         (_sip_adapter("controlEvents: [cancel]", "controlEvents: [dtmf]"),),
         (f"{SIP_ADAPTER}:17:20 SKW013", *SKEW_BASELINE)),
    # e. the rollout admits 10 minors of skew; runtimes may trail by 2
    Case("rollout admits more skew than the policy",
         (Edit(ROLLOUT, "maxRuntimeSkewMinor: 1", "maxRuntimeSkewMinor: 10"),),
         (f"{ROLLOUT}:38:26 SKW006", *SKEW_BASELINE)),
    # c. the rollback target runs on 1.1 to 1.3, the bundle on 1.4 to 1.6
    Case("rollback window disjoint",
         (Edit(LIVEKIT_09, 'minRuntime: "1.3.0"\n    maxRuntime: "1.5.0"',
               'minRuntime: "1.1.0"\n    maxRuntime: "1.3.0"'),),
         (f"{ROLLBACK_AT} SKW007",)),
    # c. the rollback target covers only 1.4 of 1.4 to 1.6 (lines 1.5 and 1.6 cannot roll back)
    Case("rollback window covers part of the bundle's",
         (Edit(LIVEKIT_09, 'maxRuntime: "1.5.0"', 'maxRuntime: "1.4.0"'),),
         (f"{ROLLBACK_AT} SKW008",)),
    # d. the lines both bundles run on (1.4, 1.5) no longer read the target's event ABI 1.0.0
    Case("rollback event ABI not read",
         (_READS_WITHOUT_1_0,),
         (f"{LIVEKIT_09}:71:15 SKW004", f"{ROLLBACK_AT} SKW008", f"{ROLLBACK_AT} SKW009")),
    # i. a missing rollback bundle is REF001's alone
    Case("rollback bundle missing",
         (Edit(ROLLOUT, "bundle: livekit_voice_assistant_bundle@0.9.0",
               "bundle: livekit_voice_assistant_bundle@0.8.0"),),
         (),
         validation=(f"{ROLLBACK_AT} REF001",)),
)

# ------------------------------------------------------------------ deprecations
DEP_BASELINE = f"{LIVEKIT_09}:71:15"  # event ABI 1.0.0 of livekit 0.9.0

# The sip spec's stt node on nova-2; its bundle's pin drops the digest the edit breaks.
_SIP_PIN = ("sip_telephony_assistant@1.0.0#sha256:"
            "57d62b89389c333eee015af24fc3b72624cf32538ec8aa0d25c3d179e601f6b9")
NOVA_2 = (Edit(SIP_SPEC, "model: nova-3", "model: nova-2"),
          Edit(SIP_BUNDLE, _SIP_PIN, "sip_telephony_assistant@1.0.0"))


def _deprecate(*entries: tuple[str, str, str]) -> Edit:
    """Add deprecations (target, since, removeAfter) after the contract's last one."""
    text = "".join(f"    - target: {target}\n      since: \"{since}\"\n"
                   f"      removeAfter: \"{until}\"\n      replacement: the new one\n"
                   for target, since, until in entries)
    return Edit(CONTRACT, "      replacement: stt.deepgram params.model=nova-3\n",
                "      replacement: stt.deepgram params.model=nova-3\n" + text)


_DAY = dt.date(2026, 11, 30)

DEPRECATION_CASES: tuple[Case, ...] = (
    Case("parameter value inside its window",
         NOVA_2, (f"{DEP_BASELINE} DEP002", f"{SIP_SPEC}:73:16 DEP002"), today=_DAY),
    Case("parameter value after removeAfter",
         NOVA_2, (f"{DEP_BASELINE} DEP002", f"{SIP_SPEC}:73:16 DEP001"),
         today=dt.date(2027, 1, 1)),
    Case("parameter value from defaults",
         (_deprecate(("turn.detector params.min_endpointing_delay=0.4", "2026-01-01",
                      "2027-01-01"),
                     ("turn.detector params.unlikely_threshold=0.15", "2026-01-01",
                      "2026-06-01")),),
         (f"{LIVEKIT_09}:22:12 DEP001", f"{DEP_BASELINE} DEP002",
          f"{SIP_BUNDLE}:22:12 DEP001", f"{SIP_BUNDLE}:22:12 DEP002",
          "pipelines/examples/simple_livekit_voice/bundle.yaml:19:12 DEP001",
          f"{LIVEKIT_SPEC}:111:29 DEP001"),
         today=_DAY),
    Case("node type",
         (_deprecate(("text.redact", "2026-01-01", "2027-01-01")),),
         (f"{DEP_BASELINE} DEP002", "pipelines/modules/transcription_normalize.yaml:38:13 DEP002",
          "pipelines/policies/default_voice_policy.yaml:60:15 DEP002",
          f"{SIP_SPEC}:85:13 DEP002"),
         today=_DAY),
    Case("artifact versions",
         (_deprecate(("PipelineBundle/livekit_voice_assistant_bundle@0.9.0", "2026-01-01",
                      "2026-06-01"),
                     ("Module/transcription_normalize@1.0.0", "2026-01-01", "2027-01-01")),),
         (f"{DEP_BASELINE} DEP002", f"{LIVEKIT_SPEC}:32:15 DEP002", f"{ROLLBACK_AT} DEP001"),
         today=_DAY),
    Case("artifact versions a conformance gates manifest names",
         # every id@version reference counts as a use, as the reference rules read them
         (_deprecate(("ReplayEvidenceManifest/or02_baseline@1.0.0", "2026-01-01",
                      "2027-01-01")),),
         (f"{DEP_BASELINE} DEP002", "pipelines/tests/mvp_gates_manifest_1_1.yaml:26:11 DEP002"),
         today=_DAY),
    Case("current event ABI",
         (_deprecate(("event ABI 1.1.0", "2026-01-01", "2027-01-01")),),
         (f"{DEP_BASELINE} DEP002", f"{CONTRACT}:67:14 DEP002", f"{LIVEKIT_BUNDLE}:122:19 DEP002",
          f"{SIP_BUNDLE}:96:15 DEP002",
          "pipelines/examples/simple_livekit_voice/bundle.yaml:63:15 DEP002"),
         today=_DAY),
)
