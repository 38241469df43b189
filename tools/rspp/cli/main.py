"""The `rspp` console script: a thin Typer app; each command lives in its own module."""

from __future__ import annotations

import sys

import click
import typer

from rspp import __version__
from rspp.cli import bundle, explain, fmt, generate, plan, resolve, rules, validate

app = typer.Typer(
    name="rspp",
    help="Validate, resolve and publish real-time speech pipeline artifacts.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("validate")(validate.command)
app.command("explain")(explain.command)
app.command("fmt")(fmt.command)
app.command("resolve")(resolve.command)
app.command("explain-value")(resolve.explain_value_command)
app.command("plan")(plan.command)
app.command("schemas")(generate.schemas_command)
app.command("docs")(generate.docs_command)
app.command("check-generated")(generate.check_generated_command)
app.add_typer(rules.app, name="rules")
app.add_typer(bundle.app, name="bundle")

_DEBUG = {"on": False}


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"rspp {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    _DEBUG["on"] = debug


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 clean, 1 findings, 2 usage or internal error, 130 interrupted."""
    from rspp.errors import RsppError

    args = sys.argv[1:] if argv is None else argv
    _DEBUG["on"] = "--debug" in args
    try:
        result = app(args=args, prog_name="rspp", standalone_mode=False)
        return int(result or 0)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        sys.stderr.write("rspp: interrupted\n")
        return 130
    except RsppError as exc:
        if _DEBUG["on"]:
            raise
        sys.stderr.write(f"rspp: error: {exc.one_line()}\n")
        return 2
    except Exception as exc:  # the one top-level handler for bugs
        if _DEBUG["on"]:
            raise
        sys.stderr.write(f"rspp: internal error: {type(exc).__name__}: {exc} "
                         "(run with --debug for the traceback)\n")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
