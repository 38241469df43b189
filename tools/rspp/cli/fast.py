"""The pre-commit path: ``rspp validate FILE...`` and ``rspp fmt FILE...`` without Typer.

The hooks (``.pre-commit-hooks.yaml``) run these two commands on every commit, where building
the Typer app costs more than the validation of one changed file (ADR 0014). A command line
made only of the options below, in the forms below, is read here and run with the same
functions the Typer commands call (``rspp.cli.validate``, ``rspp.cli.fmt``): same output,
same exit codes. Anything else (``--help``, an unknown option, a value Typer would refuse or
judge, a joined short option such as ``-fjson``, ``--``) returns None from :func:`parse`,
and ``rspp.cli.main`` hands the command line to Typer, which answers it as it always has.

This module imports no Typer and nothing heavy at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal

import msgspec

# option -> (keyword, what it takes): a flag, or one value converted by ``_value``
_Takes = Literal["flag", "text", "count", "path"]
_VALIDATE: Final[Mapping[str, tuple[str, _Takes]]] = MappingProxyType({
    "--format": ("fmt", "text"), "-f": ("fmt", "text"),
    "--strict": ("strict", "flag"),
    "--root": ("root", "path"),
    "--jobs": ("jobs", "count"), "-j": ("jobs", "count"),
    "--no-cache": ("no_cache", "flag"),
    "--quiet": ("quiet", "flag"), "-q": ("quiet", "flag"),
})
_FMT: Final[Mapping[str, tuple[str, _Takes]]] = MappingProxyType({
    "--check": ("check", "flag"),
    "--diff": ("diff", "flag"),
    "--root": ("root", "path"),
    "--no-cache": ("no_cache", "flag"),
})
_OPTIONS: Final[Mapping[str, Mapping[str, tuple[str, _Takes]]]] = MappingProxyType({
    "validate": _VALIDATE, "fmt": _FMT,
})


class Call(msgspec.Struct, frozen=True):
    """A command line read here: the command and its arguments as the Typer command gets
    them (``paths`` under the name ``paths``, options under their keyword)."""

    command: str
    paths: tuple[str, ...]
    options: dict[str, str | int | bool | Path]


def _value(takes: _Takes, text: str) -> str | int | Path | None:
    """``text`` as Typer would hand it to the command, or None when Typer might judge it
    differently (a usage error, a conversion this module does not copy)."""
    if takes == "text":
        return text
    if takes == "count":  # click's IntRange(min=0), for plain ASCII digits only
        return int(text) if text.isascii() and text.isdigit() else None
    # Typer's path type (exists=False, readable=True): a missing path is taken as it is,
    # an existing one must be readable (Typer's error otherwise)
    try:
        os.stat(text)
    except OSError:
        return Path(text)
    return Path(text) if os.access(text, os.R_OK) else None


def parse(args: Sequence[str]) -> Call | None:
    """``args`` (what follows ``rspp``) as a :class:`Call`, or None for Typer to read.

    Read here: an optional leading ``--debug``, then ``validate`` or ``fmt``, then paths and
    that command's options (``--name VALUE``, ``--name=VALUE``, ``-x VALUE``, flags), in any
    order, a later value of an option replacing an earlier one as in Typer. A value must
    not be empty or start with ``-``; a path must not start with ``-``. Shell completion
    (``_RSPP_COMPLETE`` set) is left to Typer."""
    rest = list(args)
    if rest[:1] == ["--debug"]:
        rest = rest[1:]
    if not rest or rest[0] not in _OPTIONS or os.environ.get("_RSPP_COMPLETE"):
        return None
    command, known = rest[0], _OPTIONS[rest[0]]
    paths: list[str] = []
    options: dict[str, str | int | bool | Path] = {}
    tokens = iter(rest[1:])
    for token in tokens:
        if not token.startswith("-"):
            paths.append(token)
            continue
        name, joined, text = token.partition("=")
        if name not in known or (joined and not name.startswith("--")):
            return None
        keyword, takes = known[name]
        if takes == "flag":
            if joined:
                return None
            options[keyword] = True
            continue
        if not joined:
            text = next(tokens, "")
        if not text or text.startswith("-"):
            return None
        value = _value(takes, text)
        if value is None:
            return None
        options[keyword] = value
    return Call(command, tuple(paths), options)


def run(call: Call) -> int:
    """Run a command read by :func:`parse`; its exit code. Raises as the Typer command
    does (RsppError and the rest reach the one handler in ``rspp.cli.main``)."""
    runners: dict[str, Callable[..., int]] = {"validate": validate, "fmt": fmt}
    return runners[call.command](list(call.paths), **call.options)


FORMATS: Final = ("text", "json", "github", "sarif")


def validate(paths: Sequence[str] | None, fmt: str = "text", strict: bool = False,
             root: Path | None = None, jobs: int = 0, no_cache: bool = False,
             quiet: bool = False) -> int:
    """``rspp validate``: print the report (``quiet``: the findings only, no summary; no
    progress either); 0 clean, 1 findings. UsageError for an unknown format; errors of
    validation as ``rspp.commands.validate.validate``. A run on a terminal shows its
    progress on standard error (:mod:`rspp.cli.progress`)."""
    import sys

    from rspp.cli.progress import shown
    from rspp.commands.validate import validate as run_validate
    from rspp.core.errors import UsageError
    from rspp.report import REPORTERS
    from rspp.validate.discover import find_root
    from rspp.validate.engine import ValidateOptions

    if fmt not in REPORTERS:
        raise UsageError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    base = root if root is not None else find_root(Path.cwd())
    targets = tuple(Path(p) for p in paths or ())
    with shown(fmt, quiet) as progress:
        result = run_validate(ValidateOptions(root=base, targets=targets, strict=strict,
                                              jobs=jobs, cache=not no_cache,
                                              progress=progress))
    if quiet and fmt == "text":
        from rspp.report.formats import text

        sys.stdout.write(text(result, summary_line=False))
    else:
        sys.stdout.write(REPORTERS[fmt](result))
    return 1 if result.failed else 0


def fmt(paths: Sequence[str] | None, check: bool = False, diff: bool = False,
        root: Path | None = None, no_cache: bool = False) -> int:
    """``rspp fmt``: format (or judge) the files and print what became of them; 0 done or
    nothing to do, 1 files to change (``check``) or files that cannot be formatted."""
    from rspp.commands.fmt import FmtOptions
    from rspp.commands.fmt import fmt as run_fmt
    from rspp.fmt.engine import render
    from rspp.validate.discover import find_root

    base = root if root is not None else find_root(Path.cwd())
    targets = tuple(Path(p) for p in paths or ())
    outcome = run_fmt(FmtOptions(root=base, targets=targets, check=check, diff=diff,
                                 cache=not no_cache))
    say(render(outcome.result))
    return 1 if outcome.failed else 0


def say(text: str) -> None:
    """Write the multi-line text of a library renderer; its line breaks are kept, any other
    hidden character is escaped. The renderer escapes line breaks inside the values it
    quotes (use ``rspp.cli.common.line`` for a line built here)."""
    import sys

    from rspp.report.escape import visible

    sys.stdout.write("\n".join(visible(part) for part in text.split("\n")))
