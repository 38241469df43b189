"""`rspp bundle build|publish|verify`: write a PipelineBundle whose pins carry digests;
publish locked bundle versions to a store, signed; verify a published one."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common

app = typer.Typer(help="Build, publish and verify PipelineBundles.", no_args_is_help=True)


@app.command("build")
def build_command(
    bundle_id: str = typer.Option(..., "--id", help="The new bundle's id."),
    version: str = typer.Option(..., "--version", help="The new bundle's version (SemVer)."),
    spec: str = typer.Option(..., "--spec", help="PipelineSpec id@version."),
    profile: str = typer.Option(..., "--profile", help="ExecutionProfile id@version."),
    policy: list[str] = typer.Option(None, "--policy", help="PolicyOverlay id@version; "
                                                            "repeatable, in order."),
    packages_from: list[str] = typer.Option(None, "--packages-from",
                                            help="Earlier bundle id@version whose node "
                                                 "packages may be reused; repeatable."),
    min_runtime: str = typer.Option(..., "--min-runtime", help="Oldest runtime (SemVer)."),
    max_runtime: str = typer.Option(None, "--max-runtime", help="Newest runtime (SemVer)."),
    event_abi: str = typer.Option(..., "--event-abi", help="Event ABI version (SemVer)."),
    description: str = typer.Option(None, "--description", help="spec.description."),
    # str, not Path: the writer judges the path (click would stat() it, following links)
    out: str = typer.Option(None, "--out", "-o", help="Write the bundle to this file "
                                                     "(inside the repository; .json, .yaml "
                                                     "or .yml: written in that syntax)."),
    fmt: str = common.FORMAT,
    root: Path = common.ROOT,
) -> None:
    """Pin spec, profile and policies by digest and the node packages the pipeline runs."""
    from rspp.commands.bundle import BundleOptions, build_bundle_document
    from rspp.core.paths import PathError
    from rspp.load.api import syntax_for

    common.reporter(fmt)
    syntax = syntax_for(Path(out)) if out is not None else "json"
    if syntax is None:
        raise PathError("PATH003", f"--out {out!r} is not an artifact file name",
                        "name it .json, .yaml or .yml")
    base = common.base(root)
    outcome = build_bundle_document(BundleOptions(
        base, bundle_id, version, spec, profile, tuple(policy or ()),
        tuple(packages_from or ()), min_runtime, max_runtime, event_abi, description))
    if outcome.document is None:
        common.fail(outcome.report, fmt)
    common.emit(outcome.render(syntax), Path(out) if out is not None else None, base)


@app.command("publish")
def publish_command(
    to: str = typer.Option(None, "--to", help="The store: layout:DIR (an OCI image layout "
                                              "inside the repository; default "
                                              "layout:.rspp/store) or "
                                              "oci://HOST[:PORT]/REPOSITORY."),
    sign: str = typer.Option("key", "--sign", help="key (offline, --key FILE) or sigstore "
                                                   "(keyless, the CI's OIDC identity)."),
    key: str = typer.Option(None, "--key", help="The private key of --sign key "
                                                "(`rspp keygen` makes one)."),
    policy: str = typer.Option(None, "--policy", help="The trust policy the store's index "
                                                      "and published bundles must verify "
                                                      "with (default with --sign key: that "
                                                      "key; required with sigstore)."),
    ttl_days: int = typer.Option(30, "--index-ttl-days", min=1, max=366,
                                 help="Days until the signed index expires."),
    refresh_index: bool = typer.Option(False, "--refresh-index",
                                       help="Re-sign the index with a new expiry even when "
                                            "nothing new is published."),
    fmt: str = typer.Option("text", "--format", "-f",
                            help="text, json or markdown (a CI job summary); refusals are "
                                 "findings in text."),
    today: str = common.TODAY,
    root: Path = common.ROOT,
) -> None:
    """Publish every bundle version in rspp.lock that the store lacks, signed, after `rspp
    check` passes: exit 0 published or already there, 1 refused, 2 usage or store error."""
    import json

    from rspp.commands.publish import PublishOptions, publish
    from rspp.core.errors import UsageError

    if fmt not in ("text", "json", "markdown"):
        raise UsageError(f"unknown format {fmt!r}", "use text, json or markdown")
    outcome = publish(PublishOptions(common.base(root), to, sign,
                                     Path(key) if key is not None else None,
                                     Path(policy) if policy is not None else None,
                                     ttl_days=ttl_days, refresh_index=refresh_index,
                                     today=common.today_of(today)))
    if fmt == "json":
        common.say(json.dumps(outcome.to_json(), indent=2, sort_keys=True,
                              ensure_ascii=True) + "\n")
    elif fmt == "markdown":
        common.say(outcome.markdown())
    else:
        common.say(outcome.text())
    if outcome.report.failed:
        common.fail(outcome.report, "text")


@app.command("verify")
def verify_command(
    ref: str = typer.Argument(..., metavar="ID@VERSION", help="The bundle version."),
    policy: str = typer.Option(..., "--policy", help="The trust policy file (kind "
                                                     "TrustPolicy)."),
    source: str = typer.Option(None, "--from", help="The store (as publish --to; default "
                                                    "layout:.rspp/store)."),
    offline: bool = typer.Option(True, "--offline/--online",
                                 help="Sigstore: verify with the bundled trust root, never "
                                      "opening a socket (default)."),
    runtime: str = typer.Option(None, "--runtime", help="A runtime version (SemVer) that "
                                                        "must be inside the bundle's window."),
    state: str = typer.Option(None, "--state", help="The trusted-index state file (default "
                                                    ".rspp/trusted-index.json)."),
    extract: str = typer.Option(None, "--extract", help="Write the verified artifacts into "
                                                        "this new folder."),
    fmt: str = common.FORMAT,
    root: Path = common.ROOT,
) -> None:
    """Verify a published bundle: signed index (no rollback, not expired), signature and
    signer, every digest and pin, provenance: exit 0 verified, 1 refused, 2 usage or store
    error."""
    from rspp.commands.verify import VerifyOptions, verify_bundle

    common.reporter(fmt)
    outcome = verify_bundle(VerifyOptions(
        common.base(root), ref, Path(policy), source, offline, runtime,
        Path(state) if state is not None else None,
        Path(extract) if extract is not None else None))
    if outcome.verified is None:
        common.fail(outcome.report, fmt)
    assert outcome.verified is not None
    v = outcome.verified
    if fmt == "json":
        import json

        common.say(json.dumps({"ref": v.ref, "store": outcome.store, "manifest": v.digest,
                               "bundleDigest": v.bundle_digest, "signer": v.signer,
                               "indexVersion": v.index_version, "commit": v.commit,
                               "extracted": [str(p) for p in outcome.files]},
                              indent=2, sort_keys=True, ensure_ascii=True) + "\n")
        return
    common.line(f"verified {v.ref} in {outcome.store}: manifest {v.digest}, signed by "
                f"{v.signer}, index version {v.index_version}, commit {v.commit}")
    for path in outcome.files:
        common.line(f"extracted {path}")
