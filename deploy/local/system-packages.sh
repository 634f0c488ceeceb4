#!/usr/bin/env bash
# The system packages of deploy/system-packages.txt: which are missing, and installing them.
#
#   system-packages.sh missing   print the missing packages, one a line (exit 0 either way)
#   system-packages.sh ensure    nothing missing: say so. As root: apt-get install what is missing,
#                                showing apt's progress. Otherwise: stop with the command to run.
#
# `.ci/run`, `make run` and `make test` all call `ensure`, so a fresh machine needs no other command.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list=${ECO_SYSTEM_PACKAGES_FILE:-$here/../system-packages.txt}

provided() { # <kind:name>
    local kind=${1%%:*} name=${1#*:}
    case $kind in
        program) command -v "$name" >/dev/null 2>&1 ;;
        # Not `ldconfig -p | grep -q`: under pipefail, grep leaving at the first match makes ldconfig
        # die of SIGPIPE now and then, and the library looks missing.
        library) grep -qE "[[:space:]]lib${name}\.so(\.[0-9]+)*[[:space:]]" <<<"$(/sbin/ldconfig -p 2>/dev/null)" ;;
        path) [[ -e $name ]] ;;
        module) command -v python3.11 >/dev/null 2>&1 && python3.11 -c "import $name" >/dev/null 2>&1 ;;
        *) echo "system-packages.sh: unknown kind '$kind' in $list" >&2; return 2 ;;
    esac
}

missing() {
    local package provides item
    while read -r package provides; do
        [[ -z $package || $package == \#* ]] && continue
        for item in $provides; do
            if ! provided "$item"; then echo "$package"; break; fi
        done
    done <"$list"
}

ensure() {
    local wanted
    mapfile -t wanted < <(missing)
    if ((${#wanted[@]} == 0)); then
        echo "system packages: all present ($(grep -cvE '^(#|$)' "$list") in deploy/system-packages.txt)"
        return 0
    fi
    if ((EUID != 0)); then
        echo "system packages missing: ${wanted[*]}" >&2
        echo "install them with:" >&2
        echo "    sudo apt-get install -y --no-install-recommends ${wanted[*]}" >&2
        exit 1
    fi
    echo "system packages: installing ${wanted[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends "${wanted[@]}" </dev/null
    mapfile -t wanted < <(missing)
    if ((${#wanted[@]})); then
        echo "system packages: still missing after apt-get install: ${wanted[*]}" >&2
        exit 1
    fi
}

case "${1:-}" in
    missing) missing ;;
    ensure) ensure ;;
    *) echo "usage: system-packages.sh missing|ensure" >&2; exit 2 ;;
esac
