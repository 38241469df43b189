"""Floor 5, resolution: spec + profile + policies -> resolved views and turn plans, and the resolved-graph checks. Imports validate and below."""
