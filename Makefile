# The one entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BIN ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
INFRA := deploy/local/infra.sh
PROTOS := $(wildcard proto/eco/v1/*.proto)
GEN_STAMP := eco/v1/.stamp

.PHONY: help system-packages web-vendor venv proto proto-check proto-baseline run stop status test test-unit test-integration test-e2e lint fmt bench migration clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

system-packages: ## Install the system packages of deploy/system-packages.txt that are missing (as root; else print the command)
	@bash deploy/local/system-packages.sh ensure

# Order-only: the packages are checked on every run, without making the venv look out of date.
$(VENV)/.installed: requirements.txt | system-packages
	@command -v $(PYTHON_BIN) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON_BIN) not found)"; exit 1; }
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

venv: $(VENV)/.installed ## Create the virtualenv with the pinned dependencies

$(GEN_STAMP): $(PROTOS) $(VENV)/.installed
	@rm -rf eco && mkdir -p eco/v1
	$(PY) -m grpc_tools.protoc -I proto --python_out=. --pyi_out=. --grpc_python_out=. \
		--plugin=protoc-gen-mypy_grpc=$(VENV)/bin/protoc-gen-mypy_grpc --mypy_grpc_out=. $(PROTOS)
	@touch eco/__init__.py eco/v1/__init__.py eco/py.typed
	@touch $@

web-vendor: ## Fetch the console's browser libraries (Leaflet) from the npm registry, pinned and checked
	@bash deploy/local/vendor-web.sh

proto: $(GEN_STAMP) ## Generate Python code and type stubs from proto/ into the gitignored package eco/

proto-check: proto ## Fail if a released message's field number or name changed (vs proto/released.binpb)
	$(PY) -m shared.proto_compat check proto/released.binpb $(PROTOS)

proto-baseline: proto ## Record the current contracts as released (deliberately, after review)
	$(PY) -m shared.proto_compat baseline proto/released.binpb $(PROTOS)

run: system-packages proto web-vendor ## Start the whole platform with a demo city (Kafka, Elasticsearch, services, gateway)
	@bash deploy/local/platform.sh up

stop: ## Stop everything `make run` started
	@bash deploy/local/platform.sh down

status: ## Show what is running
	@bash deploy/local/platform.sh status

test: system-packages proto web-vendor lint proto-check test-unit test-integration ## Every test: lint, contracts, unit, then integration and e2e against real servers

test-unit: proto web-vendor ## Unit tests (no servers)
	$(PY) -m pytest -q tests/unit

test-integration: proto web-vendor ## Integration and e2e tests against real Kafka, Elasticsearch and PostgreSQL (started if needed)
	@bash deploy/local/with-infra.sh $(PY) -m pytest -q tests/integration tests/e2e

test-e2e: proto web-vendor ## Only the end-to-end tests (real servers, started if needed)
	@bash deploy/local/with-infra.sh $(PY) -m pytest -q tests/e2e

lint: proto ## ruff check, ruff format --check, mypy, layering (no eco.v1 in domain/ or service_layer/; gateway imports no services/deploy)
	$(VENV)/bin/ruff check shared services gateway tests deploy bench
	$(VENV)/bin/ruff format --check shared services gateway tests deploy bench
	$(VENV)/bin/mypy
	$(PY) -m shared.layers
	$(PY) -m tests.boundaries

fmt: venv ## Apply ruff's formatting and fixes
	$(VENV)/bin/ruff format shared services gateway tests deploy bench
	$(VENV)/bin/ruff check --fix shared services gateway tests deploy bench

migration: proto ## A new schema revision: make migration SERVICE=permits MSG="what changes" [NUMBER=103] [EMPTY=1]
	@test -n "$(SERVICE)" -a -n "$(MSG)" || { echo 'usage: make migration SERVICE=<service or gateway> MSG="what changes" [NUMBER=n] [EMPTY=1]'; exit 1; }
	@path=$$($(PY) -m shared.migrations new $(SERVICE) "$(MSG)" $(if $(NUMBER),--number $(NUMBER)) $(if $(EMPTY),--empty) | tail -n 1) \
		&& $(VENV)/bin/ruff check -q --fix "$$path" && $(VENV)/bin/ruff format -q "$$path" \
		&& echo "wrote $$path: review the operations (autogenerate is a draft), then commit it"

bench: proto ## Benchmarks, each against a baseline measured in the same run
	@PG_DURABLE=1 bash deploy/local/with-infra.sh $(PY) -m bench

clean: ## Remove generated code and the virtualenv (keeps downloads in .cache/)
	rm -rf eco $(VENV)
