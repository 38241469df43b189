"""`rspp validate`: schema and semantic validation of a repository's artifacts."""

from __future__ import annotations

from rspp.report.result import Report
from rspp.resolve.gate import validate as _validate
from rspp.validate.engine import ValidateOptions

__all__ = ["ValidateOptions", "validate"]


def validate(options: ValidateOptions) -> Report:
    """Every check over the repository at ``options.root`` (or only ``options.targets``): the
    loader, the schemas, the rules and the resolved-graph checks.

    Raises PathError (PATH002) for a missing root, RepositoryError (REPO002) when there is no
    artifact to check."""
    return _validate(options)
