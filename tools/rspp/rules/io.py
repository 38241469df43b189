"""Codes of the failures that stop a command before any artifact is judged (exit code 2).

They are not findings about an artifact: the command line named something rspp must not or
cannot use (a path outside the repository, a folder without artifacts), or a write was refused
to keep the repository safe. They print as one line, ``rspp: error: CODE message (remedy)``,
and are listed here so that ``rspp explain CODE`` and docs/rules.md document them.
"""

from __future__ import annotations

from rspp.core.findings import Severity
from rspp.rules.base import Rule

_E = Severity.ERROR


def _r(code: str, category: str, summary: str, doc: str) -> Rule:
    return Rule(code, category, _E, summary, doc, emitted_by="cli", needs_schema_valid=False)


RULES: tuple[Rule, ...] = (
    _r("IO001", "io", "A write outside the repository (or inside .git) is refused.",
       "Every file rspp writes (build, docs, schemas, fmt, lock, `--out`, `--out-dir`) must "
       "lie inside the repository root, after resolving every folder on the way, and never "
       "inside `.git`. Choose a path inside the repository."),
    _r("IO002", "io", "A symbolic link or special file is in the way of a write.",
       "rspp never writes through a symbolic link: the target, and every folder between the "
       "repository root and it, are opened without following links, and the temporary file is "
       "created exclusively in the target's folder. A committed link (for example `docs/` "
       "pointing elsewhere) could otherwise make a build overwrite files outside the "
       "repository. Replace the link with a real folder or file."),
    _r("IO003", "io", "The operating system refused a write.",
       "Permissions, a full disk or a size limit stopped the write. The existing file is left "
       "whole and no temporary file remains; fix the cause and run the command again."),
    _r("PATH001", "path", "A path named on the command line is outside the repository.",
       "rspp reads and writes only inside the repository (the folder holding `.git` or "
       "`pipelines/`, or `--root`). Name paths inside it, or set `--root`."),
    _r("PATH002", "path", "A path named on the command line does not exist.",
       "The file or folder named on the command line (or `--root`) does not exist. Check the "
       "spelling; paths are relative to the current folder."),
    _r("PATH003", "path", "A file named on the command line is not an artifact file.",
       "Artifact files end in `.yaml`, `.yml` or `.json`; another file named on the command "
       "line is refused rather than silently skipped."),
    _r("REPO001", "repository", "No repository was found.",
       "No folder at or above the current one holds `.git` or `pipelines/`, so there is "
       "nothing rspp could check; a run that checks nothing is never green. Run rspp inside a "
       "repository or pass `--root`."),
    _r("REPO002", "repository", "The repository holds no artifact files.",
       "No `.yaml`, `.yml` or `.json` file was found under `pipelines/`, `compat/` or "
       "`rollouts/` (or under the folders named), so nothing was checked; a run that checks "
       "nothing is never green. Check `--root` and the folder names."),
)
