"""A test pack whose import fails (PCK004)."""

raise ImportError("this pack needs acme-internal-sdk, which is not installed")
