#!/usr/bin/env bash
# Run a command with Kafka, Elasticsearch and PostgreSQL up, then stop only what this run started
# (servers someone already had running stay running). Used by `make test` and `make bench`.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
infra="$here/infra.sh"
tag="with-infra-$$"

cleanup() { ECO_STARTED_TAG=$tag bash "$infra" down-started "$tag" || true; }
trap cleanup EXIT

ECO_STARTED_TAG=$tag bash "$infra" up kafka es pg
eval "$(bash "$infra" env)"
# Tests make a database per test; a DATABASE_URL from the shell must not override them.
unset DATABASE_URL
"$@"
