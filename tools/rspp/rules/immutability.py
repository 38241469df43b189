"""Codes of `rspp check` and `rspp lock`: immutability, the lock, derived files, git."""

from __future__ import annotations

from rspp.core.findings import Severity
from rspp.rules.base import Rule

_E = Severity.ERROR


def _check(code: str, summary: str, doc: str, by: str = "check") -> Rule:
    return Rule(code, "immutability" if code.startswith(("IMM", "LCK")) else
                "derived" if code.startswith("DRV") else "git", _E, summary, doc,
                emitted_by=by, needs_schema_valid=False)


RULES: tuple[Rule, ...] = (
    _check("IMM001", "Content changed under a version that exists at the base.",
           "Published versions never change: `rspp check --against BASE` compares the digest "
           "(sha256 over RFC 8785 canonical JSON) of every version in the working tree with "
           "the same version at the base ref (or its lock entry there). Reformatting and "
           "comments never change a digest; any change of meaning needs a new version. "
           "Build metadata is not part of a version (SemVer 2.0.0 section 10): replacing a "
           "published `1.0.1` by `1.0.1+b` is a change under 1.0.1."),
    _check("IMM002", "A new version is lower than the highest version at the base.",
           "Versions never go back: a version added on a branch must be greater (SemVer "
           "order, build metadata ignored) than every version of the same kind and id at the "
           "base."),
    _check("IMM003", "One version maps to two digests.",
           "rspp.lock records the digest each version was published with. Content whose "
           "digest differs from its lock entry would give one version two contents; `rspp "
           "lock` refuses to rewrite the entry and `rspp check` reports it. Versions that "
           "differ only in build metadata (`1.0.0`, `1.0.0+b`) are one version (SemVer 2.0.0 "
           "section 10): the second is never locked beside the first.", by="lock"),
    _check("IMM004", "A lock entry of the base was removed or rewritten.",
           "The lock is append-only: every entry at the base must still be in the working "
           "tree's lock with the same key and digest (an entry `1.0.1` rewritten as `1.0.1+b` "
           "is rewritten)."),
    _check("IMM005", "History was rewritten under a published version.",
           "When the base is not an ancestor of HEAD (a force-push) or the base's own lock "
           "disagrees with its content, a version published there that now has other "
           "content is reported as a history rewrite, not as an ordinary edit."),
    _check("LCK001", "A published version is missing from rspp.lock.",
           "Every artifact version except rollout manifests (mutable by design) is recorded "
           "in rspp.lock. Run `rspp build` (bundle pins get their digests), then `rspp lock`, "
           "and commit both with the new version.", by="lock"),
    _check("LCK002", "rspp.lock is not a valid lock file.",
           "rspp.lock is JSON: {\"lockVersion\": 1, \"artifacts\": {\"Kind/id@version\": "
           "\"sha256:<64 hex>\"}}. It is written by `rspp lock`. It records each version "
           "once: two keys whose versions differ only in build metadata are one version.",
           by="lock"),
    _check("LCK003", "A bundle is locked before its pins carry digests.",
           "Locking a bundle publishes it; a bundle must pin exactly the content it was built "
           "from (`id@version#sha256:<digest>`). `rspp build` writes the digests into a new "
           "bundle's pins, which changes the bundle's own digest, so the order is `rspp "
           "build`, then `rspp lock`. `rspp lock` refuses (and writes nothing) while a new "
           "bundle has a pin without a digest; `rspp check` reports the same.", by="lock"),
    _check("DRV001", "A derived file is stale.",
           "Derived files (resolved views and pipeline pages under docs/pipelines/, bundle "
           "pins) record their generator, a fingerprint of the generator's code (sha256 over "
           "the source of the rspp modules that make the file), the digest of every input "
           "and a fingerprint of their own content. The file is stale when an input changed, "
           "the generator's code changed, or it was edited by hand. Run `rspp build`, then "
           "`rspp lock`."),
    _check("DRV002", "A derived file is missing.",
           "Every bundle has a resolved view and a pipeline page under docs/pipelines/, and "
           "pins that carry digests. `rspp build` writes what is missing."),
    _check("DRV003", "A derived file cannot be read or generated.",
           "The file has no readable provenance (`_rspp` in JSON, front matter in Markdown), "
           "or its generator failed. `rspp build` rewrites it when its inputs are valid."),
    _check("DRV004", "A derived file is blocked: it cannot be built as things are.",
           "`rspp status` calls a derived file blocked when one of its inputs has validation "
           "errors (fix them, then `rspp build`, then `rspp lock`), or when a locked bundle's "
           "pins carry no digest: a published bundle cannot be rewritten, so remove the lock "
           "entry if it is not published yet and run `rspp build`, then `rspp lock`, or "
           "publish a new version of the bundle. `rspp check` fails on every state that "
           "`rspp status` does not call fresh."),
    _check("GIT001", "The base ref cannot be read from git.",
           "`--against` accepts branches, tags, commit ids and remote refs. In a shallow "
           "clone a missing base is fetched from the remote; when that fails the check stops "
           "with this code: fetch the base (`git fetch origin main`) or clone with full "
           "history (actions/checkout `fetch-depth: 0`).", by="git"),
)
