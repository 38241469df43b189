"""Waiver lists (``compat/waivers.yaml``) written into a test repository, and the codes the
waiver tests use: codes of the compatibility gate read from the catalogue at run time."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from rspp.core.catalogue import ENTRIES
from rspp.core.findings import Severity
from tests.helpers.files import write

WAIVERS = "compat/waivers.yaml"

# The codes a waiver may accept: the gate's (emitted_by compat), not the waiver codes.
GATE_CODES = [e.code for e in ENTRIES if e.emitted_by == "compat" and not e.code.startswith("WVR")]
# A gate code that is an error, so a waiver has something to turn from failing to passing.
GATE_ERROR = next(e.code for e in ENTRIES if e.code in GATE_CODES and e.severity is Severity.ERROR)

HEADER = """\
apiVersion: rspp.dev/v1alpha1
kind: CompatibilityWaivers
metadata:
  id: waivers
  version: "1.0.0"
spec:
"""


def waiver(artifact: str = "agent@1.0.0", *, rule: str = GATE_ERROR,
           owner: str = "release@acme.example", reason: str = "accepted for the 1.0 launch",
           expires: str = "2027-01-31", link: str | None = None) -> dict[str, str]:
    """One waiver entry; every field but ``link`` is given."""
    out = {"rule": rule, "artifact": artifact, "owner": owner, "reason": reason,
           "expires": expires}
    if link is not None:
        out["link"] = link
    return out


def write_waivers(root: Path, *entries: Mapping[str, str], rel: str = WAIVERS) -> Path:
    """``root/rel`` holding a CompatibilityWaivers list of ``entries`` (block style, every
    value a double-quoted string, keys in the order given)."""
    if not entries:
        return write(root, rel, HEADER + "  waivers: []\n")
    lines = [HEADER.rstrip("\n"), "  waivers:"]
    for one in entries:
        for i, (key, value) in enumerate(one.items()):
            lines.append(f"    {'- ' if i == 0 else '  '}{key}: {json.dumps(value)}")
    return write(root, rel, "\n".join(lines) + "\n")
