"""Floor: conformance of the running platform — the streaming replay trace checker
(:mod:`rspp.conform.trace`) and the gate runner (:mod:`rspp.conform.gates`). ADR 0011.

Reads recorded event traces and gate manifests; never prints, never resolves artifacts itself
(the commands pass in the evidence fields and budgets they resolved)."""
