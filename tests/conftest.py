import os
import sys
from pathlib import Path

from hypothesis import settings

# the shared harnesses (nbharness) live beside this file; tests in sub-folders import them
sys.path.insert(0, str(Path(__file__).resolve().parent))

# every check's cases and observations must survive JSON (as between kernel and judge);
# set before the course is imported, and inherited by the kernels the tests start
os.environ["MICROGRAD_COURSE_PLAIN_DATA"] = "1"
# a failing check raises and fails its cell in every kernel the tests start, as under
# nbgrader (a student's own kernel shows the failure and runs on; the browser test does)
os.environ["MICROGRAD_COURSE_STRICT"] = "1"

# Hypothesis: enough examples to find a wrong derivative, few enough for 2 cores.
settings.register_profile("course", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
