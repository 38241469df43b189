"""rspp: GitOps tooling for real-time speech pipeline artifacts."""

__version__ = "0.1.0"

API_VERSION = "rspp.dev/v1alpha1"
