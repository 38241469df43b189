"""Floor 6, generated files: JSON Schemas and reference docs made from the models and the registry, with their drift checks. Imports resolve and below."""
