#!/usr/bin/env bash
# Prints a fresh directory for one test run's temporary files (the engines' data, the tests' files, the
# Go build's work): on the tmpfs given (default /dev/shm) when it is writable and has at least 4 GiB
# free, else in the default temporary directory. Directories of runs killed more than 12 hours ago
# are removed first, so a killed run does not hold memory for long.
set -euo pipefail
fs="${1-/dev/shm}" # an empty argument: the default temporary directory
if [ -n "$fs" ] && [ -d "$fs" ] && [ -w "$fs" ] && [ "$(df -Pk "$fs" | awk 'NR == 2 {print $4}')" -ge $((4 * 1024 * 1024)) ]; then
  find "$fs" -maxdepth 1 -name 'salesrecipe-test.*' -mmin +720 -exec rm -rf {} + 2>/dev/null || true
  mktemp -d "$fs/salesrecipe-test.XXXXXX"
else
  mktemp -d
fi
