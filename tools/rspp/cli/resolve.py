"""`rspp resolve` and `rspp explain-value`: the resolved view and where its values came from."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rspp.cli import common

if TYPE_CHECKING:
    from rspp.commands.resolve import ResolveOutcome
    from rspp.core.jsontypes import JsonObject

_PROFILE = typer.Option(None, "--profile", help="Profile id@version (when TARGET is a spec).")
_POLICY = typer.Option(None, "--policy", help="Policy overlay id@version, in order; repeatable.")
_FORMAT = typer.Option("text", "--format", "-f",
                       help="Findings: text, json, github or sarif. Explanations: text or json.")


def _run(target: str, root: Path | None, profile: str | None,
         policy: list[str] | None, fmt: str) -> ResolveOutcome:
    from rspp.commands.resolve import ResolveOptions, resolve_target

    common.reporter(fmt)
    outcome = resolve_target(ResolveOptions(common.base(root), target, profile,
                                            tuple(policy or ())))
    if outcome.view is None:
        common.fail(outcome.report, fmt)
    if outcome.report.findings:  # warnings only: shown on stderr, the view stays clean
        sys.stderr.write(common.reporter("text")(outcome.report))
    return outcome


def command(
    target: str = typer.Argument(None, help="Bundle or spec: a file path or id@version."),
    profile: str = _PROFILE,
    policy: list[str] = _POLICY,
    explain: bool = typer.Option(False, "--explain",
                                 help="Print each value with its source instead of the view."),
    pointer: str = typer.Option("", "--pointer", "-p",
                                help="With --explain: only the fields under this pointer."),
    # str, not Path: the writer judges the path (click would stat() it, following links)
    out: str = typer.Option(None, "--out", "-o", help="Write the view to this .json file "
                                                      "(inside the repository)."),
    every: bool = typer.Option(False, "--all", help="Resolve every bundle of the repository; "
                               "with --out-dir, write each view there."),
    out_dir: Path = typer.Option(None, "--out-dir", help="With --all: folder for the views, "
                                 "inside the repository (<bundle id>@<version>.json; ids "
                                 "with / become _)."),
    fmt: str = _FORMAT,
    root: Path = common.ROOT,
) -> None:
    """Print the fully explicit pipeline: modules expanded, every default applied."""
    from rspp.core.errors import UsageError
    from rspp.resolve.explain import explain as explain_view
    from rspp.resolve.explain import explain_text

    if every:
        if target is not None:
            raise UsageError("--all resolves every bundle; leave out TARGET")
        _resolve_all(root, out_dir, fmt)
        return
    if target is None:
        raise UsageError("name a bundle or spec to resolve", "or pass --all")
    if out is not None and not out.endswith(".json"):
        from rspp.core.paths import PathError

        raise PathError("PATH003", f"--out {out!r}: a resolved view is canonical JSON",
                        "name the file .json")
    outcome = _run(target, root, profile, policy, fmt)
    if explain:
        assert outcome.view is not None  # _run exits when there is no view
        common.say(explain_text(explain_view(outcome.view, pointer)))
    else:
        common.emit(outcome.text, Path(out) if out is not None else None, root)


def _resolve_all(root: Path | None, out_dir: Path | None, fmt: str) -> None:
    from rspp.commands.resolve import resolve_all
    from rspp.core.files import make_dirs

    report = common.reporter(fmt)
    base = common.base(root)
    if out_dir is not None:  # inside the repository, reached without links; made up front
        place = common.managed(out_dir / ".", base)
        if place is not None:
            from rspp.core.errors import UsageError

            raise UsageError(f"refusing to write views into {place}: it is managed by rspp "
                             "or its authors", "pass another --out-dir (for example build/)")
        make_dirs(out_dir, root=base)
    outcome = resolve_all(base)
    lines = []
    for item in outcome.bundles:
        if item.text is None:
            lines.append(f"{item.bundle}: not resolved (see the findings)")
            continue
        where = ""
        if out_dir is not None:
            target = out_dir / (item.bundle.replace("/", "_") + ".json")
            common.write_output(target, item.text.encode("utf-8"), base)
            where = f" -> {target}"
        lines.append(f"{item.bundle}: {item.nodes} nodes, {item.edges} edges, "
                     f"{item.sources} recorded sources{where}")
    if outcome.report.findings:
        sys.stdout.write(report(outcome.report))
    for text in lines or ["no bundles to resolve"]:
        common.line(text)
    raise typer.Exit(1 if outcome.failed else 0)


def explain_value_command(
    artifact: str = typer.Argument(..., help="A bundle or spec (path or id@version), or a "
                                             "resolved view (.json)."),
    pointer: str = typer.Argument("", help="JSON pointer into the view, e.g. "
                                           "/spec/nodes/stt/params/model (node ids allowed)."),
    profile: str = _PROFILE,
    policy: list[str] = _POLICY,
    fmt: str = _FORMAT,
    root: Path = common.ROOT,
) -> None:
    """Say where each value at POINTER of a resolved view came from."""
    from rspp.core.errors import UsageError
    from rspp.resolve.explain import explain, explain_json, explain_text

    view: Mapping[str, object] | None = _saved_view(artifact)
    if view is None:
        view = _run(artifact, root, profile, policy, "text" if fmt == "json" else fmt).view
        assert view is not None  # _run exits when there is no view
    elif fmt not in ("text", "json"):
        raise UsageError(f"unknown format {fmt!r}", "use text or json")
    entries = explain(view, pointer)
    if fmt == "json":
        sys.stdout.write(explain_json(entries))
    else:
        common.say(explain_text(entries))


def _saved_view(artifact: str) -> JsonObject | None:
    """A resolved view file given directly (it needs no repository)."""
    import os

    from rspp.core.errors import UsageError
    from rspp.validate.engine import load_named

    path = Path(artifact)
    if path.suffix != ".json" or not os.path.lexists(path):
        return None
    loaded = load_named(path)  # the read policy of rspp.core.paths: no link out, no special file
    doc = loaded.document
    if doc is None:
        first = loaded.findings[0]
        raise UsageError(f"{artifact}:{first.line}:{first.col} {first.code} {first.message}")
    if doc.data.get("kind") != "ResolvedSpec":
        return None
    if not isinstance(doc.data.get("spec"), dict):
        raise UsageError(f"{artifact}: a ResolvedSpec without a spec")
    return doc.data
