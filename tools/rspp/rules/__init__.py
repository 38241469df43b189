"""Floor 3, rules: checks grouped by artifact kind; the registry binds catalogue codes to checks. Imports core, load and model."""
