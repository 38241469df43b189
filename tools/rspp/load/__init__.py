"""Floor 1, loading: bytes -> located Document (strict YAML and JSON, positions, limits). Imports only rspp.core."""
