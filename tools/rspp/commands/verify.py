"""`rspp bundle verify` and `rspp keygen` (ADR 0008).

Verification refusals (IDX, VFY codes) are findings (exit 1); a store that cannot be read
(REL003) is an error of the command (exit 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rspp.release.verify import Verified
from rspp.report.result import Report

if TYPE_CHECKING:
    from rspp.release import oci


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
    from rspp.core.paths import real_inside
    from rspp.release import oci
    from rspp.release.index import STATE_FILE, TrustState
    from rspp.release.stores import open_store
    from rspp.release.trust import load_policy
    from rspp.release.verify import extract, pull_verified

    store = open_store(options.source, options.root)
    policy = load_policy(options.policy, confine=options.root)
    state = TrustState.load(real_inside(options.state or options.root / STATE_FILE,
                                        options.root, "trusted-index state"), options.root)
    if options.extract is not None:
        _check_extract(options.root, options.extract)
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


def _check_extract(root: Path, dest: Path) -> None:
    """``--extract DIR``: a new folder inside the repository (links followed and judged by
    their target; never inside ``.git``) whose parent exists. PathError PATH001/PATH002,
    UsageError otherwise — before anything is verified."""
    import os

    from rspp.core.errors import UsageError
    from rspp.core.files import FileAccessError, inside_root
    from rspp.core.paths import PathError, real_inside

    real_inside(dest, root, "extraction folder")
    try:
        inside_root(dest, root, "extract into")
    except FileAccessError as exc:
        raise PathError("PATH001", exc.cause, exc.remedy) from exc
    if os.path.lexists(dest):
        raise UsageError(f"--extract {dest} exists", "name a folder that does not exist yet")
    if not os.path.isdir(os.path.dirname(os.path.abspath(dest))):
        raise PathError("PATH002", f"--extract {dest}: its parent folder does not exist",
                        "create the parent first")


def _refused(root: Path, location: str, exc: oci.ReleaseError) -> VerifyOutcome:
    from rspp.core.sink import finding

    report = Report.of_document(root, location,
                                [finding(exc.code, location, 1, 1, exc.one_line())])
    return VerifyOutcome(report, location)


@dataclass(frozen=True, slots=True)
class KeyPair:
    """The files `rspp keygen` made and the key id; ``report`` is empty (refusals raise)."""

    private: Path
    public: Path
    keyid: str
    report: Report
    kept: bool = False  # the pair existed already (keep_existing)


def _policy_text(keyid: str, public_pem: str) -> str:
    """A TrustPolicy (YAML) that trusts exactly the offline key ``keyid``."""
    body = "".join(f"      {line}\n" for line in public_pem.strip().splitlines())
    return ("# Trust policy for `rspp bundle verify --policy`: the offline keys (and sigstore\n"
            "# identities) whose signatures are accepted. See docs/trust-policy.md.\n"
            "apiVersion: rspp.dev/v1alpha1\nkind: TrustPolicy\nkeys:\n"
            f"  - keyid: {keyid}\n    publicKey: |\n{body}")


def keygen(root: Path, private: Path, policy: Path | None = None, *,
           keep_existing: bool = False) -> KeyPair:
    """Make a key pair at ``private`` and its ``.pub`` beside it (``x.key`` -> ``x.pub``,
    else ``private`` + ``.pub``), and with ``policy`` a trust policy trusting it; every file
    inside ``root`` and never overwritten (SIG002: nothing is written when any exists).
    ``keep_existing``: when every file exists already and the two keys belong together, keep
    them (``KeyPair.kept``) instead of refusing (SIG001 when they do not belong together).
    Raises PathError PATH001 outside the repository."""
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
    target = None
    if policy is not None:
        target = policy if policy.is_absolute() else Path.cwd() / policy
        try:
            inside_root(target, root, "write")
        except FileAccessError as exc:
            raise PathError("PATH001", exc.cause, exc.remedy) from exc
    if keep_existing and os.path.lexists(full) and os.path.lexists(public):
        kept = _kept(root, full, public)
        if target is not None and not os.path.lexists(target):
            from rspp.core.files import write_atomic

            pem = public.read_text(encoding="ascii")
            write_atomic(target, _policy_text(kept.keyid, pem).encode("utf-8"), root=root)
        return kept
    if target is not None and os.path.lexists(target):
        from rspp.release.sign import SignError

        raise SignError("SIG002", f"refusing to overwrite {policy}",
                        "name a new policy file, or leave out --policy")
    keyid = make(full, public)
    if target is not None:
        from rspp.core.files import write_atomic

        pem = public.read_text(encoding="ascii")
        try:
            write_atomic(target, _policy_text(keyid, pem).encode("utf-8"), root=root)
        except BaseException:
            for made in (full, public):  # nothing half-made is left behind
                made.unlink(missing_ok=True)
            raise
    return KeyPair(full, public, keyid, Report.of_document(root, str(private), ()))


def _kept(root: Path, private: Path, public: Path) -> KeyPair:
    from rspp.release.sign import SignError, key_signer
    from rspp.release.trust import public_key_file

    signer = key_signer(private)
    trusted = public_key_file(public)
    if signer.keyid != trusted.keyid:
        raise SignError("SIG001", f"{private} and {public} are not one key pair",
                        "remove both and run `rspp keygen` again, or name another pair")
    return KeyPair(private, public, trusted.keyid, Report.of_document(root, str(private), ()),
                   kept=True)
