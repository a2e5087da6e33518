#!/usr/bin/env bash
# Installs Prometheus and promtool from Debian's package `prometheus` when they are missing,
# without starting the Debian service (the tests start their own server on loopback).
# Does nothing when both are already on the PATH. Usage: scripts/install-prometheus.sh
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    cat >&2 <<MSG
promtool and prometheus are missing and installing them needs root. Run as root:
  apt-get update && apt-get install -y --no-install-recommends prometheus
MSG
    exit 1
  fi
  sudo="sudo"
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "promtool and prometheus are missing and this is not a Debian-like system: install Prometheus 2.42 or later by hand" >&2
  exit 1
fi

# Keep apt from starting the Debian service: policy-rc.d answering 101 forbids service starts
# during the install. A policy-rc.d already present is left alone.
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  made_policy=1
fi
cleanup() { if [ -n "$made_policy" ]; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT

echo "installing Debian package prometheus (promtool and prometheus) ..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show prometheus >/dev/null 2>&1; then
  $sudo apt-get update -qq
fi
if ! $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
promtool --version 2>&1 | head -1 >&2
