"""Names a package exports, imported the first time they are used.

Why lazily: a grading kernel gets a copy of course_engine without the modules that
hold the reference answer to the exercises it grades (autograder.grading.view).
Everything else must still import there, so no package imports its modules up
front, and a name whose module was left out says why instead of "No module named".
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import tomllib
from functools import cache
from pathlib import Path

LEFT_OUT_LIST = Path(__file__).with_name("left_out.txt")  # written into a grading kernel's copy
EXPORTS = Path(__file__).with_name("exports.toml")  # every package's names, by module


class LeftOut(ModuleNotFoundError):
    """A reference piece this copy of course_engine was made without."""


def left_out() -> set[str]:
    """The modules this copy of course_engine was made without (none in a full install)."""
    try:
        return set(LEFT_OUT_LIST.read_text(encoding="utf-8").split())
    except FileNotFoundError:
        return set()


def import_piece(module: str, what: str):
    """importlib.import_module(module), but a module left out of this copy, or one it
    needs, raises LeftOut with a sentence saying why. Any other missing module (a
    broken install, a missing dependency) raises as usual: the cause is never guessed."""
    try:
        return importlib.import_module(module)
    except LeftOut:
        raise
    except ModuleNotFoundError as error:
        if error.name not in left_out():
            raise
        if error.name == module:
            reason = (
                f"{what} is what this assignment asks you to write: while it is graded, the course's "
                f"reference version ({module}) is left out. Use the one you wrote."
            )
        else:
            reason = (
                f"{what} is not available while this assignment is graded: it is built on {error.name}, "
                "the course's reference version of something this assignment asks you to write."
            )
        raise LeftOut(reason, name=error.name) from None


@cache
def _exports() -> dict:
    with EXPORTS.open("rb") as table:
        return tomllib.load(table)


def exports_of(package: str) -> dict[str, str]:
    """Each name `package` exports -> the module (relative to it) that defines it, from
    exports.toml (a copy of the engine under another name reads the same table)."""
    inside = package.partition(".")[2]
    table = _exports()["course_engine" + (f".{inside}" if inside else "")]
    return {name: module for module, names in table.items() for name in names}


def lazy_exports(package: str, submodules=()):
    """(__getattr__, __dir__, __all__) for a package's __init__: each name it exports
    (exports_of) is imported the first time it is used; `submodules` are imported on
    first use as attributes too (`course_engine.nn` after `import course_engine`)."""
    exports = exports_of(package)

    def __getattr__(name):
        if name in exports:
            module = import_piece(importlib.util.resolve_name(exports[name], package), name)
            value = getattr(module, name)
        elif name in submodules:
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)  # from now on a plain attribute
        return value

    def __dir__():
        return sorted({*vars(sys.modules[package]), *exports, *submodules})

    return __getattr__, __dir__, list(exports)
