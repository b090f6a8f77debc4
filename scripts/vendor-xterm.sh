#!/usr/bin/env bash
# Vendor xterm.js (MIT) for kvmlab's serial-console widget (kvmlab/widgets/console.py).
#
# The widget ships xterm.js inside the package (kvmlab/widgets/static/xterm/) because learners may
# have no CDN access: the browser gets it from the kernel, with the widget. This script rebuilds that
# copy from the npm registry's package: `npm pack @xterm/xterm@VERSION`, the tarball checked against
# the registry's sha512 integrity pinned below, then lib/xterm.mjs, css/xterm.css and LICENSE copied
# and checked against the sha256 sums in kvmlab/widgets/static/xterm/SOURCE. ./kvmlab.sh setup runs
# it when the copy is missing; a test checks the committed copy against SOURCE.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dest=kvmlab/widgets/static/xterm
source_file="$dest/SOURCE"
version=$(awk '$1 == "version" {print $2}' "$source_file")
integrity=$(awk '$1 == "integrity" {print $2}' "$source_file")
command -v npm >/dev/null || { echo "vendor-xterm: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@xterm/xterm@$version" >/dev/null)
tarball="$tmp/xterm-xterm-$version.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
[ "$got" = "$integrity" ] || { echo "vendor-xterm: $tarball is not the pinned package ($got)" >&2; exit 1; }
tar xzf "$tarball" -C "$tmp"
cp "$tmp/package/lib/xterm.mjs" "$tmp/package/css/xterm.css" "$tmp/package/LICENSE" "$dest/"
(cd "$dest" && awk '$1 == "sha256" {print $3 "  " $2}' SOURCE | sha256sum --quiet -c -)
echo "vendor-xterm: @xterm/xterm $version in $dest"
