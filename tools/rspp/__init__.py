"""rspp: GitOps tooling for real-time speech pipeline artifacts."""

__version__ = "0.1.0"
