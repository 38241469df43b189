"""`rspp bundle verify` and `rspp keygen` (ADR 0008).

Verification refusals (IDX, VFY codes) are findings (exit 1); a store that cannot be read
(REL003) is an error of the command (exit 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rspp.report.result import Report

if TYPE_CHECKING:
    from rspp.release import oci
    from rspp.release.verify import Verified


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    root: Path
    ref: str  # id@version
    policy: Path
    source: str | None = None  # the store; None: the default layout
    offline: bool = True
    runtime: str | None = None
    state: Path | None = None  # None: .rspp/trusted-index.json in the repository
    extract: Path | None = None
    now: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class VerifyOutcome:
    report: Report
    store: str
    verified: Verified | None = None
    files: tuple[Path, ...] = ()


def verify_bundle(options: VerifyOptions) -> VerifyOutcome:
    """Verify ``options.ref`` in the store (see :func:`rspp.release.verify.pull_verified`).

    Raises VFY008 (as ReleaseError) for a bad policy, StoreError REL003 when the store
    cannot be reached, UsageError for a bad store name."""
    from rspp.release import oci
    from rspp.release.index import STATE_FILE, TrustState
    from rspp.release.stores import open_store
    from rspp.release.trust import load_policy
    from rspp.release.verify import extract, pull_verified

    store = open_store(options.source, options.root)
    policy = load_policy(options.policy)
    state = TrustState.load(options.state or options.root / STATE_FILE, options.root)
    try:
        verified = pull_verified(store, options.ref, policy, state, now=options.now,
                                 offline=options.offline, runtime=options.runtime)
        files = tuple(extract(verified, options.extract)) if options.extract else ()
    except oci.StoreError as exc:
        if exc.code == "REL003":
            raise
        return _refused(options.root, store.location, exc)
    except oci.ReleaseError as exc:
        return _refused(options.root, store.location, exc)
    return VerifyOutcome(Report.of_document(options.root, store.location, ()),
                         store.location, verified, files)


def _refused(root: Path, location: str, exc: oci.ReleaseError) -> VerifyOutcome:
    from rspp.core.sink import finding

    report = Report.of_document(root, location,
                                [finding(exc.code, location, 1, 1, exc.one_line())])
    return VerifyOutcome(report, location)


@dataclass(frozen=True, slots=True)
class KeyPair:
    private: Path
    public: Path
    keyid: str


def keygen(root: Path, private: Path) -> KeyPair:
    """Make a key pair at ``private`` and ``private`` + ``.pub`` (both inside ``root``,
    never overwritten; SIG002 otherwise). Raises PathError PATH001 outside the repository."""
    import os

    from rspp.core.files import FileAccessError, inside_root, make_dirs
    from rspp.core.paths import PathError
    from rspp.release.sign import keygen as make

    full = private if private.is_absolute() else Path.cwd() / private
    public = full.with_name(full.name + ".pub") if full.suffix != ".key" \
        else full.with_suffix(".pub")
    try:
        inside_root(full, root, "write")
        if os.path.realpath(full.parent) != os.path.realpath(root):
            make_dirs(full.parent, root=root)
    except FileAccessError as exc:
        raise PathError("PATH001", exc.cause, exc.remedy) from exc
    keyid = make(full, public)
    return KeyPair(full, public, keyid)
