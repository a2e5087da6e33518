#!/usr/bin/env bash
# Fetches the pinned chDB library (libchdb.so) from its npm package into a cache
# directory, checks its sha256, and does nothing when it is already there.
# Usage: scripts/fetch-chdb.sh DEST_DIR
set -euo pipefail

pkg="@chdb/lib-linux-x64-gnu@26.7.3-stable.1"
tgz_sha="c0d32b129e988f2b9a9a31c9141aecf5e1e2453f9a079efc4d36ab8e3f92b2ad"
lib_sha="36ad4e999882821ef13cf2d0f52c93f48e6ee1b4498b35a201c23ce4b8d15bf5"
dest="${1:?usage: fetch-chdb.sh DEST_DIR}"
lib="$dest/libchdb.so"

if [ -f "$lib" ] && echo "$lib_sha  $lib" | sha256sum -c --status; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  cat >&2 <<MSG
npm is not installed, and the embedded ClickHouse engine needs libchdb.so from the npm package
$pkg. Either install Node.js and npm and run \`make chdb\` again, or fetch it by hand:
  npm pack $pkg            (on any machine with npm; a 178 MB tarball)
  tar -xzf chdb-lib-linux-x64-gnu-26.7.3-stable.1.tgz package/libchdb.so
  mkdir -p $dest && mv package/libchdb.so $dest/
Or skip the embedded engine and point salesrecipe at a ClickHouse server with --clickhouse DSN.
MSG
  exit 1
fi
if ! grep -qw avx2 /proc/cpuinfo 2>/dev/null; then
  echo "warning: this CPU lacks AVX2; chDB 26.7 is built for x86-64-v3 and may not load" >&2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "fetching $pkg (178 MB) ..." >&2
(cd "$work" && npm pack --silent "$pkg" >/dev/null)
tgz=$(ls "$work"/*.tgz)
echo "$tgz_sha  $tgz" | sha256sum -c --status || { echo "sha256 mismatch for $tgz" >&2; exit 1; }
tar -xzf "$tgz" -C "$work" package/libchdb.so
echo "$lib_sha  $work/package/libchdb.so" | sha256sum -c --status || { echo "sha256 mismatch for libchdb.so" >&2; exit 1; }
mkdir -p "$dest"
mv "$work/package/libchdb.so" "$lib.tmp.$$"
mv "$lib.tmp.$$" "$lib"
echo "libchdb.so installed in $dest" >&2
