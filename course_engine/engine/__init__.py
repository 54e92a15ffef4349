"""The scalar autograd engine: `Value` and the switch that stops it recording.

The class lives in `value.py`, a module of its own so that a grading kernel of
notebooks 02 and 03 (which ask the student to write Value) can go without it;
its names are imported when first used (course_engine._lazy).
"""

from .._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__)
