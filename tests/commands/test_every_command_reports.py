"""Every use case in rspp.commands returns the one Report type, or an outcome that carries it
as ``report`` (ADR 0006): a reporter can render what any command found."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import typing

import rspp.commands
import rspp.model.views
from rspp.report.result import Report

# Helpers the command modules share with each other; they are not use cases.
HELPERS = {"find_target", "lookup", "derived_remedy", "open_trace", "trace_inputs",
           "inputs_of"}
VIEWS = vars(rspp.model.views)


def _commands() -> list[tuple[str, typing.Callable[..., object]]]:
    found: list[tuple[str, typing.Callable[..., object]]] = []
    for info in pkgutil.iter_modules(rspp.commands.__path__):
        module = importlib.import_module(f"rspp.commands.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_") \
                    and name not in HELPERS:
                found.append((f"{info.name}.{name}", fn))
    return found


def test_there_are_commands_to_check() -> None:
    names = {name for name, _ in _commands()}
    assert {"validate.validate", "check.check", "lock.lock", "build.build", "resolve.resolve_all",
            "plan.plan_turn", "bundle.build_bundle_document", "fmt.fmt", "digest.digest",
            "generate.generate"} <= names


def test_every_command_returns_a_report() -> None:
    wrong = []
    for name, fn in _commands():
        # names imported for type checking only (the views) resolve through VIEWS
        returned = typing.get_type_hints(fn, localns=VIEWS)["return"]
        if returned is Report:
            continue
        fields = {f.name: f.type for f in dataclasses.fields(returned)} \
            if dataclasses.is_dataclass(returned) else {}
        hints = typing.get_type_hints(returned, localns=VIEWS) if fields else {}
        if hints.get("report") is not Report:
            wrong.append(f"{name} -> {returned}")
    assert wrong == []
