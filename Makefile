# seisclass: one venv, two commands. `make run` runs the demo study and
# writes results/report.html; `make test` runs lint and the test suite.
PYTHON ?= python3
VENV ?= .venv
CORES ?= 8
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench clean venv report test-slurm real-dev

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)
	$(BIN)/snakemake --cores $(CORES) --report results/report.html

report: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --report results/report.html

# The real-data study (README, "Real-data study"): trains and evaluates on REAL_DEV through the
# miniSEED-directory contract, writes its report, and ships the forest trained on every labelled
# window as resources/models/real_dev.skops. Writes into results/ (move the demo's results first).
REAL_DEV ?= ../shared/data/real-dev
REAL_DEV_ARGS = --configfile config/examples/mseed_dir.yaml --config mseed_dir=$(REAL_DEV)/waveforms \
	annotations=$(REAL_DEV)/labels.csv 'classes=[silence,surface,earthquake]'
real-dev: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) $(REAL_DEV_ARGS) -- all results/models/rf_all_splits.skops
	$(BIN)/snakemake --cores $(CORES) $(REAL_DEV_ARGS) --report results/report.html
	cp results/models/rf_all_splits.skops resources/models/real_dev.skops

lint: $(STAMP)
	$(BIN)/ruff check src tests workflow/scripts benchmarks
	$(BIN)/snakemake --lint

# Lint and every test (unit and workflow; tests/slurm only under test-slurm).
test: lint
	$(BIN)/python -m pytest -q tests

# Unit tests only (no Snakemake run): well under a minute.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "unit and not slow" tests

# Benchmarks (the whole story of issue 21 in one run; about an hour on 2 idle cores): writes
# results/bench/{features,cli,workflow,explore,real_dev,rule_memory}.json and bench.json, and prints
# every figure beside its goal. BENCH_ARGS=--quick for a smoke run of a few minutes; BENCH_ARGS=
# "--parts cli,features" for a subset.
bench: $(STAMP)
	$(BIN)/python -m benchmarks --out results/bench $(BENCH_ARGS)

# Opt-in, not part of `make test` (needs root, Debian's slurm-wlm and munge; .ci/run runs it):
# starts a single-node SLURM cluster, runs the tiny workflow through profiles/slurm, and
# stops the cluster whatever the outcome.
test-slurm: $(STAMP)
	status=0; tests/slurm/start_slurm.sh && SEISCLASS_SLURM=1 $(BIN)/python -m pytest -q tests/slurm \
	  || status=$$?; tests/slurm/stop_slurm.sh; exit $$status

clean:
	rm -rf results .snakemake
