#!/usr/bin/env bash
# Measures the Team page and the forecast API of a synthetic 1,000-rep firm,
# warm, with wrk on loopback (Debian package wrk), as BENCHMARKS.md reports.
# Usage: dashboards/bench-dashboards.sh [DIR]   (run from the repository root after `make build`)
# Environment: REPS (1000), MONTHS (12), PORT (18090), DURATION (20s), CONNECTIONS (8).
set -euo pipefail

dir="${1:-/tmp/salesrecipe-bench-dashboards}"
reps="${REPS:-1000}"
months="${MONTHS:-12}"
addr="127.0.0.1:${PORT:-18090}"
duration="${DURATION:-20s}"
conns="${CONNECTIONS:-8}"
bin="$(pwd)/bin/salesrecipe"

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$bin" ] || { echo "$bin is missing: run make build" >&2; exit 1; }

rm -rf "$dir" && mkdir -p "$dir"
echo "== synthetic firm: $reps reps, $months months" >&2
"$bin" synth --out "$dir/firm" --reps "$reps" --months "$months" --seed 1 >/dev/null
for kind in reps quotas stages activities deals; do
  "$bin" ingest --data "$dir/store" --kind "$kind" "$dir/firm/$kind.csv" >&2
done

token="bench-admin-token-$(date +%s%N)"
cat >"$dir/users.yaml" <<EOF
users:
  - {name: Bench Admin, token: "$token", role: admin, firm: default}
EOF

"$bin" serve --data "$dir/store" --addr "$addr" --users "$dir/users.yaml" --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://$addr/healthz" >/dev/null && break
  sleep 0.2
done

auth="Authorization: Bearer $token"
for path in /team /api/v1/forecast; do
  start=$(date +%s.%N)
  curl -fs -o /dev/null -H "$auth" "http://$addr$path"
  echo "== cold $path (the first one fits the recipe): $(echo "$(date +%s.%N) - $start" | bc) s" >&2
done
echo "== Team page size: $(curl -fs -H "$auth" "http://$addr/team" | wc -c) bytes; forecast API: $(curl -fs -H "$auth" "http://$addr/api/v1/forecast" | wc -c) bytes" >&2

for path in /team /api/v1/forecast; do
  echo "== warm $path: wrk -t1 -c$conns -d$duration" >&2
  wrk -t1 -c"$conns" -d"$duration" --latency -H "$auth" "http://$addr$path"
done
