"""Floor 7 (capability): the lock, immutability, derived-file provenance and graph, pages, git access. Imports gen and below; never a sibling capability."""
