#!/usr/bin/env bash
# Copies the parts of CesiumJS the viewer needs (Cesium.js, Workers,
# ThirdParty, Assets, Widgets: ~13.6 MB of the 23 MB build) from
# web/node_modules into web/cesium/vendor/cesium, where embed.FS picks them up.
set -euo pipefail
cd "$(dirname "$0")/.."
src=web/node_modules/cesium/Build/Cesium
dst=web/cesium/vendor/cesium
if [ ! -f "$src/Cesium.js" ]; then
  echo "vendor-cesium: $src missing; run: (cd web && npm ci)" >&2
  exit 1
fi
rm -rf "$dst.tmp"
mkdir -p "$dst.tmp"
cp -R "$src/Cesium.js" "$src/Workers" "$src/ThirdParty" "$src/Assets" "$src/Widgets" "$dst.tmp/"
cp web/node_modules/cesium/package.json "$dst.tmp/package.json"
rm -rf "$dst"
mv "$dst.tmp" "$dst"
echo "vendor-cesium: $(node -p "require('./$dst/package.json').version") → $dst ($(du -sh "$dst" | cut -f1))"
