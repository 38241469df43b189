"""`rspp bundle publish`: publish every locked bundle version the store lacks (ADR 0008).

The repository is checked first (`rspp check`: validation, the lock, freshness, the
compatibility gate); publishing stops at any error. The bundles, their inputs and their
resolved views are taken from that one in-memory reading, after making sure each file is
committed (the provenance names the commit), so the bytes pushed and signed are the bytes
checked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rspp.release.publish import IndexOutcome, Outcome
from rspp.report.result import Report

if TYPE_CHECKING:
    from rspp.core.findings import Finding
    from rspp.lifecycle.lock import Lock
    from rspp.model.artifact import Artifact
    from rspp.release.oci import ReleaseError
    from rspp.release.publish import Candidate
    from rspp.release.sign import Signer
    from rspp.release.trust import TrustPolicy
    from rspp.validate.engine import Repository

BUILDER_LOCAL = "https://rspp.dev/builders/local"


@dataclass(frozen=True, slots=True)
class PublishOptions:
    root: Path
    to: str | None = None  # layout:DIR or oci://HOST[:PORT]/REPO; None: the default layout
    sign: str = "key"  # "key" or "sigstore"
    key: Path | None = None
    # who may have signed what the store holds already (the index this run extends, the
    # bundles it finds published); None with --sign key: the signing key alone
    policy: Path | None = None
    identity_token: str | None = None
    builder: str = ""  # builder id for the provenance; "" = from the CI environment or local
    ttl_days: int = 30
    refresh_index: bool = False
    today: dt.date | None = None
    now: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    """What publishing did: the gate's report with the refusals added, the store, one
    outcome per locked bundle version, the index after publishing (None when nothing was
    published)."""

    report: Report
    store: str = ""
    outcomes: tuple[Outcome, ...] = ()
    index: IndexOutcome | None = None

    def to_json(self) -> dict[str, object]:
        """The outcome as JSON data: the store, each bundle version (ref, tag, manifest digest,
        state, and code when refused), the index (version, expires, digest, written)."""
        index = self.index
        return {
            "store": self.store,
            "bundles": [{"ref": o.candidate.packed.ref, "tag": o.candidate.packed.tag,
                         "digest": o.digest or o.candidate.packed.digest, "state": o.state,
                         **({"code": o.code, "message": o.message} if o.code else {})}
                        for o in self.outcomes],
            "index": None if index is None else {"version": index.version,
                                                 "expires": index.expires,
                                                 "digest": index.digest,
                                                 "written": index.written},
            "errors": self.report.errors,
        }

    def text(self) -> str:
        """One line per bundle version and one for the index, for people."""
        lines = [f"{o.state:<17} {o.candidate.packed.ref}  {self.store}:"
                 f"{o.candidate.packed.tag}  {o.digest or o.candidate.packed.digest}"
                 + (f"  ({o.code})" if o.code else "") for o in self.outcomes]
        if not self.outcomes and not self.report.failed:
            lines.append(f"no bundle version in the lock to publish to {self.store}")
        if self.index is not None and self.index.version == 0:
            lines.append("no index: nothing published")
        elif self.index is not None:
            verb = "wrote" if self.index.written else "kept"
            lines.append(f"{verb} index version {self.index.version} (expires "
                         f"{self.index.expires})  {self.index.digest}")
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        """A GitHub job summary: a table of the bundle versions and the index line."""
        from rspp.core.markdown import code, row, text

        rows = [row(code(o.candidate.packed.ref, cell=True),
                    text(f"{o.state} ({o.code})" if o.code else o.state),
                    code(o.digest or o.candidate.packed.digest, cell=True))
                for o in self.outcomes]
        lines = [f"### rspp bundle publish: {code(self.store)}", "",
                 row("bundle", "state", "manifest"), row("---", "---", "---"), *rows, ""]
        if self.report.errors:
            lines.append(f"{self.report.errors} error(s): see the job log.")
        if self.index is not None and self.index.version:
            lines.append(f"Index version {self.index.version}, expires "
                         f"{text(self.index.expires)}.")
        return "\n".join(lines) + "\n"


def _builder_id() -> str:
    """The builder of the provenance: the GitHub workflow run's workflow ref when running
    in GitHub Actions (``GITHUB_SERVER_URL``/``GITHUB_WORKFLOW_REF``), else a local one."""
    import os

    server, ref = os.environ.get("GITHUB_SERVER_URL"), os.environ.get("GITHUB_WORKFLOW_REF")
    if server and ref and server.isprintable() and ref.isprintable():
        return f"{server}/{ref}"
    return BUILDER_LOCAL


def _make_signer(options: PublishOptions) -> Signer:
    from rspp.core.errors import UsageError
    from rspp.release import sign

    if options.sign == "sigstore":
        return sign.sigstore_signer(options.identity_token)
    if options.sign == "key":
        if options.key is None:
            raise UsageError("--sign key needs --key FILE",
                             "make a key pair with `rspp keygen`, then pass its private key")
        from rspp.core.paths import real_inside

        return sign.key_signer(real_inside(options.key, options.root, "signing key"))
    raise UsageError(f"unknown signing mode {options.sign!r}", "use --sign key or sigstore")


def publish(options: PublishOptions) -> PublishOutcome:
    """Check, then publish (see the module doc). Raises UsageError/PathError for a bad store
    or signer, StoreError (REL003, REL004) when the store cannot be used, GitError outside a
    git work tree."""
    from rspp.commands.check import CheckOptions, checked
    from rspp.release import oci
    from rspp.release.index import STATE_FILE, TrustState
    from rspp.release.publish import publish_index, publish_one
    from rspp.release.stores import open_store
    from rspp.release.verify import verified_index

    store = open_store(options.to, options.root)
    signer = _make_signer(options)
    policy = _policy(options, signer)
    state = TrustState.load(options.root / STATE_FILE, options.root)
    gate = checked(CheckOptions(options.root, today=options.today, load_all=True))
    report, repo, lock = gate.report, gate.repository, gate.lock
    if report.failed or lock is None:
        return PublishOutcome(report, store.location)
    candidates, problems = _candidates(repo, lock, options.builder or _builder_id())
    now = options.now or dt.datetime.now(dt.UTC)
    try:  # the index this run extends must be one the policy trusts, and not rolled back
        verified_index(store, policy, state, now=now, expired_ok=True, missing_ok=True)
    except oci.StoreError as exc:
        if exc.code == "REL003":
            raise
        problems.append(_store_finding(store.location, exc))
    except oci.ReleaseError as exc:
        problems.append(_store_finding(store.location, exc))
    if problems:
        return PublishOutcome(report.with_findings([*report.findings, *problems]),
                              store.location)
    own = _own(signer) or policy
    outcomes = tuple(publish_one(store, c, signer, policy, own) for c in candidates)
    findings = [*report.findings, *(_refused(o) for o in outcomes if o.state == "refused")]
    index = None
    if any(o.state != "refused" for o in outcomes) or options.refresh_index:
        index, outcomes = publish_index(store, outcomes, signer, now=now,
                                        ttl=dt.timedelta(days=options.ttl_days),
                                        refresh=options.refresh_index)
        if index.version:
            state.remember(store.location, index.version)
        findings = [*report.findings, *(_refused(o) for o in outcomes if o.state == "refused")]
    return PublishOutcome(report.with_findings(findings), store.location, outcomes, index)


def _policy(options: PublishOptions, signer: Signer) -> TrustPolicy:
    """The policy judging the signatures already in the store: ``--policy``, else (offline
    key) the signing key alone; keyless signing needs ``--policy``."""
    from rspp.core.errors import UsageError
    from rspp.release.trust import load_policy

    if options.policy is not None:
        return load_policy(options.policy, confine=options.root)
    own = _own(signer)
    if own is not None:
        return own
    raise UsageError("--sign sigstore needs --policy FILE",
                     "name the trust policy consumers verify with (it must trust this "
                     "workflow's identity)")


def _own(signer: Signer) -> TrustPolicy | None:
    """A policy trusting exactly the offline key ``signer`` signs with (None: keyless)."""
    from rspp.release.sign import KeySigner
    from rspp.release.trust import policy_from_keys

    if isinstance(signer, KeySigner):
        return policy_from_keys({signer.keyid: signer.public_pem()}, "--key")
    return None


def _store_finding(location: str, exc: ReleaseError) -> Finding:
    from rspp.core.sink import finding

    return finding(exc.code, location, 1, 1, exc.one_line())


def _refused(outcome: Outcome) -> Finding:
    from rspp.core.sink import finding

    c = outcome.candidate
    return finding(outcome.code, c.path, c.line, c.col, outcome.message,
                   pointer="/metadata/version")


def _candidates(repo: Repository, lock: Lock, builder: str
                ) -> tuple[list[Candidate], list[Finding]]:
    """Every locked bundle version packed, or the findings that stop publishing (REL005)."""
    import os

    from rspp.core.canonical import sha256_digest
    from rspp.core.constants import LOCK_FILE
    from rspp.core.sink import finding
    from rspp.lifecycle.gitio import GitRepo
    from rspp.model.digest import artifact_digest, lock_key, split_lock_key
    from rspp.release.pack import Member, Source
    from rspp.release.publish import candidate
    from rspp.resolve.api import bundle_inputs, involved_files, resolve_inputs

    git = GitRepo(repo.root)
    commit, created = git.head()
    source = Source(commit, created, sha256_digest({"lockVersion": 1,
                                                   "artifacts": dict(lock.entries)}))
    by_path: dict[str, list[Artifact]] = {}
    for art in repo.index.artifacts:
        by_path.setdefault(art.path, []).append(art)
    out: list[Candidate] = []
    problems: list[Finding] = []
    wanted = []
    for key in sorted(lock.entries):
        parts = split_lock_key(key)
        if parts is None or parts[0] != "PipelineBundle":
            continue
        found = repo.index.get(*parts)
        if found is not None:  # else deleted from the tree: published earlier or never
            wanted.append((key, found))
    files: set[str] = {LOCK_FILE}
    plans = []
    for key, art in wanted:
        inputs = bundle_inputs(art, repo.index)
        if inputs is None:
            line, col = lock.location(key)
            problems.append(finding("REL005", LOCK_FILE, line, col,
                                    f"{key}: its pins do not name artifacts of this "
                                    "repository", pointer="/artifacts"))
            continue
        involved = involved_files(inputs, repo.index)
        files |= involved
        plans.append((key, art, inputs, involved))
    # git names paths from the work tree's top; the repository may be a folder inside it
    rel = Path(os.path.relpath(repo.root.resolve(), git.top.resolve())).as_posix()
    prefix = "" if rel == "." else rel + "/"
    changed = {p[len(prefix):] for p in git.changed("HEAD", [prefix + f for f in sorted(files)])
               if p.startswith(prefix)}
    for path in sorted(changed & files):
        problems.append(finding("REL005", path, 1, 1, f"{path} has changes that are not "
                                f"committed: publishing records commit {commit[:12]}",
                                pointer=""))
    if problems:
        return out, problems
    for key, art, inputs, involved in plans:
        members = []
        for path in sorted(involved):
            for other in by_path.get(path, []):
                member_key = lock_key(other.kind, other.id, other.version)
                digest = artifact_digest(other)
                locked = lock.entries.get(member_key)
                if locked != digest:
                    line, col = lock.location(member_key if locked else None)
                    state = (f"not in {LOCK_FILE}" if locked is None
                             else "locked with another digest")
                    problems.append(finding("REL005", LOCK_FILE, line, col,
                                            f"{key}: {member_key} is {state}: run `rspp lock` "
                                            "and commit", pointer="/artifacts"))
                    continue
                members.append(Member(member_key, digest, other.doc.held))
        resolution = resolve_inputs(inputs, repo.index)
        if resolution.view is None:
            line, col = lock.location(key)
            problems.append(finding("REL005", LOCK_FILE, line, col,
                                    f"{key} does not resolve: run `rspp resolve` on it",
                                    pointer="/artifacts"))
            continue
        span = art.doc.span("/metadata/version")
        bundle = Member(key, artifact_digest(art), art.doc.held)
        out.append(candidate(bundle, members, resolution.view, source, path=art.path,
                             line=span.line, col=span.col, builder=builder))
    by_tag: dict[str, list[Candidate]] = {}
    for made in out:
        by_tag.setdefault(made.packed.tag, []).append(made)
    for tag, same in sorted(by_tag.items()):
        if len(same) > 1:  # e.g. a/b@1.0.0 and a_b@1.0.0: OCI tags cannot tell them apart
            names = ", ".join(c.packed.ref for c in same)
            problems.extend(finding("REL002", c.path, c.line, c.col, f"{names} all publish as "
                                    f"tag {tag}: rename one of the bundles",
                                    pointer="/metadata/id") for c in same)
    return out, problems

