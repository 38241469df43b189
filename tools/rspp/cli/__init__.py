"""Floor 9, the command line: one thin module per command (arguments -> Options -> commands -> reporter -> exit code). Imports every floor; the only place that prints or exits."""
