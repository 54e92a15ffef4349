import os

from hypothesis import settings

# Hypothesis: enough examples to find a wrong derivative, few enough for 2 cores.
settings.register_profile("course", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
