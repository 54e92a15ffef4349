# The course's commands. `make test` and `make demo` set everything up first.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export PYTHON

.PHONY: test demo lab lint course release bench setup

setup: $(VENV)/.installed
	@scripts/ensure_system_package.sh dot graphviz required "Graphviz's dot draws the computation graphs" \
		"conda install -c conda-forge graphviz   # conda" "brew install graphviz   # macOS"
	@scripts/ensure_system_package.sh bwrap bubblewrap optional \
		"bubblewrap sandboxes student code while grading (without it, grading runs unsandboxed and says so)"
	@scripts/ensure_system_package.sh /usr/bin/chromium chromium optional \
		"the browser test drives Chromium (without it, that test skips)"

$(VENV)/.installed: pyproject.toml
	@scripts/ensure_venv.sh

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 --dist loadfile -q --durations=15 tests solutions \
		--nbval --nbval-sanitize-with tests/nbval_sanitize.cfg

# after editing solutions/ or the checks: graded cells from the declarations, fresh stored
# outputs, the student notebooks and the sample class, in that order
course: setup
	$(PY) -m autograder.grading.release
	$(PY) scripts/run_solutions.py
	$(MAKE) release

release: setup
	$(VENV)/bin/micrograd-course release
	$(PY) examples/make_sample_class.py

# the student's command: set up, then JupyterLab on notebooks/ without nbgrader's
# instructor tools (binder/jupyter/ is the students' Jupyter configuration, Binder's too)
lab: setup
	JUPYTER_CONFIG_PATH="$(CURDIR)/binder/jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)/notebooks" \
		--LabApp.default_url=/lab/tree/01_derivatives/01_derivatives.ipynb $(LAB_ARGS) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

demo: setup
	$(VENV)/bin/micrograd-course grade examples/sample_class --out out/grading \
		--assignment 01_derivatives --timeout 15
	$(VENV)/bin/micrograd-course report out/grading
	$(PY) -m course_engine.demo --out out

lint: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup
	$(PY) -m pip install --quiet micrograd==0.1.0
	$(PY) benchmarks/bench_moons.py
	$(PY) benchmarks/bench_tensor.py
	$(PY) benchmarks/bench_judge.py
	$(PY) benchmarks/bench_grading.py
