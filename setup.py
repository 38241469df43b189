"""Build hook: compile the replay trace checker with mypyc where it can be (ADR 0012).

Everything else about the package lives in pyproject.toml; this file only adds the optional
native build of the modules in ``COMPILED``, which run unchanged as pure Python otherwise.

``RSPP_COMPILE`` chooses:

- ``auto`` (the default): compile when mypyc imports and a C compiler with the Python headers
  compiles and links a probe; otherwise ship pure Python (a warning says why). A compile
  that fails after a good probe also falls back to pure Python, with a warning;
- ``0``: never compile (a pure-Python wheel, tagged ``py3-none-any``);
- ``1``: compile or fail the build (CI uses it so that a broken native build cannot hide).

Editable installs (``pip install -e .``) never compile: an extension module next to its source
would be imported instead of the source, and an edit would silently not take effect.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import ClassVar

from setuptools import Command, Distribution, Extension, setup
from setuptools.command.build import build
from setuptools.command.build_ext import build_ext
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# The modules compiled to C. Each must type-check with the settings in MYPYC_CONFIG.
COMPILED = ["tools/rspp/conform/trace.py"]
# mypyc reads the types from mypy; the build environment has none of rspp's dependencies,
# so their imports are Any (only the compiled modules' own annotations matter to mypyc).
MYPYC_CONFIG = """\
[mypy]
mypy_path = {tools}
ignore_missing_imports = True
follow_imports = silent
"""
MODES = ("auto", "0", "1")
EXTENSION_FIELDS = ("include_dirs", "define_macros", "undef_macros", "library_dirs", "libraries",
                    "runtime_library_dirs", "extra_objects", "extra_compile_args",
                    "extra_link_args", "depends", "language")


def _mode() -> str:
    mode = os.environ.get("RSPP_COMPILE", "auto").strip().lower() or "auto"
    if mode not in MODES:
        sys.exit(f"RSPP_COMPILE={mode!r}: expected one of {', '.join(MODES)}")
    return mode


@cache
def _cannot_compile() -> str | None:
    """Why a native build is impossible here, or None when a probe compiles and links."""
    if _mode() == "0":
        return "RSPP_COMPILE=0"
    try:
        import mypyc.build  # noqa: F401
    except ImportError as error:
        return f"mypyc is not importable ({error})"
    from distutils.ccompiler import new_compiler
    from distutils.errors import CCompilerError, DistutilsError
    from distutils.sysconfig import customize_compiler

    compiler = new_compiler()
    customize_compiler(compiler)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "probe.c")
        source.write_text("#include <Python.h>\nint rspp_probe(void) { return 0; }\n")
        try:
            objects = compiler.compile([str(source)], output_dir=tmp,
                                       include_dirs=[sysconfig.get_paths()["include"]])
            compiler.link_shared_object(objects, str(Path(tmp, "probe.so")))
        except (CCompilerError, DistutilsError, OSError) as error:
            return f"no working C compiler with the Python headers ({error})"
    return None


def _refuse_or_warn(reason: str) -> None:
    if _mode() == "1":
        sys.exit(f"RSPP_COMPILE=1 but the trace checker cannot be compiled: {reason}")
    warnings.warn(f"rspp: building pure Python (the trace checker runs slower): {reason}",
                  stacklevel=1)


class RsppDistribution(Distribution):
    """A distribution with extension modules exactly when the native build can happen."""

    def has_ext_modules(self) -> bool:
        reason = _cannot_compile()
        if reason is not None and reason != "RSPP_COMPILE=0":
            _refuse_or_warn(reason)
        return reason is None


class BuildPy(build_py):
    """Copy the sources, then drop extension modules an earlier build left for ``COMPILED``.

    An in-tree build reuses ``build/lib``: without this, a pure build after a native one
    would ship the stale native module, which Python imports before the source.
    """

    def run(self) -> None:
        super().run()
        for source in COMPILED:
            module = Path(self.build_lib, *Path(source).parts[1:])
            for stale in module.parent.glob(f"{module.stem}*"):
                if stale.suffix in (".so", ".pyd"):
                    stale.unlink()


class BuildMypyc(Command):
    """Translate ``COMPILED`` to C with mypyc into the build's temporary folder; the
    extensions it makes are the distribution's, for ``build_ext`` (run after it) to build."""

    description = "translate the compiled modules to C with mypyc"
    user_options: ClassVar[list[tuple[str, str | None, str]]] = []

    def initialize_options(self) -> None:
        self.build_temp: str | None = None
        self.editable_mode = False  # set by setuptools' editable_wheel

    def finalize_options(self) -> None:
        self.set_undefined_options("build", ("build_temp", "build_temp"))

    def run(self) -> None:
        if self.editable_mode or _cannot_compile() is not None:
            return
        from mypyc.build import mypycify

        assert self.build_temp is not None
        temp = Path(self.build_temp).resolve()
        temp.mkdir(parents=True, exist_ok=True)
        config = temp / "mypyc.ini"
        config.write_text(MYPYC_CONFIG.format(tools=HERE / "tools"))
        try:
            made = mypycify(["--config-file", str(config), *(str(HERE / p) for p in COMPILED)],
                            opt_level="3", debug_level="0", target_dir=str(temp / "mypyc"))
        except (Exception, SystemExit) as error:
            _refuse_or_warn(f"mypyc failed ({error!r})")
            return
        # mypyc makes distutils extensions on older Pythons; setuptools wants its own.
        self.distribution.ext_modules = [
            Extension(e.name, e.sources, **{k: getattr(e, k) for k in EXTENSION_FIELDS})
            for e in made]


class Build(build):
    """``build`` with the mypyc translation first."""

    sub_commands: ClassVar = [("build_mypyc", None), *build.sub_commands]


class BuildExt(build_ext):
    """``build_ext`` that falls back to the pure modules when the C build fails (``auto``)."""

    def run(self) -> None:
        if self.editable_mode:
            return
        try:
            super().run()
        except (Exception, SystemExit) as error:
            for extension in self.extensions:
                Path(self.get_ext_fullpath(extension.name)).unlink(missing_ok=True)
            _refuse_or_warn(f"the C build failed ({error!r})")


setup(distclass=RsppDistribution,
      cmdclass={"build": Build, "build_mypyc": BuildMypyc, "build_py": BuildPy,
                "build_ext": BuildExt})
