"""Verify a published bundle before anything of it is used (ADR 0008). Fails closed.

:func:`pull_verified` (and :class:`ArtifactStore`, what a runtime holds) checks, in this
order, each with its own code:

1. the signed index: signed by an allowed signer, its statement over this index manifest,
   not older than the version already trusted (IDX001), not expired (IDX002), naming the
   bundle (IDX004) with the manifest its tag names (IDX004);
2. the manifest: an rspp bundle artifact for this ``id@version`` (VFY007);
3. a signature is attached (VFY001), verifies (VFY002), by a signer the trust policy
   allows (VFY003), over an in-toto statement whose subject is this manifest (VFY002);
4. every layer hashes to its descriptor (VFY004), is an rspp layer with a safe title
   (VFY007) and canonical JSON; every pin of the bundle matches the layer it names
   (VFY005);
5. the provenance (SLSA v1 predicate) names this bundle, commit and exactly these inputs
   (VFY006);
6. with ``runtime``: the runtime is inside the bundle's window (VFY009).

Only then is the index version remembered (:class:`rspp.release.index.TrustState`) and the
content handed back — in memory; :func:`extract` writes it into a new folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from rspp.core.canonical import canonical_bytes
from rspp.release import oci
from rspp.release.index import PREDICATE, TrustState, check_fresh, parse
from rspp.release.pack import (
    CREATED,
    DIGEST,
    ID,
    PROVENANCE,
    REVISION,
    VERSION,
    VIEW_TITLE,
    tag_for,
)
from rspp.release.referrers import signatures

if TYPE_CHECKING:
    from rspp.release.trust import TrustPolicy

_TITLE_PART: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789._-+")


@dataclass(frozen=True, slots=True)
class Verified:
    """A bundle version that passed every check.

    ``members``: lock key (``Kind/id@version``) -> artifact data, the bundle included;
    ``view``: the resolved view; ``digest``: the manifest digest; ``signer``: who signed;
    ``index_version``: the index version it was listed in."""

    ref: str
    digest: str
    bundle_digest: str
    signer: str
    members: Mapping[str, object]
    view: object
    index_version: int
    commit: str
    created: str

    @property
    def bundle(self) -> object:
        return self.members[f"PipelineBundle/{self.ref}"]


def _fail(code: str, cause: str, remedy: str = "") -> oci.ReleaseError:
    return oci.ReleaseError(code, cause, remedy)


def _json(data: bytes, what: str, code: str) -> object:
    try:
        return json.loads(data, object_pairs_hook=oci.unique_keys)
    except (ValueError, RecursionError):
        raise _fail(code, f"{what} is not valid JSON") from None


def _manifest(store: oci.Store, digest: str, what: str) -> dict[str, object]:
    value = _json(store.get_manifest(digest), f"the manifest of {what}", "VFY007")
    if not isinstance(value, dict) or value.get("mediaType") != oci.MANIFEST:
        raise _fail("VFY007", f"{what} ({digest}) is not an OCI image manifest")
    return value


def _verified_statement(store: oci.Store, subject: str, what: str, policy: TrustPolicy,
                        offline: bool) -> tuple[dict[str, object], str]:
    """The statement of the first signature over ``subject`` that verifies and whose signer
    the policy allows; the first refusal's code when none does."""
    from rspp.release.trust import SignatureError, verify_signature

    found = signatures(store, subject)
    if not found:
        raise _fail("VFY001", f"{what} is not signed: no signature refers to {subject}",
                    "publish it again with --sign, or do not use it")
    first: oci.ReleaseError | None = None
    for envelope in found:
        try:
            signed = verify_signature(envelope.media_type, envelope.data, policy,
                                      offline=offline)
        except SignatureError as exc:
            first = first or _fail(exc.code, f"{what}: {exc.cause}", exc.remedy)
            continue
        statement = _json(signed.statement, f"the signed statement of {what}", "VFY002")
        if not isinstance(statement, dict) or _subject(statement) != subject:
            first = first or _fail("VFY002", f"{what}: the signature by {signed.signer} is "
                                   f"over other content (its subject is "
                                   f"{_subject(statement) or 'missing'}, not {subject})",
                                   "do not use it; republish the bundle")
            continue
        return statement, signed.signer
    assert first is not None
    raise first


def _subject(statement: object) -> str:
    subjects = statement.get("subject") if isinstance(statement, dict) else None
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        return ""
    digests = subjects[0].get("digest")
    hexed = digests.get("sha256") if isinstance(digests, dict) else None
    return f"sha256:{hexed}" if isinstance(hexed, str) else ""


def signed_by(store: oci.Store, digest: str, policy: TrustPolicy, *,
              offline: bool = True) -> bool:
    """Whether a signature the policy allows covers the manifest ``digest``."""
    try:
        _verified_statement(store, digest, digest, policy, offline)
    except oci.ReleaseError:
        return False
    return True


def verified_index(store: oci.Store, policy: TrustPolicy, state: TrustState | None, *,
                   now: dt.datetime, offline: bool = True, expired_ok: bool = False,
                   missing_ok: bool = False) -> tuple[Mapping[str, str], int]:
    """The bundles the store's signed index lists and its version; raises ReleaseError
    (IDX001-003, VFY001-003) when it is missing, unsigned, rolled back or expired.
    ``expired_ok`` (a publisher about to re-sign it) lets an expired index pass;
    ``missing_ok`` a store without an index, unless ``state`` trusted one there: then it
    was removed (IDX003). Returns ({}, 0) for a missing index."""
    where = store.location
    digest = store.resolve(oci.INDEX_TAG)
    if digest is None:
        if missing_ok and (state is None or state.trusted(where) == 0):
            return {}, 0
        raise _fail("IDX003", f"{where} has no index (tag {oci.INDEX_TAG})"
                    + (f", but version {state.trusted(where)} of it was trusted: it was "
                       "removed" if state is not None and state.trusted(where) else ""),
                    "publish into it with `rspp bundle publish`")
    manifest = _manifest(store, digest, f"the index of {where}")
    if manifest.get("artifactType") != oci.INDEX_TYPE:
        raise _fail("IDX003", f"tag {oci.INDEX_TAG} of {where} is not an rspp index")
    statement, _ = _verified_statement(store, digest, f"the index of {where}", policy, offline)
    if statement.get("predicateType") != PREDICATE:
        raise _fail("VFY006", f"the index of {where} is signed as {statement.get('predicateType')!r}, "
                    "not as an rspp index")
    layers = manifest.get("layers")
    if not isinstance(layers, list) or len(layers) != 1:
        raise _fail("IDX003", f"the index of {where} does not hold exactly one layer")
    layer = oci.Descriptor.from_json(layers[0])
    doc = parse(store.get_blob(layer.digest, 1 << 26), where)
    signed = statement.get("predicate")
    if not isinstance(signed, dict) or signed.get("version") != doc.version:
        raise _fail("VFY006", f"the index of {where} says version {doc.version}, its "
                    "signature another")
    judged = min(now, doc.expires - dt.timedelta(seconds=1)) if expired_ok else now
    check_fresh(doc, state.trusted(where) if state else 0, judged, where)
    return doc.bundles, doc.version


def pull_verified(store: oci.Store, ref: str, policy: TrustPolicy,
                  state: TrustState | None = None, *, now: dt.datetime | None = None,
                  offline: bool = True, runtime: str | None = None) -> Verified:
    """Fetch ``ref`` (``id@version``) from ``store`` and verify it (see the module doc).

    ``state`` keeps the highest index version trusted (rollback protection; None: trust the
    store's index as it is, the first use); ``now`` judges expiry (default: the clock, UTC);
    ``offline`` keeps sigstore verification off the network; ``runtime`` (SemVer) must be
    inside the bundle's ``minRuntime..maxRuntime``.

    Raises ReleaseError with the code of the first check that fails (bytes the store holds
    that do not hash to their name are VFY004), StoreError REL003 when the store cannot be
    read.
    """
    try:
        return _pull(store, ref, policy, state, now=now, offline=offline, runtime=runtime)
    except oci.StoreError as exc:
        if exc.code != "REL004":
            raise
        raise _fail("VFY004", f"{ref}: {exc.cause}", exc.remedy) from exc


def _pull(store: oci.Store, ref: str, policy: TrustPolicy, state: TrustState | None, *,
          now: dt.datetime | None, offline: bool, runtime: str | None) -> Verified:
    when = now or dt.datetime.now(dt.UTC)
    ident, at, version = ref.rpartition("@")
    if not (ident and at and version):
        raise _fail("VFY007", f"{ref!r} is not id@version")
    bundles, index_version = verified_index(store, policy, state, now=when, offline=offline)
    listed = bundles.get(ref)
    if listed is None:
        raise _fail("IDX004", f"{ref} is not in the signed index of {store.location}",
                    "publish it, or name a published version")
    tagged = store.resolve(tag_for(ident, version))
    if tagged is None:
        raise _fail("IDX004", f"tag {tag_for(ident, version)} of {store.location} is "
                    f"missing, though the signed index lists {ref} as {listed}",
                    "the store was changed outside rspp; publish again to restore the tag")
    if tagged != listed:
        raise _fail("IDX004", f"tag {tag_for(ident, version)} of {store.location} names "
                    f"{tagged}, the signed index {listed}: the tag was moved",
                    "do not use it; republish from the commit that published it")
    manifest = _manifest(store, listed, ref)
    notes = manifest.get("annotations")
    if (manifest.get("artifactType") != oci.BUNDLE_TYPE or not isinstance(notes, dict)
            or notes.get(ID) != ident or notes.get(VERSION) != version):
        raise _fail("VFY007", f"{listed} is not the rspp bundle artifact of {ref}")
    statement, signer = _verified_statement(store, listed, ref, policy, offline)
    members, view, digests = _layers(store, manifest, ref)
    key = f"PipelineBundle/{ref}"
    if key not in members:
        raise _fail("VFY007", f"{ref}: no layer holds the bundle")
    bundle_digest = digests[key]
    if notes.get(DIGEST) != bundle_digest:
        raise _fail("VFY005", f"{ref}: the manifest names bundle digest {notes.get(DIGEST)}, "
                    f"its layer is {bundle_digest}")
    _check_pins(ref, members[key], digests)
    _check_provenance(ref, statement, str(notes.get(REVISION, "")), digests)
    if runtime is not None:
        _check_window(ref, members[key], runtime)
    if state is not None:
        state.remember(store.location, index_version)
    return Verified(ref, listed, bundle_digest, signer, MappingProxyType(members), view,
                    index_version, str(notes.get(REVISION, "")), str(notes.get(CREATED, "")))


def _layers(store: oci.Store, manifest: dict[str, object], ref: str
            ) -> tuple[dict[str, object], object, dict[str, str]]:
    layers = manifest.get("layers")
    if not isinstance(layers, list) or not layers:
        raise _fail("VFY007", f"{ref}: the manifest lists no layers")
    members: dict[str, object] = {}
    digests: dict[str, str] = {}
    view: object = None
    views = 0
    for raw in layers:
        desc = oci.Descriptor.from_json(raw)
        title = desc.annotations.get(oci.TITLE, "")
        if desc.media_type not in (oci.ARTIFACT_LAYER, oci.VIEW_LAYER):
            raise _fail("VFY007", f"{ref}: layer {title or desc.digest} is "
                        f"{desc.media_type!r}, not an rspp layer (archives and other "
                        "content are never unpacked)", "do not use this artifact")
        if not safe_title(title):
            raise _fail("VFY007", f"{ref}: layer title {title!r} is not Kind/id@version")
        try:
            data = store.get_blob(desc.digest, 1 << 21)
        except oci.StoreError as exc:
            if exc.code == "REL004":
                raise _fail("VFY004", f"{ref}: layer {title}: {exc.cause}", exc.remedy) from exc
            raise
        if len(data) != desc.size:
            raise _fail("VFY004", f"{ref}: layer {title} is {len(data)} bytes, the manifest "
                        f"says {desc.size}")
        value = _json(data, f"{ref}: layer {title}", "VFY004")
        if canonical_bytes(value) != data:
            raise _fail("VFY004", f"{ref}: layer {title} is not canonical JSON (RFC 8785)")
        if desc.media_type == oci.VIEW_LAYER:
            views += 1
            view = value
            continue
        if title in members:
            raise _fail("VFY007", f"{ref}: two layers are titled {title}")
        members[title] = value
        digests[title] = desc.digest
    if views != 1:
        raise _fail("VFY007", f"{ref}: {views} resolved views, not one")
    return members, view, digests


def safe_title(title: str) -> bool:
    """A layer title is ``Kind/id@version`` (or ``ResolvedSpec/…``): no empty, ``.`` or
    ``..`` part, no absolute path, only letters, digits and ``._-+@/``."""
    kind, _, rest = title.partition("/")
    ident, at, version = rest.rpartition("@")
    parts = [kind, *ident.split("/"), version]
    return (bool(at) and len(title) <= 512
            and all(p and p not in (".", "..") and set(p) <= _TITLE_PART for p in parts))


def _check_pins(ref: str, bundle: object, digests: Mapping[str, str]) -> None:
    spec = bundle.get("spec") if isinstance(bundle, dict) else None
    pins = spec.get("pins") if isinstance(spec, dict) else None
    if not isinstance(pins, list) or not pins:
        raise _fail("VFY005", f"{ref}: the bundle pins nothing")
    for pin in pins:
        kind = pin.get("kind") if isinstance(pin, dict) else None
        text = pin.get("ref") if isinstance(pin, dict) else None
        if not isinstance(kind, str) or not isinstance(text, str) or "#" not in text:
            raise _fail("VFY005", f"{ref}: a pin carries no digest ({text!r})")
        name, _, digest = text.partition("#")
        have = digests.get(f"{kind}/{name}")
        if have is None:
            raise _fail("VFY005", f"{ref}: pinned {kind}/{name} is not in the artifact")
        if have != digest:
            raise _fail("VFY005", f"{ref}: {kind}/{name} is pinned as {digest}, the artifact "
                        f"holds {have}", "do not use it: the content was changed")


def _check_provenance(ref: str, statement: Mapping[str, object], commit: str,
                      digests: Mapping[str, str]) -> None:
    if statement.get("predicateType") != PROVENANCE:
        raise _fail("VFY006", f"{ref}: the signed statement is "
                    f"{statement.get('predicateType')!r}, not SLSA provenance v1")
    predicate = statement.get("predicate")
    build = predicate.get("buildDefinition") if isinstance(predicate, dict) else None
    params = build.get("externalParameters") if isinstance(build, dict) else None
    deps = build.get("resolvedDependencies") if isinstance(build, dict) else None
    if not isinstance(params, dict) or params.get("bundle") != ref:
        raise _fail("VFY006", f"{ref}: the provenance is of another bundle "
                    f"({params.get('bundle') if isinstance(params, dict) else None!r})")
    if params.get("commit") != commit:
        raise _fail("VFY006", f"{ref}: the provenance names commit {params.get('commit')!r}, "
                    f"the manifest {commit!r}")
    recorded: dict[str, str] = {}
    for dep in deps if isinstance(deps, list) else ():
        if isinstance(dep, dict) and isinstance(dep.get("name"), str) \
                and isinstance(dep.get("digest"), dict):
            recorded[dep["name"]] = f"sha256:{dep['digest'].get('sha256')}"
    if recorded != dict(digests):
        missing = sorted(set(digests) ^ set(recorded)) or sorted(
            k for k in digests if digests[k] != recorded.get(k))
        raise _fail("VFY006", f"{ref}: the provenance does not record the artifact's inputs "
                    f"(differs at {', '.join(missing[:3])})")


def _check_window(ref: str, bundle: object, runtime: str) -> None:
    from rspp.compat.contract import parse_version

    have = parse_version(runtime)
    if have is None:
        raise _fail("VFY009", f"runtime {runtime!r} is not a SemVer version")
    spec = bundle.get("spec") if isinstance(bundle, dict) else None
    window = spec.get("compatibility") if isinstance(spec, dict) else None
    lo = parse_version(window.get("minRuntime")) if isinstance(window, dict) else None
    hi = parse_version(window.get("maxRuntime")) if isinstance(window, dict) else None
    if lo is None or have < lo or (hi is not None and have > hi):
        shown = f"{lo}..{hi if hi is not None else ''}" if lo is not None else "missing"
        raise _fail("VFY009", f"{ref}: runtime {runtime} is outside the bundle's window "
                    f"{shown}", "run a runtime inside the window, or pick another bundle")


class ArtifactStore:
    """What a runtime holds: a store, the trust policy and the trusted-index state;
    :meth:`get_bundle` hands out only verified bundles (see :func:`pull_verified`)."""

    def __init__(self, store: oci.Store, policy: TrustPolicy, state: TrustState | None = None,
                 *, offline: bool = True) -> None:
        self.store = store
        self.policy = policy
        self.state = state
        self.offline = offline

    def get_bundle(self, ref: str, *, runtime: str | None = None,
                   now: dt.datetime | None = None) -> Verified:
        return pull_verified(self.store, ref, self.policy, self.state, now=now,
                             offline=self.offline, runtime=runtime)


def extract(verified: Verified, dest: Path) -> list[Path]:
    """Write a verified bundle's artifacts and view into the new folder ``dest`` as
    ``<Kind>/<id>@<version>.json`` (canonical JSON); returns the files written.

    ``dest`` must not exist; its parent must. Titles were checked (:func:`safe_title`), and
    every file is created with ``O_EXCL | O_NOFOLLOW`` under folders this call made, so
    nothing is written through a link or outside ``dest``. Raises ReleaseError VFY007.
    """
    try:
        os.mkdir(dest, 0o755)
    except OSError as exc:
        raise _fail("VFY007", f"cannot extract into {dest}: {exc.strerror}",
                    "name a folder that does not exist yet") from exc
    written: list[Path] = []
    items = [*verified.members.items(), (f"{VIEW_TITLE}/{verified.ref}", verified.view)]
    for title, data in items:
        if not safe_title(title):
            raise _fail("VFY007", f"refusing to extract {title!r}")
        target = dest.joinpath(*title.split("/"))
        target = target.with_name(target.name + ".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        if any(p.is_symlink() for p in (target.parent, *target.parent.parents)
               if dest in (p, *p.parents)):
            raise _fail("VFY007", f"refusing to extract {title!r}: a link is in the way")
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                     | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(canonical_bytes(data))
        written.append(target)
    return written
