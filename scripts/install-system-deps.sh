#!/usr/bin/env bash
# Debian packages for the interop suites: independent peers our code is checked against.
#   xmlsec1                      independent XML-DSig verifier/signer
#   snmp                         Net-SNMP snmpget / snmpbulkwalk
#   snmpsim                      independent SNMP agent serving .snmprec recordings
#   python3-zeep python3-xmlsec  independent SOAP 1.1 + WS-Security client
#   chromium                     renders the network-impact HTML page for a screenshot test
#   faketime                     libfaketime: .ci/run runs the suite once at a year end in a far-east time zone
#   postgresql                   the reference server's PostgreSQL store: scripts/pg-cluster.sh starts a throwaway cluster
set -euo pipefail
PKGS=(xmlsec1 snmp snmpsim python3-zeep python3-xmlsec chromium openssl faketime postgresql)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "system packages present"; exit 0; fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
