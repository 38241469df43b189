"""Floor 0, the core: errors, findings, the code catalogue as data, the FindingSink, canonical JSON, the one atomic no-follow writer, path helpers and shared constants. Imports nothing from rspp."""
