"""Rules emitted while reading and parsing a file (before any model is applied).

Every loader failure is an error: a file that cannot be read safely has no meaning to check.
"""

from __future__ import annotations

from rspp.core.findings import Severity
from rspp.rules.base import Rule

_E = Severity.ERROR


def _r(code: str, category: str, summary: str, doc: str) -> Rule:
    return Rule(code, category, _E, summary, doc, emitted_by="loader", needs_schema_valid=False)


RULES: tuple[Rule, ...] = (
    _r("FILE001", "file", "The file cannot be read.",
       "The file exists but could not be opened or read (permissions, I/O error). Nothing in it "
       "was checked. Fix the permissions or remove the file from the set being validated."),
    _r("FILE002", "file", "A symbolic link points outside the repository.",
       "Artifacts must live inside the repository. A symbolic link whose target resolves "
       "outside the repository root is refused without being opened, so a hostile link cannot "
       "make rspp read arbitrary files (for example /etc/shadow or a device)."),
    _r("FILE003", "file", "Not a regular file (FIFO, device, socket or directory).",
       "Only regular files are artifacts. FIFOs, character and block devices and sockets are "
       "refused without being opened for reading, because opening them can block forever or "
       "produce unbounded data."),
    _r("FILE004", "file", "The file is larger than the size limit.",
       "Artifact files are small (a few kilobytes). A file over the limit (1 MiB by default) is "
       "refused before it is read into memory, so a huge or generated file cannot exhaust "
       "memory or time."),
    _r("FILE005", "file", "The file is not valid UTF-8.",
       "Artifacts are UTF-8 text. UTF-16 and UTF-32 files (recognised by their byte-order "
       "mark) and byte sequences that are not UTF-8 are refused; the finding points at the "
       "first offending byte. Re-save the file as UTF-8 without a byte-order mark."),
    _r("FILE006", "file", "The file contains a NUL byte or a forbidden control character.",
       "YAML and JSON text may not contain NUL or other C0 control characters besides tab, "
       "line feed and carriage return. Their presence usually means a binary file or a "
       "corrupted write."),
    _r("LOAD001", "syntax", "The file is not well-formed YAML or JSON.",
       "The parser could not read the file. The finding points at the place the parser "
       "stopped; the text of the parser's problem is included in the message."),
    _r("LOAD002", "syntax", "A mapping has the same key twice.",
       "YAML parsers disagree on duplicate keys (most silently keep the last one), so a "
       "duplicate can hide a value from a reviewer. rspp refuses every duplicate key in YAML "
       "and JSON; the finding points at the second occurrence and names the first."),
    _r("LOAD003", "syntax", "YAML anchors and aliases are not allowed.",
       "Anchors and aliases (&a, *a) let a few bytes expand into an exponentially large tree "
       "(the 'billion laughs' attack) and make the data a reviewer sees differ from the data "
       "the tool checks. Write the value out; share structure through modules and profiles."),
    _r("LOAD004", "syntax", "YAML merge keys (<<) are not allowed.",
       "Merge keys are a YAML 1.1 extension that YAML 1.2 dropped; they depend on aliases and "
       "hide where a value came from. Write the keys out explicitly."),
    _r("LOAD005", "syntax", "Explicit YAML tags are not allowed (only !!str).",
       "Custom and language-specific tags (!!python/object, !ruby/..., !custom) can trigger "
       "code execution in other tools and change meaning silently. Only the core tag !!str is "
       "accepted, to force a plain scalar to be a string."),
    _r("LOAD006", "syntax", "A mapping key is not a string.",
       "Keys must be strings so every artifact maps one-to-one onto JSON. A plain key that "
       "YAML 1.2 reads as a number, boolean or null (1, true, null), or a key that is itself a "
       "mapping or sequence, is refused; quote it if a string was meant."),
    _r("LOAD007", "syntax", "The file must hold exactly one document.",
       "An artifact file holds exactly one YAML document (or one JSON value). Empty files and "
       "files with several '---' separated documents are refused; split them into one file "
       "per artifact."),
    _r("LOAD008", "syntax", "The top level of the file is not a mapping.",
       "Every artifact is a mapping with apiVersion, kind, metadata and spec at the top."),
    _r("LOAD009", "syntax", "The data is nested too deeply, or its paths are too long.",
       "Nesting is bounded (64 levels by default) and checked while parsing, before any "
       "recursive code sees the data: very deep input crashes recursive parsers and walkers. "
       "Every value is located by its JSON pointer, so the total length of those paths is "
       "bounded too (64 characters per input character): a huge key above many values would "
       "otherwise need gigabytes of paths. Folders are bounded the same way: discovery "
       "does not enter a folder more than 32 levels below the repository root and reports it "
       "here, so a hostile chain of folders cannot exhaust the walk."),
    _r("LOAD010", "syntax", "A number cannot be represented exactly in canonical JSON.",
       "NaN, infinities, floats that overflow (1e400), integers outside -(2^53-1)..2^53-1 "
       "and floats of magnitude 2^53 or more (canonical JSON writes those as such integers) "
       "are refused: digests are computed over canonical JSON (RFC 8785), whose numbers are "
       "IEEE 754 doubles and cannot represent them exactly. Integers longer than 4,000 "
       "digits are refused before they are converted at all. Quote a large identifier."),
)
