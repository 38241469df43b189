"""ExtensionManifest rules: an extension is admitted only when complete."""

from __future__ import annotations

from collections.abc import Iterator

from rspp.load.spans import escape_token
from rspp.model.access import extension_body, extension_declarations, extension_defaults
from rspp.model.artifact import Artifact
from rspp.model.catalog import render, value_problem
from rspp.model.ids import PortType, parse_port_type
from rspp.rules.base import Check, Context, Hit

_NODE_TYPES = ("custom_node", "external_node")


def _safety(art: Artifact, ctx: Context) -> Iterator[Hit]:
    spec = extension_body(art)
    if spec["type"] not in _NODE_TYPES:
        return
    missing = [k for k in ("trustLevel", "isolation", "resources") if k not in spec]
    limits = spec.get("resources") or {}
    missing += [f"resources.{k}" for k in ("cpuMillis", "memoryMib", "timeoutMs")
                if "resources" in spec and k not in limits]
    if missing:
        at = "/spec/resources" if all(m.startswith("resources.") for m in missing) else "/spec"
        yield Hit(at, f"{spec['type']} {art.ref} must declare {', '.join(missing)} "
                      "before it can be admitted")


def _node_shape(art: Artifact, ctx: Context) -> Iterator[Hit]:
    spec = extension_body(art)
    if spec["type"] in _NODE_TYPES:
        missing = [k for k in ("nodeType", "ports", "package") if k not in spec]
        if spec["type"] == "external_node" and "endpoint" not in spec:
            missing.append("endpoint")
        if missing:
            yield Hit("/spec", f"{spec['type']} {art.ref} must declare {', '.join(missing)}")
    elif "contracts" not in spec:
        yield Hit("/spec", f"runtime_adapter {art.ref} must declare contracts (transport and "
                           "eventAbi)")


def _external_isolation(art: Artifact, ctx: Context) -> Iterator[Hit]:
    spec = extension_body(art)
    iso = spec.get("isolation")
    if spec["type"] == "external_node" and iso and iso["mode"] == "in_process_sandbox":
        yield Hit("/spec/isolation/mode", "an external node runs out of process: isolation "
                                          "mode must be process, container or remote")
    if spec.get("trustLevel") == "untrusted" and iso and iso.get("network") == "any":
        yield Hit("/spec/isolation/network", "an untrusted extension may not have unrestricted "
                                             "network access (use none or egress_allowlist)")


def _implements_ports(art: Artifact, ctx: Context) -> Iterator[Hit]:
    spec = extension_body(art)
    base = ctx.index.node_types.get(spec.get("implements") or "")
    ports = spec.get("ports")
    if base is None or ports is None:
        return
    params = {**base.params, **extension_defaults(spec)}
    inputs = ports.get("inputs") or {}
    outputs = ports.get("outputs") or {}
    for name, decl in sorted(base.inputs.items()):
        want = render(decl.type, params)
        have = inputs.get(name)
        if have is None:
            yield Hit("/spec/ports/inputs", f"implements {base.name} but has no input {name!r}")
        elif isinstance(want, PortType) and not parse_port_type(have["type"]).accepts(want):
            yield Hit(f"/spec/ports/inputs/{name}/type", f"input {name!r} of {base.name} is "
                      f"{want}; this extension's {have['type']} does not accept it")
    for name, template in sorted(base.outputs.items()):
        want = render(template, params)
        got = outputs.get(name)
        if got is None:
            yield Hit("/spec/ports/outputs", f"implements {base.name} but has no output {name!r}")
        elif isinstance(want, PortType) and not want.accepts(parse_port_type(got)):
            yield Hit(f"/spec/ports/outputs/{name}", f"output {name!r} of {base.name} is {want}; "
                      f"this extension's {got} does not satisfy it")



_NEED_TYPE = ("minimum", "maximum", "enum", "items")


def _declarations(art: Artifact, ctx: Context) -> Iterator[Hit]:
    """EXT005: each parameter declaration holds together (ADR 0023)."""
    spec = extension_body(art)
    typed = extension_declarations(spec)
    for name, decl in (spec.get("params") or {}).items():
        at = f"/spec/params/{escape_token(name)}"
        if name not in typed:
            for field in _NEED_TYPE:
                if field in decl:
                    yield Hit(f"{at}/{field}", f"parameter {name!r} declares {field} but no "
                                               "type; add its type (integer, number, boolean, string or array)")
                    break
            continue
        param = typed[name]
        kind = param.type
        if "items" in decl and kind != "array":
            yield Hit(f"{at}/items", f"parameter {name!r} is {kind}, not array: items applies "
                                     "only to an array")
        if kind not in ("integer", "number"):
            for field in ("minimum", "maximum"):
                if field in decl:
                    yield Hit(f"{at}/{field}", f"parameter {name!r} is {kind}: {field} applies "
                                               "only to an integer or a number")
        elif (param.minimum is not None and param.maximum is not None
              and param.minimum > param.maximum):
            yield Hit(f"{at}/minimum", f"parameter {name!r} has minimum {param.minimum} above "
                                       f"its maximum {param.maximum}")
            continue
        if "default" in decl:
            refusal = value_problem(param, decl["default"])
            if refusal is not None:
                yield Hit(f"{at}/default", "the default of " + refusal.message(
                    spec.get("nodeType") or art.ref, name, param))

CHECKS: tuple[Check, ...] = (
    Check("EXT001", kinds=("ExtensionManifest",), check=_safety),
    Check("EXT002", kinds=("ExtensionManifest",), check=_node_shape),
    Check("EXT003", kinds=("ExtensionManifest",), check=_external_isolation),
    Check("EXT004", kinds=("ExtensionManifest",), check=_implements_ports),
    Check("EXT005", kinds=("ExtensionManifest",), check=_declarations),
)
