# Quickstart: `make demo` (set up, open the app on a generated demo fleet), `make test`.
# Both create or reuse the virtual environment in .venv.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed-stamp
# System packages: Xvfb for real-window screenshots and the frozen-app smoke test, and the
# X/GL libraries Qt and QtWebEngine load at run time.
DEB_PACKAGES = xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
  libxcb-render-util0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 \
  libxcb-xinerama0 libnss3 libgl1 libegl1 libfontconfig1 libdbus-1-3 libasound2 \
  libxcomposite1 libxdamage1 libxrandr2 libxtst6 libxkbfile1 fonts-dejavu-core \
  desktop-file-utils iproute2
SYSDEPS_STAMP = $(VENV)/.sysdeps-stamp
export QTWEBENGINE_DISABLE_SANDBOX = 1
export QTWEBENGINE_CHROMIUM_FLAGS = --disable-gpu

.PHONY: venv sysdeps demo test bench package package-test screenshots clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Installs only what is missing; needs root (CI and these machines run as root).
$(SYSDEPS_STAMP): Makefile
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $(SYSDEPS_STAMP)

sysdeps: $(SYSDEPS_STAMP)

# With a screen: the app opens on the demo fleet. On a headless machine (no DISPLAY): the demo
# is built, then the window is rendered under Xvfb to demo-screenshot.png instead.
demo: venv sysdeps
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  $(VENV)/bin/auditor demo; \
	else \
	  echo "no screen found (DISPLAY unset): building the demo, then rendering the window to demo-screenshot.png"; \
	  $(VENV)/bin/auditor demo --no-gui && \
	  xvfb-run -a -s "-screen 0 1400x900x24" $(VENV)/bin/auditor open \
	    "$$($(PY) -c 'from auditor.demo.project import default_demo_project as d; print(d())')" \
	    --screenshot demo-screenshot.png && echo "wrote demo-screenshot.png"; \
	fi

# ruff first (seconds), then the suite on both cores (pytest-xdist, see pyproject's addopts),
# printing the 15 slowest steps; `make test PYTEST_ARGS="-m 'not slow'"` skips the slow ones
# Byte code is cached (in the git-ignored __pycache__ folders) even where the shell sets
# PYTHONDONTWRITEBYTECODE: otherwise each xdist worker, and every `python -m auditor` a test
# starts, compiles auditor/ and re-writes the tests' asserts from source — ~5 s per worker.
PYTEST_ARGS ?=
test: venv sysdeps
	$(VENV)/bin/ruff check auditor tests bench packaging
	env -u PYTHONDONTWRITEBYTECODE QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q $(PYTEST_ARGS)

# Bench-only baselines (trackintel, cleanlab) live in their own venv so they never change
# the app's dependency versions.
BENCH_VENV ?= .venv-bench
$(BENCH_VENV)/.stamp: pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet -e '.[bench]'
	touch $@

bench: venv $(BENCH_VENV)/.stamp
	$(PY) bench/ingest.py
	$(PY) bench/read_pings.py
	$(BENCH_VENV)/bin/python bench/infer.py
	$(BENCH_VENV)/bin/python bench/label_issues.py
	$(PY) bench/export.py
	$(PY) bench/gui.py --vehicles 300 --days 30
	$(PY) bench/scale.py --vehicles 500 --days 28   # docs/scale.md: the 20M figures are --vehicles 5000

# The README's pictures: the real app on the demo fleet, rendered under Xvfb at both sizes the
# app is checked at (a virtual screen of exactly that size: the import wizard is a window of its
# own). auditor.gui.screenshots copies the demo project first, so the flag it shows is not kept.
SCREENSHOT_SIZES = 1280x800 1600x1000
screenshots: venv sysdeps
	$(VENV)/bin/auditor demo --no-gui
	mkdir -p docs/img
	for size in $(SCREENSHOT_SIZES); do \
	  xvfb-run -a -s "-screen 0 $${size}x24" $(PY) -m auditor.gui.screenshots docs/img \
	    --size $$size || exit 1; \
	done

package: venv sysdeps
	$(PY) -m pip install --quiet -e '.[package]'
	bash packaging/build.sh

package-test: package
	bash packaging/smoke-test

clean:
	rm -rf build dist .pytest_cache
