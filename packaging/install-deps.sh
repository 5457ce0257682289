#!/usr/bin/env bash
# Installs the Debian 12 packages Assay needs to build, test and run. Idempotent: only what is
# missing is installed. This is the one place the package list lives.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-svg-dev
  libqt6sql6-sqlite libqt6svg6
  libqscintilla2-qt6-dev nlohmann-json3-dev qtkeychain-qt6-dev
  qt6-qpa-plugins
  xvfb xauth imagemagick
  clang libclang-rt-14-dev
  python3 python3-nltk python3-levenshtein poppler-utils
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
