"""Floor 8, use cases: one module per command, Options -> Report. Imports every floor below; never prints or exits."""
