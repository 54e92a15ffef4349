"""The course's reference engine: scalar autograd, a small nn library and tools.

Names are imported when first used: a grading kernel gets a copy of the engine
without the modules that hold the answers to the exercises it grades
(autograder.grading.view), and everything else must still import there.
"""

from ._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, submodules=("engine", "nn", "tensor"))
