#!/usr/bin/env bash
# Measures `salesrecipe ingest` on a CSV of ~10,000,000 synthetic activities into
# the embedded engine (rows/s and peak RSS), and beside it, in the same run, the
# engine's own INSERT ... SELECT FROM file() on the same file.
# Usage: scripts/bench-ingest.sh [WORKDIR]
set -euo pipefail
work="${1:-$(mktemp -d)}"
bin=bin/salesrecipe
mkdir -p "$work"
if [ ! -f "$work/firm/activities.csv" ]; then
  "$bin" synth --out "$work/firm" --reps 1000 --months 24 --activities-per-day 21.3 --seed 7
fi
rows=$(($(wc -l < "$work/firm/activities.csv") - 1))
size=$(du -h "$work/firm/activities.csv" | cut -f1)
echo "file: $work/firm/activities.csv, $rows rows, $size"
rm -rf "$work/store" "$work/engine"
/usr/bin/time -v "$bin" ingest --data "$work/store" --log-level warn --kind activities "$work/firm/activities.csv" 2> "$work/time.txt"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$work/time.txt"
go run ./scripts/enginerate --file "$work/firm/activities.csv" --data "$work/engine"
rm -rf "$work/store" "$work/engine"
