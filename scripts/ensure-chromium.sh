#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (server/sandbox/pages/*.browser.test.ts drive it with playwright-core).
#
# Idempotent: does nothing when /usr/bin/chromium exists. As root it installs Debian's `chromium`
# package with apt-get (no browser download of playwright's own: this machine reaches only the
# package registries), with a small CJK font so that screenshots of the zh-CN pages are legible.
# Where it cannot install (not root, or no apt-get, e.g. macOS with WeChat DevTools) it says so and,
# outside CI, lets npm test go on: jest.config.js leaves the browser tests out when Chromium is
# missing and CI is not set. In CI (CI=true) a missing Chromium fails the run.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

cannot_install() {
  echo "Chromium is missing ($CHROMIUM): $1" >&2
  if [ -n "${CI:-}" ]; then
    exit 1
  fi
  echo "[setup] the browser tests (*.browser.test.ts) will be skipped; everything else runs." >&2
  exit 0
}

if [ "$(id -u)" -ne 0 ]; then
  cannot_install "install it as root with: sudo apt-get update && sudo apt-get install -y chromium fonts-wqy-microhei"
fi

if ! command -v apt-get >/dev/null 2>&1; then
  cannot_install "this is not a Debian-like system (no apt-get): install Chromium so that $CHROMIUM exists."
fi

echo "[setup] installing Chromium for the browser tests: apt-get install -y chromium fonts-wqy-microhei" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >&2

if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get installed chromium but $CHROMIUM is not there." >&2
  exit 1
fi
