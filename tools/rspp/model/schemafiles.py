"""The checked-in JSON Schemas (``schemas/``), read at run time without importing pydantic.

Properties are written in the models' field order (everything else sorted), so the files
also carry the canonical key order `rspp fmt` writes.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from rspp.errors import RsppError

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"


@functools.cache
def load_schema(kind: str) -> dict[str, Any]:
    path = SCHEMA_DIR / f"{kind}.schema.json"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RsppError(f"cannot read the schema for {kind}: {path}: {exc}",
                        "reinstall rspp or run `rspp schemas --write`") from exc
    if not isinstance(schema, dict):
        raise RsppError(f"the schema for {kind} is not a JSON object: {path}",
                        "reinstall rspp or run `rspp schemas --write`")
    return schema


def kinds() -> tuple[str, ...]:
    return tuple(sorted(p.name.removesuffix(".schema.json")
                        for p in SCHEMA_DIR.glob("*.schema.json")))
