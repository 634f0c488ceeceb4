#!/usr/bin/env bash
# Fetch the console's browser libraries (deploy/web-vendor.txt) from the npm registry into
# gateway/static/vendor/, so the console loads nothing from outside the platform.
#
#   vendor-web.sh          fetch (or reuse .cache/npm-vendor/), check, unpack; a no-op when up to date
#
# Each tarball is fetched with the ordinary client (`npm pack NAME@VERSION`), kept in
# .cache/npm-vendor/, and its SHA-512 compared with the integrity pinned in the list (the registry's
# dist.integrity) before anything is unpacked: a tarball that does not match is deleted and the run
# fails. gateway/static/vendor/ is generated (gitignored): see deploy/local/README.md for why.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
list=$repo/deploy/web-vendor.txt
cache=$repo/.cache/npm-vendor
out=$repo/gateway/static/vendor
stamp=$out/.installed

wanted=$(grep -vE '^(#|$)' "$list")
if [[ -f $stamp && "$(cat "$stamp")" == "$wanted" ]]; then
    exit 0
fi
command -v npm >/dev/null || { echo "vendor-web: npm is needed (deploy/system-packages.txt lists it)" >&2; exit 1; }

sri() { # <file>: its subresource-integrity string, sha512-<base64>
    printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | openssl base64 -A)"
}

mkdir -p "$cache"
rm -rf "$out.new"
mkdir -p "$out.new"
while read -r package version integrity files; do
    tarball=$cache/$package-$version.tgz
    if [[ ! -f $tarball ]]; then
        echo "vendor-web: fetching $package@$version from the npm registry"
        work=$(mktemp -d)
        (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
        mv "$work/$package-$version.tgz" "$tarball"
        rm -rf "$work"
    fi
    got=$(sri "$tarball")
    if [[ $got != "$integrity" ]]; then
        rm -f "$tarball"
        echo "vendor-web: $package@$version does not match its pinned integrity" >&2
        echo "  pinned: $integrity" >&2
        echo "  got:    $got" >&2
        exit 1
    fi
    unpacked=$(mktemp -d)
    tar -xzf "$tarball" -C "$unpacked"
    mkdir -p "$out.new/$package"
    for file in $files; do
        cp -R "$unpacked/package/$file" "$out.new/$package/"
    done
    rm -rf "$unpacked"
    echo "vendor-web: $package@$version checked ($integrity)"
done <<<"$wanted"
printf '%s' "$wanted" >"$out.new/.installed"
rm -rf "$out"
mv "$out.new" "$out"
