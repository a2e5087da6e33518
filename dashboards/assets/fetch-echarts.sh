#!/usr/bin/env bash
# Re-fetches the ECharts build that go-echarts v2.6.x targets (5.4.3) from the npm
# package `echarts`, checks the tarball's and the file's sha256, and writes
# echarts.min.js, LICENSE and NOTICE beside this script. The dashboards embed
# these files in the binary and serve them from /assets/, so pages load no
# script from any other host.
set -euo pipefail

pkg="echarts@5.4.3"
tgz_sha="89f6b509a83b3694645a8ec0dc8808999bb96610eac9e718fbda4726bb694eaf"
js_sha="1156429a16a38cb8604dcc6518c19406d4226142d908f8edd2e3531443c54d19"
dest="$(cd "$(dirname "$0")" && pwd)"

if [ "${1:-}" = "--check" ]; then
  echo "$js_sha  $dest/echarts.min.js" | sha256sum -c --status || { echo "echarts.min.js does not match $pkg" >&2; exit 1; }
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$pkg" >/dev/null)
tgz=$(ls "$work"/*.tgz)
echo "$tgz_sha  $tgz" | sha256sum -c --status || { echo "sha256 mismatch for $tgz" >&2; exit 1; }
tar -xzf "$tgz" -C "$work" package/dist/echarts.min.js package/LICENSE package/NOTICE
echo "$js_sha  $work/package/dist/echarts.min.js" | sha256sum -c --status || { echo "sha256 mismatch for echarts.min.js" >&2; exit 1; }
cp "$work/package/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$work/package/LICENSE" "$dest/ECHARTS-LICENSE"
cp "$work/package/NOTICE" "$dest/ECHARTS-NOTICE"
echo "fetched $pkg into $dest" >&2
