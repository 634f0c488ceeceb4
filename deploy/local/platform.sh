#!/usr/bin/env bash
# `make run` / `make stop` / `make status`: the whole platform on this machine, with a demo city.
# Kafka and Elasticsearch are real servers (deploy/local/infra.sh); each service and the gateway is
# its own process with logs under .run/logs/. Databases are SQLite files under .run/data/ unless
# ECO_PG_URL is set (or ECO_RUN_WITH_POSTGRES=1, which starts the local PostgreSQL too).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
infra="$here/infra.sh"
run_dir=${ECO_RUN_DIR:-$repo/.run}
py=${PYTHON:-$repo/.venv/bin/python}
services=(permits monitoring enforcement risk evaluation codes)
export ECO_RUN_DIR=$run_dir PYTHONPATH=$repo
# Each component has its own database; a DATABASE_URL from the shell would point them all at one.
unset DATABASE_URL
# The first administrator's token: the gateway makes the "admin" account with it, and the demo loader
# creates the demo's operators through the account API with it (development only).
export ECO_GATEWAY_ADMIN_TOKEN=${ECO_GATEWAY_ADMIN_TOKEN:-dev-admin-token}
export ECO_CODES_ALLOW_DEV_KEY=${ECO_CODES_ALLOW_DEV_KEY:-1}  # local demo: dev signing key and loopback URL (codes README)

pidfile() { echo "$run_dir/pids/$1.pid"; }

running() { [[ -f $(pidfile "$1") ]] && kill -0 "$(cat "$(pidfile "$1")")" 2>/dev/null; }

start_process() { # name, module
    local name=$1 module=$2
    if running "$name"; then echo "  $name: already running (pid $(cat "$(pidfile "$name")"))"; return; fi
    mkdir -p "$run_dir/logs" "$run_dir/pids"
    setsid "$py" -m "$module" >>"$run_dir/logs/$name.log" 2>&1 < /dev/null &
    echo $! >"$(pidfile "$name")"
    echo "  $name: started (pid $!, log .run/logs/$name.log)"
}

stop_process() {
    local name=$1 pid
    running "$name" || { rm -f "$(pidfile "$name")"; return 0; }
    pid=$(cat "$(pidfile "$name")")
    kill -TERM "$pid" 2>/dev/null || true
    # 20 s: a service drains its calls, flushes its audit records and stops its relay first.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$(pidfile "$name")"
    echo "  $name: stopped"
}

up() {
    echo "== Infrastructure (real Kafka and Elasticsearch; first start downloads them)"
    local servers=(kafka es)
    if [[ ${ECO_RUN_WITH_POSTGRES:-0} == 1 ]]; then servers+=(pg); fi
    ECO_STARTED_TAG=platform bash "$infra" up "${servers[@]}"
    eval "$(bash "$infra" env)"
    if [[ ${ECO_RUN_WITH_POSTGRES:-0} != 1 ]]; then unset ECO_PG_URL; fi
    echo "== Services"
    for svc in "${services[@]}"; do start_process "$svc" "services.$svc"; done
    start_process gateway gateway
    echo "== Waiting for every service to report healthy"
    "$py" -m deploy.ready --timeout 120
    echo "== Demo city (Cixi)"
    "$py" -m deploy.demo
    sign_ins=$("$py" -m deploy.demo.accounts)
    cat <<INFO

The platform is up.
${sign_ins}
  Map (operators)        http://127.0.0.1:${ECO_GATEWAY_PORT:-8000}/console/map
  API docs               http://127.0.0.1:${ECO_GATEWAY_PORT:-8000}/docs
  Health                 http://127.0.0.1:${ECO_GATEWAY_PORT:-8000}/healthz
  Logs                   .run/logs/      Stop with: make stop
INFO
}

down() {
    echo "== Stopping the platform"
    stop_process gateway
    for svc in "${services[@]}"; do stop_process "$svc"; done
    bash "$infra" down-started platform
}

status() {
    for name in "${services[@]}" gateway; do
        if running "$name"; then echo "$name running (pid $(cat "$(pidfile "$name")"))"; else echo "$name stopped"; fi
    done
    bash "$infra" status
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) echo "usage: platform.sh up|down|status" >&2; exit 2 ;;
esac
