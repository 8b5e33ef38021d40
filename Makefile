# Kiln: the two commands a newcomer needs are `make serve` and `make test`.
# Both install what they need on Debian 12 (as root) before building.

SWIFT ?= swift
# Debian's Python, so that the tests can use Debian's python3-torch and python3-xgboost.
PYTHON ?= /usr/bin/python3
VENV := .venv
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: serve test deps build release test-swift test-system venv bench fuzz clean-data

serve: release
	@# The imaging app's demo models, each trained once (about 3 minutes in all; labelled demos).
	@for model in ct:ct_classifier mri:mri_segmenter biomarker:biomarker_classifier; do \
	  test -d .kiln/models/$${model#*:} || .build/release/kiln train imaging-demo --only $${model%%:*} || exit 1; \
	done
	.build/release/kiln serve --host $(HOST) --port $(PORT)

test: deps build test-swift test-system

deps:
	scripts/install-deps.sh

build:
	$(SWIFT) build --build-tests

release: deps
	$(SWIFT) build -c release

test-swift: build
	$(SWIFT) test --skip-build --parallel --num-workers 2

venv: $(VENV)/.installed

$(VENV)/.installed: system-tests/requirements.txt
	$(PYTHON) -m venv --system-site-packages $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r system-tests/requirements.txt
	touch $@

test-system: build venv
	KILN_BIN=$(CURDIR)/.build/debug/kiln $(VENV)/bin/pytest -q system-tests

bench: release venv
	benchmarks/run.sh

# Coverage-guided fuzzing of the parsers that read client bytes (libFuzzer + ASan), each target
# for FUZZ_SECONDS; builds into .build-fuzz/. Not part of `make test`.
FUZZ_SECONDS ?= 60
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)
