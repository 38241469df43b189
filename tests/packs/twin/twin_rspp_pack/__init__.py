"""A test pack declaring acme.redact, which acme-rspp-pack declares too (refused: PCK005)."""

from __future__ import annotations

from rspp.model.catalog import NodeType, PortDecl
from rspp.rules.packs import Pack

PACK = Pack(prefix="TWIN", node_types=(
    NodeType("acme.redact", "text", inputs={"text": PortDecl("text/plain")},
             outputs={"text": "text/plain"}),
))
