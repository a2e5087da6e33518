#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the dashboards' browser tests,
# and does nothing when it is already there. Needs root (or sudo) and apt-get.
# Outside CI a machine that cannot install it only gets a warning: the browser
# tests then skip with a message. With CI set, a failed install fails.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi

fail() {
  echo "install-chromium: $*" >&2
  if [ -n "${CI:-}" ]; then
    exit 1
  fi
  echo "install-chromium: the browser tests will skip; install Debian's chromium package to run them" >&2
  exit 0
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (the browser tests use Debian's chromium package)"
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null 2>&1 || fail "not root and no sudo: cannot apt-get install chromium"
  sudo="sudo -n"
fi
echo "installing Debian's chromium for the browser tests ..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || fail "apt-get update failed"
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null || fail "apt-get install chromium failed"
command -v chromium >/dev/null 2>&1 || fail "chromium is still not on PATH after the install"
echo "install-chromium: $(chromium --version 2>/dev/null || echo chromium) installed" >&2
