#!/usr/bin/env bash
# Installs the third-party software the benchmarks drive or compare against, from Debian's packages:
# SIPp (the load generator) and Kamailio with its presence and XML modules (the reference server of
# bench/compare). Safe to run again: packages already installed are skipped.
set -euo pipefail
need=()
for pkg in sip-tester kamailio kamailio-presence-modules kamailio-xml-modules; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # The package's own service stays off: the benchmark starts Kamailio itself with bench/kamailio/kamailio.cfg.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
