"""Pull-request review: what a change does to the resolved pipelines (ADR 0009)."""
