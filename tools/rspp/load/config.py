"""Consumer configuration: rule severities and path excludes (ADR 0010, docs/configuration.md).

Read from ``rspp.toml`` at the repository root (its top-level keys) or from ``[tool.rspp]``
of the root ``pyproject.toml``; both at once is an error (CFG007). The file is read like an
artifact (:func:`rspp.load.reading.read_file`: inside the root, never through a link that
leads out, a regular file of at most :data:`MAX_BYTES`, UTF-8) and parsed with the standard
library's TOML 1.0 parser; nothing in it is executed. The keys::

    severity = { DAG005 = "error", CHG002 = "off" }   # error | warning | info | off
    exclude = ["legacy/**"]                           # repository-relative globs
    exclude_codes = { ENV003 = ["drafts/**"] }        # globs per code (buf's ignore_only)
    [gates]
    allow-commands = ["pytest", "cargo"]              # executables command gates may run
    [packs]
    acme-rspp-pack = ">=1.2,<2"                       # installed packs to enable (ADR 0024)

Every mistake is a located loader finding, never a silent skip: TOML syntax (CFG001), an
unknown key (CFG002, with the nearest key), a wrong type or value (CFG003), an unknown or
retired code (CFG004, with the nearest code or the replacement), a code configuration may not
lower or exclude (CFG005: :attr:`rspp.core.catalogue.Entry.configurable`), a bad glob
(CFG006), two sources (CFG007), a pack name or version range that is not one (CFG003). A
configuration with any of them is not applied at all.

Positions: tomllib reports none for values, so keys are found by a small scan of the text
(:class:`_Locator`): exact for keys written as ``key =``, ``a.b =``, in ``[table]`` headers or
in a one-line inline table, and for a glob written as a string on or after its key's line;
otherwise the position of the enclosing key or table, at worst 1:1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import msgspec

from rspp.core.catalogue import BY_CODE, ENTRIES, PREFIXES, Entry
from rspp.core.findings import Finding, Related
from rspp.core.sink import finding
from rspp.core.suggest import close_match
from rspp.load.lines import line_col, split_lines
from rspp.load.reading import decode, read_file
from rspp.load.spans import one_line

if TYPE_CHECKING:
    import tomllib

CONFIG_FILE: Final = "rspp.toml"
PYPROJECT_FILE: Final = "pyproject.toml"
MAX_BYTES: Final = 1 << 20
"""The largest configuration file read (1 MiB, the artifact limit)."""

KEYS: Final = ("exclude", "exclude_codes", "gates", "packs", "severity")
GATE_KEYS: Final = ("allow-commands",)
"""The keys of the ``[gates]`` table (``rspp gates run``, docs/gates.md)."""
LEVELS: Final = ("error", "warning", "info", "off")
"""The values of ``severity``; ``off`` drops the code's findings."""
_RANK: Final = MappingProxyType({"error": 0, "warning": 1, "info": 2, "off": 3})


class Where(msgspec.Struct, frozen=True):
    """Where a setting is written: repository-relative file, 1-based line and column."""

    path: str
    line: int
    col: int

    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


_PACK_CODE = re.compile(r"([A-Z]{2,8})[0-9]{3}")


def pack_code(code: str) -> bool:
    """Whether ``code`` has the shape of a pack's rule code (ADR 0024: 2 to 8 capital letters,
    then 3 digits) under a prefix rspp's own codes do not use."""
    found = _PACK_CODE.fullmatch(code)
    return found is not None and found.group(1) not in PREFIXES


_DIST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?")
"""A distribution name (PEP 508 ``identifier``; the core metadata ``Name`` field)."""


class PackRequest(msgspec.Struct, frozen=True):
    """One ``[packs]`` entry: the distribution ``name`` to enable, the PEP 440 version
    ``specifier`` its installed version must satisfy (``""``: any), and where it is written."""

    name: str
    specifier: str
    where: Where


class Glob(msgspec.Struct, frozen=True):
    """One exclude pattern: its text, where it is written, and the compiled matcher.

    Matched against the whole repository-relative ``/``-separated path of a finding: ``*``
    and ``?`` within one path segment, ``**`` as a whole segment for any number of segments
    (none included)."""

    text: str
    where: Where
    regex: re.Pattern[str]  # made from text: equal texts make equal patterns

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None


class Config(msgspec.Struct, frozen=True):
    """A valid configuration: ``severity`` code -> (level, where), a level of :data:`LEVELS`;
    ``exclude``: path globs for every configurable code; ``exclude_codes``: code -> globs.
    ``source``: the file it came from (``rspp.toml`` or ``pyproject.toml``)."""

    source: str
    severity: Mapping[str, tuple[str, Where]] = msgspec.field(
        default_factory=lambda: MappingProxyType({}))
    exclude: tuple[Glob, ...] = ()
    exclude_codes: Mapping[str, tuple[Glob, ...]] = msgspec.field(
        default_factory=lambda: MappingProxyType({}))
    allow_commands: tuple[str, ...] = ()
    """``[gates] allow-commands``: the bare executable names command gates may run (none by
    default)."""
    packs: tuple[PackRequest, ...] = ()
    """``[packs]``: the installed packs to enable, by distribution name (ADR 0024)."""
    pack_codes: Mapping[str, Where] = msgspec.field(
        default_factory=lambda: MappingProxyType({}))
    """Codes the configuration names that rspp does not define but a pack may (``ACME001``),
    with where each is first named: the engine checks them against the enabled packs."""

    @property
    def empty(self) -> bool:
        """Whether the configuration changes no finding (``allow_commands`` does not count)."""
        return not (self.severity or self.exclude or self.exclude_codes)

    def excluded_by(self, code: str, path: str, known: Entry | None = None) -> Glob | None:
        """The glob that drops a finding of ``code`` in ``path``, or None. Codes that cannot be
        configured are never dropped (``Entry.configurable``); ``known``: the code's entry
        when the catalogue does not hold it (a pack's)."""
        known = known or BY_CODE.get(code)
        if known is None or not known.configurable:
            return None
        for glob in (*self.exclude_codes.get(code, ()), *self.exclude):
            if glob.matches(path):
                return glob
        return None


class Loaded(msgspec.Struct, frozen=True):
    """What reading the configuration gave: the configuration (None when there is none, or
    when any finding refuses it) and the findings (CFG and FILE codes, all errors)."""

    config: Config | None
    findings: tuple[Finding, ...] = ()


def load_config(root: Path) -> Loaded:
    """The configuration of the repository at ``root`` (see the module doc).

    Never raises for a bad file: every problem is a finding of :data:`Loaded.findings`
    (CFG001-CFG007, or FILE001-FILE006 from the reader) and then ``config`` is None.
    """
    texts: dict[str, str] = {}
    problems: list[Finding] = []
    for name in SOURCES:
        if not (root / name).is_symlink() and not (root / name).exists():
            continue
        text = _read(root, name)
        if isinstance(text, Finding):
            problems.append(text)
        else:
            texts[name] = text
    if problems:
        return Loaded(None, tuple(problems))
    return parse_config(texts)


SOURCES: Final = (CONFIG_FILE, PYPROJECT_FILE)
"""The files a configuration is read from, repository-relative."""


def parse_config(texts: Mapping[str, str]) -> Loaded:
    """The configuration in ``texts`` (file name of :data:`SOURCES` -> its text, already read
    safely: from the working tree, or from a base commit by git). Findings as
    :func:`load_config`."""
    import tomllib  # only when there is a configuration file (ADR 0014)

    problems: list[Finding] = []
    parsed: list[tuple[str, _Locator, Any, tuple[str, ...]]] = []
    places: tuple[tuple[str, tuple[str, ...]], ...] = (
        (CONFIG_FILE, ()), (PYPROJECT_FILE, ("tool", "rspp")))
    for name, base in places:
        if name not in texts:
            continue
        text = texts[name]
        try:
            data: dict[str, Any] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            problems.append(_syntax(name, text, exc))
            continue
        if base:
            tool = data.get("tool")
            if not isinstance(tool, dict) or "rspp" not in tool:
                continue
            data = tool["rspp"]
        parsed.append((name, _Locator(name, text), data, base))
    if problems:
        return Loaded(None, tuple(problems))
    if not parsed:
        return Loaded(None)
    if len(parsed) > 1:
        _, locator, _, base = parsed[1]
        line, col = locator.locate(base)
        return Loaded(None, (finding(
            "CFG007", PYPROJECT_FILE, line, col,
            f"rspp is configured twice: in {CONFIG_FILE} and in [tool.rspp] of "
            f"{PYPROJECT_FILE}; keep one", related=(Related(CONFIG_FILE, 1, 1, "the other"),)),))
    name, locator, data, base = parsed[0]
    return _Checker(name, locator, base).check(data)


def stricter(head: Config | None, base: Config | None, label: str,
             entries: Mapping[str, Entry] | None = None) -> Config | None:
    """What a change is judged under: the head's configuration, never looser than the base's
    (``label`` names the base). A pull request cannot relax the configuration it is judged
    under, as it cannot relax a compatibility mode (ADR 0007, ADR 0010): each code's level is
    the stricter of the two (a code either leaves unset counts at the catalogue's severity),
    and a glob excludes only when both have it. None when neither lowers or raises anything.
    ``entries``: the enabled packs' codes (their severities are the defaults); a code known
    to neither counts at ``error``, so a change can never lower it."""
    if head is None:
        return None
    before = base if base is not None else Config(f"{CONFIG_FILE} of {label} (none)")
    severity: dict[str, tuple[str, Where]] = {}
    for code, (level, where) in head.severity.items():
        known = BY_CODE.get(code) or (entries or {}).get(code)
        default = known.severity.value if known is not None else "error"
        kept = before.severity.get(code, (default, where))
        severity[code] = (level, where) if _RANK[level] <= _RANK[kept[0]] else \
            (kept[0], where)
    shared = {g.text for g in before.exclude}
    codes = {code: tuple(g for g in globs if g.text in
                         {b.text for b in before.exclude_codes.get(code, ())})
             for code, globs in head.exclude_codes.items()}
    merged = Config(head.source if before == head else
                    f"{head.source} (no looser than at {label})",
                    MappingProxyType(severity),
                    tuple(g for g in head.exclude if g.text in shared),
                    MappingProxyType({c: g for c, g in codes.items() if g}),
                    pack_codes=head.pack_codes)
    return None if merged.empty else merged


def _specifier_problem(text: str) -> str | None:
    """Why ``text`` is not a PEP 440 version specifier set, or None."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # only with [packs]
    from packaging.version import InvalidVersion, Version

    try:
        SpecifierSet(text)
    except InvalidSpecifier as exc:
        try:
            Version(text)
        except InvalidVersion:
            return one_line(str(exc))
        return one_line(f"{exc}; for exactly that version write =={text}")
    return None


def _read(root: Path, name: str) -> str | Finding:
    rel, raw = read_file(root / name, root, MAX_BYTES)
    if isinstance(raw, Finding):
        return raw
    return decode(raw, rel, MAX_BYTES)


_AT = re.compile(r"\(at line (\d+), column (\d+)\)$")


def _syntax(name: str, text: str, exc: tomllib.TOMLDecodeError) -> Finding:
    message = str(exc)
    found = _AT.search(message)
    if found is not None:
        line, col = int(found.group(1)), int(found.group(2))
        message = message[:found.start()].rstrip()
    else:  # "(at end of document)"
        lines = split_lines(text) or [""]
        line, col = len(lines), len(lines[-1]) + 1
        message = message.replace("(at end of document)", "at the end of the file").strip()
    return finding("CFG001", name, line, col, one_line(f"not valid TOML: {message}"))


class _Checker:
    """Validates the rspp table of one file; collects every problem."""

    def __init__(self, name: str, locator: _Locator, base: tuple[str, ...]) -> None:
        self.name = name
        self.locator = locator
        self.base = base
        self.problems: list[Finding] = []
        self.pack_codes: dict[str, Where] = {}

    def at(self, keys: tuple[str, ...], literal: str | None = None) -> Where:
        line, col = self.locator.locate((*self.base, *keys), literal)
        return Where(self.name, line, col)

    def report(self, code: str, where: Where, message: str) -> None:
        self.problems.append(finding(code, where.path, where.line, where.col, one_line(message)))

    def where_shown(self, keys: tuple[str, ...]) -> str:
        return ".".join((*self.base, *keys)) or "the file"

    def check(self, data: object) -> Loaded:
        if not isinstance(data, dict):
            self.report("CFG003", self.at(()), f"{self.where_shown(())} must be a table")
            return Loaded(None, tuple(self.problems))
        for key in data:
            if key not in KEYS:
                hint = close_match(key, KEYS)
                self.report("CFG002", self.at((key,)),
                            f"unknown key {key!r}" + (f"; did you mean {hint!r}?" if hint else
                                                      f"; the keys are {', '.join(KEYS)}"))
        severity = self.severity(data.get("severity"))
        exclude = self.globs(("exclude",), data.get("exclude"))
        codes = self.exclude_codes(data.get("exclude_codes"))
        allow = self.allow_commands(data.get("gates"))
        packs = self.packs(data.get("packs"))
        if self.problems:
            return Loaded(None, tuple(sorted(self.problems, key=Finding.sort_key)))
        return Loaded(Config(self.name, MappingProxyType(severity), exclude,
                             MappingProxyType(codes), allow, packs,
                             MappingProxyType(self.pack_codes)))

    def packs(self, value: object) -> tuple[PackRequest, ...]:
        """``[packs]``: distribution name -> PEP 440 version specifier (``"*"`` or ``""``:
        any version)."""
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.report("CFG003", self.at(("packs",)),
                        f"{self.where_shown(('packs',))} must be a table of pack names and "
                        f"version ranges, not {_type(value)}")
            return ()
        out: list[PackRequest] = []
        for name, spec in value.items():
            keys = ("packs", name)
            where = self.at(keys)
            if not _DIST_NAME.fullmatch(name):
                self.report("CFG003", where, f"{name!r} in {self.where_shown(('packs',))} is "
                                             "not a distribution name")
                continue
            if not isinstance(spec, str):
                self.report("CFG003", where, f"{self.where_shown(keys)} must be a version range "
                                             f"such as \">=1.0,<2\", not {_type(spec)}")
                continue
            text = "" if spec.strip() in ("", "*") else spec.strip()
            problem = _specifier_problem(text)
            if problem is not None:
                self.report("CFG003", where, f"{self.where_shown(keys)} = {spec!r} is not a "
                                             f"PEP 440 version range: {problem}")
                continue
            out.append(PackRequest(name, text, where))
        return tuple(sorted(out, key=lambda r: r.name.lower()))

    def allow_commands(self, value: object) -> tuple[str, ...]:
        """``[gates]``: only ``allow-commands``, a list of bare executable names."""
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.report("CFG003", self.at(("gates",)),
                        f"{self.where_shown(('gates',))} must be a table, not {_type(value)}")
            return ()
        for key in value:
            if key not in GATE_KEYS:
                hint = close_match(key, GATE_KEYS)
                self.report("CFG002", self.at(("gates", key)),
                            f"unknown key gates.{key}" + (f"; did you mean {hint!r}?" if hint
                                                          else "; the key is allow-commands"))
        names = value.get("allow-commands", [])
        keys = ("gates", "allow-commands")
        if not isinstance(names, list):
            self.report("CFG003", self.at(keys), f"{self.where_shown(keys)} must be a list of "
                                                 f"executable names, not {_type(names)}")
            return ()
        out: list[str] = []
        for name in names:
            if not isinstance(name, str) or not name or "/" in name or "\\" in name:
                shown = repr(name) if isinstance(name, str) else _type(name)
                self.report("CFG003", self.at(keys, name if isinstance(name, str) else None),
                            f"{shown} in {self.where_shown(keys)} is not a bare executable "
                            "name (no path: it is looked up on PATH)")
                continue
            out.append(name)
        return tuple(sorted(set(out)))

    def table(self, key: str, value: object) -> dict[str, object]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report("CFG003", self.at((key,)),
                        f"{self.where_shown((key,))} must be a table of codes, "
                        f"not {_type(value)}")
            return {}
        return value

    def known(self, keys: tuple[str, ...], code: str) -> bool:
        """Whether ``code`` names a current code of the catalogue (CFG004 otherwise), or may
        name a pack's: a code of that shape under a prefix rspp does not use is recorded
        (``Config.pack_codes``) for the engine to check against the enabled packs."""
        found = BY_CODE.get(code)
        if found is not None and not found.retired:
            return True
        if found is None and pack_code(code):
            self.pack_codes.setdefault(code, self.at(keys))
            return True
        where = self.at(keys)
        if found is not None:
            self.report("CFG004", where, f"{code} is retired: it is never reported; "
                                         f"configure {found.replaced_by} instead")
        else:
            hint = close_match(code, (e.code for e in ENTRIES if not e.retired))
            upper = f"; codes are written in capitals: {code.upper()}" \
                if code.upper() in BY_CODE else ""
            self.report("CFG004", where, f"unknown code {code!r}"
                        + (upper or (f"; did you mean {hint!r}?" if hint else
                                     "; `rspp rules list` shows every code")))
        return False

    def severity(self, value: object) -> dict[str, tuple[str, Where]]:
        out: dict[str, tuple[str, Where]] = {}
        for code, level in self.table("severity", value).items():
            keys = ("severity", code)
            if not self.known(keys, code):
                continue
            if not isinstance(level, str) or level not in LEVELS:
                shown = repr(level) if isinstance(level, str) else _type(level)
                self.report("CFG003", self.at(keys, level if isinstance(level, str) else None),
                            f"severity of {code} is {shown}; use one of "
                            f"{', '.join(repr(v) for v in LEVELS)}")
                continue
            entry = BY_CODE.get(code)
            if entry is not None and not entry.configurable and \
                    _RANK[level] > entry.severity.rank:
                self.report("CFG005", self.at(keys),
                            f"{code} ({entry.category}, reported by {entry.emitted_by}) cannot "
                            f"be lowered to {level!r}: it guards what every other check relies "
                            f"on; only raising it is allowed")
                continue
            out[code] = (level, self.at(keys))
        return out

    def exclude_codes(self, value: object) -> dict[str, tuple[Glob, ...]]:
        out: dict[str, tuple[Glob, ...]] = {}
        for code, globs in self.table("exclude_codes", value).items():
            keys = ("exclude_codes", code)
            if not self.known(keys, code):
                continue
            entry = BY_CODE.get(code)
            if entry is not None and not entry.configurable:
                self.report("CFG005", self.at(keys),
                            f"{code} ({entry.category}, reported by {entry.emitted_by}) cannot "
                            f"be excluded: it guards what every other check relies on")
                continue
            out[code] = self.globs(keys, globs)
        return out

    def globs(self, keys: tuple[str, ...], value: object) -> tuple[Glob, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.report("CFG003", self.at(keys), f"{self.where_shown(keys)} must be a list of "
                                                 f"glob strings, not {_type(value)}")
            return ()
        out: list[Glob] = []
        for item in value:
            if not isinstance(item, str):
                self.report("CFG003", self.at(keys), f"{self.where_shown(keys)} must hold glob "
                                                     f"strings, not {_type(item)}")
                continue
            where = self.at(keys, item)
            regex = glob_regex(item)
            if isinstance(regex, str):
                self.report("CFG006", where, f"glob {item!r} {regex}")
                continue
            out.append(Glob(item, where, regex))
        return tuple(out)


_GLOB_CHARS = re.compile(r"\*\*|\*|\?")


def glob_regex(pattern: str) -> re.Pattern[str] | str:
    """The matcher of a repository-relative glob, or why it is not one (a phrase).

    ``*`` and ``?`` match within one segment; ``**`` is a whole segment matching any number
    of segments. Refused: an empty pattern, an absolute one, ``\\``, ``.``/``..`` or empty
    segments, a trailing ``/``, ``**`` inside a segment, and ``[`` (no character classes)."""
    if not pattern:
        return "is empty"
    if pattern.startswith("/"):
        return "is absolute; write it relative to the repository root"
    if "\\" in pattern:
        return "contains '\\'; separate folders with '/'"
    if "[" in pattern or "]" in pattern:
        return "contains '[' or ']': character classes are not supported"
    if pattern.endswith("/"):
        return f"ends with '/'; write {pattern + '**'!r} for everything in a folder"
    parts = pattern.split("/")
    out: list[str] = []
    for i, part in enumerate(parts):
        if part in ("", ".", ".."):
            return f"has a {part or 'empty'!r} segment; name paths from the repository root" \
                if part else "has an empty segment ('//')"
        if part == "**":
            last = i == len(parts) - 1
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        if "**" in part:
            return f"has '**' inside the segment {part!r}; '**' must be a whole segment"
        piece = "".join("[^/]*" if token == "*" else "[^/]" if token == "?" else re.escape(token)
                        for token in _split_glob(part))
        out.append(piece + ("" if i == len(parts) - 1 else "/"))
    return re.compile("".join(out))


def _split_glob(part: str) -> list[str]:
    tokens: list[str] = []
    at = 0
    for found in _GLOB_CHARS.finditer(part):
        tokens.extend([part[at:found.start()], found.group()])
        at = found.end()
    tokens.append(part[at:])
    return [t for t in tokens if t]


def _type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "a list", dict: "a table"}
    return next((n for t, n in names.items() if isinstance(value, t)), "a date or time")


_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\')'
_HEADER = re.compile(rf"\s*\[\[?\s*(?P<keys>{_KEY}(?:\s*\.\s*{_KEY})*)\s*\]\]?")
_ASSIGN = re.compile(rf"\s*(?P<keys>{_KEY}(?:\s*\.\s*{_KEY})*)\s*=")
_ONE_KEY = re.compile(_KEY)


def _keys(text: str) -> list[tuple[str, int]]:
    """The keys of a dotted key and the offset of each in ``text``."""
    return [(m.group().strip("\"'"), m.start()) for m in _ONE_KEY.finditer(text)]


class _Locator:
    """Finds where a key (or a string value under it) is written (see the module doc)."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = split_lines(text)

    def locate(self, keys: tuple[str, ...], literal: str | None = None) -> tuple[int, int]:
        """1-based (line, column) of the deepest written prefix of ``keys``; with
        ``literal``, of that string written on or after the key's line."""
        best, depth = (1, 1), -1
        table: tuple[str, ...] = ()
        for number, line in enumerate(self.lines, 1):
            header = _HEADER.match(line)
            if header is not None:
                found = _keys(header.group("keys"))
                table = tuple(k for k, _ in found)
                if table == keys[:len(table)] and len(table) > depth:
                    best, depth = (number, header.start("keys") + found[-1][1] + 1), len(table)
                continue
            assign = _ASSIGN.match(line)
            if assign is None:
                continue
            found = _keys(assign.group("keys"))
            full = (*table, *(k for k, _ in found))
            if full != keys[:len(full)] or len(full) <= depth:
                continue
            best, depth = (number, assign.start("keys") + found[-1][1] + 1), len(full)
            col = assign.end()
            for key in keys[len(full):]:  # inside a one-line inline table
                inner = re.compile(rf"(?<![\w\"'-])(?:{re.escape(key)}|\"{re.escape(key)}\"|"
                                   rf"'{re.escape(key)}')\s*=").search(line, col)
                if inner is None:
                    break
                best, depth, col = (number, inner.start() + 1), depth + 1, inner.end()
        if literal is not None:
            return self._literal(best, literal)
        return best

    def _literal(self, start: tuple[int, int], literal: str) -> tuple[int, int]:
        text = "\n".join(self.lines)
        first = sum(len(line) + 1 for line in self.lines[:start[0] - 1]) + start[1] - 1
        for quoted in (f'"{literal}"', f"'{literal}'"):
            at = text.find(quoted, first)
            if at >= 0:
                return line_col(text, at)
        return start
