#!/usr/bin/env bash
# Installs the third-party software the interop tests talk to, from Debian's packages.
# Safe to run again: packages already present are skipped.
set -euo pipefail
need=()
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v sipsak >/dev/null 2>&1 || need+=(sipsak)
# baresip 1.0.0 with its presence and ctrl_tcp modules (test/interop/baresip.test.ts).
command -v baresip >/dev/null 2>&1 || need+=(baresip-core)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
