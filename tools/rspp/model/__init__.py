"""Floor 2, the model: pydantic kinds (the schema source), typed views the rules read, ids, node catalog, digests, canonical key order. Imports rspp.core and rspp.load."""
