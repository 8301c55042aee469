#!/usr/bin/env bash
# Debian packages Hybrid MD needs: Tesseract with Korean data, Korean fonts, gettext,
# and Chromium for the browser tests. Installs them when root; otherwise prints the command.
set -euo pipefail

packages=(tesseract-ocr tesseract-ocr-kor fonts-nanum gettext chromium)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "Hybrid MD needs these system packages: ${missing[*]} (no apt-get here; install them with your package manager)." >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Hybrid MD needs these system packages. Run, then try again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
