#!/usr/bin/env bash
# The system packages ioport's install and tests need, from Debian (or
# Ubuntu): the one list README "Set-up" points at and .ci/run runs.
#   build-essential  cc and make: `npm install` builds the XS engine (@agoric/xsnap) from source
#   socat            tests/hil-serial.test.ts: a pseudo-terminal pair for `ioport hil --port`
#   sigrok-cli       tests/trace-vcd-sigrok.test.ts: reads the VCD waveforms back and decodes the UART
# Installs only what is missing; needs root (or sudo) when something is.
set -euo pipefail
missing=()
command -v cc >/dev/null && command -v make >/dev/null || missing+=(build-essential)
command -v socat >/dev/null || missing+=(socat)
command -v sigrok-cli >/dev/null || missing+=(sigrok-cli)
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present (cc, make, socat, sigrok-cli)"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "system packages: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
