"""The SARIF 2.1.0 schema (OASIS) as a validator that really checks URI formats."""

from __future__ import annotations

import json

import jsonschema

from tests.helpers import DATA

SARIF_SCHEMA = DATA / "sarif-schema-2.1.0.json"


def sarif_validator() -> jsonschema.Draft7Validator:
    """A validator for SARIF 2.1.0 logs with ``format`` checked.

    jsonschema checks the ``uri`` and ``uri-reference`` formats only when an RFC 3986
    validator (rfc3986-validator) is installed; without one they pass silently, so this
    fails instead of validating less than it claims.
    """
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()
    for fmt in ("uri", "uri-reference"):
        assert not checker.conforms("pipelines/a b.yaml", fmt), f"format {fmt!r} is not checked"
        assert not checker.conforms("pipelines/caf\u00e9.yaml", fmt), f"{fmt!r} takes non-ASCII"
    assert checker.conforms("pipelines/a%20b.yaml", "uri-reference")
    assert not checker.conforms("docs/rules.md#dag001", "uri")
    return jsonschema.Draft7Validator(schema, format_checker=checker)
