#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the browser tests
# (server/sandbox/pages/*.browser.test.ts drive it with playwright-core).
#
# Idempotent: does nothing when /usr/bin/chromium exists. As root it installs Debian's `chromium`
# package with apt-get (no browser download of playwright's own: this machine reaches only the
# package registries), with a small CJK font so that screenshots of the zh-CN pages are legible.
# Not root: prints the command to run and exits non-zero.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing ($CHROMIUM): the browser tests need it. Install it as root with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y chromium fonts-wqy-microhei" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing ($CHROMIUM) and this is not a Debian-like system (no apt-get): install Chromium so that $CHROMIUM exists." >&2
  exit 1
fi

echo "[setup] installing Chromium for the browser tests: apt-get install -y chromium fonts-wqy-microhei" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei >&2

if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get installed chromium but $CHROMIUM is not there." >&2
  exit 1
fi
