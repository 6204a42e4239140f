#!/usr/bin/env bash
# Set up harassment-pack on a fresh Debian/Ubuntu machine: system packages (LibreOffice, fonts,
# poppler, tesseract) when missing, then the Python package in .venv. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libreoffice-writer-nogui fonts-liberation2 fonts-dejavu-core poppler-utils
              tesseract-ocr tesseract-ocr-eng chromium)
missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
# A LibreOffice installed some other way (the full suite, a newer build) will do as well.
if command -v soffice >/dev/null 2>&1; then
  missing=("${missing[@]/libreoffice-writer-nogui}")
fi
# The browser tests of `harassment-pack serve` drive the distribution's Chromium (Playwright never
# downloads a browser of its own); any Chromium on the PATH will do.
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  missing=("${missing[@]/chromium}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
echo "harassment-pack is set up: .venv/bin/harassment-pack --help"
