#!/usr/bin/env bash
# Run a command with Kafka, Elasticsearch and PostgreSQL up, then stop only what this run started
# (servers someone already had running stay running). Used by `make test` and `make bench`.
#
# Tests get servers of their own (other ports, data under .run/test/), so the events they publish
# never reach the demo city that `make run` keeps, and both can run at once.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
infra="$here/infra.sh"
export ECO_RUN_DIR=${ECO_TEST_RUN_DIR:-$(cd "$here/../.." && pwd)/.run/test}
export KAFKA_PORT=${ECO_TEST_KAFKA_PORT:-19092} KAFKA_CONTROLLER_PORT=${ECO_TEST_KAFKA_CONTROLLER_PORT:-19093}
export ES_PORT=${ECO_TEST_ES_PORT:-19200} ES_TRANSPORT_PORT=${ECO_TEST_ES_TRANSPORT_PORT:-19300}
export PG_PORT=${ECO_TEST_PG_PORT:-55433}
tag="with-infra-$$"

cleanup() { ECO_STARTED_TAG=$tag bash "$infra" down-started "$tag" || true; }
trap cleanup EXIT

ECO_STARTED_TAG=$tag bash "$infra" up kafka es pg
eval "$(bash "$infra" env)"
# Tests make a database per test; a DATABASE_URL from the shell must not override them.
unset DATABASE_URL
"$@"
