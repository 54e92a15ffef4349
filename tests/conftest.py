import os
import sys
from pathlib import Path

from hypothesis import settings

# the shared harnesses (nbharness) live beside this file; tests in sub-folders import them
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Hypothesis: enough examples to find a wrong derivative, few enough for 2 cores.
settings.register_profile("course", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
