#!/usr/bin/env bash
# Judges the product the way issue 14 does, on CRM exports it was not tuned on: for each firm of the
# mechanics catalogue and each seed, `synth --format crm` writes a one-row-per-deal opportunities
# export and a teams file, loaded through the built-in crm-* mappings only (no stages file, no activity
# log, quotas set per quarter from the command line), then a monthly backtest over the last 9 months
# (20/40/60/80% of each month, off the round grid). Prints per firm, seed and share: salesrecipe's rep
# WAPE beside run_rate's and last_period's, its bias and 80% interval coverage, and how many cells have
# the WAPE below both baselines with coverage in 70-90%.
# Usage: scripts/eval-crm-export.sh [WORKDIR] [SEEDS...]   (needs bin/salesrecipe and python3)
set -euo pipefail
work="${1:-$(mktemp -d)}"; shift || true
seeds=("${@:-41 42}"); seeds=(${seeds[@]})
bin="$(pwd)/bin/salesrecipe"
firms=(default stages-right stage-blind file-far-off optimistic-close lumpy seasonal turnover late-delays)
mkdir -p "$work"
for s in "${seeds[@]}"; do
  for f in "${firms[@]}"; do
    d="$work/$f-$s"; rm -rf "$d"; mkdir -p "$d"
    args=(--out "$d/files" --reps 20 --months 24 --start 2024-12-01 --seed "$s" --format crm)
    [ "$f" != default ] && args+=(--firm "$f")
    "$bin" synth "${args[@]}" > /dev/null
    st=(--data "$d/store" --log-level warn)
    "$bin" ingest "${st[@]}" --kind reps --mapping crm-teams "$d/files/teams.csv" > /dev/null
    "$bin" ingest "${st[@]}" --kind deals --mapping crm-opportunities --default updated_at=2026-11-30 "$d/files/opportunities.csv" > /dev/null
    for q in 2024-Q4 2025-Q1 2025-Q2 2025-Q3 2025-Q4 2026-Q1 2026-Q2 2026-Q3 2026-Q4; do
      "$bin" quota set "${st[@]}" --period "$q" --amount 90000 > /dev/null
    done
    "$bin" backtest "${st[@]}" --from 2026-03 --to 2026-11 --format json > "$work/$f-$s.json"
  done
done
python3 - "$work" <<'PY'
import glob, json, os, sys
print("| firm | seed | share | salesrecipe rep WAPE | run_rate | last_period | bias | 80% coverage |")
print("|---|---|---|---|---|---|---|---|")
good = cells = 0
for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    firm, seed = os.path.basename(p)[:-5].rsplit("-", 1)
    by = {(m["method"], m["as_of_point"]): m for m in json.load(open(p))["methods"]}
    for share in ("20%", "40%", "60%", "80%"):
        sr, rr, lp = by[("salesrecipe", share)], by[("run_rate", share)]["rep_wape"], by[("last_period", share)]["rep_wape"]
        ok = sr["rep_wape"] < min(rr, lp) and 0.70 <= sr["interval_coverage"] <= 0.90
        cells += 1; good += ok
        print(f"| {firm} | {seed} | {share} | {sr['rep_wape']:.3f}{'' if ok else ' (miss)'} | {rr:.3f} | {lp:.3f} | {sr['bias']:+.2f} | {sr['interval_coverage']:.0%} |")
print(f"\n{good} of {cells} cells: rep WAPE below run_rate and last_period, 80% coverage 70-90%")
PY
