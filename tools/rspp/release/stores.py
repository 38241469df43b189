"""Open a store by the name a user gives it (ADR 0008).

``layout:DIR`` — an OCI image layout folder inside the repository (default ``.rspp/store``);
``oci://HOST[:PORT]/REPOSITORY`` — a registry (plain HTTP only on loopback addresses).
"""

from __future__ import annotations

from pathlib import Path

from rspp.core.errors import UsageError
from rspp.release import oci


def open_store(name: str | None, root: Path) -> oci.Store:
    """The store ``name`` names (None: the default layout); UsageError for a name that is
    neither form, PathError PATH001 for a layout outside the repository."""
    from rspp.release.layout import DEFAULT, LayoutStore

    if name is None or name == "":
        return LayoutStore(root, DEFAULT)
    if name.startswith("layout:"):
        from rspp.core.files import FileAccessError, inside_root
        from rspp.core.paths import PathError

        folder = name.removeprefix("layout:")
        if not folder or any(not c.isprintable() for c in folder):
            raise UsageError(f"{name!r} names no folder", "write layout:DIR")
        full = Path(folder) if Path(folder).is_absolute() else Path.cwd() / folder
        try:
            inside_root(full, root, "publish into")
        except FileAccessError as exc:
            raise PathError("PATH001", exc.cause, exc.remedy) from exc
        if full.is_dir() and any(full.iterdir()) and not (full / "oci-layout").exists():
            raise UsageError(f"{name}: {folder} holds files and is not an OCI image layout",
                             "name a new folder (the default is layout:.rspp/store)")
        return LayoutStore(root, str(full))
    if name.startswith("oci://"):
        from rspp.release.registry import RegistryStore

        return RegistryStore(name)
    raise UsageError(f"unknown store {name!r}", "write layout:DIR or oci://HOST[:PORT]/REPO")
