"""The `rspp` console script: a thin Typer app; each command lives in its own module.

The command lines the pre-commit hooks run (``rspp validate FILE...``, ``rspp fmt FILE...``)
are read by ``rspp.cli.fast`` and run without importing Typer (ADR 0014); every other
command line, ``--help`` and every usage error included, goes through the Typer app.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TextIO, cast

from rspp import __version__

if TYPE_CHECKING:
    import typer

    from rspp.cli import fast

# Command name -> (module under rspp.cli, attribute). Groups are Typer apps; the others
# command functions. Only the command being run is imported and registered: building every
# command's click parameters costs more than the pre-commit budget can spare.
COMMANDS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "validate": ("validate", "command"),
    "explain": ("explain", "command"),
    "fmt": ("fmt", "command"),
    "migrate": ("migrate", "command"),
    "resolve": ("resolve", "command"),
    "explain-value": ("resolve", "explain_value_command"),
    "plan": ("plan", "command"),
    "schemas": ("schemas", "command"),
    "docs": ("docs", "command"),
    "check-generated": ("check_generated", "command"),
    "digest": ("digest", "command"),
    "lock": ("lock", "command"),
    "status": ("status", "command"),
    "keygen": ("keygen", "command"),
    "graph": ("graph", "command"),
    "build": ("build", "command"),
    "check": ("check", "command"),
    "compat": ("compat", "command"),
    "diff": ("diff", "command"),
})
GROUPS: Final[Mapping[str, str]] = MappingProxyType({"rules": "rules", "bundle": "bundle",
                                                    "rollout": "rollout", "replay": "replay",
                                                    "gates": "gates", "cache": "cache",
                                                    "packs": "packs"})


def build_app(only: str | None = None) -> typer.Typer:
    """The CLI with every command, or with only ``only`` (same behaviour for that one)."""
    import importlib

    import typer

    app = typer.Typer(
        name="rspp",
        help="Validate, resolve and publish real-time speech pipeline artifacts.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_root_callback())
    for name, (module, attr) in COMMANDS.items():
        if only in (None, name):
            app.command(name)(getattr(importlib.import_module(f"rspp.cli.{module}"), attr))
    for name, module in GROUPS.items():
        if only in (None, name):
            app.add_typer(importlib.import_module(f"rspp.cli.{module}").app, name=name)
    return app


def _version(value: bool) -> None:
    import typer

    if value:
        sys.stdout.write(f"rspp {__version__}\ntrace checker: {trace_build()}\n")
        raise typer.Exit(0)


def trace_build() -> str:
    """How ``rspp.conform.trace`` is installed: ``compiled (mypyc)`` or ``pure Python``
    (ADR 0012); found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("rspp.conform.trace")
    origin = spec.origin if spec is not None else None
    return "pure Python" if origin is None or origin.endswith(".py") else "compiled (mypyc)"


def _root_callback() -> Callable[..., None]:
    """The root callback: its options are ``--debug`` and ``--version`` (made here, when the
    app is built: building them needs Typer)."""
    import typer

    def _root(
        debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                     help="Print the version and exit."),
    ) -> None:
        # --debug is read from the arguments by ``main`` before Typer runs; declared here for
        # --help and so that Typer accepts it.
        return None

    return _root


def _click_exception() -> type[Exception]:
    """The base class of Typer's usage errors, whichever click it is built on.

    Typer up to 0.27 raises click's own exceptions; 0.28 vendors click and raises its copies.
    ``typer.BadParameter`` is exported by both, and its MRO holds the base we need.
    """
    import typer

    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException":
            return cls
    return typer.BadParameter  # pragma: no cover - every typer release has the base


def _protect_streams() -> None:
    """A report never dies on a character the console cannot encode.

    Text that stdout/stderr cannot encode (``PYTHONIOENCODING=cp1252``, a C locale) is written
    as backslash escapes instead of raising ``UnicodeEncodeError``.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _error_line(text: str) -> None:
    """One line on stderr; a path or message in it cannot break it or forge another line."""
    from rspp.report.escape import visible

    sys.stderr.write(visible(text) + "\n")


def _usage(exc: Exception) -> None:
    """Typer's usage message, with what the command line held (an option name, a value)
    escaped like every other line rspp prints."""
    import io

    from rspp.report.escape import visible

    buffer = io.StringIO()
    exc.show(file=buffer)  # type: ignore[attr-defined]
    sys.stderr.write("\n".join(visible(line) for line in buffer.getvalue().split("\n")))


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 clean, 1 findings, 2 usage or internal error, 130 interrupted."""
    from rspp.cli import fast
    from rspp.core.errors import RsppError

    _protect_streams()
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        call = fast.parse(args)
        return _fast_main(call) if call is not None else _typer_main(args)
    except KeyboardInterrupt:
        sys.stderr.write("rspp: interrupted\n")
        return 130
    except RsppError as exc:
        if debug:
            raise
        code = getattr(exc, "code", None)
        _error_line(f"rspp: error: {code + ' ' if code else ''}{exc.one_line()}")
        return 2
    except Exception as exc:  # the one top-level handler for bugs
        if debug:
            raise
        _error_line(f"rspp: internal error: {type(exc).__name__}: {exc} "
                    "(run with --debug for the traceback)")
        return 2


def _fast_main(call: fast.Call) -> int:
    """Run a command line read by ``rspp.cli.fast`` with what Typer's runner adds around a
    command, so that both paths end alike: an interrupt during the command exits 130
    silently, end of input is an abort ("rspp: interrupted", 130), and a closed stdout
    (``rspp validate | head``) exits 1 with the streams' later flushes made harmless."""
    import errno

    from rspp.cli import fast

    try:
        return fast.run(call)
    except KeyboardInterrupt:
        return 130
    except EOFError:
        raise KeyboardInterrupt from None
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        sys.stdout = cast(TextIO, _Pacified(sys.stdout))
        sys.stderr = cast(TextIO, _Pacified(sys.stderr))
        raise SystemExit(1) from None


class _Pacified:
    """A stream whose ``flush`` ignores a closed pipe (what click's runner puts in place of
    stdout and stderr after EPIPE)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def flush(self) -> None:
        import errno

        try:
            self._stream.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _typer_main(args: list[str]) -> int:
    """Run ``args`` through the Typer app (only the command named, when it is known); its
    exit code, its usage errors as Typer writes them (exit 2), an abort as an interrupt."""
    import typer

    usage_error = _click_exception()
    try:
        first = next((a for a in args if not a.startswith("-")), None)
        known = first in COMMANDS or first in GROUPS
        app = build_app(first if known else None)
        result = app(args=args, prog_name="rspp", standalone_mode=False)
        return int(result or 0)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except usage_error as exc:
        _usage(exc)
        return 2
    except typer.Abort:
        raise KeyboardInterrupt from None


if __name__ == "__main__":
    raise SystemExit(main())
