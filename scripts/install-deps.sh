#!/usr/bin/env bash
# Installs the Debian 12 packages Kiln builds and tests with. Idempotent: packages already
# installed are skipped, and apt is not touched at all when nothing is missing.
set -euo pipefail

packages=(
  # engines (used by the inference core)
  libtorch-dev libopenblas0-pthread libxgboost-dev
  # medical imaging: DICOM (DCMTK)
  libdcmtk-dev zlib1g-dev
  # image slices in (PNG, JPEG) and Grad-CAM overlays out (PNG)
  libpng-dev libjpeg62-turbo-dev
  # CTR reports: PDF rendering with a CJK font; pdftoppm renders pages in tests
  libpango1.0-dev libcairo2-dev fonts-noto-cjk poppler-utils
  # build and tests
  build-essential libsqlite3-dev curl ca-certificates python3 python3-venv python3-pip
  # tests compare served outputs with the same models run by Debian's PyTorch and XGBoost
  python3-torch python3-xgboost python3-numpy
  # a real browser (headless, driven over its DevTools protocol) runs the seed frontend's flow
  chromium
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v swift >/dev/null 2>&1; then
  echo "install-deps: the Swift 6 toolchain is required (swift not on PATH); install it from swift.org" >&2
  exit 1
fi
