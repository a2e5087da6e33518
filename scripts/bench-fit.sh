#!/usr/bin/env bash
# Measures `salesrecipe fit` (wall time and peak RSS) on synthetic firms of 100 and 1,000 reps over
# 24 months at 21 activities a rep-day (the 1,000-rep firm has about 10 M activities and 2.35 M deal
# versions), each loaded into its own embedded store first. SIZES="100" runs one size.
# Usage: scripts/bench-fit.sh [WORKDIR]
set -euo pipefail
work="${1:-$(mktemp -d)}"
bin=bin/salesrecipe
mkdir -p "$work"
for n in ${SIZES:-100 1000}; do
  dir="$work/firm-$n"
  if [ ! -f "$dir/deals.csv" ]; then
    "$bin" synth --out "$dir" --reps "$n" --months 24 --activities-per-day 21 --seed 1 --start 2024-01-01 >/dev/null
  fi
  store="$work/store-$n"
  if [ ! -d "$store" ]; then
    for kind in reps quotas stages activities deals; do
      "$bin" ingest --data "$store" --log-level warn --kind "$kind" "$dir/$kind.csv" >/dev/null
    done
  fi
  /usr/bin/time -v "$bin" fit --data "$store" --log-level warn >"$work/fit-$n.txt" 2>"$work/time-$n.txt" || {
    cat "$work/time-$n.txt" >&2
    exit 1
  }
  wall=$(grep 'Elapsed (wall clock)' "$work/time-$n.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$work/time-$n.txt" | awk '{printf "%.0f MB", $NF/1024}')
  echo "$n reps: fit $wall wall, peak RSS $rss"
done
