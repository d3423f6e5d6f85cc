# crispcall: set-up, demo and tests on a fresh Debian machine with Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf

.PHONY: setup demo test lint system-deps screens clean

## System packages the project uses: Tesseract for the OCR metric, TrueType fonts for screens.
system-deps:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.demo: pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[demo]'
	touch $@

$(VENV)/.dev: pyproject.toml $(VENV)/.demo
	$(BIN)/pip install -q -e '.[train,openvino,tflite,dev,demo]'
	touch $@

setup: $(VENV)/.dev

## The README's first command: set up, then run the demo on embedded samples.
demo: $(VENV)/.demo
	$(BIN)/crispcall demo

## The README's second command: set up, lint, and run the test suite.
test: $(VENV)/.dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/pytest -q

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

## Generated screen content for training (1,300 images: with shared/data/train, over 2,000 sources).
screens: $(VENV)/.demo
	$(BIN)/crispcall data screens --out data/screens --count 1300

clean:
	rm -rf $(VENV) crispcall-demo .pytest_cache .ruff_cache
