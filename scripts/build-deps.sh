#!/usr/bin/env bash
# Installs what building Cistern with the built-in local model needs, and nothing when it is
# there: CMake and libclang (llama.cpp is compiled from source by cargo; bindgen needs libclang)
# from Debian's packages. A C++ compiler is assumed (build-essential). Idempotent; quiet.
set -euo pipefail

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
command -v cmake >/dev/null || packages+=(cmake)
# bindgen finds libclang.so through llvm-config or the usual library directories.
compgen -G "/usr/lib/llvm-*/lib/libclang.so" >/dev/null \
  || compgen -G "/usr/lib/*/libclang*.so" >/dev/null \
  || [ -n "${LIBCLANG_PATH:-}" ] \
  || packages+=(libclang-dev)
command -v c++ >/dev/null || packages+=(g++)
if [ ${#packages[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "build-deps: install ${packages[*]} (CMake, libclang and a C++ compiler build the local model)" >&2
    exit 1
  fi
  echo "==> apt-get install ${packages[*]} (to build llama.cpp for the local model)"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
