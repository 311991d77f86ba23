#!/usr/bin/env bash
# Installs the Debian/Ubuntu libraries Qt needs (or the packages named as arguments, e.g.
# `make package`'s build tools), when they are missing and we are allowed to.
# Idempotent and quiet when everything is present. Other systems: prints what to install.
set -euo pipefail

# Offscreen + tests: the measured minimum. A real X display needs the xcb ones too.
PACKAGES=(libglib2.0-0 libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3 libpulse0
          libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
          espeak-ng   # espeak-ng: demo recordings speak the call's lines instead of a tone
          postgresql) # the tests' throwaway PostgreSQL cluster (team mode); not started here
if [ $# -gt 0 ]; then PACKAGES=("$@"); fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "setup: not a Debian-like system; make sure Qt 6's runtime libraries are installed." >&2
  exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  # Debian 13 renamed some libraries with a t64 suffix; either name will do.
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" &&
     ! dpkg-query -W -f='${Status}' "${pkg}t64" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "setup: CallDeck needs these system packages; please install them as root:" >&2
    echo "  apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup: installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
to_install=()
for pkg in "${missing[@]}"; do
  if apt-cache show "$pkg" >/dev/null 2>&1; then to_install+=("$pkg"); else to_install+=("${pkg}t64"); fi
done
$SUDO apt-get install -y -qq --no-install-recommends "${to_install[@]}" >/dev/null
