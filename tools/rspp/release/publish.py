"""Publish every locked bundle version a store lacks: pack, push, sign, tag, index (ADR 0008).

The caller hands over a repository it validated (its artifacts in memory) and the lock it
checked; nothing here reads the working tree, so the bytes pushed and signed are the bytes
validated. Per bundle version, in this order: the layers and the empty config, the manifest
(by digest), the signature (a referrer), then the tag — the publication point. Last, the
signed index is rewritten when the set of published bundles changed.

Outcomes per version: ``published``; ``already published`` (the tag names the same
manifest: a no-op, and a signature a killed run did not attach is attached); refused with
REL001 (the tag names other content for the same version) or REL002 (the tag names another
bundle).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from rspp.release import oci
from rspp.release.index import PREDICATE, IndexDoc, pack_index, parse, stamp
from rspp.release.pack import PROVENANCE, Member, Packed, Source, pack, provenance
from rspp.release.referrers import attach, signatures

if TYPE_CHECKING:
    from rspp.release.sign import Signer

DEFAULT_TTL: Final = dt.timedelta(days=30)
State = Literal["published", "already published", "refused"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A bundle version to publish: its package, the file it comes from and where in it its
    version is written (for findings), and the provenance predicate to sign."""

    packed: Packed
    path: str
    line: int
    col: int
    predicate: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one bundle version: ``state``, and ``code``/``message`` when refused."""

    candidate: Candidate
    state: State
    code: str = ""
    message: str = ""
    digest: str = ""  # the manifest the store holds for the version (when not refused)


@dataclass(frozen=True, slots=True)
class IndexOutcome:
    """The index after publishing: its version, expiry, manifest digest; ``written`` is
    False when it was already current."""

    version: int
    expires: str
    digest: str
    written: bool


def statement_for(candidate: Candidate) -> bytes:
    from rspp.release.sign import statement

    packed = candidate.packed
    return statement(packed.ref, packed.digest, PROVENANCE, candidate.predicate)


def publish_one(store: oci.Store, candidate: Candidate, signer: Signer) -> Outcome:
    """Publish one bundle version (see the module doc). Raises StoreError (REL003, REL004)
    when the store cannot be used; refusals are outcomes."""
    packed = candidate.packed
    with store.exclusive():
        existing = store.resolve(packed.tag)
        if existing == packed.digest:
            if not signatures(store, packed.digest):
                attach(store, packed.descriptor, signer.media_type,
                       signer.sign(statement_for(candidate)))
            return Outcome(candidate, "already published", digest=existing)
        if existing is not None:
            if _same_content(store, existing, packed):
                # published from an earlier commit: its provenance stays the first one
                return Outcome(candidate, "already published", digest=existing)
            return _refusal(store, candidate, existing)
        store.put_blob(oci.EMPTY_DATA, oci.EMPTY_DIGEST)
        for layer in packed.layers:  # put_blob skips a blob the store has
            store.put_blob(layer.data, layer.descriptor.digest)
        store.put_manifest(packed.manifest, packed.digest, oci.MANIFEST)
        if not signatures(store, packed.digest):
            attach(store, packed.descriptor, signer.media_type,
                   signer.sign(statement_for(candidate)))
        store.set_tag(packed.tag, packed.digest, oci.MANIFEST)
        now = store.resolve(packed.tag)
        if now != packed.digest and now is not None:  # a registry: another publisher won
            if _same_content(store, now, packed):
                return Outcome(candidate, "already published", digest=now)
            return _refusal(store, candidate, now)
    return Outcome(candidate, "published", digest=packed.digest)


def _same_content(store: oci.Store, digest: str, packed: Packed) -> bool:
    """Whether the manifest ``digest`` is this bundle version with the same layers (the
    content), whatever commit and time it records."""
    from rspp.release.pack import ID, VERSION

    try:
        data = json.loads(store.get_manifest(digest))
    except ValueError:
        return False
    mine = json.loads(packed.manifest)
    if not isinstance(data, dict) or data.get("artifactType") != oci.BUNDLE_TYPE:
        return False
    notes, ours = data.get("annotations"), mine["annotations"]
    return (isinstance(notes, dict) and notes.get(ID) == ours[ID]
            and notes.get(VERSION) == ours[VERSION]
            and _digests(data.get("layers")) == _digests(mine["layers"]))


def _digests(layers: object) -> list[str]:
    if not isinstance(layers, list):
        return []
    return [str(layer.get("digest")) if isinstance(layer, dict) else "" for layer in layers]


def _refusal(store: oci.Store, candidate: Candidate, existing: str) -> Outcome:
    packed = candidate.packed
    ident, version = _named(store, existing)
    if (ident, version) == tuple(packed.ref.rsplit("@", 1)):
        return Outcome(candidate, "refused", "REL001",
                       f"{packed.ref} is already published in {store.location} with other "
                       f"content (manifest {existing}, this is {packed.digest}): a published "
                       "version never changes; release a new version")
    return Outcome(candidate, "refused", "REL002",
                   f"tag {packed.tag} in {store.location} names "
                   f"{ident or 'no rspp bundle'}@{version or '?'} (manifest {existing}), not "
                   f"{packed.ref}: rename the bundle or use another store")


def _named(store: oci.Store, digest: str) -> tuple[str, str]:
    from rspp.release.pack import ID, VERSION

    try:
        data = json.loads(store.get_manifest(digest))
    except (ValueError, oci.StoreError):
        return "", ""
    notes = data.get("annotations") if isinstance(data, dict) else None
    if not isinstance(notes, dict):
        return "", ""
    return str(notes.get(ID, "")), str(notes.get(VERSION, ""))


def current_index(store: oci.Store) -> tuple[IndexDoc | None, str | None]:
    """The index the store holds now (not verified: the publisher rewrites it) and its
    manifest digest; (None, None) when there is none."""
    digest = store.resolve(oci.INDEX_TAG)
    if digest is None:
        return None, None
    manifest = json.loads(store.get_manifest(digest))
    layers = manifest.get("layers") if isinstance(manifest, dict) else None
    if not isinstance(layers, list) or len(layers) != 1:
        raise oci.ReleaseError("IDX003", f"the index of {store.location} is not an rspp index",
                               "remove the rspp-index tag, then publish again")
    layer = oci.Descriptor.from_json(layers[0])
    return parse(store.get_blob(layer.digest, 1 << 26), store.location), digest


def update_index(store: oci.Store, published: Mapping[str, str], signer: Signer, *,
                 now: dt.datetime, ttl: dt.timedelta = DEFAULT_TTL,
                 refresh: bool = False) -> IndexOutcome:
    """Rewrite the signed index when it lacks a published bundle (or names another manifest
    for it), when ``refresh`` asks for a new expiry, or when less than half of ``ttl`` is
    left; else leave it. Entries of bundles not in ``published`` are kept while their tag
    still names the same manifest. ``published``: ``id@version`` -> the manifest digest the
    store holds for it. Runs in the store's exclusive section."""
    from rspp.release.sign import statement

    with store.exclusive():
        old, old_digest = current_index(store)
        # a registry has no lock: list a version only while its tag still names the manifest
        # this run knows (another publisher may have replaced it; its index lists its own)
        wanted = {ref: digest for ref, digest in published.items()
                  if _still_tagged(store, ref, digest)}
        kept = {ref: digest for ref, digest in (old.bundles.items() if old else ())
                if ref not in wanted and _still_tagged(store, ref, digest)}
        bundles = dict(sorted({**kept, **wanted}.items()))
        stale = old is None or old.expires - now < ttl / 2
        if old is not None and old_digest is not None and not refresh and not stale \
                and dict(old.bundles) == bundles:
            return IndexOutcome(old.version, stamp(old.expires), old_digest, False)
        doc = IndexDoc((old.version if old else 0) + 1, now + ttl, bundles)
        manifest, layer = pack_index(doc)
        digest = oci.sha256(manifest)
        store.put_blob(oci.EMPTY_DATA, oci.EMPTY_DIGEST)
        store.put_blob(layer, oci.sha256(layer))
        store.put_manifest(manifest, digest, oci.MANIFEST)
        subject = oci.Descriptor(oci.MANIFEST, digest, len(manifest),
                                 artifact_type=oci.INDEX_TYPE)
        body = statement(oci.INDEX_TAG, digest, PREDICATE,
                         {"version": doc.version, "expires": stamp(doc.expires)})
        attach(store, subject, signer.media_type, signer.sign(body))
        store.set_tag(oci.INDEX_TAG, digest, oci.MANIFEST)
    return IndexOutcome(doc.version, stamp(doc.expires), digest, True)


def settle(store: oci.Store, outcomes: tuple[Outcome, ...]) -> tuple[Outcome, ...]:
    """The outcomes after the index is written, read against the tags once more.

    A registry offers no compare-and-swap on a tag: a publisher that read its own tag back
    may still be overwritten by another publisher of other content a moment later. Each
    version this run published is judged again by what its tag names now: the same content
    stays published, other content turns the outcome into REL001 (the other publisher's
    index lists its manifest). Serialise publishers of one registry (a CI concurrency
    group) to avoid the race; this makes the report honest when it happens anyway.
    """
    settled = []
    for outcome in outcomes:
        packed = outcome.candidate.packed
        if outcome.state == "refused":
            settled.append(outcome)
            continue
        now = store.resolve(packed.tag)
        if now == outcome.digest or (now is not None and _same_content(store, now, packed)):
            settled.append(outcome)
        elif now is None:
            settled.append(Outcome(outcome.candidate, "refused", "REL003",
                                   f"tag {packed.tag} of {store.location} disappeared while "
                                   "publishing: publish again"))
        else:
            refusal = _refusal(store, outcome.candidate, now)
            settled.append(Outcome(outcome.candidate, "refused", refusal.code,
                                   refusal.message + " (another publisher replaced it while "
                                   "this one ran)"))
    return tuple(settled)


def _still_tagged(store: oci.Store, ref: str, digest: str) -> bool:
    from rspp.release.pack import tag_for

    ident, _, version = ref.rpartition("@")
    return bool(ident) and store.resolve(tag_for(ident, version)) == digest


def candidate(bundle: Member, members: list[Member], view: object, source: Source, *,
              path: str, line: int, col: int, builder: str) -> Candidate:
    """Pack a bundle version and the provenance predicate its signature carries."""
    import platform

    from rspp import __version__

    packed = pack(bundle, members, view, source)
    predicate = provenance(packed, source, builder, f"rspp {__version__}",
                           f"CPython {platform.python_version()}"
                           if platform.python_implementation() == "CPython"
                           else f"{platform.python_implementation()} "
                                f"{platform.python_version()}")
    return Candidate(packed, path, line, col, predicate)
