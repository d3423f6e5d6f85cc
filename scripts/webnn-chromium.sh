#!/usr/bin/env bash
# A headless Chromium with WebNN's CPU backend (TFLite with XNNPACK), for `crispcall profile
# --browser --backend webnn`. Debian's Chromium 156 is built without it (navigator.ml.createContext
# answers "WebNN is not supported on this platform"); the Chromium 153 inside the npm package
# @sparticuz/chromium (MIT; a headless build for serverless hosts, brotli-compressed) has it
# behind --enable-features=WebMachineLearningNeuralNetwork with --ignore-gpu-blocklist. The tarball
# is checked against the integrity hash pinned here (the registry's); the binary and the SwiftShader libraries
# beside it (its GPU process, where WebNN runs, starts on them when there is no GPU) are unpacked
# under the cache and the binary's path printed, for CRISPCALL_CHROMIUM:
#   export CRISPCALL_CHROMIUM=$(bash scripts/webnn-chromium.sh)
#   crispcall profile weights/student-web-i420.onnx --size 1280x720 --received 320x180 --threads 1 \
#     --browser --backend webnn
# It uses the system's NSS, fonts and X libraries, which Debian's chromium package (make setup)
# brings.
set -euo pipefail
VERSION=153.0.0
INTEGRITY=sha512-jiGWqSvPMdu4+P9TilYqAR7yEGPEHINx+lCvE/NqNO/EHYzF/x1hUiI5T6ioVIt7dEy7n88byyT0vk+dnsgQwA==
DIR=${CRISPCALL_CACHE:-$HOME/.cache/crispcall}/webnn-chromium-$VERSION
if [ ! -x "$DIR/chromium" ]; then
  mkdir -p "$DIR"
  TGZ=$DIR/sparticuz-chromium-$VERSION.tgz
  (cd "$DIR" && npm pack -q "@sparticuz/chromium@$VERSION" > /dev/null)
  got=$(node -e 'const data = require("fs").readFileSync(process.argv[1]);
    console.log("sha512-" + require("crypto").createHash("sha512").update(data).digest("base64"));' "$TGZ")
  if [ "$got" != "$INTEGRITY" ]; then
    echo "@sparticuz/chromium@$VERSION: the tarball does not match the pinned integrity hash" >&2
    rm -f "$TGZ"
    exit 1
  fi
  tar xzf "$TGZ" -C "$DIR"
  unbrotli() { node -e 'const [zlib, fs] = [require("zlib"), require("fs")];
    fs.writeFileSync(process.argv[2], zlib.brotliDecompressSync(fs.readFileSync(process.argv[1])));' "$1" "$2"; }
  unbrotli "$DIR/package/bin/swiftshader.tar.br" "$DIR/swiftshader.tar"
  tar xf "$DIR/swiftshader.tar" -C "$DIR" && rm "$DIR/swiftshader.tar"
  unbrotli "$DIR/package/bin/chromium.br" "$DIR/chromium.part"  # last: its name marks a finished unpacking
  chmod +x "$DIR/chromium.part" && mv "$DIR/chromium.part" "$DIR/chromium"
  rm -rf "$DIR/package" "$TGZ"
fi
echo "$DIR/chromium"
