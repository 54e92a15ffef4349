"""`add_method`: a notebook cell adds one method to a class defined in an earlier cell.

Re-running the class's cell makes a new class, without the methods later cells added.
So add_method keeps a record of what it added, by class; after every cell (an IPython
post_run_cell hook, registered once) a class defined again under the same name gets
back the methods it lacks, with one line saying so. Where that cannot happen (no
IPython, or a class written differently), `lost` tells a check what is missing and
which cells to run again.
"""

import weakref
from dataclasses import dataclass
from types import CodeType


@dataclass
class Added:
    """One method add_method attached: the function, the cell that ran it (in IPython, the file
    name its code was compiled under, one per cell), the class it went on, and the code of the
    method it replaced there (None when it had none)."""

    function: object
    cell: str
    cls: type
    replaced: tuple | None


RECORD: dict[tuple[str, str], dict[str, Added]] = {}  # (module, class name) -> method name -> Added
_HOOKED = weakref.WeakSet()  # the IPython shells the hook is registered with


def add_method(cls):
    """Decorator: attach the function below it to `cls` as a method of the same name."""

    def attach(function):
        name, shell = function.__name__, _shell()
        before = cls.__dict__.get(name)
        methods = RECORD.setdefault(_key(cls), {})
        again = name in methods and methods[name].cls is cls  # the same cell run again
        replaced = methods[name].replaced if again else _code(before)
        cell = getattr(getattr(function, "__code__", None), "co_filename", "")
        methods[name] = Added(function, cell, cls, replaced)
        setattr(cls, name, function)
        _hook(shell)
        return function

    return attach


def lost(cls) -> list[str]:
    """The methods add_method gave an earlier class of the same name that `cls` lacks or has
    only in the version they replaced, in the order they were added."""
    if not isinstance(cls, type):
        return []
    methods = RECORD.get(_key(cls), {})
    return [name for name, added in methods.items() if added.cls is not cls and _missing(cls, name, added)]


def cells_to_rerun(cls, names) -> list[list[str]]:
    """The lost methods grouped by the cell that added them, in the order they were added."""
    methods = RECORD.get(_key(cls), {})
    cells: dict[str, list[str]] = {}
    for name in (name for name in methods if name in names):
        cells.setdefault(methods[name].cell, []).append(name)
    return list(cells.values())


def reattach(cls) -> list[str]:
    """Give `cls` back the methods it lost; their names."""
    names = lost(cls)
    for name in names:
        added = RECORD[_key(cls)][name]
        setattr(cls, name, added.function)
        added.cls = cls
    return names


def _missing(cls, name, added):
    return name not in cls.__dict__ or (
        added.replaced is not None and _code(cls.__dict__[name]) == added.replaced
    )


def _key(cls):
    return cls.__module__, cls.__qualname__


def _code(function):
    """What a function's code does (bytecode, names, constants), not where it was written: the
    same cell run twice gives the same fingerprint."""
    code = getattr(function, "__code__", None)
    return None if code is None else _fingerprint(code)


def _fingerprint(code: CodeType):
    consts = tuple(_fingerprint(c) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.co_code, code.co_names, code.co_varnames, consts


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _hook(shell):
    if shell is None or shell in _HOOKED or not hasattr(shell, "events"):
        return
    _HOOKED.add(shell)

    def after_cell(*_):
        for module, name in list(RECORD):
            cls = shell.user_ns.get(name)
            if isinstance(cls, type) and _key(cls) == (module, name) and (names := reattach(cls)):
                shown = ", ".join(names)
                print(f"{name} was defined again: re-attached the methods later cells added to it ({shown})")

    shell.events.register("post_run_cell", after_cell)
