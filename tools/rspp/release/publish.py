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
    from rspp.release.trust import TrustPolicy

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


def publish_one(store: oci.Store, candidate: Candidate, signer: Signer,
                policy: TrustPolicy, own: TrustPolicy | None = None) -> Outcome:
    """Publish one bundle version (see the module doc). ``policy``: the signers whose
    signature on a manifest already in the store counts; ``own`` (default ``policy``): the
    signer itself — a manifest this run would publish identically that it has not signed
    yet (a killed run, a new key after a rotation) gets its signature.
    Raises StoreError (REL003, REL004) when the store cannot be used; refusals are outcomes.
    """
    from rspp.release.verify import signed_by

    packed = candidate.packed
    with store.exclusive():
        existing = store.resolve(packed.tag)
        if existing == packed.digest:
            if not signed_by(store, packed.digest, own or policy):
                # a killed run, or a new signing key: sign this very manifest again
                attach(store, packed.descriptor, signer.media_type,
                       signer.sign(statement_for(candidate)))
            return Outcome(candidate, "already published", digest=existing)
        if existing is not None:
            if _same_content(store, existing, packed):
                if signed_by(store, existing, policy):
                    # published from an earlier commit: its provenance stays the first one
                    return Outcome(candidate, "already published", digest=existing)
                return Outcome(candidate, "refused", "REL002",
                               f"tag {packed.tag} in {store.location} names {existing}, a "
                               f"manifest of {packed.ref} that no trusted signature covers: "
                               "the store was changed outside rspp; do not use it")
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
        data = oci.load_json(store.get_manifest(digest), f"manifest {digest}")
    except oci.ReleaseError:
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
        data = oci.load_json(store.get_manifest(digest), f"manifest {digest}")
    except oci.ReleaseError:
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
    manifest = oci.load_json(store.get_manifest(digest), f"the index of {store.location}",
                             "IDX003")
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
    store holds for it. Runs in the store's exclusive section.

    On a registry another publisher may write the index at the same time (no lock, no
    compare-and-swap): the index is read back after writing, and merged and written again
    (at most :data:`INDEX_ATTEMPTS` times, with a growing pause) while it lacks a version
    this run published whose tag still names its manifest."""
    import time

    outcome, wanted = _index_once(store, published, signer, now, ttl, refresh)
    for attempt in range(1, INDEX_ATTEMPTS):
        current, _ = current_index(store)
        if current is not None and all(current.bundles.get(ref) == digest
                                       for ref, digest in wanted.items()
                                       if _still_tagged(store, ref, digest)):
            break
        time.sleep(0.05 * attempt)
        outcome, wanted = _index_once(store, published, signer, now, ttl, False)
    return outcome


INDEX_ATTEMPTS: Final = 5


def _index_once(store: oci.Store, published: Mapping[str, str], signer: Signer,
                now: dt.datetime, ttl: dt.timedelta, refresh: bool
                ) -> tuple[IndexOutcome, dict[str, str]]:
    """Merge and write the index once (optimistically: when another publisher's index
    appeared while this one was being signed, merge again from it before tagging)."""
    with store.exclusive():
        for _ in range(INDEX_ATTEMPTS):
            old, old_digest = current_index(store)
            # a registry has no lock: list a version only while its tag still names the
            # manifest this run knows (another publisher may have replaced it; its index
            # lists its own)
            wanted = {ref: digest for ref, digest in published.items()
                      if _still_tagged(store, ref, digest)}
            kept = {ref: digest for ref, digest in (old.bundles.items() if old else ())
                    if ref not in wanted and _still_tagged(store, ref, digest)}
            bundles = dict(sorted({**kept, **wanted}.items()))
            if old is None and not bundles:
                return IndexOutcome(0, "", "", False), wanted  # nothing to list, no index
            stale = old is None or old.expires - now < ttl / 2
            if old is not None and old_digest is not None and not refresh and not stale \
                    and (dict(old.bundles) == bundles or not wanted):
                # current, or nothing of this run's to add: another publisher's index stands
                return IndexOutcome(old.version, stamp(old.expires), old_digest, False), wanted
            doc = IndexDoc((old.version if old else 0) + 1, now + ttl, bundles)
            digest = _push_index(store, doc, signer)
            if current_index(store)[1] != old_digest:
                continue  # another publisher wrote the index meanwhile: merge from it
            store.set_tag(oci.INDEX_TAG, digest, oci.MANIFEST)
            return IndexOutcome(doc.version, stamp(doc.expires), digest, True), wanted
    raise oci.StoreError("REL003", f"the index of {store.location} kept changing while "
                         "publishing", "serialise the publishers of this store, then publish "
                         "again")


def _push_index(store: oci.Store, doc: IndexDoc, signer: Signer) -> str:
    """Push the index document, its manifest and its signature (not the tag); its digest."""
    from rspp.release.sign import statement

    manifest, layer = pack_index(doc)
    digest = oci.sha256(manifest)
    store.put_blob(oci.EMPTY_DATA, oci.EMPTY_DIGEST)
    store.put_blob(layer, oci.sha256(layer))
    store.put_manifest(manifest, digest, oci.MANIFEST)
    subject = oci.Descriptor(oci.MANIFEST, digest, len(manifest), artifact_type=oci.INDEX_TYPE)
    body = statement(oci.INDEX_TAG, digest, PREDICATE,
                     {"version": doc.version, "expires": stamp(doc.expires)})
    attach(store, subject, signer.media_type, signer.sign(body))
    return digest


def settle(store: oci.Store, outcomes: tuple[Outcome, ...]) -> tuple[Outcome, ...]:
    """The outcomes after the index is written, read against the tags once more.

    A registry offers no compare-and-swap on a tag: a publisher that read its own tag back
    may still be overwritten by another publisher of other content a moment later. Each
    version this run published is judged again by what its tag names now: the same content
    stays published, other content turns the outcome into REL001 (the other publisher's
    index lists its manifest), a version the index does not list is REL003 (publish again). Serialise publishers of one registry (a CI concurrency
    group) to avoid the race; this makes the report honest when it happens anyway.
    """
    settled = []
    index, _ = current_index(store)
    listed = index.bundles if index is not None else {}
    for outcome in outcomes:
        packed = outcome.candidate.packed
        if outcome.state == "refused":
            settled.append(outcome)
            continue
        now = store.resolve(packed.tag)
        ours = now == outcome.digest or (now is not None and _same_content(store, now, packed))
        if ours and listed.get(packed.ref) != now:
            settled.append(Outcome(outcome.candidate, "refused", "REL003",
                                   f"{packed.ref} is tagged in {store.location} but the "
                                   "signed index does not list it (another publisher wrote "
                                   "the index meanwhile): publish again"))
        elif ours:
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


def publish_index(store: oci.Store, outcomes: tuple[Outcome, ...], signer: Signer, *,
                  now: dt.datetime, ttl: dt.timedelta = DEFAULT_TTL,
                  refresh: bool = False) -> tuple[IndexOutcome, tuple[Outcome, ...]]:
    """Write the signed index for the versions published (:func:`update_index`), then
    :func:`settle` the outcomes; while a version this run holds the tag of is missing from
    the index (another publisher's index write landed after ours), merge and write again, at
    most :data:`INDEX_ATTEMPTS` times with a growing pause."""
    import time

    good = {o.candidate.packed.ref: o.digest for o in outcomes if o.state != "refused"}
    index = update_index(store, good, signer, now=now, ttl=ttl, refresh=refresh)
    settled = settle(store, outcomes)
    for attempt in range(1, INDEX_ATTEMPTS):
        if not any(o.code == "REL003" for o in settled):
            break
        time.sleep(0.1 * attempt)
        index = update_index(store, good, signer, now=now, ttl=ttl)
        settled = settle(store, outcomes)
    return index, settled
