"""The typed views the rules read agree with the pydantic models, field for field.

Every model of ``rspp.model.kinds`` has a ``TypedDict`` of the same name in
``rspp.model.views`` with the same JSON field names (aliases), the same required fields and
the same field types, nested models matching nested views. A model field added, renamed,
retyped or made optional without its view fails here.
"""

from __future__ import annotations

import types
import typing
from typing import (
    Annotated,
    Any,
    Literal,
    NotRequired,
    Required,
    TypedDict,
    Union,
    get_args,
    get_origin,
)

import pytest
from pydantic import BaseModel

from rspp.core.jsontypes import JsonObject
from rspp.model import kinds, views

# A normalized field type: ("model", name) | ("literal", values) | ("union", members)
# | ("list", item) | ("dict", value) | ("scalar", name) | ("json",)
Shape = tuple[object, ...]


def _members(annotation: object) -> tuple[object, ...]:
    return get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else ()


def _is_json(annotation: object) -> bool:
    """The recursive ``JsonValue`` union (however the alias was expanded)."""
    members = _members(annotation)
    origins = {get_origin(m) for m in members}
    return {bool, int, float, str, type(None)} <= set(members) and {list, dict} <= origins


def _shape(annotation: object) -> Shape:
    """One shape for a model field or a view field, so the two can be compared."""
    if annotation in (Any, object) or _is_json(annotation):
        return ("json",)
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _shape(args[0])
    if origin is Literal:
        return ("literal", frozenset(args))
    if origin in (Union, types.UnionType):
        # Optional model fields are left out, never null: None says nothing the view must.
        members = frozenset(_shape(a) for a in args if a is not type(None))
        return next(iter(members)) if len(members) == 1 else ("union", members)
    if origin is list:
        return ("list", _shape(args[0]))
    if origin is dict:
        assert _shape(args[0]) == ("scalar", "str"), f"JSON keys are strings: {annotation}"
        return ("dict", _shape(args[1]))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return ("model", annotation.__name__)
    if typing.is_typeddict(annotation):
        return ("model", typing.cast(type, annotation).__name__)
    if annotation in (str, int, float, bool):
        return ("scalar", typing.cast(type, annotation).__name__)
    raise AssertionError(f"no shape for {annotation!r}")


def _required_keys(view: type) -> set[str]:
    """Read from the annotations: ``__required_keys__`` is wrong in Python 3.11 when the
    annotations are postponed."""
    total = getattr(view, "__total__", True)
    out = set()
    for key, annotation in typing.get_type_hints(view, include_extras=True).items():
        qualifier = get_origin(annotation)
        if qualifier is Required or (total and qualifier is not NotRequired):
            out.add(key)
    return out


def drift(view: type, model: type[BaseModel]) -> list[str]:
    """Every difference between a view and its model (empty: they agree)."""
    problems: list[str] = []
    hints = typing.get_type_hints(view)
    required = _required_keys(view)
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    for key in sorted(fields.keys() - hints.keys()):
        problems.append(f"{model.__name__}.{key}: in the model, not in the view")
    for key in sorted(hints.keys() - fields.keys()):
        problems.append(f"{model.__name__}.{key}: in the view, not in the model")
    for key in sorted(fields.keys() & hints.keys()):
        field = fields[key]
        if field.is_required() != (key in required):
            problems.append(f"{model.__name__}.{key}: required in "
                            f"{'the model' if field.is_required() else 'the view'} only")
        want, have = _shape(field.annotation), _shape(hints[key])
        if want != have:
            problems.append(f"{model.__name__}.{key}: the model says {want}, the view {have}")
    return problems


def _models_reachable() -> dict[str, type[BaseModel]]:
    """Every model the envelopes use, directly or nested, and the envelopes' base."""
    found: dict[str, type[BaseModel]] = {}
    todo: list[object] = [*kinds.ALL_MODELS.values()]
    while todo:
        item = todo.pop()
        if isinstance(item, type) and issubclass(item, BaseModel):
            if item.__name__ in found:
                continue
            found[item.__name__] = item
            todo.extend(b for b in item.__bases__ if b is not kinds.Strict
                        and issubclass(b, BaseModel))
            todo.extend(f.annotation for f in item.model_fields.values())
        elif get_origin(item) is not Literal:
            todo.extend(get_args(item))
    return found


MODELS = _models_reachable()
VIEWS = {name: value for name, value in vars(views).items()
         if isinstance(value, type) and typing.is_typeddict(value)}


def test_every_model_has_a_view_and_every_view_a_model() -> None:
    assert sorted(MODELS.keys() - VIEWS.keys()) == [], "models without a view"
    assert sorted(VIEWS.keys() - MODELS.keys()) == [], "views without a model"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_view_matches_model(name: str) -> None:
    assert drift(VIEWS[name], MODELS[name]) == []


# --------------------------------------------------------------------------- the check bites
class _GrownBuffer(kinds.Buffer):
    """The model after someone added a field (the view was not told)."""

    burst_limit: int = 0


class _RequiredShedding(kinds.Buffer):
    shedding: views.Shedding  # was optional


class _NestedLane(TypedDict):
    priority: int
    buffer: NotRequired[views.Buffer]  # the model says required


class _WrongNested(TypedDict):
    priority: int
    buffer: views.Cancel  # another view


def test_drift_reports_a_model_field_the_view_lacks() -> None:
    assert drift(views.Buffer, _GrownBuffer) == [
        "_GrownBuffer.burstLimit: in the model, not in the view"]


def test_drift_reports_a_view_field_the_model_lacks() -> None:
    assert drift(views.Buffer, kinds.Cancel) == [
        "Cancel.inFlight: in the model, not in the view",
        "Cancel.scope: in the model, not in the view",
        "Cancel.capacity: in the view, not in the model",
        "Cancel.highWatermark: in the view, not in the model",
        "Cancel.lowWatermark: in the view, not in the model",
        "Cancel.shedding: in the view, not in the model",
    ]


def test_drift_reports_required_fields_that_differ() -> None:
    assert drift(views.Buffer, _RequiredShedding) == [
        "_RequiredShedding.shedding: required in the model only"]
    assert drift(_NestedLane, kinds.LaneSetting) == [
        "LaneSetting.buffer: required in the model only"]


def test_drift_reports_a_nested_view_that_is_not_the_model_s() -> None:
    assert drift(_WrongNested, kinds.LaneSetting) == [
        "LaneSetting.buffer: the model says ('model', 'Buffer'), the view ('model', 'Cancel')"]


def test_shapes_see_through_aliases_and_optionals() -> None:
    assert _shape(kinds.Params) == ("dict", ("json",))
    assert _shape(JsonObject) == ("dict", ("json",))
    assert _shape(views.Lane | None) == _shape(views.Lane)
    assert _shape(float | int) == ("union", frozenset({("scalar", "float"), ("scalar", "int")}))
