# crispcall: set-up, demo and tests on a fresh Debian machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf
APT_TEST_PACKAGES := chromium

.PHONY: setup demo test lint lock system-deps test-deps screens clean

## System packages the project uses: Tesseract for the OCR metric, TrueType fonts for screens;
## for the tests also Debian's Chromium, which drives the browser page.
system-deps test-deps: PACKAGES = $(APT_PACKAGES)
test-deps: PACKAGES += $(APT_TEST_PACKAGES)
system-deps test-deps:
	@missing=""; \
	for pkg in $(PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

## Python packages exactly as requirements/*.txt lock them (versions and hashes); crispcall itself
## is installed editable on top, without letting pip resolve anything.
$(VENV)/.demo: pyproject.toml requirements/demo.txt | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes -r requirements/demo.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.dev: pyproject.toml requirements/dev.txt $(VENV)/.demo
	$(BIN)/pip install -q --require-hashes -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $@

## Re-lock after changing pyproject.toml's dependencies (tests/test_packaging.py fails until then).
## PyTorch's CPU wheel comes from pip's find-links (/opt/wheels on these machines).
LOCK = $(BIN)/uv pip compile -q pyproject.toml requirements/build.in -c requirements/constraints.txt \
	--generate-hashes --python $(BIN)/python \
	--find-links /opt/wheels --no-emit-find-links --custom-compile-command "make lock"
lock: $(VENV)/.dev
	$(LOCK) --extra demo -o requirements/demo.txt
	$(LOCK) --all-extras -o requirements/dev.txt

## The page's npm packages (onnxruntime-web), exactly as web/package-lock.json pins them.
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

setup: $(VENV)/.dev web/node_modules/.package-lock.json | test-deps

## The README's first command: set up, then run the demo on embedded samples.
demo: $(VENV)/.demo
	$(BIN)/crispcall demo

## The README's second command: set up, lint (ruff and the import layers), and run the test suite.
test: lint
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

## Generated screen content for training (1,300 images: with shared/data/train, over 2,000 sources).
screens: $(VENV)/.demo
	$(BIN)/crispcall data screens --out data/screens --count 1300

clean:
	rm -rf $(VENV) crispcall-demo .pytest_cache .ruff_cache
