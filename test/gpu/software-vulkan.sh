#!/usr/bin/env bash
# Installs a software Vulkan driver (Mesa's lavapipe) that Dawn, the WebGPU implementation
# inside onnxruntime-node, accepts, so the WebGPU execution provider runs on a machine
# without a GPU: what the WebGPU tests use (test/unit/runtime/webgpu-software.test.ts).
# It checks that our WebGPU code paths give the CPU's tokens; it says nothing about speed.
#
# Debian bookworm's own lavapipe (Mesa 22.3) is rejected by Dawn ("Vulkan
# shaderUniform*ArrayDynamicIndexing required"); the one in bookworm-backports (Mesa 25)
# is accepted. Its package is unpacked into DEST (default test/gpu/.lavapipe), not
# installed, so the system's Mesa is untouched. Prints the ICD file to point
# VK_ICD_FILENAMES at. Needs root (or sudo) for apt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dest="${1:-$here/.lavapipe}"
icd="$dest/lvp_icd.json"
if [ -f "$icd" ]; then echo "$icd"; exit 0; fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != "bookworm" ]; then
  echo "software-vulkan.sh: written for Debian bookworm (this is ${PRETTY_NAME:-unknown})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" |
    $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
fi
$SUDO apt-get update -qq >&2
# The Vulkan loader and what the driver links against (bookworm's own versions).
$SUDO apt-get install -y -qq --no-install-recommends libvulkan1 libllvm15 libdrm2 libelf1 libexpat1 \
  libwayland-client0 libx11-xcb1 libxcb-dri3-0 libxcb-present0 libxcb-randr0 libxcb-shm0 libxcb-sync1 \
  libxcb-xfixes0 libxshmfence1 libzstd1 zlib1g >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq -t bookworm-backports mesa-vulkan-drivers >&2)
mkdir -p "$dest"
dpkg-deb -x "$work"/mesa-vulkan-drivers_*.deb "$dest/root"
lib="$dest/root/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"
if ldd "$lib" | grep -q "not found"; then
  ldd "$lib" | grep "not found" >&2
  echo "software-vulkan.sh: lavapipe is missing libraries" >&2
  exit 1
fi
cat >"$icd.tmp" <<JSON
{ "file_format_version": "1.0.0", "ICD": { "library_path": "$lib", "api_version": "1.3.0" } }
JSON
mv "$icd.tmp" "$icd"
echo "$icd"
